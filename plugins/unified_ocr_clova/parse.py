"""NAVER CLOVA OCR responses read into the unified result model: a pure function of the JSON.

One parser reads every CLOVA answer, because the endpoints share one envelope
(``{"version", "requestId", "timestamp", "images": [...]}``) and differ only in what each
image carries; an image can carry several of these at once:

* **General OCR** ``fields`` are words. V2 marks the end of a line with ``lineBreak``, and
  that is the vendor's own reading of the layout, so lines are cut exactly there and
  ``result.text`` is the vendor's ``inferText`` joined by spaces and newlines. V1 (and any
  field list without ``lineBreak``) says nothing about lines: its words are grouped into
  visual lines by the shared layout, as every word-only engine's are.
* **Template OCR** fields have names, so they become :class:`~unified_ocr.Field`\\ s, addressed
  by name rather than by position (positions move when a template is edited). Each also
  becomes a piece of a line: fields level with each other are one visual line (the shared
  layout's :func:`~unified_ocr.layout.order_lines`), so ``result.text`` reads as the page does.
* **Tables** keep every cell, the empty ones and every line of the multi-line ones, with
  their spans: dropping either silently shifts the grid.
* **Document OCR** (receipt, name card, ...) leaves get stable dotted names, see
  :mod:`unified_ocr_clova.document`.

Vertices are taken in the vendor's order and never sorted or clamped: CLOVA starts each box
at the text's own top-left (bottom-left for text turned 90°, bottom-right for 180°), which
is the model's convention. Recorded responses beat the vendor documents: numbers come as
``53``, ``53.0`` or ``60.775``, confidences as the integer ``1``, V1 boxes as
``boundingPoly`` although the document says ``bounding`` (both are read), and most keys
are optional. Unknown keys are ignored; anything of the wrong shape raises
:class:`~unified_ocr.errors.BadResponseError` saying what was expected where, never a bare
``KeyError``/``TypeError``. An image the service could not read raises
:class:`~unified_ocr.errors.ImageFailedError`.

``result.meta["clova"]`` keeps what is not text: ``version``; per image ``matchedTemplate``,
``title`` (``{"name", "text", "confidence"}``), ``validationResult``, ``combineResult`` and
``document`` (``{"kind", <the document's meta>, "values"}``). With one image (the usual
case) these are top-level keys; with several (PDF/TIFF pages) each page's are also under
``"pages"`` and the top-level key comes from the first page that has it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from unified_ocr import Block, Cell, Field, Line, OcrResult, Page, Quad, Table, Word
from unified_ocr.engines.responses import MISSING, NUMBERS, UNREADABLE, ResponseReader, describe, four_points, plain
from unified_ocr.errors import BadResponseError, ImageFailedError
from unified_ocr.geometry import NonFiniteQuadError, checked_quad
from unified_ocr.layout import group_blocks, order_lines
from unified_ocr.model import FieldKind, checked_field, checked_line, checked_word

from .document import DOCUMENT_KINDS, VENDOR, formatted_value, kind_name, named_leaves, receipt_items, vendor_path

__all__ = ["parse", "receipt_items"]

#: Confidences this far beyond 0..1 are rounding and get clamped; further is a bad response.
CONFIDENCE_SLACK = 1e-3

_FIELD_KINDS: dict[str, FieldKind] = {"NORMAL": "text", "MULTI_BOX": "multi_box", "CHECKBOX": "checkbox"}
_FAILED = ("FAILURE", "ERROR")
#: Keys of ``images[i]`` that are never a document kind.
_IMAGE_KEYS = frozenset(
    {"uid", "name", "inferResult", "message", "matchedTemplate", "validationResult", "convertedImageInfo",
     "title", "fields", "tables", "combineResult"}
)  # fmt: skip


read = ResponseReader(VENDOR)


def parse(raw: Any) -> OcrResult:
    """Read a decoded CLOVA OCR response (General V1/V2, Template, Document) into a result.

    Coordinates are those of the response; a page's size is ``convertedImageInfo``'s when
    the response gives it (PDF/TIFF), else 0 x 0.
    """
    images = _images(raw)
    pages: list[Page] = []
    infos: list[dict[str, Any]] = []
    for position, image in enumerate(images):
        where = f"images[{position}]"
        try:
            page, info = _image(read.object(image, where), position, where)
        except UNREADABLE as exc:
            raise BadResponseError(
                f"{where} could not be read as a CLOVA OCR image result ({type(exc).__name__}: {exc})", vendor=VENDOR
            ) from exc
        pages.append(page)
        infos.append(info)
    clova: dict[str, Any] = {}
    if isinstance(raw.get("version"), str):
        clova["version"] = raw["version"]
    for info in infos:
        for key, value in info.items():
            clova.setdefault(key, value)
    if len(infos) > 1:
        clova["pages"] = infos
    return OcrResult(engine=VENDOR, pages=pages, raw=raw, meta={"clova": clova})


def _images(raw: Any) -> list[Any]:
    expected = "a CLOVA OCR response: an object with an 'images' list (General, Template or Document OCR)"
    if not isinstance(raw, dict) or "images" not in raw:
        hint = ""
        if isinstance(raw, dict) and "words" in raw and "lines" in raw:
            hint = " (this looks like the body of CLOVA's public web demo, which is not the OCR API)"
        raise BadResponseError(f"expected {expected}; got {describe(raw)}{hint}", vendor=VENDOR)
    images = raw["images"]
    if not isinstance(images, list):
        raise BadResponseError(f"expected {expected}; got 'images' as {describe(images)}", vendor=VENDOR)
    if not images:  # one image is sent per request: an answer about none is not an answer
        raise BadResponseError("expected the response's 'images' to hold the image sent; got an empty list", vendor=VENDOR)
    return images


def _image(image: Mapping[str, Any], position: int, where: str) -> tuple[Page, dict[str, Any]]:
    _check_inference(image, where)
    index, width, height = _geometry(image, position, where)
    fields = read.optional_list(image, "fields", where)
    info: dict[str, Any] = {}
    lines: list[Line] = []
    named: list[Field] = []
    blocks: list[Block] = []
    if "matchedTemplate" in image or "title" in image or any(isinstance(f, dict) and "name" in f for f in fields):
        lines, named = _template(image, fields, where, info)
    elif any(isinstance(f, dict) and "lineBreak" in f for f in fields):
        lines = _general_lines(_general_words(fields, where))  # the vendor's own visual lines
    else:  # V1, or no lineBreak anywhere: words only, grouped as every word-only engine's are
        lines, blocks = group_blocks([word for word, _ in _general_words(fields, where) if word.text.strip()])
    for key in ("matchedTemplate", "validationResult", "combineResult"):
        if image.get(key) is not None:
            info[key] = plain(image[key])
    tables = [_table(t, f"{where}.tables[{k}]") for k, t in enumerate(read.optional_list(image, "tables", where))]
    documents = [
        k for k, v in image.items()
        if (k in DOCUMENT_KINDS and v is not None) or (k not in _IMAGE_KEYS and isinstance(v, dict) and isinstance(v.get("result"), dict))
    ]  # fmt: skip
    for key in documents:
        prefix = f"{kind_name(key)}." if len(documents) > 1 else ""
        doc_fields, doc_info = _document(key, image[key], f"{where}.{key}", prefix)
        named.extend(doc_fields)
        lines.extend(_single_line(f.text, f.quad, f.confidence) for f in doc_fields if f.text and f.quad is not None)
        info.setdefault("document", doc_info)
    if named and lines:  # lines made of fields (a template's, a receipt's): the page's visual lines
        lines, blocks = order_lines(lines)
    return Page(index, width, height, lines=lines, tables=tables, fields=named, blocks=blocks), info


def _check_inference(image: Mapping[str, Any], where: str) -> None:
    result = image.get("inferResult")
    if result is None:
        return
    if not isinstance(result, str):
        raise read.fail(f"{where}.inferResult", "a string ('SUCCESS', 'FAILURE' or 'ERROR')", result)
    if result in _FAILED:
        name, message = image.get("name"), image.get("message")
        label = f"image {name!r} ({where})" if isinstance(name, str) else where
        said = message if isinstance(message, str) and message else "no message from the service"
        raise ImageFailedError(f"{label} was not recognised ({result}): {said}", vendor=VENDOR, code=result)


def _geometry(image: Mapping[str, Any], position: int, where: str) -> tuple[int, int, int]:
    info = image.get("convertedImageInfo")
    if info is None:
        return position, 0, 0
    info = read.object(info, f"{where}.convertedImageInfo")
    at = f"{where}.convertedImageInfo"
    index = read.count(info["pageIndex"], f"{at}.pageIndex") if info.get("pageIndex") is not None else position
    width = read.count(info["width"], f"{at}.width") if info.get("width") is not None else 0
    height = read.count(info["height"], f"{at}.height") if info.get("height") is not None else 0
    return index, width, height


# -- General and Template OCR ---------------------------------------------------------------


def _general_words(fields: Sequence[Any], where: str) -> list[tuple[Word, bool]]:
    """Each field as a word, with whether a line ends after it (``lineBreak``)."""
    out = []
    for k, raw in enumerate(fields):
        word = _plain_word(raw)
        line_break = raw.get("lineBreak") if word is not None else None
        if word is None or (line_break is not None and type(line_break) is not bool):
            at = f"{where}.fields[{k}]"  # the strict reading, which says what is wrong and where
            field = read.object(raw, at)
            word = _word(field, at)
            line_break = read.optional_bool(field, "lineBreak", at)
        out.append((word, bool(line_break)))
    return out


def _general_lines(words: Sequence[tuple[Word, bool]]) -> list[Line]:
    """The vendor's own lines: words up to each ``lineBreak``."""
    lines: list[Line] = []
    pending: list[Word] = []
    for word, line_break in words:
        if word.text.strip():  # a field read as nothing adds no word, and no blank line
            pending.append(word)
        if line_break and pending:
            lines.append(Line.from_words(pending))
            pending = []
    if pending:  # the last field said no lineBreak: its line ends with the page anyway
        lines.append(Line.from_words(pending))
    return lines


