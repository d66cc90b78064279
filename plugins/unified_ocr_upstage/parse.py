"""Upstage answers read into the unified result model: a pure function of the JSON.

(What both readers share, the vendor's name, the reader of values and the billed pages, is in :mod:`.answer`.)

Two APIs answer at the same address, told apart by their keys:

* **Document OCR** (``model=ocr``): ``{"pages": [{"words": [{"text", "confidence",
  "boundingBox": {"vertices": [{"x", "y"} x4]}}]}], "metadata": {"pages": [{"page", "width",
  "height"}]}, "numBilledPages", ...}``. Words only, in integer pixels of each page as Upstage
  saw it (a PDF's pages may differ in pixel size: their sizes come from ``metadata.pages``,
  else from the page entry). The answer's ``text`` is not reading order on a page photographed
  at a slant, so lines and blocks come from the shared layout (:func:`unified_ocr.layout.group_blocks`),
  as for every word-only engine. Vertices stay in Upstage's order (never sorted or clamped).
* **Document Parse** (``model=document-parse``): ``{"elements": [{"category", "coordinates",
  "content": {"text", "html", "markdown"}, "page"}]}``; read by :mod:`.elements`.

Anything of the wrong shape raises :class:`~unified_ocr.errors.BadResponseError` naming the
path, never a bare ``KeyError``. ``result.meta["upstage"]`` keeps what the model has no place
for: which API answered, the model version, and the pages Upstage billed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_ocr import OcrResult, Page, Quad, Word
from unified_ocr.engines.responses import MISSING, describe
from unified_ocr.errors import BadResponseError
from unified_ocr.layout import group_blocks
from unified_ocr.model import checked_word

from .answer import MAX_COORDINATE, VENDOR, plain_quad, read, result
from .elements import parse_elements
from .errors import error_from_body

EXPECTED = "an Upstage answer: an object with a 'pages' list (Document OCR) or an 'elements' list (Document Parse)"


def parse(raw: Any) -> OcrResult:
    """Read a decoded Upstage answer (Document OCR or Document Parse) into a result.

    Document OCR pages are in the pixels Upstage gives; Document Parse pages are 1 x 1 with
    coordinates as given (0..1), since that answer gives no page size: the core scales them
    onto the page it sent (see :mod:`.elements`).
    """
    if isinstance(raw, dict) and isinstance(raw.get("error"), dict):
        raise error_from_body(raw, status=None)  # an error body saved as an answer: the typed error it stands for
    if isinstance(raw, dict) and "elements" in raw:
        return parse_elements(raw)
    if not isinstance(raw, dict) or "pages" not in raw:
        raise BadResponseError(f"expected {EXPECTED}; got {describe(raw)}", vendor=VENDOR)
    return parse_ocr(raw)


def parse_ocr(raw: Mapping[str, Any]) -> OcrResult:
    """A Document OCR answer: one page per ``pages`` entry, words grouped into lines by the layout."""
    sizes = _metadata_sizes(raw)
    pages: list[Page] = []
    for k, entry in enumerate(read.array(raw["pages"], "pages")):
        at = f"pages[{k}]"
        obj = read.object(entry, at)
        index = _page_index(obj, k, at)
        if any(p.index == index for p in pages):
            raise read.fail(f"{at}.id", "a page id no other page has", obj.get("id"))
        width, height = sizes.get(index) or _own_size(obj, at)
        words = [_word(w, at, i) for i, w in enumerate(read.optional_list(obj, "words", at))]
        try:
            lines, blocks = group_blocks([w for w in words if w.text])
        except (ValueError, ArithmeticError) as exc:  # degenerate boxes the geometry cannot order
            raise BadResponseError(f"{at}.words could not be ordered into lines ({exc})", vendor=VENDOR) from exc
        pages.append(Page(index, width, height, lines=lines, blocks=blocks))
    pages.sort(key=lambda page: page.index)
    return result(raw, pages, {"api": "ocr"}, (("modelVersion", "model"), ("apiVersion", "api_version")))


def _metadata_sizes(raw: Mapping[str, Any]) -> dict[int, tuple[int, int]]:
    """Page index (from 0) -> (width, height), from ``metadata.pages[]`` (pages counted from 1)."""
    metadata = raw.get("metadata")
    if metadata is None:
        return {}
    entries = read.optional_list(read.object(metadata, "metadata"), "pages", "metadata")
    sizes = {}
    for k, entry in enumerate(entries):
        at = f"metadata.pages[{k}]"
        obj = read.object(entry, at)
        page = read.count(obj.get("page", k + 1), f"{at}.page")
        if page < 1:
            raise read.fail(f"{at}.page", "a page number >= 1", obj.get("page"))
        sizes[page - 1] = (
            read.count(obj.get("width", MISSING), f"{at}.width"),
            read.count(obj.get("height", MISSING), f"{at}.height"),
        )
    return sizes


def _own_size(page: Mapping[str, Any], at: str) -> tuple[int, int]:
    """The page entry's own ``width``/``height``; 0 x 0 (the frame of the image sent) when absent."""
    if page.get("width") is None or page.get("height") is None:
        return 0, 0
    return read.count(page["width"], f"{at}.width"), read.count(page["height"], f"{at}.height")


def _page_index(page: Mapping[str, Any], position: int, at: str) -> int:
    """``id`` counts pages from 0; without it, the entry's position."""
    if page.get("id") is None:
        return position
    return read.count(page["id"], f"{at}.id")


def _word(value: Any, page_at: str, i: int) -> Word:
    """Word ``i`` of the page at ``page_at``; the usual shape (a text, a score within 0..1, four points of plain numbers of a
    sane size) checked at once, anything else by :func:`_checked_word`, which says what is wrong
    where."""
    if type(value) is dict:
        text, confidence, box = value.get("text"), value.get("confidence"), value.get("boundingBox")
        if type(text) is str and type(confidence) is float and 0.0 <= confidence <= 1.0 and type(box) is dict:
            quad = plain_quad(box.get("vertices"))
            if quad is not None:
                try:
                    return checked_word(text.strip(), quad, confidence)
                except ValueError:  # the strict reading says what is wrong, and where
                    pass
    return _checked_word(value, f"{page_at}.words[{i}]")


def _checked_word(value: Any, at: str) -> Word:
    obj = read.object(value, at)
    text = read.string(obj.get("text", MISSING), f"{at}.text").strip()
    confidence = obj.get("confidence")
    score = None if confidence is None else read.number(confidence, f"{at}.confidence")
    if score is not None and not 0.0 <= score <= 1.0:
        raise read.fail(f"{at}.confidence", "a number within 0..1", confidence)
    box = read.object(obj.get("boundingBox", MISSING), f"{at}.boundingBox")
    vertices = read.array(box.get("vertices", MISSING), f"{at}.boundingBox.vertices")
    return Word(text, _quad(vertices, f"{at}.boundingBox.vertices"), score)


def _quad(vertices: list[Any], at: str) -> Quad:
    """Four ``{"x", "y"}`` vertices in Upstage's order."""
    if len(vertices) != 4:
        raise read.fail(at, "four vertices", vertices)
    points = []
    for i, vertex in enumerate(vertices):
        v = read.object(vertex, f"{at}[{i}]")
        x = read.number(v.get("x", MISSING), f"{at}[{i}].x")
        y = read.number(v.get("y", MISSING), f"{at}[{i}].y")
        if abs(x) > MAX_COORDINATE or abs(y) > MAX_COORDINATE:
            raise read.fail(f"{at}[{i}]", "a point of a sane size", vertex)
        points.append((x, y))
    return Quad(points)
