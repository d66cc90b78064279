"""CLEval beside the ICDAR figures, where its extra is installed."""

from __future__ import annotations

import pytest

from unified_ocr import Quad
from unified_ocr.evaluation import clevalscore
from unified_ocr.evaluation.detection import DetectionScore

pytestmark = pytest.mark.skipif(not clevalscore.available(), reason=f"needs CLEval: {clevalscore.INSTALL}")


def test_a_split_word_loses_little_under_cleval_and_everything_under_iou_matching() -> None:
    word, elsewhere = Quad.from_bbox(0, 0, 100, 20), Quad.from_bbox(0, 40, 100, 60)
    halves = [Quad.from_bbox(0, 0, 50, 20), Quad.from_bbox(50, 0, 100, 20)]
    cleval = clevalscore.CLEvalScore()
    cleval.update([word, elsewhere], ["HELLO", "###"], halves, ["HE", "LLO"])
    icdar = DetectionScore()
    icdar.update([word, elsewhere], ["HELLO", "###"], halves, ["HE", "LLO"], str)
    figures = cleval.summary()
    assert figures["det_p"] == 1.0 and 0.7 < figures["det_r"] < 1.0 and figures["split"] == 1
    assert icdar.summary()["hmean"] == 0.0  # neither half overlaps the word by more than half