def _template(
    image: Mapping[str, Any], fields: Sequence[Any], where: str, info: dict[str, Any]
) -> tuple[list[Line], list[Field]]:
    lines: list[Line] = []
    if image.get("title") is not None:
        at = f"{where}.title"
        title = read.object(image["title"], at)
        text = read.string(title.get("inferText", ""), f"{at}.inferText")
        name = title.get("name")
        confidence = _confidence(title, at)
        info["title"] = {"name": name if isinstance(name, str) else None, "text": text, "confidence": confidence}
        quad = _quad(title, at)
        if text and quad is not None:
            lines.append(_single_line(text, quad, confidence))
    named = []
    for k, f in enumerate(fields):
        at = f"{where}.fields[{k}]"
        named.append(_named_field(f if type(f) is dict else read.object(f, at), at))
    lines.extend(_single_line(f.text, f.quad, f.confidence) for f in named if f.text and f.quad is not None)
    return lines, named


def _named_field(field: Mapping[str, Any], at: str) -> Field:
    name = field.get("name", MISSING)
    if type(name) is not str:
        name = read.string(name, f"{at}.name")
    said_kind = field.get("type")
    kind = _FIELD_KINDS.get(said_kind, "text") if type(said_kind) is str or isinstance(said_kind, str) else "text"
    checked = field.get("checked")
    if checked is not None and type(checked) is not bool:
        raise read.fail(f"{at}.checked", "true or false", checked)
    parts = []
    subs = field.get("subFields")
    for i, sub in enumerate(subs if type(subs) is list else () if subs is None else read.optional_list(field, "subFields", at)):
        sat = f"{at}.subFields[{i}]"
        sub = read.object(sub, sat)
        sub_checked = sub.get("checked") if isinstance(sub.get("checked"), bool) else None
        parts.append(checked_field(f"{name}[{i}]", "text", read.string(sub.get("inferText", MISSING), f"{sat}.inferText"),
                                   _quad(sub, sat), _confidence(sub, sat), sub_checked))  # fmt: skip
    text = field.get("inferText", MISSING)
    if type(text) is not str:
        text = read.string(text, f"{at}.inferText")
    return checked_field(name, kind, text, _quad(field, at), _confidence(field, at), checked, tuple(parts))


