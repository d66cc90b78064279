"""Google Cloud Vision text answers read into the unified result model: a pure function of the JSON.

What is read, in this order of preference for each image:

* ``fullTextAnnotation`` (DOCUMENT_TEXT_DETECTION, and TEXT_DETECTION alongside): pages ->
  blocks -> paragraphs -> words -> symbols. A word's text is its symbols joined; the
  ``detectedBreak`` after a word's last symbol says what follows it: ``SPACE``/``SURE_SPACE`` a
  space, ``EOL_SURE_SPACE``/``LINE_BREAK`` the end of the line, ``HYPHEN`` the end of the line
  after a hyphen that is not one of the symbols (written into the line's text, as Google's own
  ``text`` writes it), nothing at all the next word joined on directly (Japanese, Chinese). A
  paragraph's end ends a line too. Confidences and ``detectedLanguages`` are kept.
* ``textAnnotations`` where there is no ``fullTextAnnotation``: the first entry is the whole text,
  the others are words, which get lines and blocks from the shared layout as every word-only
  engine's do.

Lines: with ``lines="visual"`` (the default) Google's lines go through the shared layout's
:func:`~unified_ocr.layout.order_lines`, so that pieces Google put in different blocks but level
with each other (a receipt's item and its price) are one visual line, as for every other engine,
and blocks come from the layout (except on a page mostly in a right-to-left language, where the
layout's left-to-right joining would reverse the pieces: Google's lines are kept). With ``lines="vendor"`` Google's own lines and blocks are kept as
they are (``blockType`` TEXT -> ``text``, TABLE -> ``table``, PICTURE/RULER/BARCODE -> ``figure``).

Vertices keep Google's order (the text's own top-left first, for turned text too). A vertex with
``x`` or ``y`` left out means 0 (the JSON mapping omits zeros), ``{}`` is (0, 0), negative values
stay negative: points are never clamped here. ``normalizedVertices`` (PDF and TIFF answers) are
scaled by the page's size, in the page's own unit (PDF points for a PDF).

The shapes read: ``{"responses": [...]}`` (the HTTP body of ``images:annotate``), one bare
AnnotateImageResponse (what ``MessageToJson`` of one response gives), a JSON array of them (the
Node client's result), and ``files:annotate`` / ``asyncBatchAnnotateFiles`` output, whose responses
sit one level deeper and carry ``context.pageNumber`` (pages are placed by it). An error body,
top-level ``{"error": ...}`` or one image's ``responses[i].error`` inside a 200, is raised as its
typed error (:mod:`unified_ocr_google.errors`). A client library's object dump that is not the
REST JSON (every field present with its default: ``null`` annotations, ``"detectedBreak": null``,
``"confidence": 0`` meaning "not set") is refused: its zeros cannot be told from real values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs

from unified_ocr import Block, Line, OcrResult, Page, Quad, Word
from unified_ocr.engines.responses import MISSING, UNREADABLE, ResponseReader, describe
from unified_ocr.errors import BadResponseError
from unified_ocr.geometry import NonFiniteQuadError, checked_quad
from unified_ocr.layout import group_blocks, order_lines
from unified_ocr.model import BlockKind, checked_line, checked_word

from .errors import VENDOR, provider_error

__all__ = ["LineMode", "parse", "responses"]

LineMode = Literal["visual", "vendor"]
EXPECTED = (
    "a Google Cloud Vision answer: {'responses': [...]} (images:annotate or files:annotate), one "
    "AnnotateImageResponse object, a list of them, or an asyncBatchAnnotateFiles output file"
)
#: Keys an AnnotateImageResponse may have: an object with one of them (or none at all) is one.
RESPONSE_KEYS = frozenset({
    "fullTextAnnotation", "textAnnotations", "error", "context", "faceAnnotations", "landmarkAnnotations",
    "logoAnnotations", "labelAnnotations", "localizedObjectAnnotations", "safeSearchAnnotation",
    "imagePropertiesAnnotation", "cropHintsAnnotation", "webDetection", "productSearchResults",
})  # fmt: skip
SPACE_BREAKS = frozenset({"SPACE", "SURE_SPACE"})
LINE_BREAKS = frozenset({"EOL_SURE_SPACE", "LINE_BREAK", "HYPHEN"})
BLOCK_KINDS: dict[str, BlockKind] = {"TEXT": "text", "TABLE": "table", "PICTURE": "figure", "RULER": "figure",
                                     "BARCODE": "figure"}  # fmt: skip
#: Pages mostly in these languages keep Google's lines: the shared layout joins a row's pieces left
#: to right, which would put a right-to-left row's pieces in reverse order.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "iw", "ur", "yi", "ps", "sd", "ug", "dv", "ckb"})
#: Coordinates this large are not pixels; they would overflow the geometry (areas, angles).
MAX_COORDINATE = 1e300
#: Confidences this far beyond 0..1 are float rounding and get clamped; further is a bad response.
CONFIDENCE_SLACK = 1e-3

read = ResponseReader(VENDOR)


@attrs.frozen(slots=True)
class _Page:
    index: int
    page: Page
    info: dict[str, Any]


def parse(raw: Any, *, lines: LineMode = "visual") -> OcrResult:
    """Read a decoded Google Cloud Vision answer into a result in the frame Google answered in.

    Pages are as large as Google says (``fullTextAnnotation.pages[].width/height``: the image
    after its EXIF orientation, or a PDF page in points), else 0 x 0 (the image sent).
    """
    shape, items = responses(raw)
    pages: list[_Page] = []
    for response, where in items:
        pages.extend(_response(response, where, len(pages), lines))
    seen: set[int] = set()
    for p in pages:
        if p.index in seen:
            raise BadResponseError(f"two answers are for page {p.index + 1} (context.pageNumber)", vendor=VENDOR)
        seen.add(p.index)
    pages.sort(key=lambda p: p.index)
    formats = sorted({p.info["format"] for p in pages})
    meta = {"google": {"shape": shape, "format": formats[0] if len(formats) == 1 else formats,
                       "pages": [p.info for p in pages]}}  # fmt: skip
    return OcrResult(engine=VENDOR, pages=[p.page for p in pages], raw=raw, meta=meta)


def responses(raw: Any) -> tuple[str, list[tuple[Mapping[str, Any], str]]]:
    """The AnnotateImageResponses in ``raw``, each with its path for messages, and which shape held them.

    Raises the typed error of a top-level error body, and refuses what is not Google's REST JSON.
    """
    if isinstance(raw, list):
        return "array", [(_image_response(item, f"[{i}]"), f"[{i}]") for i, item in enumerate(raw)]
    if not isinstance(raw, dict):
        raise BadResponseError(f"expected {EXPECTED}; got {describe(raw)}", vendor=VENDOR)
    if "responses" not in raw:
        if "error" in raw and not (RESPONSE_KEYS - {"error"}) & raw.keys():
            error = raw["error"]
            code = error.get("code") if isinstance(error, dict) else None
            http = code if isinstance(code, int) and not isinstance(code, bool) and code >= 100 else None
            raise provider_error(error, http_status=http, per_image=http is None)
        return "bare", [(_image_response(raw, "$"), "$")]
    items: list[tuple[Mapping[str, Any], str]] = []
    shape = "responses"
    for i, item in enumerate(read.array(raw["responses"], "responses")):
        where = f"responses[{i}]"
        if isinstance(item, dict) and "responses" in item:  # files:annotate: an AnnotateFileResponse
            shape = "files"
            if item.get("error") is not None:
                raise provider_error(item["error"], http_status=None, per_image=True, where=where)
            for k, inner in enumerate(read.array(item["responses"], f"{where}.responses")):
                items.append((_image_response(inner, f"{where}.responses[{k}]"), f"{where}.responses[{k}]"))
        else:
            items.append((_image_response(item, where), where))
    if "inputConfig" in raw:  # an asyncBatchAnnotateFiles output file
        shape = "async-output"
    return shape, items


def _image_response(value: Any, where: str) -> Mapping[str, Any]:
    obj = read.object(value, where)
    nulls = sorted(k for k, v in obj.items() if v is None)
    if nulls:
        raise BadResponseError(
            f"{where} has {', '.join(nulls[:4])} set to null: this is a client library's object dump (a gRPC message "
            "written out field by field, defaults included, as JSON.stringify of @google-cloud/vision's result gives), "
            "not Google's REST JSON, and its zeros cannot be told from real values. Save the HTTP answer of "
            "images:annotate instead (or, from a client, the message through protobuf's JSON mapping: toJSON / "
            "MessageToJson)",
            vendor=VENDOR,
            code="NOT_REST",
        )
    if obj and not RESPONSE_KEYS & obj.keys():
        raise BadResponseError(f"expected {where} to be an AnnotateImageResponse; got {describe(obj)}", vendor=VENDOR)
    return obj


def _response(response: Mapping[str, Any], where: str, position: int, mode: LineMode) -> list[_Page]:
    if response.get("error") is not None:
        raise provider_error(response["error"], http_status=None, per_image=True, where=where)
    index = position
    context = response.get("context")
    if context is not None and read.object(context, f"{where}.context").get("pageNumber") is not None:
        number = read.count(context["pageNumber"], f"{where}.context.pageNumber")
        if number < 1:
            raise read.fail(f"{where}.context.pageNumber", "a page number >= 1", number)
        index = number - 1
    try:
        full = response.get("fullTextAnnotation")
        if full is not None:
            at = f"{where}.fullTextAnnotation"
            pages = read.array(read.object(full, at).get("pages", []), f"{at}.pages")
            return [_full_page(p, f"{at}.pages[{k}]", index + k, mode) for k, p in enumerate(pages)]
        annotations = response.get("textAnnotations")
        if annotations is not None:
            return [_annotations_page(read.array(annotations, f"{where}.textAnnotations"), f"{where}.textAnnotations", index)]
        return [_Page(index, Page(index, 0, 0), {"index": index, "format": "empty"})]
    except BadResponseError:
        raise
    except UNREADABLE as exc:
        raise BadResponseError(
            f"{where} could not be read as a Google Cloud Vision answer ({type(exc).__name__}: {exc})", vendor=VENDOR
        ) from exc


# -- fullTextAnnotation ------------------------------------------------------------------------


def _full_page(value: Any, at: str, index: int, mode: LineMode) -> _Page:
    page = read.object(value, at)
    width = read.count(page["width"], f"{at}.width") if page.get("width") is not None else 0
    height = read.count(page["height"], f"{at}.height") if page.get("height") is not None else 0
    size = (width, height)
    lines: list[Line] = []
    blocks: list[Block] = []
    for b, block_value in enumerate(read.optional_list(page, "blocks", at)):
        bat = f"{at}.blocks[{b}]"
        block = read.object(block_value, bat)
        start = len(lines)
        for p, paragraph in enumerate(read.optional_list(block, "paragraphs", bat)):
            pat = f"{bat}.paragraphs[{p}]"
            lines.extend(_paragraph_lines(read.object(paragraph, pat), pat, size))
        if len(lines) > start:
            kind = block.get("blockType")
            box = block.get("boundingBox")
            quad = (_plain_quad(box, size) or _quad(box, f"{bat}.boundingBox", size)) if box else None
            blocks.append(Block(start, len(lines), quad, BLOCK_KINDS.get(kind, "text") if isinstance(kind, str) else "text"))
    languages = _languages(page, at)
    if mode == "visual" and lines and not (languages and languages[0]["code"].split("-")[0] in RTL_LANGUAGES):
        lines, blocks = order_lines(lines)
    info: dict[str, Any] = {"index": index, "format": "fullTextAnnotation", "languages": languages}
    if page.get("confidence") is not None:
        info["confidence"] = _confidence(page, at)
    return _Page(index, Page(index, width, height, lines=lines, blocks=blocks), info)


def _paragraph_lines(paragraph: Mapping[str, Any], at: str, size: tuple[int, int]) -> list[Line]:
    """The paragraph's words cut into lines at line-ending breaks, each line's text written as Google writes it."""
    lines: list[Line] = []
    words: list[Word] = []
    text = ""
    for w, value in enumerate(read.optional_list(paragraph, "words", at)):
        read_plainly = _plain_word(value, size)
        if read_plainly is None:  # the strict reading, which says what is wrong and where
            wat = f"{at}.words[{w}]"
            word, after = _word(read.object(value, wat), wat, size)
        else:
            word, after = read_plainly
        if word is None:
            continue
        words.append(word)
        text += word.text
        if after in SPACE_BREAKS:
            text += " "
        elif after in LINE_BREAKS:
            lines.append(_line(words, text + ("-" if after == "HYPHEN" else "")))
            words, text = [], ""
    if words:  # a paragraph's end ends its last line, whatever its last break says
        lines.append(_line(words, text))
    return lines


def _line(words: Sequence[Word], text: str) -> Line:
    """:meth:`Line.from_words` with Google's text (made at once, not made and then changed)."""
    quad = words[0].quad.union(*(w.quad for w in words[1:]))
    scores = [w.confidence for w in words if w.confidence is not None]
    return checked_line(text.rstrip(" "), quad, tuple(words), min(scores) if len(scores) == len(words) else None)


