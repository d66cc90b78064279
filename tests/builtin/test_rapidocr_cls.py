"""RapidOCR's angle classifier labels many short upright words ``"180"`` at a low score, and
RapidOCR reads those upright: only a label above ``Cls.cls_thresh`` turns a crop. The quads
follow what RapidOCR did, so an upright ``Tax`` or ``0.00`` is neither cut upside down nor
put on a line of its own beside its row."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import unified_ocr
from unified_ocr.geometry import angle_gap
from unified_ocr_rapidocr.mapping import _decisions

from ..conftest import ROOT

SROIE = ROOT.parent / "shared" / "eval" / "sroie" / "images"


def outputs(*cls: tuple[str, float]) -> tuple[SimpleNamespace, SimpleNamespace, list[np.ndarray]]:
    """The classifier's and recogniser's results as RapidOCR hands them to its last step."""
    texts = [f"t{i}" for i in range(len(cls))]
    return (SimpleNamespace(cls_res=list(cls)), SimpleNamespace(txts=texts, scores=[0.9] * len(cls)),
            [np.zeros((20, 60, 3), np.uint8)] * len(cls))  # fmt: skip


def test_a_180_label_counts_as_turned_only_above_the_threshold_rapidocr_turns_at() -> None:
    decisions = _decisions(*outputs(("180", 0.62), ("180", 0.95), ("0", 0.99), ("180", 0.9)), threshold=0.9)
    assert decisions is not None
    assert decisions.labels == ("0", "180", "0", "0")  # RapidOCR turns a crop only when the score is above it


@pytest.mark.slow
@pytest.mark.skipif(not SROIE.is_dir(), reason=f"needs the SROIE receipts at {SROIE}")
def test_an_upright_receipt_has_no_line_turned_over_and_its_short_cells_stay_in_their_rows() -> None:
    page = unified_ocr.recognize(SROIE / "006.jpg", engine="rapidocr", cache=False).pages[0]
    assert all(angle_gap(line.quad.angle, 0.0) <= 20 for line in page.lines), [line.text for line in page.lines if abs(line.quad.angle) > 20]
    texts = [line.text for line in page.lines]
    assert any(text.endswith("Amount Tax") for text in texts), texts  # a header cell RapidOCR read upright
    assert any(text.startswith("Discount") and text.endswith("0.00") for text in texts), texts