def _word(obj: Mapping[str, Any], at: str) -> Word:
    text = read.string(obj.get("inferText", MISSING), f"{at}.inferText")
    quad = _quad(obj, at)
    if quad is None:
        raise read.fail(f"{at}.boundingPoly", "an object with four 'vertices' (or a V1 'bounding' box)", MISSING)
    return Word(text, quad, _confidence(obj, at))


def _plain_word(obj: Any) -> Word | None:
    """A well-formed V2 word read without building a path for each value (pages have
    hundreds); ``None`` for anything else, which :func:`_word` then reads strictly."""
    if type(obj) is not dict:
        return None
    text, confidence = obj.get("inferText"), obj.get("inferConfidence")
    if type(text) is not str or not (confidence is None or (type(confidence) in NUMBERS and 0 <= confidence <= 1)):
        return None
    quad = _plain_quad(obj.get("boundingPoly"))
    return None if quad is None else checked_word(text, quad, None if confidence is None else confidence * 1.0)


def _single_line(text: str, quad: Quad, confidence: float | None) -> Line:
    """A line that is one word, for a named field: the same text, box and score."""
    return checked_line(text, quad, (checked_word(text, quad, confidence),), confidence)


# -- tables ------------------------------------------------------------------------------------


def _table(raw: Any, at: str) -> Table:
    table = read.object(raw, at)
    cells = [_cell(read.object(c, f"{at}.cells[{k}]"), f"{at}.cells[{k}]") for k, c in enumerate(read.optional_list(table, "cells", at))]
    return Table(cells, _quad(table, at), _confidence(table, at))


