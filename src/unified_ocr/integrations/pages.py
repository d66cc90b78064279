"""What the loaders share: sources read through the batch runner, and each result cut into
passages (a page, a whole source or a line) with metadata every vector store takes.

The LangChain loader and the LlamaIndex reader differ only in the class they wrap a
:class:`Passage` in; how sources are expanded, read, cached, journaled, how a failed image
is treated and what the metadata holds is decided here, once.

Metadata values are plain JSON: strings, integers and floats at the top level (``None`` is
left out, as some stores refuse it), and only when ``boxes`` is asked for, a list of
``{"text", "quad", "confidence"}`` objects whose quads are four ``[x, y]`` lists in the
page's pixels (clockwise from the text's own top-left).
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import closing
from pathlib import Path
from typing import Any, Literal, cast, get_args

import attrs
import numpy as np

from ..api import ConfigLike, EngineLike, choose_engine
from ..batch import expand_inputs
from ..batch.journal import Journal
from ..batch.options import RunOptions
from ..batch.runner import Outcome, recognize_many
from ..engines.scope import EngineScope, shared_scope
from ..errors import ConfigError, UnifiedOcrError
from ..geometry import Quad
from ..imaging.sources import SourceLike, display_path
from ..model import Line, OcrResult, Word

Mode = Literal["page", "single", "lines"]
OnError = Literal["raise", "skip"]
MODES: tuple[str, ...] = get_args(Mode)
ON_ERROR: tuple[str, ...] = get_args(OnError)

#: Keys for programs, not for a model to read: LlamaIndex leaves them out of what it embeds and
#: shows the LLM (it puts metadata into both by default, and boxes would swamp a chunk).
MACHINE_KEYS = ("boxes", "quad", "sha256", "engine", "profile", "lang", "page_width", "page_height", "total_pages",
                "confidence", "line")  # fmt: skip

_ID_SPACE = uuid.UUID("6f1d3c3e-5d0b-4b8e-9a57-2f6c0c7c1a27")


class SourceFailedError(UnifiedOcrError):
    """A loader's source could not be read; ``source`` names it and ``error`` (also the
    ``__cause__``) is the error it failed with, of the usual types."""

    def __init__(self, source: str, error: BaseException) -> None:
        self.source = source
        self.error = error
        super().__init__(f"{_named(source, error)}; fix or remove this image, or pass on_error='skip' to load "
                         "without it. Images read before it are in the result cache: running again pays nothing for them")  # fmt: skip


def _named(source: str, error: BaseException) -> str:
    """``source: what went wrong (ErrorType)``, the source named once though the error may name it too."""
    told = str(error)
    return f"{told if told.startswith(source) else f'{source}: {told}'} ({type(error).__name__})"


class SkippedSourceWarning(UserWarning):
    """With ``on_error="skip"``: a source failed and has no documents."""


@attrs.frozen(slots=True)
class Passage:
    """One document to be: its text, its metadata (plain JSON values) and an id that is the
    same on every run for the same image read the same way, so a store upserts instead of
    holding it twice."""

    text: str
    metadata: dict[str, Any]
    id: str


def passages(result: OcrResult, source: str, sha256: str | None, mode: Mode = "page", boxes: bool = False) -> list[Passage]:
    """A result cut into passages: one per page, one for the whole source, or one per line."""
    common: dict[str, Any] = {"engine": result.engine, "profile": result.meta.get("profile"), "lang": result.meta.get("lang"),
                              "sha256": sha256, "total_pages": len(result.pages)}  # fmt: skip
    found: list[Passage] = []
    extra: dict[str, Any]
    if mode == "single":
        extra = {"boxes": [_box(line, page.index) for page, line in result.iter_lines()]} if boxes else {}
        found.append(_passage(result.text, {"source": source, **common, **extra}, mode))
        return found
    for page in result.pages:
        at_page = {"source": source, "page": page.index, **common, "page_width": page.width, "page_height": page.height}
        if mode == "page":
            extra = {"boxes": [_box(line) for line in page.lines]} if boxes else {}
            found.append(_passage(page.text, {**at_page, **extra}, mode))
            continue
        for number, line in enumerate(page.lines):
            extra = {"quad": _points(line.quad), "boxes": [_box(word) for word in line.words]} if boxes else {}
            found.append(_passage(line.text, {**at_page, "line": number, "confidence": line.confidence, **extra}, mode))
    return found


def _passage(text: str, metadata: Mapping[str, Any], mode: str) -> Passage:
    kept = {k: v for k, v in metadata.items() if v is not None}
    where = "/".join(str(kept.get(k, "")) for k in ("source", "sha256", "profile", "page", "line"))
    return Passage(text, kept, str(uuid.uuid5(_ID_SPACE, f"{mode}/{where}")))


def _points(quad: Quad) -> list[list[float]]:
    return [[float(x), float(y)] for x, y in quad.points]


def _box(item: Line | Word, page: int | None = None) -> dict[str, Any]:
    box: dict[str, Any] = {"text": item.text, "quad": _points(item.quad)}
    if item.confidence is not None:
        box["confidence"] = float(item.confidence)
    if page is not None:
        box["page"] = page
    return box


def source_list(paths_or_sources: Any) -> Iterator[SourceLike]:
    """The sources, lazily: one source or many; a path is a file, a folder (its images,
    recursively, sorted) or a list of paths (``.txt``), as ``unified-ocr batch`` reads them."""
    one = isinstance(paths_or_sources, (str, os.PathLike, bytes, bytearray, memoryview, np.ndarray))
    if one or hasattr(paths_or_sources, "read") or not isinstance(paths_or_sources, Iterable):
        paths_or_sources = [paths_or_sources]  # anything else that is not a source fails as one, named
    for item in paths_or_sources:
        if isinstance(item, (str, os.PathLike)):
            yield from expand_inputs([os.fspath(item)])
        else:
            yield item


class PassageReader:
    """The settings of a loader, checked when it is made (a misspelt option, an unknown engine
    or mode fails there, before any image is read), and the run that turns sources into passages."""

    def __init__(self, engine: EngineLike = None, config: ConfigLike = None, *, mode: Mode = "page", boxes: bool = False,
                 on_error: OnError = "raise", options: RunOptions | None = None, journal: Journal | str | Path | None = None,
                 ordered: bool = False, on_outcome: Callable[[Outcome], None] | None = None,
                 scope: EngineScope | None = None, **run_options: Any) -> None:  # fmt: skip
        if mode not in MODES:
            raise ConfigError(f"mode {mode!r} is not one of {', '.join(MODES)}: a document per page, per source or per line")
        if on_error not in ON_ERROR:
            raise ConfigError(f"on_error {on_error!r} is not one of {', '.join(ON_ERROR)}")
        self.choice = choose_engine(engine, config)
        self.options = RunOptions.merged(options, **run_options)
        self.mode, self.boxes, self.on_error = mode, boxes, on_error
        self.journal, self.ordered, self.on_outcome, self.scope = journal, ordered, on_outcome, scope

    def read(self, paths_or_sources: Any) -> Iterator[Passage]:
        """The passages of every source, lazily, as images finish (``ordered``: in the sources' order)."""
        run = recognize_many(source_list(paths_or_sources), self.choice, options=self.options, journal=self.journal,
                             ordered=self.ordered, scope=shared_scope() if self.scope is None else self.scope)  # fmt: skip
        outcomes = cast(Generator[Outcome, None, None], run)  # a generator function's: it closes
        with closing(outcomes):  # a consumer that stops early, or a failure raised here, ends the run at once
            for outcome in outcomes:
                if self.on_outcome is not None:
                    self.on_outcome(outcome)
                source = display_path(outcome.source)
                if outcome.result is None:
                    self._failed(source, outcome.error)
                    continue
                yield from passages(outcome.result, source, outcome.sha256, self.mode, self.boxes)

    def _failed(self, source: str, error: BaseException | None) -> None:
        error = error or UnifiedOcrError("no result")
        if self.on_error == "raise":
            raise SourceFailedError(source, error) from error
        warnings.warn(f"skipped, no documents: {_named(source, error)}", SkippedSourceWarning, stacklevel=4)


def required(extra: str, module: str, error: ImportError) -> ImportError:
    """The error for a loader imported without its extra: what to install."""
    return ImportError(f"unified_ocr.integrations.{module} needs {error.name or 'its framework'}: "
                       f'pip install "unified-ocr[{extra}]"')  # fmt: skip
