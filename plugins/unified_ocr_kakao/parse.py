"""Kakao OCR responses read into the unified result model: a pure function of the JSON.

Two shapes, told apart by their keys:

* **General OCR** (Kakao i Cloud): ``{"responses": [{"page": 1, "results": [{"box": [[x, y] x4],
  "recognized_word": ["..."]}]}]}``; one :class:`~unified_ocr.Page` per entry, its index
  ``page - 1`` (the API counts from 1; the entry's position when ``page`` is missing).
* **Vision OCR** (the older Kakao Developers API): ``{"result": [{"boxes": [[x, y] x4],
  "recognition_words": ["..."]}]}``; one page.

Either way each result is a :class:`~unified_ocr.Word`: its text the words of the list
joined by a space, with surrounding spaces stripped (recorded answers carry leading spaces),
its quad the box in the given order (boxes are often rotated; never sorted or clamped),
and no confidence, since Kakao gives none: ``None``, never a made-up 1.0. Kakao says nothing
about lines, so lines and blocks come from the shared layout, :func:`unified_ocr.layout.group_blocks`.
Nor does it give a page size: pages are 0 x 0, i.e. in the frame of the image sent.

Anything of the wrong shape raises :class:`~unified_ocr.errors.BadResponseError` saying what
was expected where, never a bare ``KeyError``/``TypeError``. ``result.meta["kakao"]`` says
which shape it was: ``{"format": "general" | "vision"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from unified_ocr import OcrResult, Page, Quad, Word
from unified_ocr.engines.responses import MISSING, UNREADABLE, ResponseReader, describe
from unified_ocr.errors import BadResponseError
from unified_ocr.geometry import NonFiniteQuadError, checked_quad
from unified_ocr.layout import group_blocks
from unified_ocr.model import checked_word

VENDOR = "kakao"
EXPECTED = (
    "a Kakao OCR response: an object with a 'responses' list (Kakao i Cloud General OCR) "
    "or a 'result' list (the older Kakao Vision OCR)"
)

Format = Literal["general", "vision"]
#: Coordinates this large are not pixels; they would overflow the geometry (areas, angles).
MAX_COORDINATE = 1e300

read = ResponseReader(VENDOR)


def parse(raw: Any) -> OcrResult:
    """Read a decoded Kakao OCR response (General or Vision) into a result in the frame of the image sent."""
    fmt: Format | None = None
    if isinstance(raw, dict):
        fmt = "general" if "responses" in raw else "vision" if "result" in raw else None
    if fmt is None:
        raise BadResponseError(f"expected {EXPECTED}; got {describe(raw)}", vendor=VENDOR)
    if fmt == "vision":
        pages = [_page(0, read.array(raw["result"], "result"), "result", "boxes", "recognition_words")]
    else:
        pages = []
        for position, entry in enumerate(read.array(raw["responses"], "responses")):
            where = f"responses[{position}]"
            obj = read.object(entry, where)
            index = _page_index(obj.get("page"), position, f"{where}.page")
            if any(p.index == index for p in pages):
                raise read.fail(f"{where}.page", "a page number no other entry has", obj.get("page"))
            results = [] if obj.get("results") is None else read.array(obj["results"], f"{where}.results")
            pages.append(_page(index, results, f"{where}.results", "box", "recognized_word"))
    pages.sort(key=lambda page: page.index)
    return OcrResult(engine=VENDOR, pages=pages, raw=raw, meta={"kakao": {"format": fmt}})


def _page(index: int, results: list[Any], at: str, box_key: str, words_key: str) -> Page:
    """One page of words, grouped into lines; an error deep inside still says where it was."""
    try:
        words = [
            _plain_word(r, box_key, words_key) or _word(read.object(r, f"{at}[{k}]"), f"{at}[{k}]", box_key, words_key)
            for k, r in enumerate(results)
        ]
        lines, blocks = group_blocks(words)
        return Page(index, 0, 0, lines=lines, blocks=blocks)
    except BadResponseError:
        raise
    except UNREADABLE as exc:
        raise BadResponseError(
            f"{at} could not be read as Kakao OCR results ({type(exc).__name__}: {exc})", vendor=VENDOR
        ) from exc


def _page_index(value: Any, position: int, at: str) -> int:
    """``page`` counts from 1; without it, the entry's position."""
    if value is None:
        return position
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value - 1
    raise read.fail(at, "a page number >= 1", value)


def _plain_word(result: Any, box_key: str, words_key: str) -> Word | None:
    """A well-formed result read without building a path for each value; ``None`` for
    anything else, which :func:`_word` then reads strictly and explains."""
    if type(result) is not dict:
        return None
    words, box = result.get(words_key), result.get(box_key)
    if type(words) is not list or type(box) is not list or len(box) != 4:
        return None
    try:  # a point that is not two values: the strict reading says what it is
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = box
    except (TypeError, ValueError):
        return None
    if not (type(x0) in _NUMBERS and type(y0) in _NUMBERS and type(x1) in _NUMBERS and type(y1) in _NUMBERS
            and type(x2) in _NUMBERS and type(y2) in _NUMBERS and type(x3) in _NUMBERS and type(y3) in _NUMBERS):  # fmt: skip
        return None
    if len(words) == 1 and type(words[0]) is str:  # the usual result: one word
        text = words[0].strip()
    else:
        parts = []
        for word in words:
            if type(word) is not str:
                return None
            if word := word.strip():
                parts.append(word)
        text = " ".join(parts)
    try:  # a NaN, or a number too large to be a pixel (or a float): the strict reading says which
        quad = checked_quad(float(x0), float(y0), float(x1), float(y1), float(x2), float(y2), float(x3), float(y3), MAX_COORDINATE)
    except (NonFiniteQuadError, OverflowError):
        return None
    return checked_word(text, quad, None)


_NUMBERS = frozenset({int, float})  # exactly these types: ``bool`` is an ``int`` but never a coordinate


def _word(result: Mapping[str, Any], at: str, box_key: str, words_key: str) -> Word:
    words = result.get(words_key, MISSING)
    if isinstance(words, str):  # one string instead of a list of one: same meaning
        words = [words]
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise read.fail(f"{at}.{words_key}", "a list of strings", words)
    text = " ".join(part for part in (w.strip() for w in words) if part)
    return Word(text, _box(result.get(box_key, MISSING), f"{at}.{box_key}"), None)


def _box(value: Any, at: str) -> Quad:
    """Four ``[x, y]`` points, ints or floats, kept in the vendor's order."""
    if not isinstance(value, list) or len(value) != 4:
        raise read.fail(at, "a list of four [x, y] points", value)
    points = []
    for i, point in enumerate(value):
        if not isinstance(point, list) or len(point) != 2:
            raise read.fail(f"{at}[{i}]", "an [x, y] point", point)
        points.append((_coordinate(point[0], f"{at}[{i}][0]"), _coordinate(point[1], f"{at}[{i}][1]")))
    return Quad(points)


def _coordinate(value: Any, at: str) -> float:
    """A finite number of a sane size; ``true``, strings and huge numbers are not coordinates."""
    number = read.number(value, at)
    if abs(number) < MAX_COORDINATE:
        return number
    raise read.fail(at, "a finite number", value)