def _cell(cell: Mapping[str, Any], at: str) -> Cell:
    row = read.count(cell.get("rowIndex", MISSING), f"{at}.rowIndex")
    col = read.count(cell.get("columnIndex", MISSING), f"{at}.columnIndex")
    spans = [read.count(cell[k], f"{at}.{k}") if cell.get(k) is not None else 1 for k in ("rowSpan", "columnSpan")]
    lines: list[Line] = []
    for j, raw in enumerate(read.optional_list(cell, "cellTextLines", at)):
        lat = f"{at}.cellTextLines[{j}]"
        text_line = read.object(raw, lat)
        words = [
            _plain_word(w) or _word(read.object(w, f"{lat}.cellWords[{i}]"), f"{lat}.cellWords[{i}]")
            for i, w in enumerate(read.optional_list(text_line, "cellWords", lat))
        ]
        quad, confidence = _quad(text_line, lat), _confidence(text_line, lat)
        if words:  # the vendor's own box and score for the line, when it gives them
            if quad is None or confidence is None:
                joined = Line.from_words(words)
                quad = joined.quad if quad is None else quad
                confidence = joined.confidence if confidence is None else confidence
            line = checked_line(" ".join([w.text for w in words]), quad, tuple(words), confidence)
        elif quad is not None:
            line = Line("", quad, (), confidence)
        else:
            continue
        lines.append(line)
    return Cell(row, col, max(spans[0], 1), max(spans[1], 1), lines, _quad(cell, at), _confidence(cell, at))


# -- Document OCR ------------------------------------------------------------------------------


def _document(key: str, raw: Any, at: str, prefix: str) -> tuple[list[Field], dict[str, Any]]:
    doc = read.object(raw, at)
    result = read.object(doc.get("result", MISSING), f"{at}.result")
    kind = kind_name(key)
    leaves, values = named_leaves(kind, result)
    fields = [_leaf_field(prefix + name, leaf, lambda path=path: f"{at}.result{vendor_path(path)}") for name, leaf, path in leaves]  # type: ignore[misc]
    meta = doc.get("meta")
    info: dict[str, Any] = {"kind": kind}
    if isinstance(meta, dict):
        info.update((k, plain(v)) for k, v in meta.items() if k != "kind")
    if values:
        info["values"] = {prefix + k: v for k, v in values.items()}
    return fields, info


