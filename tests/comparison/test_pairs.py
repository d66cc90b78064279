"""How sure, and how different: intervals beside every figure of summary.json, and every two
engines compared on the images both read, from the scores to the report's words."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

import unified_ocr
from unified_ocr import Line, OcrResult, Quad, Word
from unified_ocr.batch.readings import Reading
from unified_ocr.comparison.score import EngineScore, Resampling, add_intervals, paired_comparisons
from unified_ocr.errors import ConfigError
from unified_ocr.evaluation.metrics import BUILT_IN, Metric
from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.truth import truth_page
from unified_ocr.evaluation.uncertainty import permutation_p_value
from unified_ocr_clova import ClovaEmulator

from ..conftest import SAMPLE, run_cli


def page(text: str) -> OcrResult:
    words = [Word(t, Quad.from_bbox(60 * k, 0, 60 * k + 50, 20)) for k, t in enumerate(text.split())]
    return truth_page([Line.from_words(words)], ["words", "lines"])


class Length(Metric):
    """A plugin's metric that offers counts: characters read per character of truth."""

    name, columns, shown = "length", (), (("Length", "ratio", False),)
    counts = ("read", "truth")

    def __init__(self, normalization: Normalization) -> None:
        super().__init__(normalization)
        self.read = self.truth = 0
        self.last: dict[str, int] | None = None

    def update(self, truth: OcrResult, result: OcrResult | None) -> dict[str, Any]:
        self.last = {"read": len(result.text) if result is not None else 0, "truth": len(truth.text)}
        self.read, self.truth = self.read + self.last["read"], self.truth + self.last["truth"]
        return {}

    def summary(self) -> dict[str, Any] | None:
        return {"ratio": self.read / self.truth} if self.truth else None

    def image_counts(self) -> Mapping[str, float] | None:
        return self.last

    @classmethod
    def figures_from(cls, sums: Mapping[str, float]) -> dict[str, float | None]:
        return {"ratio": sums["read"] / sums["truth"] if sums["truth"] else None}


class Words(Metric):
    """A plugin's metric that offers no counts: it gets no interval and no pair."""

    name = "words_plain"

    def update(self, truth: OcrResult, result: OcrResult | None) -> dict[str, Any]:
        return {}

    def summary(self) -> dict[str, Any] | None:
        return {"ratio": 1.0}


METRICS = [*BUILT_IN, Length, Words]
TRUTHS = ["GREEN TEA 3000", "TOTAL 12400", "CASH 20000", "CHANGE 7600"]
GOOD = ["GREEN TEA 3000", "TOTAL 12400", "CASH 20000", "CHANGE 7500"]  # one character wrong
POOR = ["GREEN TEE 3000", "TOTA 12400", None, "CHANGE 7500"]  # three wrong, and one image failed


def scored(readings: Mapping[str, Sequence[str | None]]) -> dict[str, EngineScore]:
    scores = {}
    for engine, texts in readings.items():
        score = scores[engine] = EngineScore(engine, Normalization(), None, METRICS)
        for k, (truth, text) in enumerate(zip(TRUTHS, texts)):
            result = page(text) if text is not None else None
            score.add(Reading(f"img{k}.png", engine, result, None if result else "EngineError"), page(truth))
    return scores


def test_each_figure_gets_its_interval_beside_it_and_a_metric_without_counts_none() -> None:
    scores = scored({"good": GOOD})
    summary = scores["good"].summary(0)
    add_intervals(scores["good"], summary, Resampling(resamples=200))
    text = summary["text"]
    keys = list(text)
    assert keys[keys.index("cer") + 1] == "cer_ci" and keys[keys.index("wer") + 1] == "wer_ci"
    low, high = text["cer_ci"]
    assert low <= text["cer"] <= high
    assert {"precision_ci", "recall_ci", "hmean_ci", "e2e_hmean_ci"} <= set(summary["detection"])
    assert set(summary["end_to_end"]) >= {"precision_ci", "recall_ci", "hmean_ci"}
    assert "ratio_ci" in summary["length"]  # a plugin's metric with counts, like the built-ins
    assert summary["words_plain"] == {"ratio": 1.0}  # one without counts: as it was
    assert summary["fields"] is None and summary["cleval"] is None  # nothing scored, nothing to resample


