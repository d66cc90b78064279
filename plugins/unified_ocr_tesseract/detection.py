"""The offline detector's line boxes on a page, found at the size its lines need and no larger.

RapidOCR's detector by default enlarges every image until its short side is 736 pixels. On a
long receipt or a wide strip (208 x 1618 pixels) that makes an image of five thousand pixels
and more along its long side, and finding its lines took 2 to 20 seconds, longer than reading
the page. Its lines need far fewer pixels: the detector finds rows about 10 pixels high and
more. So the lines are found on a copy at most :data:`FIRST_SIDE` pixels long (not enlarged),
and found again on a larger copy only when the rows found there are small
(:data:`SMALL_ROW`): dense print on a large page, or a small photo.

The detector runs on one thread, as each Tesseract does: a batch reads pages side by side, and
on a busy machine onnxruntime's pool of spinning threads took twice as long as one thread.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

#: The longest side of the first copy the lines are found on. 800 read generated photos as well
#: in 0.87 of the time, but a rendered receipt's small print (1000 x 462) at CER 0.17 instead of 0.03.
FIRST_SIDE = 1024
#: Rows lower than this (pixels, on the copy) are found again on a copy where they are :data:`GOOD_ROW` high.
SMALL_ROW = 12.0
GOOD_ROW = 18.0
#: The largest copy looked at (its longest side).
LARGEST_SIDE = 2000


def one_thread(detector: Any) -> Any:
    """``detector`` (a RapidOCR made by ``text_detector``, its model not loaded yet) set to run on one thread."""
    try:
        engine = detector.cfg.EngineConfig.onnxruntime
        engine.intra_op_num_threads = 1
        engine.inter_op_num_threads = 1
    except AttributeError:  # another RapidOCR: left as it comes
        pass
    return detector


def find_lines(detector: Any, pixels: np.ndarray, first: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """The line boxes (four corners each, on ``pixels``) that ``detector`` (RapidOCR's detector
    taking the image at the size given) finds; ``first``: those it found on the first copy
    (:func:`first_lines`), where already found."""
    longest = max(pixels.shape[:2])
    scale = min(1.0, FIRST_SIDE / longest)
    boxes = first_lines(detector, pixels) if first is None else first
    row = scale * float(np.median([thickness(box) for box in boxes])) if boxes else 0.0  # on the copy
    if not boxes or row < SMALL_ROW:
        larger = min(LARGEST_SIDE / longest, scale * GOOD_ROW / row if row else LARGEST_SIDE / longest)
        if larger > scale * 1.2:
            boxes = row_boxes(detector, pixels, larger) or boxes
    return boxes


def first_lines(detector: Any, pixels: np.ndarray) -> list[np.ndarray]:
    """The line boxes ``detector`` finds on a copy of ``pixels`` at most :data:`FIRST_SIDE` pixels
    long (not enlarged): enough for the lines' direction, and :func:`find_lines`' first look."""
    return row_boxes(detector, pixels, min(1.0, FIRST_SIDE / max(pixels.shape[:2])))


def row_boxes(detector: Any, pixels: np.ndarray, scale: float) -> list[np.ndarray]:
    """The line boxes ``detector`` finds on a copy of ``pixels`` resized ``scale`` times, in pixels of ``pixels``."""
    if scale == 1:
        copy = pixels
    else:
        copy = cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    found = detector(copy, use_det=True, use_cls=False, use_rec=False)
    boxes = found.boxes if found.boxes is not None else []
    return [np.asarray(box, dtype=np.float64).reshape(4, 2) / scale for box in boxes]


def thickness(box: np.ndarray) -> float:
    """The box's thickness across its text (its shorter side)."""
    a = float(np.linalg.norm(box[1] - box[0]))
    b = float(np.linalg.norm(box[2] - box[1]))
    return min(a, b)

