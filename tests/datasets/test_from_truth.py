"""Datasets from ground truth: every format written from the evaluation sets and read back
as its trainer reads it; every label is the truth word and every turned word comes upright."""

from __future__ import annotations

import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from unified_ocr.datasets import BuildOptions, DatasetBuilder, LabelledSource, from_truth
from unified_ocr.engines.registry import default_registry
from unified_ocr.evaluation.truth import TruthIndex, read_truth

from ..conftest import ROOT, run_cli
from . import readers

EVAL = ROOT.parent / "shared" / "eval"
SETS = {"synth-korean": ("synth-korean", "images", "gt_icdar"), "synth-korean-json": ("synth-korean", "images", "gt_json"),
        "icdar2015": ("icdar2015", "images", "gt")}  # fmt: skip
REC = ["dtrb", "paddleocr-rec", "mmocr-rec", "doctr-rec", "hf-imagefolder"]
DET = ["paddleocr-det", "mmocr-det", "icdar"]
pytestmark = pytest.mark.skipif(not EVAL.is_dir(), reason=f"needs the evaluation sets at {EVAL}")


def truth_words(name: str) -> dict[str, dict[tuple, str]]:
    """Each image's truth words by their quad, do-not-care left out."""
    folder, images, gt = SETS[name]
    index = TruthIndex(EVAL / folder / gt)
    out = {}
    for image in sorted((EVAL / folder / images).iterdir()):
        out[str(image)] = {tuple(tuple(round(v, 2) for v in p) for p in r.quad.points): r.text
                           for r in index.read(image).words if r.text.strip() and r.text != "###"}  # fmt: skip
    return out


def read_back(fmt: str, out: Path) -> list[tuple[np.ndarray | None, str]]:
    """Every sample of the dataset, read as its trainer reads it: (pixels or None, label)."""
    samples: list[tuple[np.ndarray | None, str]] = []
    splits = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name not in ("images", "runs"))
    if fmt == "dtrb":
        for split in splits:
            lmdb = readers.dtrb_lmdb(out / split)
            gt = readers.dtrb_gt(out / split)
            assert [label for _, label in lmdb] == [label for _, label in gt]
            assert all(np.array_equal(np.asarray(Image.open(path).convert("RGB")), pixels) for (path, _), (pixels, _) in zip(gt, lmdb))
            samples += [(pixels, label) for pixels, label in lmdb]
    elif fmt == "paddleocr-rec":
        for label_file in sorted(out.glob("rec_gt_*.txt")):
            samples += [(np.asarray(Image.open(path)), label) for path, label in readers.paddle_lines(out, label_file)]
    elif fmt == "mmocr-rec":
        for path in sorted(out.glob("textrecog_*.json")):
            samples += [(np.asarray(Image.open(out / e["img_path"])), e["instances"][0]["text"]) for e in readers.mmocr(path, "textrecog")]
    elif fmt == "doctr-rec":
        for split in splits:
            labels = json.loads((out / split / "labels.json").read_text(encoding="utf-8"))
            samples += [(np.asarray(Image.open(out / split / "images" / name)), label) for name, label in labels.items()]
    elif fmt == "hf-imagefolder":
        for split in splits:
            for line in (out / split / "metadata.jsonl").read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                samples.append((np.asarray(Image.open(out / split / row["file_name"])), row["text"]))
    elif fmt == "paddleocr-det":
        for label_file in sorted(out.glob("det_gt_*.txt")):
            for path, label in readers.paddle_lines(out, label_file):
                assert path.is_file()
                samples += [(None, box["transcription"]) for box in json.loads(label) if len(box["points"]) == 4]
    elif fmt == "mmocr-det":
        for path in sorted(out.glob("textdet_*.json")):
            for entry in readers.mmocr(path, "textdet"):
                assert (out / entry["img_path"]).is_file()
                samples += [(None, "###" if i["ignore"] else "") for i in entry["instances"]]
    elif fmt == "icdar":
        for gt in sorted(out.glob("*/gt/gt_img_*.txt")):
            image = gt.parent.parent / "images" / (gt.stem.removeprefix("gt_") + ".png")
            assert image.is_file()
            samples += [(None, r.text) for r in read_truth(gt, "icdar").words]
    return samples


