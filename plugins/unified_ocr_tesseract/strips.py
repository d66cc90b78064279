"""A detector's line box cut out as a strip that Tesseract reads as one line (``psm 7``).

A detector pads its boxes, and rows on a receipt or a phone photo of a page sit closer than
the padding, so a strip cut along a box (with the margin Tesseract needs) also holds the
cut-off tops and bottoms of the rows above and below. In single-line mode Tesseract takes
all of it as one line: the fragments spoil its baseline and x-height, and it returns
nothing at all for the line, most often for Hangul rows (their syllables fill the whole
em box, so the neighbours' jamo reach furthest into the strip). So the strip keeps the ink
of its own row only: what crosses the box's centre line is the row; other ink that lies
off that row's band is painted over with the paper. A strip is also enlarged where its row
is shorter than Tesseract reads well.
"""

from __future__ import annotations

import cv2
import numpy as np

from unified_ocr.geometry import Transform

#: Rows shorter than this many pixels (the box's height) are enlarged to it: Tesseract reads
#: text about 20 to 40 pixels high best, and a detector's box is about 1.5 times the text.
MIN_ROW_HEIGHT = 40
#: At most this much enlargement: past it, blur is all that grows.
MAX_SCALE = 4.0


def line_strip(pixels: np.ndarray, corners: np.ndarray, pad_ratio: float = 0.2) -> tuple[np.ndarray, Transform]:
    """The box (four corners clockwise from the top-left of its text) cut out as an upright grey
    strip with a margin, holding only its own row's ink, and the transform from the strip back
    to ``pixels``."""
    (p0, p1, p2, p3) = corners
    width = float(np.linalg.norm(p1 - p0) + np.linalg.norm(p2 - p3)) / 2
    height = float(np.linalg.norm(p3 - p0) + np.linalg.norm(p2 - p1)) / 2
    scale = min(MAX_SCALE, max(1.0, MIN_ROW_HEIGHT / max(height, 1.0)))
    width, height = max(1, round(width * scale)), max(1, round(height * scale))
    pad = max(2, round(pad_ratio * height))
    target = np.array([[pad, pad], [pad + width, pad], [pad + width, pad + height], [pad, pad + height]], np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    size = (width + 2 * pad, height + 2 * pad)
    grey = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)
    strip = cv2.warpPerspective(grey, matrix, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    page = (pixels.shape[1], pixels.shape[0])
    return own_row(strip, (pad, pad, pad + width, pad + height)), Transform(np.linalg.inv(matrix), size, page)


def own_row(strip: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """``strip`` (grey) with the ink of other rows painted over; ``box`` is where the detector's
    box lies in it (left, top, right, bottom).

    The row's band is the vertical extent of the ink that crosses the box's centre line. Ink
    is the row's own when most of it lies in that band, or when it touches the band and stays
    clear of the strip's edges (a comma or a descender below the baseline, a jamo above it);
    the rest (the parts of the neighbouring rows, which the strip's edges cut) is painted over.
    So is ink that the strip's end cuts and that lies mostly beyond the box's end: a glyph of
    the next piece of the same row, which Tesseract would read as ``|`` or ``1``.
    """
    left, top, right, bottom = box
    ink = _ink(strip)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    centre = (top + bottom) / 2
    spans = [(y, y + h) for _x, y, _w, h, area in stats[1:] if y <= centre < y + h and area > 2]
    if not spans:
        return strip
    band_top, band_bottom = min(s[0] for s in spans), max(s[1] for s in spans)
    reach = 0.15 * (band_bottom - band_top)  # how far off its band a row's own mark may stand
    height, width = strip.shape[:2]
    foreign = np.zeros(count, dtype=bool)
    for k in range(1, count):
        x, y, w, h, _area = stats[k]
        if (x <= 0 or x + w >= width) and 2 * (min(x + w, right) - max(x, left)) < w:
            foreign[k] = True  # a glyph of the next piece, cut by the strip's end
            continue
        inside = min(y + h, band_bottom) - max(y, band_top)
        if 2 * inside >= h:
            continue
        cut = y <= 0 or y + h >= height  # the strip's edge cuts it: a neighbouring row's
        near = y + h >= band_top - reach and y <= band_bottom + reach
        foreign[k] = cut or not near
    if not foreign.any():
        return strip
    mask = cv2.dilate(foreign[labels].astype(np.uint8), np.ones((3, 3), np.uint8), iterations=2).astype(bool)
    out = strip.copy()
    out[mask] = np.uint8(np.median(strip[ink == 0])) if (ink == 0).any() else 255
    return out


def _ink(strip: np.ndarray) -> np.ndarray:
    """The strip's ink as 255 on 0 (Otsu's threshold; the fewer pixels are the ink, so light text
    on a dark ground works too)."""
    _, dark = cv2.threshold(strip, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return dark if np.count_nonzero(dark) <= dark.size // 2 else cv2.bitwise_not(dark)
