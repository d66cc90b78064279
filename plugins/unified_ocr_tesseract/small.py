"""Small images enlarged before they are read, so that their letters are as large as Tesseract reads best.

Users send small photos too: a thumbnail, a picture cut from a chat, a receipt shrunk to fit
200 x 260 pixels, whose letters are 4 to 8 pixels high. Tesseract's LSTM reads letters about
20 to 30 pixels high best, and on a small image every step before it fails too: the offline
detector finds few lines, flattening finds no page, and Tesseract's own layout takes rows a few
pixels high for noise. Read as they came, such receipts gave back 6 to 17 % of a vendor's
characters; enlarged first, 55 to 80 % (``benchmarks/tesseract_small.py``).

What says how much to enlarge is the size of the text, not of the image: a word crop 100
pixels wide may hold letters 30 pixels high. The offline detector (script-agnostic) finds the
lines, on a copy at half the size (enough to see that its letters are large) and then on a copy
enlarged as far as :data:`LOOK_SIDE`, where even 4-pixel rows are found and measured; the
image is enlarged (cubic) until the median line is :data:`TARGET_ROW` pixels high, at most
:data:`MAX_FACTOR` times. Images larger than :data:`SMALL_SIDE`, and those whose lines are
already near that height, are left alone and cost nothing. Every quad is mapped back to the
image as given.

A page given turned must be enlarged as it is upright, or it reads otherwise once turned back
(a receipt at half size turned a quarter read at CER 0.499 against 0.425 upright). The detector
sees text running down a page poorly, so the lines are measured on the image as it is and
turned a quarter, whichever shows more length of lines running across (the turned copy only
where the lines found as it is do not clearly run across); each of the two on the image and
on it turned a half turn together, so that a page given upside down is measured on the same
images as upright; and the factor is taken in steps of :data:`STEP`.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from unified_ocr.geometry import Transform

from .detection import SMALL_ROW, row_boxes, thickness
from .orientation import LINE_ASPECT, line_lengths

#: Images whose longer side is at least this many pixels are read as they come.
SMALL_SIDE = 640
#: The height of a detector's line box (about 1.5 times its letters) that a small image is enlarged to.
TARGET_ROW = 40.0
#: At most this much enlargement: past it, blur is all that grows (6x read no better than 4x).
MAX_FACTOR = 4.0
#: Enlargements under this are not made: the text is near the size Tesseract reads well.
MIN_FACTOR = 1.5
#: The factor is a multiple of this.
STEP = 0.5
#: The first look (a glance, at a quarter of the cost) is at a copy this many times the size: lines
#: high enough not to be enlarged (:data:`TARGET_ROW` / :data:`MIN_FACTOR`, 27 pixels) are 13
#: there, which the detector finds; they settle it when there are three or more (and the lines
#: found at full size are as high: :func:`_large_at_full_size`)...
GLANCE = 0.5
#: ... and are each at most this share of the image's shorter side.
ROW_SHARE = 0.1
#: The longest side of the copy the lines are looked for on, where the glance did not settle it.
LOOK_SIDE = 1024
#: Lines that run across this many times the length of those running down say the page is not
#: on its side, and the copy turned a quarter is not looked at.
CLEARLY = 3.0


def enlargement(detector: Any, pixels: np.ndarray) -> float:
    """How many times to enlarge ``pixels`` (1: not at all), from the height of its text lines as
    ``detector`` (the offline engine's text detector; ``None`` without it) finds them."""
    longest = max(pixels.shape[:2])
    if detector is None or longest >= SMALL_SIDE or min(pixels.shape[:2]) < 8:
        return 1.0
    h, w = pixels.shape[:2]
    glance = _row_heights(detector, pixels, GLANCE)
    # rows found at half size are the rows only when there are a few of them, each a small part of
    # the image: on a small photo the detector at half size boxes whole paragraphs, or the page
    if len(glance) >= 3:
        row = float(np.median(glance))
        if row * MIN_FACTOR >= TARGET_ROW and row <= ROW_SHARE * min(h, w) and _large_at_full_size(detector, pixels):
            return 1.0
    found = _row_heights(detector, pixels, min(MAX_FACTOR, LOOK_SIDE / longest)) or _strip(pixels)
    if not found:
        return 1.0
    row = float(np.median(found))
    factor = STEP * round(min(MAX_FACTOR, TARGET_ROW / max(row, 1.0)) / STEP)
    return factor if factor >= MIN_FACTOR else 1.0


def _strip(pixels: np.ndarray) -> list[float]:
    """The thickness of ``pixels`` taken as one line, where it is a strip thinner than the rows
    the detector finds well (:data:`~.detection.SMALL_ROW`) and the detector found no line on it:
    it may find a tiny word crop's line one way up and not another (a 9 x 26 crop: upright, not
    upside down nor turned a quarter), and the crop enlarged 4 times upright and not at all
    turned read its word upright and nothing turned back. Not thicker strips: an 18 x 53 crop
    the detector found no line on read its word as it came, and enlarged, worse.

    >>> _strip(np.zeros((9, 26))), _strip(np.zeros((26, 9))), _strip(np.zeros((18, 53))), _strip(np.zeros((9, 12)))
    ([9.0], [9.0], [], [])
    """
    short, long = sorted(pixels.shape[:2])
    return [float(short)] if short < SMALL_ROW and long >= LINE_ASPECT * short else []


def _large_at_full_size(detector: Any, pixels: np.ndarray) -> bool:
    """Whether the lines found on ``pixels`` as they are (not halved) are high enough not to be
    enlarged too. At half size the detector boxes a few blocks of tiny print whole, and a form
    shrunk to 377 x 500 showed 3 to 10 "lines" 28 to 42 pixels high there (11 to 13 at full
    size): it was read as it came upright, and enlarged 4 times turned a half or three quarters,
    which read at CER 0.69 against 0.94 as it came."""
    rows = _row_heights(detector, pixels, 1.0)
    return bool(rows) and float(np.median(rows)) * MIN_FACTOR >= TARGET_ROW


def _row_heights(detector: Any, pixels: np.ndarray, scale: float) -> list[float]:
    """The thickness of the lines the detector finds on ``pixels`` as it is or turned a quarter,
    whichever shows more length of lines running across (:func:`across`). The turned copy is
    looked at only when the lines found as it is do not clearly run across (:data:`CLEARLY`) as
    rows small enough to be enlarged: most small pages come upright, and each look is a run of
    the detector. (Large boxes are looked at turned too: on a small page of tiny print the
    detector may box whole paragraphs as it is and the rows turned.)"""
    as_is = _both_ways_up(detector, pixels, scale)
    rows = [thickness(box) for box in as_is]
    if rows and float(np.median(rows)) * MIN_FACTOR < TARGET_ROW and across(as_is) > CLEARLY * across(as_is, down=True):
        return rows
    ways = [as_is, _both_ways_up(detector, cv2.rotate(pixels, cv2.ROTATE_90_CLOCKWISE), scale)]
    return [thickness(box) for box in max(ways, key=across)]


def _both_ways_up(detector: Any, pixels: np.ndarray, scale: float) -> list[np.ndarray]:
    """The line boxes the detector finds on ``pixels`` and on ``pixels`` turned a half turn (their
    corners on the turned copy): the same two images whichever way up the page came, so that
    what the detector finds a little otherwise upside down does not change the factor. A
    receipt at half size measured its rows 13.0 pixels high upright and 12.0 upside down, and
    was enlarged 3 times upright and 3.5 upside down, which read otherwise once turned back."""
    return row_boxes(detector, pixels, scale) + row_boxes(detector, cv2.rotate(pixels, cv2.ROTATE_180), scale)


def across(boxes: list[np.ndarray], down: bool = False) -> float:
    """The length of the lines among ``boxes`` that run across the page (as the orientation step
    counts lines: :func:`~.orientation.line_lengths`, long and thin, diagonals left out); with
    ``down``, of those that run down.

    >>> row, slant = np.array([[0, 0], [100, 0], [100, 20], [0, 20]]), np.array([[0, 0], [70, 70], [56, 84], [-14, 14]])
    >>> across([row]), across([row[:, ::-1]], down=True), across([slant]) + across([slant], down=True)
    (100.0, 100.0, 0)
    """
    return sum(length for _, length, flat in line_lengths(boxes) if flat != down)


def enlarged(pixels: np.ndarray, factor: float) -> tuple[np.ndarray, Transform]:
    """``pixels`` enlarged ``factor`` times (cubic), and the transform back to ``pixels``."""
    h, w = pixels.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    return cv2.resize(pixels, size, interpolation=cv2.INTER_CUBIC), Transform.scale(size, (w, h))
