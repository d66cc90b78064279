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
import shapely

from ..geometry import Quad
from ..imaging.crop import MAX_COORDINATE

#: The share of a quad's area that must lie on its page.
ON_PAGE = 0.5


def bad_quads(quads: Sequence[Quad], width: int, height: int) -> list[bool]:
    """For each quad of a ``width`` x ``height`` page, whether it is bad (see the module)."""
    if not quads:
        return []
    pts = np.asarray([q.points for q in quads], np.float64).reshape(-1, 4, 2)
    far = ~np.isfinite(pts).all(axis=(1, 2)) | (np.abs(pts) > MAX_COORDINATE).any(axis=(1, 2))
    pts[far] = 0.0  # judged bad already; kept out of the sums below
    x, y = pts[:, :, 0], pts[:, :, 1]
    signed = (x * np.roll(y, -1, axis=1) - y * np.roll(x, -1, axis=1)).sum(axis=1) / 2  # > 0: clockwise on the page
    polygons = shapely.polygons(pts)
    crossing = ~shapely.is_valid(polygons)
    on_page = np.zeros(len(pts))
    on_page[~crossing] = shapely.area(shapely.intersection(polygons[~crossing], shapely.box(0, 0, width, height)))  # GEOS refuses crossing ones
    bad = far | (signed < 1) | crossing | (on_page < ON_PAGE * np.abs(signed))
    return [bool(b) for b in bad]
