"""Truth formats, metrics and normalisers are plugin kinds: the built-in ones come through the
hooks, and a third party's (tests/plugins/unified_ocr_ledger) reaches compare's command line,
summary.json, images.csv and the report like them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from unified_ocr import hookimpl
from unified_ocr.engines.registry import Registry
from unified_ocr.errors import ConfigError
from unified_ocr.evaluation import metrics, normalize, truth
from unified_ocr.evaluation import plugin as evaluation_plugin
from unified_ocr.evaluation.normalize import Normalization

from ..conftest import TEST_PLUGINS, run_cli, write_dist


def test_the_built_ins_come_through_the_hooks() -> None:
    registry = Registry()
    assert sorted(r.name for r in truth.readers(registry)) == sorted(r.name for r in evaluation_plugin.register_truth_readers())
    assert {n: p.cls for n, p in registry.all("metric").items()} == {m.name: m for m in evaluation_plugin.register_metrics()}
    assert {n: p.cls for n, p in registry.all("normalizer").items()} == {n.name: n for n in normalize.BUILT_IN}
    assert not [p for p in registry.problems if "taken" in p.reason]


@pytest.fixture
def ledger() -> Registry:
    import unified_ocr_ledger  # noqa: F401  (tests/plugins is on the path below)

    return Registry([unified_ocr_ledger, evaluation_plugin], entry_points=False)


@pytest.fixture(autouse=True)
def _plugins_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(TEST_PLUGINS))


def test_a_plugin_format_is_sniffed_after_the_built_ins_and_an_exporter_that_reads_back_is_one(ledger: Registry) -> None:
    names = truth.format_names(ledger)
    assert names[:7] == ["result", "funsd", "quads-json", "page", "alto", "hocr", "icdar"]
    built_in_plugins = [r.name for r in evaluation_plugin.register_truth_readers() if r not in truth.BUILT_IN]  # cord, aihub-*, ...
    assert names[7:] == [*sorted([*built_in_plugins, "ledger"]), "text", "ledger-export"]  # plugins (by name) before the fallback;
    # read-back exporters by name only
    exported = truth.reader_named("ledger-export", ledger)
    assert not exported.sniff("#ledger\n")
    page = exported.read("#ledger\n0 0 10 5 TOTAL 1\n", "x.ledger")
    assert page.text == "TOTAL 1" and page.words[0].confidence is None


class _Provides:
    """A plugin object that provides one metric."""

    def __init__(self, metric: type[metrics.Metric]) -> None:
        self.metric = metric

    @hookimpl
    def register_metrics(self) -> list[type[metrics.Metric]]:
        return [self.metric]


def test_a_clashing_metric_is_refused_with_what_to_do() -> None:
    class Clash(metrics.Metric):
        name = "speed"

    class Unprefixed(metrics.Metric):
        name = "mine"
        columns = ("cer",)

    for bad, said in ((Clash, "keeps for speed"), (Unprefixed, "prefix its columns")):
        with pytest.raises(ConfigError, match=said):
            metrics.installed(Registry([_Provides(bad), evaluation_plugin], entry_points=False))


def test_the_built_in_normalisation_options_are_steps_and_described_as_before() -> None:
    assert Normalization(fold_case=True).describe() == {"nfkc": True, "collapse_whitespace": True, "fold_case": True, "drop_whitespace": False,
                                        "jamo": False}  # fmt: skip
    assert [s.name for s in Normalization(drop_whitespace=True).steps] == ["nfkc", "drop-whitespace", "collapse-whitespace"]


def _image(path: Path, width: int, height: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.full((height, width, 3), 255, np.uint8))
    return path


def test_compare_reads_a_plugin_truth_format_and_reports_a_plugin_metric(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_dist(site, "unified-ocr-echo", {"echo": "unified_ocr_echo"})
    write_dist(site, "unified-ocr-ledger", {"ledger": "unified_ocr_ledger"})
    images = tmp_path / "images"
    _image(images / "a.png", 64, 32)
    _image(images / "b.png", 80, 40)
    gt = tmp_path / "gt"
    gt.mkdir()
    (gt / "a.txt").write_text("#ledger\n0 0 64 32 PNG 64x32\n", encoding="utf-8")
    (gt / "b.txt").write_text("#ledger\n0 0 80 40 png, 80x40!\n", encoding="utf-8")
    config = tmp_path / "unified-ocr.toml"
    config.write_text('[engines.vendor]\nbackend = "echo"\napi_key = { env = "ECHO_TEST_KEY" }\n', encoding="utf-8")
    out = tmp_path / "cmp"
    proc = run_cli("compare", str(images), "--truth", str(gt), "--truth-format", "ledger", "--engine", "vendor", "--config",
                   str(config), "--normalize", "fold-case,no-punctuation", "--out", str(out),
                   env={"ECHO_TEST_KEY": "k"}, pythonpath=[site, TEST_PLUGINS])  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["truth"]["formats"] == ["ledger"] and summary["normalization"]["no-punctuation"] is True
    engine = summary["engines"]["vendor"]
    assert engine["lengths"] == {"images": 2, "truth": 18, "read": 18, "ratio": 1.0}  # "png 64x32", "png 80x40" read alike
    assert engine["text"]["cer"] == 0.0 and engine["detection"]["hmean"] == 1.0  # the built-ins beside it
    rows = list(csv.DictReader((out / "images.csv").read_text(encoding="utf-8").splitlines()))
    assert [(r["lengths_truth"], r["lengths_read"]) for r in rows] == [("9", "9"), ("9", "9")]
    assert list(rows[0])[-3:] == ["lengths_truth", "lengths_read", "truth_problem"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<th>Length ratio</th>" in page and ">1.0000</td>" in page
