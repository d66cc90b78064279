"""The examples of docs/plugins.md for truth formats, metrics and normalisers are real
plugins: each registers through its hook and does what its section says."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from unified_ocr import Line, OcrResult, Page, Quad, Word
from unified_ocr.engines.registry import Registry
from unified_ocr.evaluation import plugin as evaluation_plugin
from unified_ocr.evaluation.metrics import installed
from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.truth import format_names, reader_named

from ..conftest import ROOT

PLUGINS_MD = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")


def example(hook: str, tmp_path: Path) -> ModuleType:
    """The python block of the ``### HOOK()`` section, imported as a plugin module."""
    section = PLUGINS_MD.split(f"### {hook}()\n", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code, f"the {hook} section of docs/plugins.md has no example"
    path = tmp_path / f"example_{hook}.py"
    path.write_text(code.group(1), encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        return __import__(path.stem)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(path.stem, None)


def registry_of(module: ModuleType) -> Registry:
    registry = Registry([module, evaluation_plugin], entry_points=False)
    assert registry.problems == []
    return registry


def test_the_truth_reader_example(tmp_path: Path) -> None:
    registry = registry_of(example("register_truth_readers", tmp_path))
    assert "boxes-tsv" in format_names(registry)
    reader = reader_named("boxes-tsv", registry)
    page = reader.read("#boxes\n0\t0\t40\t10\tTOTAL\n0\t20\t40\t30\t###\n", "a.tsv")
    assert page.text == "TOTAL" and [w.dont_care for w in page.words] == [False, True]
    with pytest.raises(Exception, match="a.tsv:2: expected"):
        reader.read("#boxes\nno boxes here\n", "a.tsv")


def test_the_metric_example(tmp_path: Path) -> None:
    registry = registry_of(example("register_metrics", tmp_path))
    (cls,) = [m for m in installed(registry) if m.name == "words_found"]
    metric = cls(Normalization(fold_case=True))
    quad = Quad.from_bbox(0, 0, 40, 10)
    truth = OcrResult("truth", (Page(0, 0, 0, (Line("TOTAL 12", quad, (Word("TOTAL", quad), Word("12", quad))),)),))
    reading = OcrResult("x", (Page(0, 40, 10, (Line("total", quad, (Word("total", quad),)),)),))
    assert metric.update(truth, reading) == {"words_found_share": 0.5}
    assert metric.update(truth, None) == {"words_found_share": 0.0}
    assert metric.summary() == {"words": 4, "found": 1, "share": 0.25}


def test_the_normaliser_example(tmp_path: Path) -> None:
    registry = registry_of(example("register_normalizers", tmp_path))
    strip = registry.get("normalizer", "strip-accents")
    assert strip.apply("Café") == "Cafe" and not strip.removes_spaces  # --normalize strip-accents: tests/evaluation/test_plugin_kinds.py
