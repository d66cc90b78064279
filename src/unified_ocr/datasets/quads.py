"""Which regions' quads can become samples, for every format alike: a quad that is not a
place on its page trains a recognizer on the wrong pixels and a detector on a box that is
not there. Such a region is dropped as ``bad-quad``, before its label is looked at.

A quad is bad when it has no area (under one square pixel), runs counterclockwise (its
signed area is negative: a mirrored region, whose crop would read backwards), has sides that
cross each other, has points absurdly far out, or has less than half of its area on the page
(a vendor's or an annotator's mistake, such as a box of 30000 pixels around an 800 x 400
page: its label does not describe what the page shows there). A quad partly past the edge,
mostly on the page, is kept: its crop is cut from the part inside (:mod:`unified_ocr.imaging.crop`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..geometry import Quad
from ..imaging.crop import measure_quads

#: The share of a quad's area that must lie on its page.
ON_PAGE = 0.5


def bad_quads(quads: Sequence[Quad], width: int, height: int) -> list[bool]:
    """For each quad of a ``width`` x ``height`` page, whether it is bad (see the module)."""
    if not quads:
        return []
    m = measure_quads(np.asarray([q.points for q in quads], np.float64).reshape(-1, 4, 2), width, height)
    bad = m.far | (m.signed_area < 1) | m.crossing | (m.on_page < ON_PAGE * np.abs(m.signed_area))
    return [bool(b) for b in bad]
