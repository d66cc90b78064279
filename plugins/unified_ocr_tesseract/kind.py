"""Whether an image is a photograph of a page or the page itself (a scan, a rendering, a screenshot).

The two are read best in different ways (docs/engines/tesseract.md): Tesseract's own page
layout reads a clean page as well as reading its lines one by one, in a fifth of the time,
while on a photo it reads the table, the shadows and the slant as text. What tells them apart
cheaply is the ground the text stands on: a page's paper is one even brightness from edge to
edge; a photo has a table around the page, light that falls off, a shadow. The ground is what
is left of a small copy after a morphological closing wider than the strokes (the dark text
closed over by the paper around it).
"""

from __future__ import annotations

import cv2
import numpy as np

#: The longest side of the copy the ground is measured on.
SIDE = 256
#: The ground of a photo varies by at least this share of its brightest part (its 5th to 95th
#: percentile). Measured: clean rendered and scanned pages 0.00-0.03 (the shared korean-real
#: and synth-korean images, generated clean pages at 90 dpi and larger); generated phone
#: photos 0.43-0.74.
UNEVEN_GROUND = 0.15


def ground_spread(pixels: np.ndarray) -> float:
    """How much the ground under the text varies, 0 (even) to 1, as a share of its brightest part."""
    grey = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)
    scale = min(1.0, SIDE / max(grey.shape[:2]))
    small = grey if scale == 1 else cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    size = max(3, round(max(small.shape[:2]) / 24)) | 1
    ground = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    low, high = np.percentile(ground, [5, 95])
    return float((high - low) / max(high, 1.0))


def photographed(pixels: np.ndarray) -> bool:
    """Whether ``pixels`` look like a photo of a page (uneven ground) rather than the page itself."""
    return ground_spread(pixels) >= UNEVEN_GROUND
