"""Quads that are not a place on their page: far larger than it (1e7 pixels, 30000 x 30000 on
800 x 400), off it, of no area, mirrored or crossing themselves. The build does not cut them at
full size (an OpenCV out-of-memory error, or gigabytes and half a minute): every format drops
them as ``bad-quad``, counted, and what it keeps is never larger than the page plus padding."""

from __future__ import annotations

import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from unified_ocr.datasets import BuildOptions, LabelledSource, Region, build_dataset
from unified_ocr.engines.registry import default_registry
from unified_ocr.geometry import Quad

from . import readers

GOOD = {
    "inside": [(100, 100), (300, 100), (300, 140), (100, 140)],
    "partly past the right edge": [(700, 300), (840, 300), (840, 340), (700, 340)],
}
BAD = {
    "1e7 pixels": [(-1e7, -1e7), (1e7, -1e7), (1e7, 1e7), (-1e7, 1e7)],
    "30000 x 30000": [(0, 0), (30000, 0), (30000, 30000), (0, 30000)],
    "zero area": [(50, 50), (150, 50), (250, 50), (350, 50)],
    "off the page": [(900, 100), (1000, 100), (1000, 140), (900, 140)],
    "negative, off the page": [(-300, -100), (-100, -100), (-100, -60), (-300, -60)],
    "mirrored": [(100, 200), (100, 240), (300, 240), (300, 200)],
    "self-crossing": [(400, 200), (600, 260), (600, 200), (400, 230)],
}
FORMATS = ["icdar", "paddleocr-det", "mmocr-det", "dtrb", "paddleocr-rec"]


def page(tmp_path: Path) -> LabelledSource:
    image = tmp_path / "page.png"
    cv2.imwrite(str(image), np.random.default_rng(3).integers(0, 256, (400, 800, 3), np.uint8))
    regions = [Region(Quad(points), name.replace(" ", "_"), "word") for name, points in {**GOOD, **BAD}.items()]
    return LabelledSource(str(image), tuple(regions))


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_quads_are_dropped_as_bad_quad_by_every_format_and_the_rest_is_bounded(tmp_path, fmt: str) -> None:
    pytest.importorskip("lmdb")
    out = tmp_path / "ds"
    padding = 0.5
    tally = build_dataset([page(tmp_path)], out, default_registry().get("dataset_writer", fmt), BuildOptions(split="train=1", padding=padding))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["dropped"] == {"bad-quad": len(BAD)} == dict(tally.dropped)
    good = {name.replace(" ", "_") for name in GOOD}
    if fmt == "icdar":
        rows = (out / "train" / "gt" / "gt_img_1.txt").read_text(encoding="utf-8").splitlines()
        assert {row.rsplit(",", 1)[1] for row in rows} == good
    elif fmt == "paddleocr-det":
        ((_, label),) = readers.paddle_lines(out, out / "det_gt_train.txt")
        assert {box["transcription"] for box in json.loads(label)} == good
    elif fmt == "mmocr-det":
        (entry,) = readers.mmocr(out / "textdet_train.json", "textdet")
        assert len(entry["instances"]) == len(GOOD)
    else:
        rows = readers.dtrb_gt(out / "train") if fmt == "dtrb" else readers.paddle_lines(out, out / "rec_gt_train.txt")
        assert {label for _, label in rows} == good
        sizes = {label: Image.open(path).size for path, label in rows}  # padded by half the text's height, 20 pixels
        assert sizes == {"inside": (240, 80), "partly_past_the_right_edge": (140, 80)}  # cut 20 pixels past the page's edge
    assert summary["kept"] == len(GOOD)


def test_a_page_whose_every_quad_is_bad_is_not_written(tmp_path) -> None:
    source = page(tmp_path)
    source = LabelledSource(source.path, tuple(r for r in source.regions if r.label.replace("_", " ") in BAD))
    out = tmp_path / "ds"
    build_dataset([source], out, default_registry().get("dataset_writer", "icdar"), BuildOptions(split="train=1"))
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["dropped"] == {"bad-quad": len(BAD)}
    assert not (out / "train").exists()


def test_a_quad_far_past_the_page_in_a_library_crop_is_cut_from_the_part_inside() -> None:
    """The crop itself (for other callers than the build): bounded by the page, at the quad's scale."""
    from unified_ocr import crop

    pixels = np.zeros((400, 800, 3), np.uint8)
    for points in BAD.values():
        try:
            got = crop(pixels, points, padding_ratio=0.1)
        except ValueError:
            continue
        assert got.shape[0] * got.shape[1] <= (800 + 160) * (400 + 160) and max(got.shape[:2]) <= math.hypot(960, 560) + 1
