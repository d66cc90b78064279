"""A unified-ocr page as OCRmyPDF's element tree (``ocrmypdf.models.OcrElement``).

Blocks become paragraphs, lines carry their text angle (counterclockwise degrees, as hOCR
has it) so that OCRmyPDF's renderer turns their text with them, and words carry their box,
their quad as a polygon and their confidence.
"""

from __future__ import annotations

import math
from typing import Any

from ocrmypdf.models.ocr_element import BoundingBox, OcrClass, OcrElement

from unified_ocr.exports.xmlkit import rotation
from unified_ocr.geometry import Quad
from unified_ocr.model import Line, Page, Word


def _box(quad: Quad, width: int, height: int) -> BoundingBox:
    x0, y0, x1, y1 = quad.bbox()
    clip = (lambda v, hi: min(max(v, 0.0), float(hi))) if width and height else (lambda v, hi: max(v, 0.0))
    return BoundingBox(left=clip(x0, width), top=clip(y0, height), right=clip(x1, width), bottom=clip(y1, height))


def _angle(quad: Quad) -> float:
    """The text's angle, counterclockwise, in -180..180 (a slight skew stays a slight angle)."""
    turn = rotation(quad)
    return turn - 360.0 if turn > 180.0 else turn


def _band(line: Line) -> Quad:
    """The line as OCRmyPDF's renderer should size it: along the text, from its first word to its
    last; across it, the height of a typical word (the median), not the union of all. The
    renderer sets a line's text at the line's height, and a visual line joined from pieces at
    slightly different heights is taller than any of its words."""
    if len(line.words) < 2:
        return line.quad
    theta = math.radians(line.quad.angle)
    ux, uy = math.cos(theta), math.sin(theta)
    along = [x * ux + y * uy for w in line.words for x, y in w.quad.points]
    spans = sorted(((min(c), max(c)) for c in ([y * ux - x * uy for x, y in w.quad.points] for w in line.words)),
                   key=lambda s: s[1] - s[0])  # fmt: skip
    middle = sorted((lo + hi) / 2 for lo, hi in spans)[len(spans) // 2]
    half = (spans[len(spans) // 2][1] - spans[len(spans) // 2][0]) / 2
    u0, u1, v0, v1 = min(along), max(along), middle - half, middle + half
    return Quad([(u * ux - v * uy, u * uy + v * ux) for u, v in ((u0, v0), (u1, v0), (u1, v1), (u0, v1))])


def page_element(page: Page, dpi: float, page_number: int) -> Any:
    """``page`` as an ``ocr_page`` element at ``dpi`` (the page image's resolution)."""
    w, h = page.width, page.height
    paragraphs = []
    for block, lines in page.iter_blocks():
        children = []
        for line in lines:
            words = line.words or (Word(line.text, line.quad, line.confidence),)
            band = _band(line)
            children.append(OcrElement(
                ocr_class=OcrClass.LINE, bbox=_box(band, w, h), textangle=_angle(line.quad), text=line.text,
                confidence=line.confidence,
                children=[OcrElement(ocr_class=OcrClass.WORD, bbox=_box(word.quad, w, h), text=word.text,
                                     poly=[(float(x), float(y)) for x, y in word.quad.points], confidence=word.confidence)
                          for word in words if word.text],
            ))  # fmt: skip
        quad = block.quad if block.quad is not None else lines[0].quad.union(*(line.quad for line in lines[1:]))
        paragraphs.append(OcrElement(ocr_class=OcrClass.PARAGRAPH, bbox=_box(quad, w, h), children=children))
    return OcrElement(ocr_class=OcrClass.PAGE, bbox=BoundingBox(left=0, top=0, right=w, bottom=h), dpi=dpi,
                      page_number=page_number, children=paragraphs)  # fmt: skip