@pytest.mark.parametrize("name", sorted(SETS))
@pytest.mark.parametrize("fmt", REC + DET)
def test_each_format_from_each_set_reads_back_with_the_truth_words(tmp_path, name: str, fmt: str) -> None:
    folder, images, gt = SETS[name]
    out = tmp_path / "ds"
    proc = run_cli("dataset", str(EVAL / folder / images), "--truth", str(EVAL / folder / gt), "--format", fmt, "--out", str(out),
                   "--split", "train=0.5,val=0.5")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    samples = read_back(fmt, out)
    expected = truth_words(name)
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    if fmt in DET:
        assert len(samples) == len(manifest) == sum(1 for image in expected for _ in read_truth_all(name, image))
        assert {r["split"] for r in manifest} <= {"train", "val"}
        return
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    duplicates = summary["dropped"].get("duplicate", 0)
    assert sum(len(v) for v in expected.values()) == len(manifest) + duplicates
    for row in manifest:  # every label is the truth word at its place
        assert row["label"] == expected[row["source"]][tuple(tuple(p) for p in row["quad"])]
    assert sorted(label for _, label in samples) == sorted(row["label"] for row in manifest)
    from unified_ocr.datasets import read_manifest

    assert [r.to_dict() for r in read_manifest(out)] == manifest  # the records stream, as written
    assert all(pixels is not None and pixels.size > 0 for pixels, _ in samples)
    splits = {}
    for row in manifest:  # every crop of one image in one split
        assert splits.setdefault(row["source"], row["split"]) == row["split"]


def read_truth_all(name: str, image: str) -> list[str]:
    folder, images, gt = SETS[name]
    return [r.text for r in TruthIndex(EVAL / folder / gt).read(image).words]


