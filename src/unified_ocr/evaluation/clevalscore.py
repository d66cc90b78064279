"""CLEval beside the ICDAR figures, when its package is installed (``pip install 'unified-ocr[cleval]'``).

CLEval (the CLOVA OCR team's character-level evaluation, ``cleval`` on the package index)
scores detection and end to end by characters, so a word split into two boxes or two words
merged into one lose only what they got wrong, where IoU matching loses the whole word.
That is exactly where engines differ (one gives words, another lines). It pulls in torch and
numba, so it is an extra; without it the figures are simply absent (``None``) and said so.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..geometry import Quad

#: What to install when CLEval's figures are wanted.
INSTALL = "pip install 'unified-ocr[cleval]'"


def available() -> bool:
    return importlib.util.find_spec("cleval") is not None


class CLEvalScore:
    """CLEval's detection and end-to-end recall, precision and H-mean over many pages.

    ``case_sensitive`` follows the comparison's normalisation (case folded: insensitive).
    """

    def __init__(self, case_sensitive: bool = True) -> None:
        from cleval import CLEvalMetric

        self._metric = CLEvalMetric(case_sensitive=case_sensitive)
        self.pages = 0

    def update(self, truth: Sequence[Quad], truth_texts: Sequence[str], detections: Sequence[Quad],
               detection_texts: Sequence[str]) -> None:  # fmt: skip
        gt = np.array([[v for p in q.points for v in p] for q in truth], dtype=np.float32).reshape(-1, 8)
        det = np.array([[v for p in q.points for v in p] for q in detections], dtype=np.float32).reshape(-1, 8)
        self._metric(det, gt, list(detection_texts), list(truth_texts), [t == "###" for t in truth_texts])
        self.pages += 1

    def summary(self) -> dict[str, Any]:
        out = self._metric.compute()
        figures = {key: float(out[key]) for key in ("det_p", "det_r", "det_h", "e2e_p", "e2e_r", "e2e_h")}
        figures.update({"split": int(out["num_splitted"]), "merged": int(out["num_merged"]), "images": self.pages})
        return figures
