"""A third-party engine of the test suite's own, installed the way a real package would be.

``echo`` needs an API key (a :class:`~unified_ocr.Secret`) and "recognises" one line that
reports the size and format of what it was given, so tests can see what the core sent.
"""

from __future__ import annotations

from typing import Literal

import attrs

import unified_ocr
from unified_ocr import (
    EngineOptions,
    Limits,
    Line,
    OcrResult,
    Page,
    Quad,
    Secret,
    Upload,
    Word,
)
from unified_ocr.engines import Engine


@attrs.frozen
class EchoOptions(EngineOptions):
    api_key: Secret | None = attrs.field(default=None, metadata={"required": True})
    max_side: int = 1000
    mode: Literal["line", "words"] = "line"
    lang: tuple[str, ...] = ("en",)
    scale: float = 1.0


class EchoEngine(Engine[EchoOptions]):
    name = "echo"
    Options = EchoOptions
    needs_network = True
    description = "test engine: reports what it was sent"

    @property
    def limits(self) -> Limits:
        return Limits(max_side=self.options.max_side, formats=frozenset({"jpeg", "png"}))

    def recognize(self, upload: Upload) -> OcrResult:
        assert self.options.api_key is not None
        self.options.api_key.reveal()  # must be readable, as a real vendor's would be
        w, h = upload.size
        text = f"{upload.format} {w}x{h}"
        quad = Quad.from_bbox(0, 0, w, h)
        line = Line(text, quad, (Word(text, quad, None),), None)
        return OcrResult(self.name, (Page(0, w, h, (line,)),), raw={"sent_bytes": len(upload.data)})


@unified_ocr.hookimpl
def register_engines() -> list[type[Engine]]:
    return [EchoEngine]


@unified_ocr.hookimpl
def register_exporters() -> list[object]:
    """A third-party export format, found the same way as the built-in ones."""
    from unified_ocr.exports import Exporter

    return [Exporter("echo-upper", ".upper.txt", lambda result: result.text.upper() + "\n", "the text in capitals")]