def turned_page(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """A page with one mark per angle: a 120 x 40 box whose top-left quarter is black, turned
    by 0, 90, 180, 270 and 30 degrees counterclockwise around its centre; its truth quads start
    at each box's own top-left."""
    page = np.full((700, 700, 3), 255, np.uint8)
    lines, labels = [], []
    centres = {0: (120, 120), 90: (350, 140), 180: (580, 120), 270: (150, 450), 30: (450, 450)}
    for angle, (cx, cy) in centres.items():
        t = math.radians(angle)
        ux, uy = math.cos(t), -math.sin(t)  # along the text (counterclockwise on screen: y points down)
        vx, vy = -uy, ux  # down the text
        def at(a: float, b: float, cx: float = cx, cy: float = cy, ux: float = ux, uy: float = uy, vx: float = vx, vy: float = vy) -> tuple[float, float]:
            return (cx + a * ux + b * vx, cy + a * uy + b * vy)

        corners = [at(-60, -20), at(60, -20), at(60, 20), at(-60, 20)]
        cv2.fillPoly(page, [np.array(corners, np.int32)], (200, 200, 200))
        quarter = [at(-60, -20), at(0, -20), at(0, 0), at(-60, 0)]
        cv2.fillPoly(page, [np.array(quarter, np.int32)], (0, 0, 0))
        label = f"mark{angle}"
        labels.append(label)
        lines.append(",".join(f"{v:.1f}" for p in corners for v in p) + f",{label}")
    image = tmp_path / "turned.png"
    cv2.imwrite(str(image), page)
    truth = tmp_path / "turned.txt"
    truth.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return image, truth, labels


def test_every_crop_of_a_turned_word_is_upright(tmp_path) -> None:
    image, truth, labels = turned_page(tmp_path)
    writer = default_registry().get("dataset_writer", "dtrb")
    with DatasetBuilder(tmp_path / "ds", writer, BuildOptions(split="train=1")) as builder:
        builder.add(LabelledSource(str(image), tuple(from_truth(read_truth(truth), "word"))))
    samples = readers.dtrb_lmdb(tmp_path / "ds" / "train")
    assert sorted(label for _, label in samples) == sorted(labels)
    for pixels, label in samples:
        gray = pixels.mean(axis=2)
        h, w = gray.shape
        assert abs(w / h - 3) < 0.2, (label, gray.shape)  # 120 x 40, as long as the text, whatever its turn
        quarters = [gray[: h // 2, : w // 2], gray[: h // 2, w // 2 :], gray[h // 2 :, : w // 2], gray[h // 2 :, w // 2 :]]
        means = [q[2:-2, 2:-2].mean() for q in quarters]
        assert means[0] < 60 and min(means[1:]) > 150, (label, means)  # the black quarter at the top-left: upright


def test_vertical_text_is_kept_rotated_or_dropped_and_counted(tmp_path) -> None:
    page = np.full((300, 200, 3), 255, np.uint8)
    cv2.rectangle(page, (80, 20), (120, 260), (0, 0, 0), -1)
    image = tmp_path / "sign.png"
    cv2.imwrite(str(image), page)
    truth = tmp_path / "sign.txt"
    truth.write_text("80,20,120,20,120,260,80,260,세로간판\n", encoding="utf-8")
    writer = default_registry().get("dataset_writer", "paddleocr-rec")
    shapes = {}
    for policy in ("keep", "rotate", "drop"):
        from unified_ocr.datasets import Filters

        out = tmp_path / policy
        with DatasetBuilder(out, writer, BuildOptions(split="train=1", filters=Filters(vertical=policy))) as builder:
            builder.add(LabelledSource(str(image), tuple(from_truth(read_truth(truth), "word"))))
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        rows = readers.paddle_lines(out, out / "rec_gt_train.txt") if (out / "rec_gt_train.txt").exists() else []
        shapes[policy] = [np.asarray(Image.open(path)).shape[:2] for path, _ in rows]
        if policy == "drop":
            assert rows == [] and summary["dropped"] == {"vertical": 1}
        else:
            assert summary["changed"] == {f"vertical-{'kept' if policy == 'keep' else 'rotated'}": 1}
    assert shapes["keep"] == [(240, 40)] and shapes["rotate"] == [(40, 240)]


def test_crops_cut_on_dask_workers_give_the_same_dataset_as_one_process(tmp_path) -> None:
    """The workers cut and encode; this process alone writes, in the sources' order."""
    distributed = pytest.importorskip("distributed", reason='pip install -e ".[dask]"')
    from unified_ocr.datasets import build_dataset

    folder, images, gt = SETS["synth-korean"]
    index = TruthIndex(EVAL / folder / gt)
    sources = [LabelledSource(str(p), tuple(from_truth(index.read(p), "word"))) for p in sorted((EVAL / folder / images).iterdir())]
    writer = default_registry().get("dataset_writer", "paddleocr-rec")
    options = BuildOptions(split="train=0.6,val=0.4")
    alone = build_dataset(sources, tmp_path / "alone", writer, options)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            spread = build_dataset(sources, tmp_path / "spread", writer, options, executor=client.get_executor(), window=3)
    assert alone.to_dict() == spread.to_dict() and alone.to_dict()["kept"] > 80
    for name in ("manifest.jsonl", "rec_gt_train.txt", "rec_gt_val.txt"):
        assert (tmp_path / "alone" / name).read_bytes() == (tmp_path / "spread" / name).read_bytes()
    crops = sorted(p.relative_to(tmp_path / "alone") for p in (tmp_path / "alone" / "images").rglob("*.png"))
    assert all((tmp_path / "alone" / c).read_bytes() == (tmp_path / "spread" / c).read_bytes() for c in crops)
