"""What the readers of Upstage answers share: the vendor's name, the reader of JSON values that
names the path of a wrong one, the largest sane coordinate, and the pages an answer says were
billed. Kept apart so that :mod:`.parse` (which tells the two APIs apart) and :mod:`.elements`
(Document Parse) both stand on it, neither on the other."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_ocr import OcrResult, Page, Quad
from unified_ocr.engines.responses import ResponseReader, four_points
from unified_ocr.geometry import checked_quad

VENDOR = "upstage"
#: Coordinates this large are not pixels; they would overflow the geometry (areas, angles).
MAX_COORDINATE = 1e9

read = ResponseReader(VENDOR)


def plain_quad(points: Any) -> Quad | None:
    """Four ``{"x", "y"}`` points of plain numbers of a sane size as a quad, checked at once;
    ``None`` for anything else (a NaN too), which the caller's strict reading then explains by its path."""
    found = four_points(points)
    if found is None:
        return None
    x0, y0, x1, y1, x2, y2, x3, y3 = found
    try:
        return checked_quad(float(x0), float(y0), float(x1), float(y1), float(x2), float(y2), float(x3), float(y3), MAX_COORDINATE)
    except (ValueError, OverflowError):  # a NaN, or a number beyond the bound (or a float's range)
        return None


def billed_pages(raw: Any) -> int | None:
    """The pages Upstage billed for this answer: ``numBilledPages`` (Document OCR),
    ``usage.pages`` (Document Parse) or ``billed_pages`` (the older layout API); ``None`` when
    the answer does not say."""
    if not isinstance(raw, dict):
        return None
    value = raw.get("numBilledPages", raw.get("billed_pages"))
    if value is None and isinstance(raw.get("usage"), dict):
        value = raw["usage"].get("pages")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or value != int(value):
        return None
    return int(value)


def result(raw: Mapping[str, Any], pages: list[Page], meta: dict[str, Any], versions: tuple[tuple[str, str], ...]) -> OcrResult:
    """The result of either API: its pages, and in ``meta["upstage"]`` what ``meta`` holds (which
    API answered, ...), then the model and API versions the answer names (``versions``: its
    key -> the meta's name) and the pages billed."""
    for key, name in versions:
        if isinstance(raw.get(key), str):
            meta[name] = raw[key]
    billed = billed_pages(raw)
    if billed is not None:
        meta["billed_pages"] = billed
    return OcrResult(engine=VENDOR, pages=pages, raw=raw, meta={"upstage": meta})