def _word(word: Mapping[str, Any], at: str, size: tuple[int, int]) -> tuple[Word | None, str | None]:
    """The word (its symbols joined) and the break after its last symbol; no word for one with no text."""
    parts: list[str] = []
    after: str | None = None
    symbols = read.optional_list(word, "symbols", at)
    for s, value in enumerate(symbols):
        sat = f"{at}.symbols[{s}]"
        symbol = read.object(value, sat)
        parts.append(read.string(symbol.get("text", ""), f"{sat}.text"))
        kind = _break(symbol, sat)
        if s == len(symbols) - 1:
            after = kind
        elif kind in SPACE_BREAKS:  # a space inside a word: Google's text has it, so the word does
            parts.append(" ")
    text = "".join(parts).strip()
    if not text:
        return None, after
    return Word(text, _quad(word.get("boundingBox", MISSING), f"{at}.boundingBox", size), _confidence(word, at)), after


def _plain_word(value: Any, size: tuple[int, int]) -> tuple[Word | None, str | None] | None:
    """:func:`_word` of a well-formed word with four vertices, read without building a path for
    each value (a page has thousands of symbols); ``None`` for anything else, which the strict
    reading then reads or explains."""
    if type(value) is not dict:
        return None
    symbols = value.get("symbols")
    if symbols is None:
        symbols = []
    elif type(symbols) is not list:
        return None
    try:  # whole lists at once: a symbol that is not an object has no ``get``
        texts = [symbol.get("text", "") for symbol in symbols]
        props = [symbol.get("property") for symbol in symbols]
    except AttributeError:
        return None
    after = None if not props or props[-1] is None else _plain_break(props[-1])
    if after is _NOT_PLAIN:
        return None
    if props[:-1].count(None) != len(props) - 1:  # a symbol inside the word with a property: most have none
        for k, prop in enumerate(props[:-1]):
            kind = None if prop is None else _plain_break(prop)
            if kind is _NOT_PLAIN:
                return None
            if kind in SPACE_BREAKS:  # a space inside a word: Google's text has it, so the word does
                texts[k] = (texts[k], " ")  # joined below, as a part of its own
        texts = [part for item in texts for part in (item if type(item) is tuple else (item,))]
    try:
        text = "".join(texts).strip()  # a text that is not a string stops the join
    except TypeError:
        return None
    if not text:
        return None, after
    score = value.get("confidence")
    if score is not None:
        if type(score) not in _NUMBERS or not -CONFIDENCE_SLACK <= score <= 1 + CONFIDENCE_SLACK:
            return None
        score = min(1.0, max(0.0, float(score)))
    quad = _plain_quad(value.get("boundingBox"), size)
    return None if quad is None else (checked_word(text, quad, score), after)


