"""Detection and end-to-end scores by the ICDAR 2015 rules (Robust Reading, Challenge 4, Task 4.1).

The rules, as the official evaluation script applies them to one image:

1. Truth regions whose text is ``###`` are *do not care*.
2. A detection is do not care when more than half of its area (intersection / its own area
   > 0.5) lies in one do-not-care region.
3. Going through the truth regions in order, and for each through the detections in order,
   a care region and a care detection, both still unmatched, are matched when their
   polygon IoU is **over** 0.5. One to one, first come: a region split into two detections
   matches at most one of them.
4. recall = matched / care regions, precision = matched / care detections, H-mean their
   harmonic mean; with no care region recall is 1 and precision 1 (no care detection) or 0.
   Over many images the matched and care counts are summed first (micro average).

End to end: a matched pair counts when its two texts are equal after normalisation.

Polygons are shapely's (GEOS), so rotated and irregular quads intersect exactly. Only
pairs whose bounding boxes meet are intersected (shapely's STRtree finds them), which
keeps a page of hundreds of words fast; every other pair has an IoU of 0 and can never match.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import shapely

from ..geometry import Quad
from .text import f1, ratio

#: A region's text that marks it as do not care (ICDAR's convention).
DONT_CARE = "###"
IOU_CONSTRAINT = 0.5
AREA_PRECISION_CONSTRAINT = 0.5


@attrs.frozen(slots=True)
class PageMatch:
    """How one page's detections met its truth regions."""

    pairs: tuple[tuple[int, int, float], ...]  # (truth index, detection index, IoU), in matching order
    truth_dont_care: tuple[bool, ...]
    detection_dont_care: tuple[bool, ...]

    @property
    def matched(self) -> int:
        return len(self.pairs)

    @property
    def truth_care(self) -> int:
        return self.truth_dont_care.count(False)

    @property
    def detection_care(self) -> int:
        return self.detection_dont_care.count(False)

    def figures(self) -> dict[str, float]:
        """Precision, recall and H-mean of this page, with the official script's conventions for empty pages."""
        if self.truth_care == 0:
            recall, precision = 1.0, (0.0 if self.detection_care else 1.0)
        else:
            recall = self.matched / self.truth_care
            precision = self.matched / self.detection_care if self.detection_care else 0.0
        return {"precision": precision, "recall": recall, "hmean": f1(precision, recall) or 0.0}


def _polygons(quads: Sequence[Quad]) -> np.ndarray:
    if not quads:
        return np.empty(0, dtype=object)
    polygons = shapely.polygons(np.array([q.points for q in quads], dtype=np.float64))
    invalid = ~shapely.is_valid(polygons)
    if invalid.any():  # a self-crossing quad (a bow tie): its valid area, as GEOS repairs it
        polygons[invalid] = shapely.make_valid(polygons[invalid])
    return polygons


def _overlaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The area each pair of polygons shares. GEOS (3.14) finds none, in one argument order only,
    for some pairs lying almost along or inside each other (a 4 x 4 square turned 30 degrees
    inside a 4 x 5 one turned alike: 0 one way, 16 the other; also its ``intersects``), which a
    property test against the official script's rules found; the loss is only ever to nothing,
    so the larger of the two orders is the area."""
    if not len(a):
        return np.empty(0)
    return np.maximum(shapely.area(shapely.intersection(a, b)), shapely.area(shapely.intersection(b, a)))


def match_page(
    truth: Sequence[Quad], truth_texts: Sequence[str], detections: Sequence[Quad],
    *, iou_constraint: float = IOU_CONSTRAINT, area_precision_constraint: float = AREA_PRECISION_CONSTRAINT,
) -> PageMatch:  # fmt: skip
    """Match ``detections`` to ``truth`` regions (with their texts, for the do-not-care mark) by the rules above."""
    truth_dc = [text == DONT_CARE for text in truth_texts]
    det_dc = [False] * len(detections)
    if not truth or not detections:
        return PageMatch((), tuple(truth_dc), tuple(det_dc))
    gt, det = _polygons(truth), _polygons(detections)
    gt_area, det_area = shapely.area(gt), shapely.area(det)
    gi, dj = shapely.STRtree(det).query(gt)  # the pairs whose bounding boxes meet
    inter = _overlaps(gt[gi], det[dj])
    gi, dj, inter = gi[inter > 0], dj[inter > 0], inter[inter > 0]
    for g, d, area in zip(gi, dj, inter):  # rule 2
        if truth_dc[g] and det_area[d] > 0 and area / det_area[d] > area_precision_constraint:
            det_dc[d] = True
    union = gt_area[gi] + det_area[dj] - inter
    iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    gt_taken, det_taken = [False] * len(truth), [False] * len(detections)
    pairs = []
    for k in np.lexsort((dj, gi)):  # rule 3: truth in order, then detections in order
        g, d = int(gi[k]), int(dj[k])
        if iou[k] > iou_constraint and not (gt_taken[g] or det_taken[d] or truth_dc[g] or det_dc[d]):
            gt_taken[g] = det_taken[d] = True
            pairs.append((g, d, float(iou[k])))
    return PageMatch(tuple(pairs), tuple(truth_dc), tuple(det_dc))


class DetectionScore:
    """Detection and end-to-end precision, recall and H-mean over many pages (ICDAR 2015 rules).

    >>> score = DetectionScore()
    >>> box = Quad.from_bbox(0, 0, 100, 20)
    >>> _ = score.update([box, Quad.from_bbox(0, 40, 100, 60)], ["TOTAL", "###"], [box], ["TOTAL"], str)
    >>> score.summary()["hmean"], score.summary()["e2e_hmean"]
    (1.0, 1.0)
    """

    def __init__(self) -> None:
        self.pages = 0
        self.matched = self.truth_care = self.detection_care = self.e2e_matched = 0

    def update(
        self, truth: Sequence[Quad], truth_texts: Sequence[str], detections: Sequence[Quad],
        detection_texts: Sequence[str], normalize: Any,
    ) -> tuple[PageMatch, int]:  # fmt: skip
        """Score one page; ``normalize`` maps a text to its comparable form. Returns the match
        and how many matched pairs also read alike (end to end)."""
        page = match_page(truth, truth_texts, detections)
        e2e = sum(normalize(truth_texts[g]) == normalize(detection_texts[d]) for g, d, _ in page.pairs)
        self.pages += 1
        self.matched += page.matched
        self.truth_care += page.truth_care
        self.detection_care += page.detection_care
        self.e2e_matched += e2e
        return page, e2e

    def summary(self) -> dict[str, Any]:
        precision, recall = ratio(self.matched, self.detection_care) or 0.0, ratio(self.matched, self.truth_care) or 0.0
        e2e_p, e2e_r = ratio(self.e2e_matched, self.detection_care) or 0.0, ratio(self.e2e_matched, self.truth_care) or 0.0
        return {
            "precision": precision, "recall": recall, "hmean": f1(precision, recall) or 0.0,
            "e2e_precision": e2e_p, "e2e_recall": e2e_r, "e2e_hmean": f1(e2e_p, e2e_r) or 0.0,
            "images": self.pages, "matched": self.matched, "truth_care": self.truth_care,
            "detection_care": self.detection_care, "e2e_matched": self.e2e_matched,
        }  # fmt: skip