def _leaf_field(name: str, leaf: Mapping[str, Any], where: Callable[[], str]) -> Field:
    """A document's leaf as a field; ``where`` makes its path, for a message, only when one is
    needed (a receipt has dozens of leaves, most of them well-formed)."""
    text, polys, score, formatted = leaf["text"], leaf.get("boundingPolys"), leaf.get("confidenceScore"), leaf.get("formatted")
    # a quad or None each (a quad is always true: ``all`` finds a None without comparing quads)
    quads: list[Quad | None] | None
    if type(polys) is list:  # one box, the usual leaf: no comprehension for it
        quads = [_plain_quad(polys[0])] if len(polys) == 1 else [_plain_quad(p) for p in polys]
    else:
        quads = [] if polys is None else None
    value = MISSING
    if type(formatted) is dict:
        said = formatted.get("value", MISSING)
        if type(said) is str:
            value = said or None
        elif said is MISSING:  # a date's or a time's parts, read at once too (a wrong one: the strict reading)
            try:
                value = formatted_value(formatted, "")
            except BadResponseError:
                value = MISSING
    if (type(text) is not str or quads is None or not all(quads) or value is MISSING and formatted is not None
            or not (score is None or (type(score) in NUMBERS and 0 <= score <= 1))):  # fmt: skip
        at = where()  # the strict reading, which says what is wrong and where
        text = read.string(text, f"{at}.text")
        quads = [_vertices(p, f"{at}.boundingPolys[{j}]") for j, p in enumerate(read.optional_list(leaf, "boundingPolys", at))]
        score = _confidence(leaf, at, "confidenceScore")
        value = formatted_value(formatted, f"{at}.formatted")
    elif value is MISSING:
        value = None  # no formatted value
    quad = None if not quads else quads[0] if len(quads) == 1 else Quad.enclosing(quads)  # type: ignore[arg-type]
    return checked_field(name, "text", text, quad, None if score is None else float(score), value=value)


# -- reading values of the right shape -------------------------------------------------------------


def _quad(obj: Mapping[str, Any], at: str) -> Quad | None:
    """The object's box: V2 ``boundingPoly`` in the vendor's vertex order, else V1 ``bounding``."""
    poly = obj.get("boundingPoly")
    if poly is not None:
        return _plain_quad(poly) or _vertices(poly, f"{at}.boundingPoly")
    if obj.get("bounding") is not None:
        box = read.object(obj["bounding"], f"{at}.bounding")
        left, top, width, height = (
            read.number(box.get(k, MISSING), f"{at}.bounding.{k}") for k in ("left", "top", "width", "height")
        )
        return Quad.from_bbox(left, top, left + width, top + height)
    return None


def _vertices(poly: Any, at: str) -> Quad:
    quad = _plain_quad(poly)
    if quad is not None:
        return quad
    vertices = read.object(poly, at).get("vertices", MISSING)
    if not isinstance(vertices, list) or len(vertices) != 4:
        raise read.fail(f"{at}.vertices", "a list of four {x, y} points", vertices)
    points = []
    for i, v in enumerate(vertices):
        v = read.object(v, f"{at}.vertices[{i}]")
        points.append(
            (read.number(v.get("x", MISSING), f"{at}.vertices[{i}].x"), read.number(v.get("y", MISSING), f"{at}.vertices[{i}].y"))
        )
    return Quad(points)


def _plain_quad(poly: Any) -> Quad | None:
    """Four well-formed vertices as a quad, checked without building a path for each value;
    ``None`` for anything else, which the strict reading then explains."""
    found = four_points(poly.get("vertices") if type(poly) is dict else None)
    if found is None:
        return None
    x0, y0, x1, y1, x2, y2, x3, y3 = found
    try:  # a NaN, an infinity or an integer beyond a float's range: the strict reading says which
        # times 1.0: an int made a float (as float() makes it, at a fraction of the call), a float kept
        return checked_quad(x0 * 1.0, y0 * 1.0, x1 * 1.0, y1 * 1.0, x2 * 1.0, y2 * 1.0, x3 * 1.0, y3 * 1.0)  # type: ignore[operator]
    except (NonFiniteQuadError, OverflowError):
        return None


def _confidence(obj: Mapping[str, Any], at: str, key: str = "inferConfidence") -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if type(value) in NUMBERS and 0 <= value <= 1:  # the usual score, read without building its path
        return float(value)
    score = read.number(value, f"{at}.{key}")
    if not -CONFIDENCE_SLACK <= score <= 1 + CONFIDENCE_SLACK:
        raise read.fail(f"{at}.{key}", "a confidence within 0..1", value)
    return min(max(score, 0.0), 1.0)