def _plain_quad(box: Any, size: tuple[int, int]) -> Quad | None:
    """:func:`_quad` of a box of four vertices of plain numbers, read at once; ``None`` for
    anything else, which the strict reading then reads or explains."""
    if type(box) is not dict:
        return None
    sx, sy = 1.0, 1.0
    vertices = box.get("vertices")
    if vertices is None or vertices == []:  # normalised vertices (a PDF's), scaled by the page
        vertices = box.get("normalizedVertices")
        sx, sy = size
        if not (sx and sy):
            return None
    if type(vertices) is not list or len(vertices) != 4:
        return None  # a box of another shape: the strict reading explains
    a, b, c, d = vertices
    if not (type(a) is dict and type(b) is dict and type(c) is dict and type(d) is dict):
        return None
    # the JSON mapping leaves zeros out; a null one is left to the strict reading
    x0, y0, x1, y1 = a.get("x", 0.0), a.get("y", 0.0), b.get("x", 0.0), b.get("y", 0.0)
    x2, y2, x3, y3 = c.get("x", 0.0), c.get("y", 0.0), d.get("x", 0.0), d.get("y", 0.0)
    if not (type(x0) in _NUMBERS and type(y0) in _NUMBERS and type(x1) in _NUMBERS and type(y1) in _NUMBERS
            and type(x2) in _NUMBERS and type(y2) in _NUMBERS and type(x3) in _NUMBERS and type(y3) in _NUMBERS):  # fmt: skip
        return None
    try:  # a NaN, or a number too large to be a pixel (or a float): the strict reading says which
        x0, y0, x1, y1, x2, y2, x3, y3 = float(x0), float(y0), float(x1), float(y1), float(x2), float(y2), float(x3), float(y3)
        if sx == 1.0 and sy == 1.0:  # pixel vertices, the usual box: the bound is the quad's own check
            return checked_quad(x0, y0, x1, y1, x2, y2, x3, y3, MAX_COORDINATE)
        # normalised: each value within the bound as given (NaN fails it too), then scaled, checked for finite
        if not (_LOW < x0 < MAX_COORDINATE and _LOW < y0 < MAX_COORDINATE and _LOW < x1 < MAX_COORDINATE
                and _LOW < y1 < MAX_COORDINATE and _LOW < x2 < MAX_COORDINATE and _LOW < y2 < MAX_COORDINATE
                and _LOW < x3 < MAX_COORDINATE and _LOW < y3 < MAX_COORDINATE):  # fmt: skip
            return None
        return checked_quad(x0 * sx, y0 * sy, x1 * sx, y1 * sy, x2 * sx, y2 * sy, x3 * sx, y3 * sy)
    except (NonFiniteQuadError, OverflowError):
        return None


