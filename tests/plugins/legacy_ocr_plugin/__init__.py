"""A third-party plugin written for unified-ocr 0.1, on that release's module paths.

It must keep working for one more release, warning its users where the modules went.
"""

from __future__ import annotations

import attrs

from unified_ocr import Line, OcrResult, Page, Quad, Word, hookimpl
from unified_ocr.engine import Engine, EngineOptions
from unified_ocr.prepare import Limits, Upload


@attrs.frozen
class LegacyOptions(EngineOptions):
    word: str = "legacy"


class LegacyEngine(Engine):
    name = "legacy"
    Options = LegacyOptions
    description = "test engine written against the 0.1 module paths"

    @property
    def limits(self) -> Limits:
        return Limits(formats=frozenset({"png", "jpeg"}))

    def recognize(self, upload: Upload) -> OcrResult:
        w, h = upload.size
        quad = Quad.from_bbox(0, 0, w, h)
        text = self.options.word  # type: ignore[attr-defined]
        return OcrResult(self.name, (Page(0, w, h, (Line(text, quad, (Word(text, quad, None),)),)),))


@hookimpl
def register_engines() -> list[type[Engine]]:
    return [LegacyEngine]
