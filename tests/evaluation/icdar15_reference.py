"""The official ICDAR 2015 Challenge 4 Task 4.1 evaluation (``evaluate_method`` of its script.py),
read line for line, as the reference the project's fast scoring is held to (tests, benchmark).

Kept apart from the library on purpose: it compares every truth region with every detection,
as the script does, which is what makes it slow.
"""

from __future__ import annotations

from shapely.geometry import Polygon

from unified_ocr import Quad


def reference_icdar15(pages: list[tuple[list[tuple[Quad, str]], list[Quad]]]) -> dict[str, float]:
    """The official script's evaluate_method, read line for line (polygon areas through shapely,
    as the script's Polygon library gives them): full IoU matrix, greedy in file order."""
    matched_sum = global_care_gt = global_care_det = 0
    for gts, dets in pages:
        gt_pols = [Polygon(q.points) for q, _ in gts]
        gt_dont_care = [n for n, (_, text) in enumerate(gts) if text == "###"]
        det_pols, det_dont_care = [], []
        for det in dets:
            det_pol = Polygon(det.points)
            det_pols.append(det_pol)
            if gt_dont_care:
                for n in gt_dont_care:
                    intersected = _overlap(gt_pols[n], det_pol)
                    precision = 0 if det_pol.area == 0 else intersected / det_pol.area
                    if precision > 0.5:
                        det_dont_care.append(len(det_pols) - 1)
                        break
        det_matched = 0
        if gt_pols and det_pols:
            iou = [[0.0] * len(det_pols) for _ in gt_pols]
            for g, pg in enumerate(gt_pols):
                for d, pd in enumerate(det_pols):
                    inter = _overlap(pd, pg)
                    union = pd.area + pg.area - inter
                    iou[g][d] = inter / union if union else 0.0
            gt_rect, det_rect = [0] * len(gt_pols), [0] * len(det_pols)
            for g in range(len(gt_pols)):
                for d in range(len(det_pols)):
                    if gt_rect[g] == 0 and det_rect[d] == 0 and g not in gt_dont_care and d not in det_dont_care:
                        if iou[g][d] > 0.5:
                            gt_rect[g] = det_rect[d] = 1
                            det_matched += 1
        global_care_gt += len(gt_pols) - len(gt_dont_care)
        global_care_det += len(det_pols) - len(det_dont_care)
        matched_sum += det_matched
    recall = 0 if global_care_gt == 0 else matched_sum / global_care_gt
    precision = 0 if global_care_det == 0 else matched_sum / global_care_det
    hmean = 0 if recall + precision == 0 else 2 * recall * precision / (recall + precision)
    return {"precision": precision, "recall": recall, "hmean": hmean, "matched": matched_sum,
            "truth_care": global_care_gt, "detection_care": global_care_det}  # fmt: skip


def _overlap(a: Polygon, b: Polygon) -> float:
    """The area two polygons share. GEOS (3.14) loses all of it in one argument order for two long
    thin quads lying almost along each other (a 196 x 4 detection over a 159 x 4 word, both turned
    12 degrees: 0.0 one way, 636 the other), where the script's Polygon library finds it; the
    loss is only ever to nothing, so the larger of the two orders is the area."""
    return max(a.intersection(b).area, b.intersection(a).area)