def test_a_pair_is_over_the_images_both_read_with_the_permutation_p_value_and_wins() -> None:
    scores = scored({"good": GOOD, "poor": POOR})
    pairs = paired_comparisons(scores, Resampling(resamples=1000))
    cer = next(p for p in pairs if p["metric"] == "text.cer")
    # image 2 failed for "poor": the pair is images 0, 1 and 3 (14 + 11 + 11 characters of truth)
    assert (cer["a"], cer["b"], cer["images"]) == ("good", "poor", 3)
    assert cer["difference"] == pytest.approx(1 / 36 - 3 / 36)
    assert (cer["wins"], cer["ties"], cer["losses"]) == (2, 1, 0)  # image 3: both one wrong
    # the exact permutation test of three images: swaps of images 0 and 1 only move the difference
    a = np.array([[0.0, 14.0], [0.0, 11.0], [1.0, 11.0]])
    b = np.array([[1.0, 14.0], [1.0, 11.0], [1.0, 11.0]])
    assert cer["p_value"] == permutation_p_value(a, b, lambda s: s[:, :1] / s[:, 1:], rng=np.random.default_rng(0))[0] == 0.5
    assert cer["better"] == "good" and cer["lower_is_better"] and not cer["significant"]
    low, high = cer["difference_ci"]
    assert low <= cer["difference"] <= high <= 0
    f1 = next(p for p in pairs if p["metric"] == "text.bow_f1")
    assert f1["better"] == "good" and not f1["lower_is_better"] and f1["difference"] > 0 and f1["wins"] == 2
    assert any(p["metric"] == "length.ratio" for p in pairs) and not any(p["metric"].startswith("words_plain") for p in pairs)
    assert not any(p["metric"].startswith("fields") for p in pairs)  # no truth fields: nothing to pair


def test_a_difference_on_many_images_is_significant() -> None:
    global TRUTHS
    saved = TRUTHS
    TRUTHS = [f"LINE {k} TOTAL {1000 + k}" for k in range(16)]
    try:
        scores = scored({"good": list(TRUTHS), "poor": [t.replace("TOTAL", "T0TAL") for t in TRUTHS]})
    finally:
        TRUTHS = saved
    cer = next(p for p in paired_comparisons(scores, Resampling()) if p["metric"] == "text.cer")
    assert cer["images"] == 16 and cer["wins"] == 16 and cer["significant"]
    assert cer["p_value"] < 0.01  # 2 of 65,536 swaps as extreme; 1,000 drawn at random: (1 + found) / 1,001


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory, sample_reading: unified_ocr.OcrResult) -> Any:
    """The offline engine against an emulated CLOVA that reads "emulated" on every image, on three receipts."""
    tmp = tmp_path_factory.mktemp("pairs")
    images, truth = tmp / "images", tmp / "truth"
    images.mkdir()
    truth.mkdir()
    sample = cv2.imread(str(SAMPLE))
    assert sample is not None
    read = sample_reading.text  # the offline engine's reading of the sample, made once in the run
    for k in range(3):  # each image a row taller, so no cache answers for another; the truth one character off
        cv2.imwrite(str(images / f"r{k}.png"), cv2.copyMakeBorder(sample, k + 1, 0, 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255)))
        (truth / f"r{k}.txt").write_text(read[: 10 * (k + 1)] + "#" + read[10 * (k + 1) + 1:], encoding="utf-8")
    with ClovaEmulator(key="pk", canned=True) as clova:
        config = tmp / "unified-ocr.toml"
        (tmp / "secret").write_text("pk", encoding="utf-8")
        config.write_text(f'[engines.clova]\nbackend = "clova"\ninvoke_url = "{clova.url}/general"\n'
                          f'secret = {{ file = "{(tmp / "secret").as_posix()}" }}\n', encoding="utf-8")  # fmt: skip
        out = tmp / "cmp"
        comparison = unified_ocr.compare([images], ["rapidocr", "clova"], truth=truth, config=config, out=out,
                                         stream=io.StringIO(), resamples=500, seed=3)  # fmt: skip
        cli = run_cli("compare", str(images), "--truth", str(truth), "-e", "rapidocr", "-e", "clova", "--config", str(config),
                         "--out", str(tmp / "cmp-cli"), "--alpha", "0.3", "--resamples", "300", "--seed", "5")  # fmt: skip
    return {"comparison": comparison, "out": out, "cli": cli, "tmp": tmp, "config": config}


