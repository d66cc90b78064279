"""Whether a clean page's reading by Tesseract's layout covers the lines the detector finds on it.

Tesseract's page layout (``psm 6``, one block of text) reads a clean page confidently and can
still leave whole parts of it unread: a page with a title in 100-pixel type above body text
and a table of small cells below was read at high confidence as its five body lines, 97 of its
259 characters; a page under a watermark read 0.31 of its text. Confidence says nothing of what
was left out; the offline detector's lines do. So where the words read lie on less than
:data:`COVERS` of the detector's lines (by length), the page is read line by line too, and that
reading kept where it reads :data:`MORE` times the characters or more.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: The share of the detector's lines (by length) with a word read on them, under which a
#: page's reading has missed text. Clean pages read whole measured 0.88 to 1.00 (rendered
#: Korean pages, scanned receipts and forms); pages that missed a title and a table, or text
#: under a watermark, 0.36 and 0.73; forms whose lines read better one by one, 0.60 and 0.61.
COVERS = 0.8
#: The line-by-line reading replaces the page's reading where it reads this many times the
#: characters or more: forms whose line-by-line reading was no better read 1.02-1.04 times.
MORE = 1.1
#: Words weighed against every line at a time: a page of 300 lines and 2,000 words weighed all at
#: once held 77 MB at its peak; in chunks of this many, 12.5 MB, as fast.
CHUNK = 256


def covered(lines: Sequence[np.ndarray], centres: np.ndarray) -> float:
    """The share of the length of ``lines`` (the detector's boxes: four corners each, clockwise
    or not) holding at least one of ``centres`` (``n x 2``: the centres of the words read); 1 with
    no lines.

    >>> line = np.array([[0, 0], [100, 0], [100, 20], [0, 20]], dtype=float)
    >>> covered([line, line + [0, 40]], np.array([[50.0, 10.0]])), covered([], np.zeros((0, 2)))
    (0.5, 1.0)
    """
    if not len(lines):
        return 1.0
    boxes = np.asarray(lines, dtype=np.float64).reshape(-1, 4, 2)
    lengths = np.maximum(np.linalg.norm(boxes[:, 1] - boxes[:, 0], axis=1), np.linalg.norm(boxes[:, 2] - boxes[:, 1], axis=1))
    if not len(centres):
        return 0.0
    edges = np.roll(boxes, -1, axis=1) - boxes  # (boxes, 4, 2)
    held = np.zeros(len(boxes), dtype=bool)
    for start in range(0, len(centres), CHUNK):  # a few MB at a time, not boxes x words x 4 at once
        to_point = centres[None, start : start + CHUNK, None, :] - boxes[:, None, :, :]  # (boxes, chunk, 4, 2)
        cross = edges[:, None, :, 0] * to_point[..., 1] - edges[:, None, :, 1] * to_point[..., 0]
        inside = np.all(cross >= 0, axis=2) | np.all(cross <= 0, axis=2)  # on the same side of every edge
        held |= np.any(inside, axis=1)
    return float(lengths[held].sum() / lengths.sum()) if lengths.sum() else 1.0
