"""Textract's answers read into the unified result model: a pure function of the JSON.

Textract answers a flat list of ``Blocks`` tied together by ``Relationships``: ``PAGE`` blocks,
``LINE`` blocks whose ``CHILD`` ids are ``WORD`` blocks, and, from ``AnalyzeDocument``, ``TABLE``
-> ``CELL``/``MERGED_CELL``, ``KEY_VALUE_SET`` (a ``KEY`` whose ``VALUE`` relationship names the
value), ``SELECTION_ELEMENT``, ``SIGNATURE``, ``QUERY``/``QUERY_RESULT`` and ``LAYOUT_*`` blocks.
What is read (see :mod:`.blocks` for tables, forms and layout):

* the synchronous answers (``DetectDocumentText``, ``AnalyzeDocument``) and the asynchronous ones
  (``GetDocumentTextDetection``, ``GetDocumentAnalysis``: ``JobStatus``, blocks carrying ``Page``),
  one answer or a list of the answers a ``NextToken`` chain gave, joined in order;
* ``ResponseMetadata``, which boto3 adds to what it returns, is ignored;
* a job whose ``JobStatus`` is ``FAILED`` raises :class:`~unified_ocr.errors.ImageFailedError`
  with its ``StatusMessage``; one ``IN_PROGRESS`` is no answer yet (a
  :class:`~unified_ocr.errors.BadResponseError`); ``PARTIAL_SUCCESS`` is read, and its
  ``Warnings`` kept in ``meta``; an AWS error body (``__type``) raises its typed error.

Coordinates are normalised (0..1 of the page) in Textract's answers. Given the page size
(``size``: one ``(width, height)`` for every page, or one per page), they are mapped to pixels;
without it, as :func:`unified_ocr.parse` reads a saved answer with no image, every page is 1 wide
and 1 high and the points stay as Textract gave them. ``Geometry.Polygon`` already starts at the
text's own top-left (on a page turned 90 degrees, at a corner that is not the page's top-left),
so its order is kept; it is never clamped. Confidences are percentages and become 0..1.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from unified_ocr import Line, OcrResult, Page, Quad
from unified_ocr.engines.responses import UNREADABLE, ResponseReader, describe
from unified_ocr.errors import BadResponseError, ImageFailedError
from unified_ocr.imaging.pdf import DEFAULT_DPI
from unified_ocr.imaging.sources import SourceLike, open_source
from unified_ocr.layout import order_lines
from unified_ocr.model import checked_line, checked_word

from . import blocks as structure
from .errors import VENDOR, error_body, provider_error

__all__ = ["LineMode", "Size", "page_sizes", "parse"]

LineMode = Literal["visual", "vendor"]
Size = tuple[int, int]

read = ResponseReader(VENDOR)

EXPECTED = (
    "a Textract answer: DetectDocumentText, AnalyzeDocument, GetDocumentTextDetection or GetDocumentAnalysis "
    "(an object with Blocks, or JobStatus), or a list of the pages of one job's answer"
)
_UNFINISHED = ("IN_PROGRESS",)


def parse(raw: Any, size: Size | Sequence[Size] | None = None, *, lines: LineMode = "visual") -> OcrResult:
    """Read a decoded Textract answer into a result.

    ``size`` is the page size in pixels (one for all pages, or a list, one per page); without it
    pages are 1 by 1 and points stay normalised. ``lines="visual"`` gives the page's visual lines
    in reading order, cut into blocks, as every engine's (Textract's pieces of one row, a form's
    label and its value, become one line); ``"vendor"`` keeps Textract's lines in its order. An
    answer with ``LAYOUT_*`` blocks is ordered and cut into blocks by them in either mode.
    """
    try:
        return _parse(raw, size, lines)
    except (BadResponseError, ImageFailedError):
        raise
    except UNREADABLE as exc:
        if isinstance(exc, ValueError) and str(exc).startswith("size:"):
            raise
        raise BadResponseError(
            f"the answer could not be read as {EXPECTED} ({type(exc).__name__}: {exc})", vendor=VENDOR
        ) from exc


def answers(raw: Any) -> list[Mapping[str, Any]]:
    """The answers of ``raw``: one, or the pages of a ``NextToken`` chain; error bodies and jobs
    that did not succeed raise their typed error."""
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise BadResponseError(f"expected {EXPECTED}; got an empty list", vendor=VENDOR)
    found: list[Mapping[str, Any]] = []
    for i, item in enumerate(items):
        at = f"[{i}]" if isinstance(raw, list) else "(answer)"
        if not isinstance(item, dict):
            raise BadResponseError(f"expected {EXPECTED}; got {describe(item)} at {at}", vendor=VENDOR)
        error = error_body(item)
        if error is not None:
            raise provider_error(error[0], error[1], status=None)
        status = item.get("JobStatus")
        if status == "FAILED":
            said = item.get("StatusMessage")
            message = said if isinstance(said, str) and said else "the job failed"
            raise ImageFailedError(f"{message}: the asynchronous job failed; check the document and start it again",
                                   vendor=VENDOR, code="FAILED")  # fmt: skip
        if status in _UNFINISHED:
            raise BadResponseError("the job is still IN_PROGRESS: poll it again until it ends", vendor=VENDOR, code=status)
        if status is not None and status not in ("SUCCEEDED", "PARTIAL_SUCCESS"):
            raise read.fail(f"{at}.JobStatus", "'IN_PROGRESS', 'SUCCEEDED', 'FAILED' or 'PARTIAL_SUCCESS'", status)
        if "Blocks" not in item and status is None:
            raise BadResponseError(f"expected {EXPECTED}; got {describe(item)}", vendor=VENDOR)
        found.append(item)
    return found


def _parse(raw: Any, size: Size | Sequence[Size] | None, mode: LineMode) -> OcrResult:
    items = answers(raw)
    blocks: list[Mapping[str, Any]] = []
    for i, item in enumerate(items):
        at = f"[{i}].Blocks" if isinstance(raw, list) else "Blocks"
        found = read.optional_list(item, "Blocks", at.rsplit(".", 1)[0] or "(answer)")
        if not all(type(block) is dict for block in found):
            found = [read.object(block, f"{at}[{k}]") for k, block in enumerate(found)]
        blocks += found
    doc = structure.Document(blocks, read)
    n_pages = max([doc.last_page(), *(_declared_pages(item) for item in items)])
    sizes = _sizes(size, n_pages)
    pages = [_page(doc, number, sizes[number - 1], mode) for number in range(1, n_pages + 1)]
    return OcrResult(VENDOR, [p for p, _ in pages], raw=raw, meta={"textract": _meta(items, size, [m for _, m in pages])})


def _declared_pages(item: Mapping[str, Any]) -> int:
    meta = item.get("DocumentMetadata")
    if isinstance(meta, dict) and meta.get("Pages") is not None:
        pages = read.count(meta["Pages"], "DocumentMetadata.Pages")
        if pages > structure.MAX_PAGES:
            raise read.fail("DocumentMetadata.Pages", f"a page count up to {structure.MAX_PAGES}", meta["Pages"])
        return pages
    return 0


def _sizes(size: Size | Sequence[Size] | None, n_pages: int) -> list[Size]:
    if size is None:
        return [(1, 1)] * n_pages
    if len(size) == 2 and all(isinstance(v, numbers.Integral) for v in size):
        return [(int(size[0]), int(size[1]))] * n_pages  # type: ignore[arg-type]
    given = [(int(w), int(h)) for w, h in size]  # type: ignore[misc]
    if len(given) < n_pages:
        raise ValueError(f"size: {len(given)} page sizes given for an answer of {n_pages} pages")
    return given


def _page(doc: structure.Document, number: int, size: Size, mode: LineMode) -> tuple[Page, dict[str, Any]]:
    """Page ``number`` (1-based) of the document, in pixels of ``size``."""
    geo = structure.Geometry(size, read)
    raw_lines = doc.lines(number)
    built = [_line(doc, block, geo) for block in raw_lines]
    by_id = {block["Id"]: line for block, line in zip(raw_lines, built)}
    built += [_lone_word(block, geo) for block in doc.orphan_words(number)]
    info: dict[str, Any] = {}
    layout = doc.layout(number)
    if layout:
        ordered, page_blocks, info["layout"] = structure.layout_blocks(layout, by_id, built, geo, doc)
    elif mode == "visual" and built:
        ordered, page_blocks = order_lines(built)
    else:
        ordered, page_blocks = built, []
    tables = structure.tables(doc, number, geo)
    fields = structure.fields(doc, number, geo)
    handwriting = sum(1 for b in doc.of_type("WORD", number) if b.get("TextType") == "HANDWRITING")
    if handwriting:
        info["handwritten_words"] = handwriting
    width, height = size
    return Page(number - 1, width, height, ordered, tables, fields, page_blocks), info


def _line(doc: structure.Document, block: Mapping[str, Any], geo: structure.Geometry) -> Line:
    """A LINE block with its CHILD words; a line that names none is one word of its own text."""
    words = [structure.word(child, geo) for child in doc.children(block, "WORD")]
    text = block.get("Text", "")
    if type(text) is not str:
        text = read.string(text, f"LINE {block.get('Id')!r}.Text")
    quad = geo.quad(block)
    confidence = geo.confidence(block)
    if not words:
        words = [checked_word(text, quad, confidence)]
    return checked_line(text, quad, tuple(words), confidence)


def _lone_word(block: Mapping[str, Any], geo: structure.Geometry) -> Line:
    word = structure.word(block, geo)
    return checked_line(word.text, word.quad, (word,), word.confidence)


def _meta(items: list[Mapping[str, Any]], size: Any, pages: list[dict[str, Any]]) -> dict[str, Any]:
    first = items[0]
    meta: dict[str, Any] = {}
    for key, name in (("DetectDocumentTextModelVersion", "model_version"), ("AnalyzeDocumentModelVersion", "model_version")):
        if isinstance(first.get(key), str):
            meta["api"] = key.removesuffix("ModelVersion")
            meta[name] = first[key]
    if "JobStatus" in first:
        meta["job_status"] = first["JobStatus"]
        meta["api"] = "GetDocumentAnalysis" if meta.get("api") == "AnalyzeDocument" else "GetDocumentTextDetection"
        if len(items) > 1:
            meta["result_pages"] = len(items)
    warnings = [w for item in items for w in (item.get("Warnings") or ()) if isinstance(w, dict)]
    if warnings:
        meta["warnings"] = [{"code": w.get("ErrorCode"), "pages": w.get("Pages")} for w in warnings]
    if size is None:
        meta["normalised"] = True  # pages are 1 by 1: points are fractions of the page
    if any(pages):
        meta["pages"] = pages
    return meta


def page_sizes(image: SourceLike, dpi: float = DEFAULT_DPI) -> list[Size]:
    """The pixel size of every page of the image or PDF an answer was made from (PDF pages rendered
    at ``dpi``, as unified-ocr sends them): ``parse(raw, page_sizes(image))`` gives pixels."""
    return open_source(image).page_sizes(dpi)


def quad_of(points: Sequence[Mapping[str, Any]], size: Size) -> Quad:
    """A Textract polygon (normalised points) in pixels of ``size``; for tests and the emulator."""
    width, height = size
    return Quad([(float(p["X"]) * width, float(p["Y"]) * height) for p in points])