#: Exactly these types: ``bool`` is an ``int`` but never a coordinate.
_NUMBERS = frozenset({int, float})
_LOW = -MAX_COORDINATE
_NOT_PLAIN = "(not plain)"


def _plain_break(prop: Any) -> str | None:
    """The break a symbol's ``property`` gives, or :data:`_NOT_PLAIN` when it is of another shape."""
    if type(prop) is not dict:
        return _NOT_PLAIN
    detected = prop.get("detectedBreak")
    if detected is None:
        return None
    if type(detected) is not dict:
        return _NOT_PLAIN
    kind = detected.get("type")
    return kind if kind is None or type(kind) is str else _NOT_PLAIN


def _break(symbol: Mapping[str, Any], at: str) -> str | None:
    prop = symbol.get("property")
    if prop is None:
        return None
    detected = read.object(prop, f"{at}.property").get("detectedBreak")
    if detected is None:
        return None
    kind = read.object(detected, f"{at}.property.detectedBreak").get("type")
    if kind is None:
        return None
    return read.string(kind, f"{at}.property.detectedBreak.type")


def _languages(obj: Mapping[str, Any], at: str) -> list[dict[str, Any]]:
    prop = obj.get("property")
    if prop is None:
        return []
    out = []
    for k, value in enumerate(read.optional_list(read.object(prop, f"{at}.property"), "detectedLanguages", f"{at}.property")):
        lat = f"{at}.property.detectedLanguages[{k}]"
        lang = read.object(value, lat)
        entry: dict[str, Any] = {"code": read.string(lang.get("languageCode", ""), f"{lat}.languageCode")}
        if lang.get("confidence") is not None:
            entry["confidence"] = _confidence(lang, lat)
        out.append(entry)
    return out


