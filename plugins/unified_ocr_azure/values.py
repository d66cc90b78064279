"""Small readers shared by every Azure shape: polygons, confidences, page frames.

Azure has written a box four ways over the years: ``boundingBox`` as 8 numbers (Read 3.x, Form
Recognizer 2.x, the Image Analysis 4.0 preview), ``polygon`` as 8 or more numbers (Document
Intelligence 3.x/4.x), and ``boundingPolygon`` as ``[{x, y}]`` (Image Analysis 4.0 GA). All of
them list the points clockwise from the text's own top-left, which is the model's order, so
the points are kept as given: never sorted, never clamped (Azure returns points past the edge).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs

from unified_ocr import Quad, Word
from unified_ocr.engines.responses import ResponseReader
from unified_ocr.geometry import NonFiniteQuadError, checked_quad
from unified_ocr.model import checked_word

VENDOR = "azure"
#: Confidences this far beyond 0..1 are rounding and get clamped; further is a bad response.
CONFIDENCE_SLACK = 1e-3
#: Coordinates this large are not positions on a page; they would overflow areas and angles.
MAX_COORDINATE = 1e12

read = ResponseReader(VENDOR)


@attrs.frozen(slots=True)
class Frame:
    """A page's frame: its size in pixels, and what one of the answer's units is in pixels.

    ``unit: pixel`` pages are in the pixels of the image sent (scale 1); ``unit: inch`` pages
    (PDFs) are put in the pixel frame of a rendering at ``dpi``, the frame every PDF page
    has in unified-ocr, so that the core can map them like any other page.
    """

    width: int
    height: int
    scale: float


def frame(obj: Mapping[str, Any], at: str, dpi: float) -> Frame:
    """The frame of a page object with ``width``, ``height`` and ``unit`` (absent: pixel)."""
    unit = obj.get("unit", "pixel")
    if unit is None:
        unit = "pixel"
    if unit not in ("pixel", "inch"):
        raise read.fail(f"{at}.unit", "'pixel' or 'inch'", unit)
    scale = dpi if unit == "inch" else 1.0
    width = _size(obj.get("width"), f"{at}.width") * scale
    height = _size(obj.get("height"), f"{at}.height") * scale
    return Frame(round(width), round(height), scale)


def _size(value: Any, at: str) -> float:
    if value is None:
        return 0.0
    number = read.number(value, at)
    if not 0 <= number < MAX_COORDINATE:
        raise read.fail(at, "a page size >= 0", value)
    return number


def polygon(value: Any, at: str, scale: float = 1.0) -> Quad:
    """A box in any of Azure's forms, scaled into pixels.

    Eight numbers are the four corners. A longer polygon (a region Azure outlines with more
    points) becomes the upright rectangle around it, since a quad cannot hold it."""
    quad = plain_quad(value, scale)
    return quad if quad is not None else strict_polygon(value, at, scale)


def strict_polygon(value: Any, at: str, scale: float = 1.0) -> Quad:
    """:func:`polygon` with every number checked on its own, saying what is wrong where."""
    points = _points(value, at)
    if scale != 1.0:
        points = [(x * scale, y * scale) for x, y in points]
    if len(points) == 4:
        return Quad(points)
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    return Quad.from_bbox(min(xs), min(ys), max(xs), max(ys))


#: Exactly these types: ``bool`` is an ``int`` but never a coordinate.
_NUMBERS = frozenset({int, float})


def plain_quad(value: Any, scale: float = 1.0) -> Quad | None:
    """Four corners of the usual shapes (eight plain numbers, or four ``{x, y}`` of them, of a
    sane size) checked at once, without building a path for each (pages hold thousands);
    ``None`` for anything else, which :func:`polygon` then reads strictly and explains."""
    if type(value) is not list:
        return None
    if len(value) == 8:
        x0, y0, x1, y1, x2, y2, x3, y3 = value
    elif len(value) == 4:
        a, b, c, d = value
        if not (type(a) is dict and type(b) is dict and type(c) is dict and type(d) is dict):
            return None
        try:
            x0, y0, x1, y1, x2, y2, x3, y3 = a["x"], a["y"], b["x"], b["y"], c["x"], c["y"], d["x"], d["y"]
        except KeyError:
            return None
    else:
        return None
    if not (type(x0) in _NUMBERS and type(y0) in _NUMBERS and type(x1) in _NUMBERS and type(y1) in _NUMBERS
            and type(x2) in _NUMBERS and type(y2) in _NUMBERS and type(x3) in _NUMBERS and type(y3) in _NUMBERS):  # fmt: skip
        return None
    try:  # a NaN, or a number beyond the bound (or a float's range): the strict reading says which
        if scale == 1.0:  # pixels, the usual page: the bound is the quad's own check
            return checked_quad(float(x0), float(y0), float(x1), float(y1), float(x2), float(y2), float(x3), float(y3), MAX_COORDINATE)
        # scaled first and bounded by the bound scaled: what the bound refuses, this refuses (rounding
        # may refuse a point at the very bound too, which the strict reading then takes)
        s = float(scale)  # a dpi may be given as an int: the points are floats all the same
        return checked_quad(x0 * s, y0 * s, x1 * s, y1 * s, x2 * s, y2 * s, x3 * s, y3 * s, MAX_COORDINATE * s)
    except (NonFiniteQuadError, OverflowError):
        return None


def plain_word(obj: Any, box_key: str, scale: float, text_key: str, other_text_key: str) -> Word | None:
    """A word of the usual shape (its text, a box :func:`plain_quad` takes, a confidence within
    0..1 or none) read at once; ``None`` for anything else, which the strict reading explains."""
    if type(obj) is not dict:
        return None
    said = obj.get(text_key)
    if said is None:
        said = obj.get(other_text_key)
    score = obj.get("confidence")
    if type(said) is not str or not (score is None or (type(score) in _NUMBERS and 0.0 <= score <= 1.0)):
        return None  # (a score of 1 is often written as an integer)
    quad = plain_quad(obj.get(box_key), scale)
    return None if quad is None else checked_word(said, quad, None if score is None else float(score))


def _points(value: Any, at: str) -> list[tuple[float, float]]:
    if not isinstance(value, list) or not value:
        raise read.fail(at, "a polygon: [x1, y1, x2, y2, ...] or [{x, y}, ...]", value)
    if all(isinstance(v, dict) for v in value):
        points = [(_coordinate(v.get("x"), f"{at}[{i}].x"), _coordinate(v.get("y"), f"{at}[{i}].y")) for i, v in enumerate(value)]
    else:
        if len(value) % 2:
            raise read.fail(at, "an even count of numbers (x, y pairs)", value)
        numbers = [_coordinate(v, f"{at}[{i}]") for i, v in enumerate(value)]
        points = list(zip(numbers[0::2], numbers[1::2]))
    if len(points) < 3:
        raise read.fail(at, "a polygon of at least three points", value)
    return points


def _coordinate(value: Any, at: str) -> float:
    number = read.number(value, at)
    if abs(number) < MAX_COORDINATE:
        return number
    raise read.fail(at, "a coordinate of a sane size", value)


def confidence(obj: Mapping[str, Any], at: str, key: str = "confidence") -> float | None:
    """0..1, or ``None`` when the answer gives none (Read lines have none; never a made-up 1.0)."""
    value = obj.get(key)
    if value is None:
        return None
    if type(value) is float and 0.0 <= value <= 1.0:
        return value
    score = read.number(value, f"{at}.{key}")
    if not -CONFIDENCE_SLACK <= score <= 1 + CONFIDENCE_SLACK or math.isnan(score):
        raise read.fail(f"{at}.{key}", "a confidence within 0..1", value)
    return min(max(score, 0.0), 1.0)


def text(obj: Mapping[str, Any], at: str, *keys: str) -> str:
    """The first of ``keys`` the object has, as a string (``content`` in 3.x+, ``text`` before)."""
    for key in keys:
        value = obj.get(key)
        if value is not None:
            return read.string(value, f"{at}.{key}")
    raise read.fail(f"{at}.{keys[0]}", "a string", obj.get(keys[0]))


def count(obj: Mapping[str, Any], key: str, at: str) -> int:
    """``obj[key]`` as a whole number >= 0 (a row, a column, a span); the path is spelt out only
    when it is wrong."""
    value = obj.get(key)
    if type(value) is int and value >= 0:
        return value
    return read.count(value, f"{at}.{key}")


def page_number(value: Any, at: str) -> int:
    """A 1-based page number as a 0-based index."""
    number = read.count(value, at)
    if number < 1:
        raise read.fail(at, "a page number >= 1", value)
    return number - 1
