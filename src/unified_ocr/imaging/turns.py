"""Quarter turns of an image, exact (no resampling), and the transform that maps a point back.

A page photographed or scanned a quarter or half turn round is turned upright by moving whole
pixels (:func:`turned`), never by a warp, so that it reads exactly as the same page given
upright; :func:`turned_back` maps what was found on the upright page onto the page as given.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..geometry import Transform

_ROTATE = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}


def turned(pixels: np.ndarray, quarter_turns: int) -> np.ndarray:
    """``pixels`` turned ``quarter_turns`` clockwise (negative: counter-clockwise); the same array for none."""
    k = quarter_turns % 4
    return pixels if k == 0 else cv2.rotate(pixels, _ROTATE[k])


def turned_back(turns: int, width: int, height: int) -> Transform:
    """From the frame of a page of ``width`` x ``height`` whose text is turned ``turns`` quarter turns
    clockwise, once turned upright (``turned(page, -turns)``), back to the page as given.

    >>> turned_back(1, 30, 20).apply([[0, 0]]).tolist()  # the upright frame's top-left is the page's top-right
    [[30.0, 0.0]]
    """
    k = turns % 4
    if k == 0:
        return Transform.identity(width, height)
    # the upright frame's size, and where its point (x, y) lies on the page as given
    if k == 1:  # the text is turned a quarter clockwise: upright is the page turned counter-clockwise
        matrix, size = [[0, -1, width], [1, 0, 0], [0, 0, 1]], (height, width)
    elif k == 2:
        matrix, size = [[-1, 0, width], [0, -1, height], [0, 0, 1]], (width, height)
    else:
        matrix, size = [[0, 1, 0], [-1, 0, height], [0, 0, 1]], (height, width)
    return Transform(np.array(matrix, dtype=np.float64), size, (width, height))
