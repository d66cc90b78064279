"""The comparison's detection figures on the ICDAR 2015 images of ../shared/eval equal the
official evaluation's on the same detections (its rules read line for line in the tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

import unified_ocr
from unified_ocr.cache import ResultCache

from ..conftest import ROOT
from ..evaluation.icdar15_reference import reference_icdar15

EVAL = ROOT.parent / "shared" / "eval" / "icdar2015"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not EVAL.is_dir(), reason=f"needs the evaluation images at {EVAL}")]


def test_detection_figures_equal_the_official_evaluation(tmp_path: Path) -> None:
    comparison = unified_ocr.compare([EVAL / "images"], ["rapidocr"], truth=EVAL / "gt", cache=ResultCache(tmp_path / "cache"))
    assert comparison.summary["truth"]["levels"] == ["words"] and comparison.summary["truth"]["problems"] == []
    pages = []
    for k in range(len(comparison)):
        truth = comparison.truths[k]
        result = comparison.readings["rapidocr"][k].result
        assert truth is not None and result is not None
        pages.append(([(r.quad, r.text) for r in truth.words], [w.quad for w in result.words]))
    reference = reference_icdar15(pages)
    ours = comparison.summary["engines"]["rapidocr"]["detection"]
    assert reference["truth_care"] > 0 and reference["matched"] > 0  # something to agree on
    for key in ("precision", "recall", "hmean", "matched", "truth_care", "detection_care"):
        assert ours[key] == pytest.approx(reference[key], abs=1e-12), key
