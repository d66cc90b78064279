"""Azure's OCR answers read into the unified result model: a pure function of the JSON.

What is read, told apart by its keys (``result.meta["azure"]["shape"]`` says which it was):

* ``document-intelligence``: Document Intelligence 3.x/4.x (``2022-08-31`` to ``2024-11-30``),
  the full polling body (``status`` + ``analyzeResult``) or the ``analyzeResult`` alone, with
  ``pages[]`` of ``words``/``lines``/``selectionMarks`` tied by spans (see :mod:`.spans`),
  ``paragraphs``, ``tables`` and ``documents[].fields`` (see :mod:`.fields`);
* ``form-recognizer-2`` and ``read-3``: ``analyzeResult.readResults`` (see :mod:`.legacy`), with
  2.x ``pageResults`` tables and ``documentResults`` fields;
* ``image-analysis-4``: Image Analysis 4.0, ``readResult.blocks`` (GA; also the bare list of
  blocks) or ``readResult.pages`` (the 2022-10-12 preview, span model with ``boundingBox``).

Pages in ``unit: inch`` (PDFs) are put in the pixel frame of a rendering at ``dpi`` (200 unless
told); ``unit: pixel`` pages keep the pixels of the image sent. Points are never clamped.

A polling body whose ``status`` is ``failed``, and an error body ``{"error": {...}}``, raise the
typed error they describe (:mod:`.failures`); one still ``running`` raises a
:class:`~unified_ocr.errors.BadResponseError` (it is no answer yet). Anything of the wrong shape
raises :class:`~unified_ocr.errors.BadResponseError` saying what was expected where.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_ocr import OcrResult, Page
from unified_ocr.engines.responses import UNREADABLE, describe
from unified_ocr.errors import BadResponseError, InvalidRequestError
from unified_ocr.imaging.pdf import DEFAULT_DPI

from . import legacy, spans
from .failures import error_from, error_object
from .fields import documents
from .values import VENDOR, read

EXPECTED = (
    "an Azure OCR answer: a Document Intelligence polling body ({status, analyzeResult}) or its analyzeResult, "
    "a Read 3.x / Form Recognizer 2.x analyzeResult (readResults), or an Image Analysis 4.0 result (readResult)"
)
_UNFINISHED = ("notStarted", "running")


def parse(raw: Any, *, dpi: float = DEFAULT_DPI) -> OcrResult:
    """Read a decoded Azure answer into a result, in pixels (inch pages at ``dpi``)."""
    try:
        return _parse(raw, dpi)
    except BadResponseError:
        raise
    except UNREADABLE as exc:
        raise BadResponseError(
            f"the answer could not be read as {EXPECTED} ({type(exc).__name__}: {exc})", vendor=VENDOR
        ) from exc


def _parse(raw: Any, dpi: float) -> OcrResult:
    if isinstance(raw, list) and raw and all(isinstance(b, dict) and "lines" in b for b in raw):
        page = legacy.image_analysis_blocks(raw, "blocks", 0, 0)
        return OcrResult(VENDOR, [page], raw=raw, meta={"azure": {"shape": "image-analysis-4", "pages": [{}]}})
    if not isinstance(raw, dict):
        raise BadResponseError(f"expected {EXPECTED}; got {describe(raw)}", vendor=VENDOR)
    meta: dict[str, Any] = {}
    result: Any = raw
    if "status" in raw and "readResult" not in raw:
        status = raw["status"]
        meta["status"] = status
        if status == "failed":
            raise error_from(error_object(raw), status=None, operation=True)
        if status in _UNFINISHED:
            raise BadResponseError(f"the operation is still {status}: poll its Operation-Location until it ends", vendor=VENDOR)
        if status in ("canceled", "cancelled"):
            raise InvalidRequestError(
                "the operation was canceled before it ended: submit the document again", vendor=VENDOR, code=status
            )
        if status != "succeeded":
            raise read.fail("status", "'notStarted', 'running', 'succeeded', 'failed' or 'canceled'", status)
        result = read.object(raw.get("analyzeResult"), "analyzeResult")
    elif "analyzeResult" in raw:
        result = read.object(raw["analyzeResult"], "analyzeResult")
    elif error_object(raw) is not None:
        raise error_from(error_object(raw), status=None)
    if "readResult" in result:
        return _image_analysis(result, meta)
    at = "analyzeResult" if result is not raw else "(answer)"
    if "readResults" in result:
        return _read_results(raw, result, at, dpi, meta)
    if "pages" in result:
        return _document_intelligence(raw, result, at, dpi, meta)
    raise BadResponseError(f"expected {EXPECTED}; got {describe(raw)}", vendor=VENDOR)


def _version(result: Mapping[str, Any], meta: dict[str, Any]) -> None:
    for key, name in (("apiVersion", "api_version"), ("version", "version"), ("modelId", "model_id"), ("modelVersion", "model_version"),
                      ("contentFormat", "content_format"), ("stringIndexType", "string_index_type")):  # fmt: skip
        if isinstance(result.get(key), str):
            meta[name] = result[key]


def _box_key(result: Mapping[str, Any]) -> str:
    """``polygon`` (3.0 GA and later), or ``boundingBox`` where an answer of the 2022 previews
    of Document Intelligence gives its words' and lines' eight numbers under that name."""
    for page in result.get("pages") or ():
        if type(page) is dict or isinstance(page, Mapping):  # a plain dict told at once, not by the ABC
            for item in [*(page.get("words") or ()), *(page.get("lines") or ())]:
                if (type(item) is dict or isinstance(item, Mapping)) and "polygon" not in item and "boundingBox" in item:
                    return "boundingBox"
    return "polygon"


def _document_intelligence(raw: Any, result: Mapping[str, Any], at: str, dpi: float, meta: dict[str, Any]) -> OcrResult:
    _version(result, meta)
    pages = spans.read_pages(result, at, dpi, _box_key(result))
    _unique([p.index for p in pages], at)
    fields, docs = documents(result, at, {p.index: p.frame.scale for p in pages})
    built, infos = spans.build(pages, result, at, fields)
    built = _orphans(built, fields)
    if docs:
        meta["documents"] = docs
    meta["pages"] = infos
    return _result(raw, built, "document-intelligence", meta)


def _read_results(raw: Any, result: Mapping[str, Any], at: str, dpi: float, meta: dict[str, Any]) -> OcrResult:
    _version(result, meta)
    read_pages = read.optional_list(result, "readResults", at)
    scales: dict[int, float] = {}
    for k, page in enumerate(read_pages):
        if isinstance(page, dict):
            unit = page.get("unit")
            number = page.get("page")
            scales[(number - 1) if isinstance(number, int) and number >= 1 else k] = dpi if unit == "inch" else 1.0
    fields, docs = documents(result, at, scales)
    pages, infos = legacy.read_results(result, at, dpi, fields)
    _unique([p.index for p in pages], at)
    pages = _orphans(pages, fields)
    if docs:
        meta["documents"] = docs
    meta["pages"] = infos
    version = meta.get("version", "")
    legacy_form = version.startswith("2.") or "pageResults" in result or "documentResults" in result
    return _result(raw, pages, "form-recognizer-2" if legacy_form else "read-3", meta)


def _image_analysis(raw: Mapping[str, Any], meta: dict[str, Any]) -> OcrResult:
    _version(raw, meta)
    found = read.object(raw["readResult"], "readResult")
    size: Mapping[str, Any] = raw["metadata"] if isinstance(raw.get("metadata"), dict) else {}
    width = read.count(size["width"], "metadata.width") if size.get("width") is not None else 0
    height = read.count(size["height"], "metadata.height") if size.get("height") is not None else 0
    if "blocks" in found:
        page = legacy.image_analysis_blocks(read.array(found["blocks"], "readResult.blocks"), "readResult.blocks", width, height)
        return _result(raw, [page], "image-analysis-4", {**meta, "pages": [{}]})
    pages = spans.read_pages(found, "readResult", 1.0, "boundingBox")
    built, infos = spans.build(pages, found, "readResult", {})
    return _result(raw, built, "image-analysis-4", {**meta, "pages": infos})


def _unique(indexes: list[int], at: str) -> None:
    if len(set(indexes)) != len(indexes):
        raise read.fail(f"{at}.pages", "pages with numbers no other page has", indexes)


def _orphans(pages: list[Page], fields: Mapping[int, list[Any]]) -> list[Page]:
    """Fields on a page the answer does not list go to the first page (a page of its own when there is none)."""
    known = {p.index for p in pages}
    lost = [f for index, found in fields.items() if index not in known for f in found]
    if not lost:
        return pages
    if not pages:
        return [Page(0, 0, 0, fields=lost)]
    first = pages[0]
    return [
        Page(first.index, first.width, first.height, first.lines, first.tables, (*first.fields, *lost), first.blocks),
        *pages[1:],
    ]


def _result(raw: Any, pages: list[Page], shape: str, meta: dict[str, Any]) -> OcrResult:
    pages = sorted(pages, key=lambda p: p.index)
    return OcrResult(engine=VENDOR, pages=pages, raw=raw, meta={"azure": {"shape": shape, **meta}})
