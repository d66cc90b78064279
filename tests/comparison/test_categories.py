"""Figures per sub-folder: a set laid out as receipts/ and forms/ gets each scored apart, and each
category's figures are those of a comparison of that folder alone (micro-averaged over its own
images, not averaged from per-image figures)."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest
from lxml import html

import unified_ocr
from unified_ocr.comparison.categories import categories_of

from ..conftest import SAMPLE

pytestmark = pytest.mark.slow


def test_each_sub_folder_is_scored_as_a_comparison_of_it_alone(tmp_path: Path) -> None:
    images, truth = tmp_path / "scans", tmp_path / "gt"
    sample = cv2.imread(str(SAMPLE))
    layout = {"receipts/a": sample, "receipts/b": cv2.resize(sample, None, fx=0.7, fy=0.7), "forms/c": sample[: sample.shape[0] // 2]}
    for name, pixels in layout.items():
        (images / name).parent.mkdir(parents=True, exist_ok=True)
        (truth / name).parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(images / f"{name}.png"), pixels)
        (truth / f"{name}.txt").write_text("Green tea 2 3,000\nTOTAL 12,400\n", encoding="utf-8")
    quiet = open("/dev/null", "w")  # noqa: SIM115
    cache = tmp_path / "cache"
    whole = unified_ocr.compare([images], ["rapidocr"], truth, out=tmp_path / "cmp", cache=cache, stream=quiet)
    categories = whole.summary["categories"]
    assert sorted(categories) == ["forms", "receipts"]
    assert (categories["receipts"]["images"], categories["forms"]["images"]) == (2, 1)
    for name in ("receipts", "forms"):
        alone = unified_ocr.compare([images / name], ["rapidocr"], truth / name, cache=cache, stream=quiet)  # the cache answers
        figures = alone.summary["engines"]["rapidocr"]
        assert categories[name]["engines"]["rapidocr"]["text"] == {k: v for k, v in figures["text"].items() if not k.endswith("_ci")}
    page = html.parse(str(tmp_path / "cmp" / "report.html")).getroot()
    rows = page.xpath("//table[@id='category-table']/tbody/tr")
    assert len(rows) == 2 and rows[0].xpath("td")[0].text_content() == "forms"


def test_one_folder_is_no_category() -> None:
    assert categories_of(["s/a.png", "s/b.png"]) is None
    assert categories_of(["s/x/a.png", "s/b.png"]) == ["x", "."]
