"""Two builds into one folder, and builds killed at any point: one build writes at a time (the
second exits 2 naming the first), and whatever the kills, the rerun leaves every index saying
what the manifest says: no doubled manifest or label row, and a DTRB LMDB whose
``num-samples`` is the number of samples it holds (a trainer reads 1..num-samples)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pytest

from unified_ocr.batch.folder import FolderInUseError
from unified_ocr.datasets import BuildOptions, DatasetBuilder, LabelledSource, build_dataset, from_truth
from unified_ocr.engines.registry import default_registry
from unified_ocr.evaluation.truth import read_truth

from ..conftest import ROOT, run_cli
from . import readers

pytest.importorskip("lmdb", reason='pip install -e ".[datasets]"')

ARGS = ["--split", "train=0.7,val=0.3"]


def pages(folder: Path, n: int, words: int = 24) -> tuple[Path, Path]:
    """``n`` noisy pages with ``words`` labelled boxes each, and their ICDAR-style truth: every
    crop differs (no duplicates dropped), so the manifest's rows are all the words."""
    rng = np.random.default_rng(7)
    images, gt = folder / "images", folder / "gt"
    images.mkdir(parents=True)
    gt.mkdir()
    for k in range(n):
        cv2.imwrite(str(images / f"p{k:03d}.png"), rng.integers(0, 256, (240, 480, 3), np.uint8))
        lines = []
        for j in range(words):
            x, y = 10 + (j % 4) * 115, 10 + (j // 4) * 38
            lines.append(f"{x},{y},{x + 100},{y},{x + 100},{y + 30},{x},{y + 30},w{k}-{j}")
        (gt / f"p{k:03d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return images, gt


def lmdb_held(folder: Path) -> tuple[int, int, int]:
    """``(num-samples, image keys, label keys)`` of an LMDB, read without a lock as a trainer opens it."""
    import lmdb

    env = lmdb.open(str(folder), readonly=True, lock=False)
    try:
        with env.begin() as txn:
            kinds = Counter(key.split(b"-")[0] for key, _ in txn.cursor())
            return int(txn.get(b"num-samples") or 0), kinds[b"image"], kinds[b"label"]
    finally:
        env.close()


def assert_whole(out: Path, fmt: str = "dtrb") -> list[dict]:
    """Every split's index holds each manifest row once, and the LMDB holds num-samples samples."""
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len({row["file"] for row in manifest}) == len(manifest), "a manifest row twice"
    for split in ("train", "val"):
        rows = [row for row in manifest if row["split"] == split]
        if fmt == "dtrb":
            n, images, labels = lmdb_held(out / split) if (out / split / "data.mdb").exists() else (0, 0, 0)
            assert n == images == labels == len(rows), (split, n, images, labels, len(rows))
            if rows:
                assert [label for _, label in readers.dtrb_lmdb(out / split)] == [row["label"] for row in rows]
                assert [(p.name, label) for p, label in readers.dtrb_gt(out / split)] == [(Path(r["file"]).name, r["label"]) for r in rows]
        else:
            label_file = out / f"rec_gt_{split}.txt"
            lines = readers.paddle_lines(out, label_file) if label_file.exists() else []
            assert [(str(p.relative_to(out)), label) for p, label in lines] == [(r["file"], r["label"]) for r in rows]
    return manifest


def start(images: Path, gt: Path, out: Path, fmt: str = "dtrb") -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFIED_OCR") or k == "UNIFIED_OCR_CACHE_DIR"}
    return subprocess.Popen([sys.executable, "-m", "unified_ocr", "dataset", str(images), "--truth", str(gt), "--format", fmt,
                             "--out", str(out), *ARGS], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip


def test_a_build_into_a_folder_another_build_holds_exits_2_naming_the_holder(tmp_path) -> None:
    images, gt = pages(tmp_path, 2)
    out = tmp_path / "ds"
    writer = default_registry().get("dataset_writer", "dtrb")
    with DatasetBuilder(out, writer, BuildOptions(split="train=0.7,val=0.3"), labels=f"truth={gt}"):
        proc = run_cli("dataset", str(images), "--truth", str(gt), "--format", "dtrb", "--out", str(out), *ARGS)
        assert proc.returncode == 2, proc.stderr
        assert f"another run is writing into this folder (process {os.getpid()} on " in proc.stderr
        assert "Traceback" not in proc.stderr
        assert not (out / "manifest.jsonl").exists()
        with pytest.raises(FolderInUseError, match="another run is writing into this folder"):  # another thread, too
            with ThreadPoolExecutor(1) as pool:
                pool.submit(DatasetBuilder, out, writer, BuildOptions(split="train=0.7,val=0.3")).result()
    proc = run_cli("dataset", str(images), "--truth", str(gt), "--format", "dtrb", "--out", str(out), *ARGS)
    assert proc.returncode == 0, proc.stderr
    assert len(assert_whole(out)) == 48


def test_two_builds_started_together_one_runs_the_other_exits_2(tmp_path) -> None:
    images, gt = pages(tmp_path, 60)
    out = tmp_path / "ds"
    first, second = start(images, gt, out), start(images, gt, out)
    codes = sorted(p.wait(timeout=300) for p in (first, second))
    errors = first.stderr.read() + second.stderr.read()  # type: ignore[union-attr]
    assert codes == [0, 2], errors
    assert "another run is writing into this folder (process " in errors and "Traceback" not in errors
    assert len(assert_whole(out)) == 60 * 24


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["dtrb", "paddleocr-rec"])
def test_after_kills_at_random_points_and_a_rerun_every_index_says_what_the_manifest_says(tmp_path, fmt: str) -> None:
    """SIGKILL (no clean-up at all) at random points, five times, then a rerun: the same dataset as
    a build never stopped; after each kill, too, the LMDB's num-samples is what it holds."""
    images, gt = pages(tmp_path, 60)
    whole = tmp_path / "whole"
    started = time.monotonic()
    assert run_cli("dataset", str(images), "--truth", str(gt), "--format", fmt, "--out", str(whole), *ARGS).returncode == 0
    # kill points within an eighth of a whole build (start-up included): a faster build is still cut five times
    window = min(0.2, (time.monotonic() - started) / 8)
    broken = tmp_path / "broken"
    sources = broken / "sources.jsonl"
    rng = random.Random(20)
    kills = 0
    for attempt in range(5):
        before = len(sources.read_text(encoding="utf-8").splitlines()) if sources.exists() else 0
        child = start(images, gt, broken, fmt)
        deadline = time.monotonic() + 120
        while child.poll() is None and time.monotonic() < deadline:  # wait for it to write, then kill it a moment later
            if attempt == 0 and (broken / "train").exists() or sources.exists() and len(sources.read_text(encoding="utf-8").splitlines()) > before:
                time.sleep(rng.uniform(0, window))
                break
            time.sleep(0.005)
        if child.poll() is None:
            kills += 1
        child.send_signal(signal.SIGKILL)
        child.wait()
        if fmt == "dtrb":
            for split in ("train", "val"):  # what a kill leaves: num-samples still what the LMDB holds
                if (broken / split / "data.mdb").exists():
                    n, held, labels = lmdb_held(broken / split)
                    assert n <= held == labels
    assert kills >= 3, "the builds ended before they could be killed"
    proc = run_cli("dataset", str(images), "--truth", str(gt), "--format", fmt, "--out", str(broken), *ARGS)
    assert proc.returncode == 0, proc.stderr
    assert assert_whole(broken, fmt) == assert_whole(whole, fmt)
    names = ["manifest.jsonl"] + ([f"{s}/gt.txt" for s in ("train", "val")] if fmt == "dtrb" else ["rec_gt_train.txt", "rec_gt_val.txt"])
    for name in names:
        assert (broken / name).read_bytes() == (whole / name).read_bytes(), name


def kill_state(out: Path, keep: int) -> None:
    """What a kill leaves after a source's crops and index lines but before its manifest and
    sources lines: the manifest and the sources cut back to the first ``keep`` sources."""
    done = (out / "sources.jsonl").read_text(encoding="utf-8").splitlines()[:keep]
    kept = {json.loads(line)["source"] for line in done}
    rows = [line for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if json.loads(line)["source"] in kept]
    (out / "sources.jsonl").write_text("".join(line + "\n" for line in done), encoding="utf-8")
    (out / "manifest.jsonl").write_text("".join(line + "\n" for line in rows), encoding="utf-8")


def sources_of(images: Path, gt: Path) -> list[LabelledSource]:
    return [LabelledSource(str(p), tuple(from_truth(read_truth(gt / f"{p.stem}.txt"), "word"))) for p in sorted(images.iterdir())]


@pytest.mark.parametrize("fmt", ["dtrb", "paddleocr-rec", "hf-imagefolder", "mmocr-rec", "paddleocr-det", "icdar"])
def test_a_kill_before_the_first_manifest_line_leaves_no_doubled_label_row(tmp_path, fmt: str) -> None:
    images, gt = pages(tmp_path, 3, words=4)
    writer = default_registry().get("dataset_writer", fmt)
    options = BuildOptions(split="train=1")
    sources = sources_of(images, gt)
    build_dataset(sources, tmp_path / "whole", writer, options)
    out = tmp_path / "ds"
    build_dataset(sources[:1], out, writer, options)
    kill_state(out, 0)  # the first source's index lines are written, its manifest line is not
    build_dataset(sources, out, writer, options)
    for path in sorted(p for p in (tmp_path / "whole").rglob("*") if p.is_file() and p.suffix in (".txt", ".jsonl", ".json")):
        if path.name != "summary.json":
            name = path.relative_to(tmp_path / "whole")
            assert (out / name).read_bytes() == path.read_bytes(), name
    if fmt == "dtrb":
        assert_whole(out)
    if fmt == "icdar":  # no page beyond the manifest's
        assert sorted(p.name for p in (out / "train" / "gt").iterdir()) == ["gt_img_1.txt", "gt_img_2.txt", "gt_img_3.txt"]


def test_samples_a_kill_left_past_the_manifest_are_taken_out_of_the_lmdb(tmp_path) -> None:
    """Killed after its LMDB transaction, a source that is not run again leaves nothing behind."""
    images, gt = pages(tmp_path, 3, words=4)
    writer = default_registry().get("dataset_writer", "dtrb")
    options = BuildOptions(split="train=1")
    sources = sources_of(images, gt)
    out = tmp_path / "ds"
    build_dataset(sources, out, writer, options)
    kill_state(out, 1)
    assert lmdb_held(out / "train") == (12, 12, 12)
    build_dataset(sources[:1], out, writer, options)
    assert lmdb_held(out / "train") == (4, 4, 4)
    assert_whole(out)