# -- textAnnotations ---------------------------------------------------------------------------


def _annotations_page(annotations: list[Any], at: str, index: int) -> _Page:
    words: list[Word] = []
    info: dict[str, Any] = {"index": index, "format": "textAnnotations", "languages": []}
    for k, value in enumerate(annotations):
        aat = f"{at}[{k}]"
        entry = read.object(value, aat)
        if k == 0:  # the whole text, with the language Google found
            if isinstance(entry.get("locale"), str) and entry["locale"]:
                info["languages"] = [{"code": entry["locale"]}]
            continue
        text = read.string(entry.get("description", ""), f"{aat}.description").strip()
        if text:
            box = entry.get("boundingPoly", MISSING)
            words.append(Word(text, _plain_quad(box, (0, 0)) or _quad(box, f"{aat}.boundingPoly", (0, 0)),
                              _confidence(entry, aat) if entry.get("confidence") else None))  # fmt: skip
    lines, blocks = group_blocks(words) if words else ([], [])
    return _Page(index, Page(index, 0, 0, lines=lines, blocks=blocks), info)


# -- geometry and numbers ----------------------------------------------------------------------


def _quad(poly: Any, at: str, size: tuple[int, int]) -> Quad:
    """Four points in Google's order; omitted coordinates are 0, normalised ones scaled by the page."""
    box = read.object(poly, at)
    vertices = read.optional_list(box, "vertices", at)
    if vertices:
        points = [_point(v, f"{at}.vertices[{i}]", 1.0, 1.0) for i, v in enumerate(vertices)]
    else:
        normalized = read.optional_list(box, "normalizedVertices", at)
        if not normalized:
            raise read.fail(at, "a bounding box with vertices or normalizedVertices", poly)
        width, height = size
        if not (width and height):
            raise read.fail(at, "pixel vertices (normalizedVertices need the page's width and height)", poly)
        points = [_point(v, f"{at}.normalizedVertices[{i}]", width, height) for i, v in enumerate(normalized)]
    if len(points) != 4:
        raise read.fail(at, "a bounding box of four vertices", poly)
    return Quad(points)


def _point(value: Any, at: str, sx: float, sy: float) -> tuple[float, float]:
    vertex = read.object(value, at)
    return _coordinate(vertex.get("x"), f"{at}.x") * sx, _coordinate(vertex.get("y"), f"{at}.y") * sy


def _coordinate(value: Any, at: str) -> float:
    if value is None:  # the JSON mapping leaves zeros out
        return 0.0
    number = read.number(value, at)
    if abs(number) < MAX_COORDINATE:
        return number
    raise read.fail(at, "a finite number", value)


def _confidence(obj: Mapping[str, Any], at: str) -> float | None:
    value = obj.get("confidence")
    if value is None:
        return None
    number = read.number(value, f"{at}.confidence")
    if -CONFIDENCE_SLACK <= number <= 1 + CONFIDENCE_SLACK:
        return min(1.0, max(0.0, number))
    raise read.fail(f"{at}.confidence", "a confidence within 0..1", value)