@pytest.mark.slow
def test_summary_json_holds_the_statistics_the_intervals_and_the_pairs(compared: Any) -> None:
    summary = compared["comparison"].summary
    assert summary["statistics"] == {"resamples": 500, "seed": 3, "alpha": 0.05, "method": "bca"}
    rapid, clova = summary["engines"]["rapidocr"]["text"], summary["engines"]["clova"]["text"]
    assert rapid["cer_ci"][0] <= rapid["cer"] <= rapid["cer_ci"][1] and clova["cer"] > rapid["cer_ci"][1]
    cer = next(p for p in summary["pairs"] if p["metric"] == "text.cer")
    assert set(cer) >= {"a", "b", "metric", "difference", "difference_ci", "p_value", "wins", "ties", "losses"}
    assert (cer["a"], cer["b"], cer["wins"], cer["ties"], cer["losses"]) == ("rapidocr", "clova", 3, 0, 0)
    assert cer["p_value"] == 0.25 and not cer["significant"]  # better on all three, but three images cannot show it at 0.05
    assert summary["agreement"]["pairs"]  # the agreement between engines is still there, apart
    again = unified_ocr.compare([compared["tmp"] / "images"], ["rapidocr", "clova"], truth=compared["tmp"] / "truth",
                                config=compared["config"], out=compared["out"], stream=io.StringIO(), resamples=500, seed=3)  # fmt: skip
    assert again.summary["pairs"] == summary["pairs"]  # the same seed: the same figures


@pytest.mark.slow
def test_the_report_shows_each_interval_and_says_which_differences_are_significant(compared: Any) -> None:
    assert compared["cli"].returncode == 0, compared["cli"].stderr
    page_html = (compared["tmp"] / "cmp-cli" / "report.html").read_text(encoding="utf-8")
    summary = json.loads((compared["tmp"] / "cmp-cli" / "summary.json").read_text(encoding="utf-8"))
    assert summary["statistics"] == {"resamples": 300, "seed": 5, "alpha": 0.3, "method": "bca"}
    low, high = summary["engines"]["rapidocr"]["text"]["cer_ci"]
    assert f'<span class="ci">[{low:.4f}, {high:.4f}]</span>' in page_html
    assert 'id="pairs-table"' in page_html
    # at alpha 0.3, p = 0.25 is significant: the report says so in words
    assert "is better on CER (lower), and the difference is significant at 0.3 (p = 0.2500)" in page_html


@pytest.mark.slow
def test_no_resamples_no_statistics(compared: Any) -> None:
    tmp = compared["tmp"]
    unified_ocr.compare([tmp / "images"], ["rapidocr", "clova"], truth=tmp / "truth", config=compared["config"],
                        out=compared["out"], stream=io.StringIO(), resamples=0)  # fmt: skip
    summary = json.loads((compared["out"] / "summary.json").read_text(encoding="utf-8"))
    assert summary["statistics"] is None and summary["pairs"] == []
    assert "cer_ci" not in summary["engines"]["rapidocr"]["text"]
    assert 'id="pairs-table"' not in (compared["out"] / "report.html").read_text(encoding="utf-8")


def test_bad_statistics_options_are_refused_before_any_call(tmp_path: Path) -> None:
    for bad in ({"alpha": 1.5}, {"resamples": -1}, {"seed": -2}):
        with pytest.raises(ConfigError):
            unified_ocr.compare([SAMPLE], ["rapidocr"], **bad)  # type: ignore[arg-type]
