"""End to end: ``unified-ocr compare`` writes the spacing figures and the confusion table into
summary.json, images.csv and the report."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import cv2
import numpy as np

from ..conftest import TEST_PLUGINS, run_cli, write_dist


def test_compare_writes_spacing_and_confusions(tmp_path: Path) -> None:
    """The echo engine reads a W x H PNG as ``png WxH``. By hand: a.png's truth ``png 64 x32``
    loses a space (10 characters, 2 spaces); b.png's ``pnq 80x40`` is read with g for q
    (9 characters, 1 space). CER 2/19, spacing (0 + 1) / 3, CER without spaces 1/16."""
    site = tmp_path / "site"
    write_dist(site, "unified-ocr-echo", {"echo": "unified_ocr_echo"})
    images, gt = tmp_path / "images", tmp_path / "gt"
    images.mkdir()
    gt.mkdir()
    for name, (w, h), truth in (("a", (64, 32), "png 64 x32"), ("b", (80, 40), "pnq 80x40")):
        cv2.imwrite(str(images / f"{name}.png"), np.full((h, w, 3), 255, np.uint8))
        (gt / f"{name}.txt").write_text(truth + "\n", encoding="utf-8")
    config = tmp_path / "unified-ocr.toml"
    config.write_text('[engines.vendor]\nbackend = "echo"\napi_key = { env = "ECHO_TEST_KEY" }\n', encoding="utf-8")
    out = tmp_path / "cmp"
    proc = run_cli("compare", str(images), "--truth", str(gt), "--truth-format", "text", "--engine", "vendor", "--config", str(config),
                   "--out", str(out), env={"ECHO_TEST_KEY": "k"}, pythonpath=[site, TEST_PLUGINS])  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    engine = json.loads((out / "summary.json").read_text(encoding="utf-8"))["engines"]["vendor"]
    text = engine["text"]
    assert (text["cer"], text["spacing_error_rate"], text["cer_no_spaces"]) == (2 / 19, 1 / 3, 1 / 16)
    assert (text["spaces"], text["space_insertions"], text["space_deletions"]) == (3, 0, 1)
    confusions = engine["confusions"]
    assert [(c["kind"], c["truth"], c["read"], c["count"], Path(c["example"]).name) for c in confusions["characters"]] == [
        ("substitution", "q", "g", 1, "b.png"),  # b.png's CER 1/9 is over a.png's 1/10: worst first
        ("deletion", " ", "", 1, "a.png"),
    ]
    assert confusions["jamo"] == [] and confusions["failed_images"] == 0
    rows = {Path(r["image"]).name: r for r in csv.DictReader((out / "images.csv").read_text(encoding="utf-8").splitlines())}
    assert (rows["a.png"]["spacing_error_rate"], rows["b.png"]["spacing_error_rate"], rows["b.png"]["cer_no_spaces"]) == (
        "0.5000",
        "0.0000",
        "0.1250",
    )
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<th>Spacing</th>" in page and "<th>CER no spaces</th>" in page and re.search(r"<td[^>]*>0\.3333\b", page)
    assert '<h2 id="confusions">What goes wrong</h2>' in page
    assert "<td><bdi>␣</bdi></td><td><bdi></bdi></td><td>deletion</td><td>1</td>" in page
    assert "<td><bdi>q</bdi></td><td><bdi>g</bdi></td><td>substitution</td><td>1</td>" in page
