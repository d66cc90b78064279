"""A truth page as the result model holds it: lines of words, confidence ``None``, do-not-care
marks, and in ``meta["truth"]`` the file, format and levels it came with; the helpers that read it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...geometry import Quad
from ...model import Field, Line, OcrResult, Page, Word

#: The engine name of every truth page.
TRUTH = "truth"
#: A region's text that marks it as do not care in ICDAR-style files.
DONT_CARE = "###"
#: Where a line of a format without boxes (plain text) stands: nowhere (its truth gives no levels).
NOWHERE = Quad.from_bbox(0, 0, 0, 0)


def truth_page(lines: Iterable[Line], levels: Iterable[str], *, fields: Iterable[Field] = (), width: int = 0,
               height: int = 0) -> OcrResult:  # fmt: skip
    """A truth page as a reader returns it: ``lines`` (their words inside), the ``levels`` whose
    boxes the file gives (``"words"``, ``"lines"``, or ``"unknown"``), and no image size unless known."""
    page = Page(0, width, height, tuple(lines), fields=tuple(fields))
    return OcrResult(TRUTH, (page,), meta={"truth": {"levels": list(levels)}})


def about(truth: OcrResult) -> Mapping[str, Any]:
    """A truth page's ``meta["truth"]``: ``source``, ``format`` and ``levels``."""
    return truth.meta.get("truth") or {}


def levels_of(truth: OcrResult) -> list[str]:
    return list(about(truth).get("levels", ("words", "lines")))


def truth_words(truth: OcrResult) -> list[Word]:
    """The words whose boxes the truth gives, in its order; none when it gives no word boxes
    (ICDAR-style regions wait here until :func:`settle_levels` decides)."""
    levels = levels_of(truth)
    return truth.words if "words" in levels or "unknown" in levels else []


def truth_lines(truth: OcrResult) -> list[Line]:
    """The lines whose boxes the truth gives, in its order; none when it gives no line boxes."""
    return [line for page in truth.pages for line in page.lines] if "lines" in levels_of(truth) else []


def truth_fields(truth: OcrResult) -> dict[str, str]:
    """Name -> text of the truth's named fields (a saved result's)."""
    return {f.name: f.text for page in truth.pages for f in page.fields}


def has_boxes(truth: OcrResult) -> bool:
    return bool(truth_words(truth) or truth_lines(truth))


def is_dont_care(item: Word | Line) -> bool:
    """Not scored: marked so, or written ``###`` (the ICDAR convention, in any format)."""
    return item.dont_care or item.text == DONT_CARE
