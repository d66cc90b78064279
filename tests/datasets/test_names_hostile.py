"""A dataset from an image whose file name is not UTF-8 (a Korean name saved in CP949, as zip
archives and Windows machines give them): the build ends with every sample written, and the
manifest names the source so that it opens the same file again."""

from __future__ import annotations

import json
import os

import pytest

from ..conftest import run_cli
from .test_from_truth import turned_page

NAME = os.fsdecode(b"\xbf\xb5\xbc\xf6\xc1\xf5")  # "영수증" in CP949: undecodable as UTF-8


@pytest.mark.parametrize("fmt", ["dtrb", "paddleocr-det", "mmocr-rec"])
def test_a_cp949_named_image_becomes_samples_and_its_source_reopens(tmp_path, fmt: str) -> None:
    image, truth, labels = turned_page(tmp_path)
    images, gt = tmp_path / "images", tmp_path / "gt"
    images.mkdir()
    gt.mkdir()
    named = images / f"{NAME}.png"
    image.rename(named)
    truth.rename(gt / f"{NAME}.txt")
    out = tmp_path / "ds"
    proc = run_cli("dataset", str(images), "--truth", str(gt), "--format", fmt, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(r["label"] for r in rows) == sorted(labels)
    assert {r["source"] for r in rows} == {str(named)}  # the name's own bytes, escaped in the JSON
    assert os.path.isfile({r["source"] for r in rows}.pop())
    rerun = run_cli("dataset", str(images), "--truth", str(gt), "--format", fmt, "--out", str(out))
    assert rerun.returncode == 0, rerun.stderr
    assert len((out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()) == len(rows)  # resumed, nothing twice
