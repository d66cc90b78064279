"""The report's cost-accuracy and latency charts, from a real comparison: the offline engine (no
price) and the CLOVA emulator over a real socket (a price per 1,000; answering canned, so that
the two CERs differ and no second model runs), the page read back as HTML."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import html

import unified_ocr
from unified_ocr_clova import ClovaEmulator

from ..conftest import SAMPLE

pytestmark = pytest.mark.slow

KEY = "charts-s3cret"


def test_the_report_draws_cost_against_cer_and_each_engines_latency(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARTS_CLOVA_SECRET", KEY)
    images = tmp_path / "images"
    images.mkdir()
    for name in ("a.png", "b.png", "c.png"):
        shutil.copy(SAMPLE, images / name)
    truth = tmp_path / "gt"
    truth.mkdir()
    for name in ("a", "b", "c"):
        (truth / f"{name}.txt").write_text("Green tea 2 3,000\nTOTAL 12,400\n", encoding="utf-8")
    with ClovaEmulator(key=KEY, canned=True) as server:  # one word for each image: a CER far from the offline engine's
        config = unified_ocr.Config.from_dict({"engines": {"vendor <b>x</b>": {
            "backend": "clova", "invoke_url": f"{server.url}/general", "secret": {"env": "CHARTS_CLOVA_SECRET"}, "price_per_1000": 3.5}}})  # fmt: skip
        comparison = unified_ocr.compare([images], ["rapidocr", "vendor <b>x</b>"], truth, config, out=tmp_path / "cmp",
                                         cache=False, stream=open("/dev/null", "w"))  # noqa: SIM115
    page = html.parse(str(tmp_path / "cmp" / "report.html")).getroot()
    points = page.xpath("//figure[@id='cost-accuracy']//*[local-name()='g'][@class='point']")
    assert len(points) == 2
    names = [p.xpath(".//*[local-name()='text'][@class='name']")[0].text_content() for p in points]
    assert names == ["rapidocr (no price)", "vendor <b>x</b>"]  # the name as text, never as markup
    assert not page.xpath("//figure[@id='cost-accuracy']//b")
    cers = [comparison.summary["engines"][e]["text"]["cer"] for e in comparison.engines]
    ys = [float(p.xpath(".//*[local-name()='circle']")[0].get("cy")) for p in points]
    assert cers[0] != cers[1] and (ys[0] > ys[1]) == (cers[0] < cers[1])  # lower CER draws lower on the page (larger y)
    boxes = page.xpath("//figure[@id='latency']//*[local-name()='g'][@class='box']")
    assert [b.xpath(".//*[local-name()='text'][@class='name']")[0].text_content() for b in boxes] == ["rapidocr (3)", "vendor <b>x</b> (3)"]
    for box in boxes:
        rect = box.xpath(".//*[local-name()='rect'][@class='iqr']")[0]
        assert float(rect.get("width")) >= 0 and "median" in rect.text_content()


def test_labels_of_engines_at_about_the_same_place_do_not_cover_each_other() -> None:
    from unified_ocr.comparison.charts import cost_accuracy

    summary = {"engines": {"a": {"text": {"cer": 0.1}, "cost": None}, "b": {"text": {"cer": 0.101}, "cost": None},
                           "c": {"text": {"cer": 0.05}, "cost": {"price_per_1000": 2.0}}}}  # fmt: skip
    points = {p["engine"]: p for p in cost_accuracy(summary, ["a", "b", "c"])["points"]}
    assert abs(points["a"]["label_y"] - points["b"]["label_y"]) >= 13  # a and b: free, a CER apart by 0.001
    assert points["c"]["label_y"] == points["c"]["y"] - 6  # alone: its label where it always is
