"""Datasets labelled by engines: consensus keeps only what enough engines agree on (checked
against a plain recount from the engines' saved readings), a rebuild makes no calls, hostile
labels never escape the folder or break a file, and a killed run resumes to the same dataset."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
import shapely

import unified_ocr
from unified_ocr import Line, OcrResult, Page, Quad, Word

from ..conftest import ROOT, SAMPLE, cli_here, run_cli, text_image
from . import readers


def images(folder: Path) -> list[Path]:
    import cv2

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE, folder / "receipt.png")
    for k, text in enumerate(["TOTAL 12,000", "HELLO WORLD 42"]):
        cv2.imwrite(str(folder / f"line{k}.png"), text_image(text))
    return sorted(folder.iterdir())


def config(tmp_path: Path, clova_url: str, kakao_url: str) -> Path:
    path = tmp_path / "unified-ocr.toml"
    path.write_text(f'[engines.clova]\nbackend = "clova"\ninvoke_url = "{clova_url}/general"\nsecret = {{ env = "DS_CLOVA" }}\n'
                    f'[engines.kakao]\nbackend = "kakao"\nendpoint = "{kakao_url}/ocr/services/general-ocr/e3bd4a3e261e44fc9c2e5c30602ee29f"\napi_key = {{ env = "DS_KAKAO" }}\n', encoding="utf-8")  # fmt: skip
    return path


def saved_results(out: Path, label: str) -> dict[str, OcrResult]:
    """An engine's readings as its batch run saved them in the dataset's ``runs`` folder."""
    (run,) = [p for p in (out / "runs").iterdir() if p.name.startswith(f"{label}-")]
    entries = [json.loads(line) for line in (run / "journal.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return {e["source"]: unified_ocr.load_result(run / e["result"]) for e in entries if e.get("status") == "ok"}


def agreed(a: OcrResult, b: OcrResult) -> set[str]:
    """Words of ``a`` that ``b`` also read: a quad with IoU over 0.5 and the same NFKC text (a plain recount)."""
    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text).split())

    out = set()
    for w in a.words:
        pa = shapely.Polygon(w.quad.points)
        for v in b.words:
            pb = shapely.Polygon(v.quad.points)
            inter = pa.intersection(pb).area
            if inter / (pa.area + pb.area - inter) > 0.5 and norm(w.text) == norm(v.text):
                out.add(w.text)
    return out


@pytest.mark.slow
def test_two_engines_keep_only_the_words_both_read_and_a_rebuild_makes_no_calls(tmp_path) -> None:
    if unified_ocr.engines.registry.default_registry().engine_class("tesseract").unavailable_reason(None):
        pytest.skip('the second reader is Tesseract: pip install -e ".[tesseract]" and apt-get install tesseract-ocr')
    from unified_ocr_clova import ClovaEmulator
    from unified_ocr_kakao import KakaoEmulator

    inputs = images(tmp_path / "in")
    env = {"DS_CLOVA": "ck", "DS_KAKAO": "kk"}
    with ClovaEmulator(key="ck", engine="tesseract") as clova, KakaoEmulator(key="kk") as kakao:
        cfg = config(tmp_path, clova.url, kakao.url)
        out = tmp_path / "ds"
        proc = run_cli("dataset", str(tmp_path / "in"), "--engine", "rapidocr", "--engine", "clova", "--min-agree", "2",
                       "--format", "paddleocr-rec", "--out", str(out), "--config", str(cfg), env=env)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        calls = clova.stats["requests"]
        assert calls == len(inputs)
        proc = run_cli("dataset", str(tmp_path / "in"), "--engine", "rapidocr", "--engine", "clova", "--min-agree", "2",
                       "--format", "mmocr-rec", "--out", str(tmp_path / "ds2"), "--config", str(cfg), env=env)  # fmt: skip
        assert proc.returncode == 0 and clova.stats["requests"] == calls  # another format, another folder: the cache answers
        both = tmp_path / "emulators"  # the two emulators (one reads with Tesseract, one with the offline model)
        proc = run_cli("dataset", str(tmp_path / "in"), "--engine", "clova", "--engine", "kakao", "--min-agree", "2",
                       "--format", "paddleocr-rec", "--out", str(both), "--config", str(cfg), env=env)  # fmt: skip
        assert proc.returncode in (0, 1), proc.stderr  # 1: an image neither emulator took (named on stderr)
    for folder, (a, b) in ((out, ("rapidocr", "clova")), (both, ("clova", "kakao"))):
        ours, theirs = saved_results(folder, a), saved_results(folder, b)
        manifest = [json.loads(line) for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        for image in map(str, inputs):
            kept = {row["label"] for row in manifest if row["source"] == image}
            expected = agreed(ours[image], theirs[image]) if image in ours and image in theirs else set()
            assert kept == expected, (a, b, image)
        assert all(set(row["engines"]) == {a, b} for row in manifest)
        assert summary["dropped"]["no-agreement"] > 0 and summary["kept"] > 0
        rows = readers.paddle_lines(folder, folder / "rec_gt_train.txt")
        assert [label for _, label in rows] == [r["label"] for r in manifest if r["split"] == "train"]


HOSTILE = ["../../etc/passwd", "a\tb", "\n", "", "x" * 500, "/abs/path", "ok"]


def hostile_truth(tmp_path: Path) -> tuple[Path, Path]:
    """An image and a unified-ocr result used as truth, whose words are labels that try to break things."""
    import cv2

    image = tmp_path / "in" / "page.png"
    image.parent.mkdir(parents=True)
    cv2.imwrite(str(image), text_image("HOSTILE LABELS HERE", (700, 400)))
    words = [Word(text, Quad.from_bbox(20 + 90 * k, 150, 100 + 90 * k, 190), 0.9) for k, text in enumerate(HOSTILE)]
    result = OcrResult("truth", (Page(0, 700, 400, tuple(Line(w.text, w.quad, (w,)) for w in words)),))
    truth = tmp_path / "gt" / "page.json"
    truth.parent.mkdir()
    truth.write_text(json.dumps(result.to_dict()), encoding="utf-8")
    return image, truth


@pytest.mark.parametrize("fmt", ["dtrb", "paddleocr-rec", "mmocr-rec", "doctr-rec", "hf-imagefolder", "paddleocr-det", "icdar"])
def test_hostile_labels_stay_inside_never_break_a_file_and_are_counted(tmp_path, fmt: str) -> None:
    image, truth = hostile_truth(tmp_path)
    out = tmp_path / "work" / "ds"
    proc = run_cli("dataset", str(image.parent), "--truth", str(truth.parent), "--format", fmt, "--out", str(out), "--split", "train=1")
    assert proc.returncode == 0, proc.stderr
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and out not in p.parents and p.parent not in (image.parent, truth.parent)]
    assert outside == []  # nothing outside --out (the input and the truth aside)
    assert not (Path("/abs/path")).exists()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = [row["label"] for row in manifest]
    if fmt in ("paddleocr-det", "icdar"):  # pages: every region, the untrusted ones as do not care
        assert len(labels) == len(HOSTILE) and "../../etc/passwd" in labels and labels.count("###") >= 3
    else:
        assert "../../etc/passwd" in labels and "/abs/path" in labels and "ok" in labels
        assert "x" * 500 not in labels and "" not in labels and "\n" not in labels
        assert summary["dropped"]["too-long"] == 1 and summary["dropped"]["empty-label"] == 2
        if fmt in ("dtrb", "paddleocr-rec"):  # tab-separated files cannot hold a tab: dropped, counted
            assert "a\tb" not in labels and summary["dropped"]["label-breaks-format"] == 1
            rows = readers.dtrb_gt(out / "train") if fmt == "dtrb" else readers.paddle_lines(out, out / "rec_gt_train.txt")
            assert sorted(label for _, label in rows) == sorted(labels) and all(path.is_file() for path, _ in rows)
        else:  # JSON holds any text
            assert "a\tb" in labels
    for row in manifest:
        assert (out / row["file"]).resolve().is_relative_to(out.resolve())


def test_a_rerun_writes_nothing_and_a_killed_run_resumes_to_the_same_dataset(tmp_path) -> None:
    """Killed halfway (SIGKILL: no clean-up at all) and run again, it ends where an unbroken run ends."""
    import cv2

    eval_set = ROOT.parent / "shared" / "eval" / "synth-korean"
    if not eval_set.is_dir():
        pytest.skip(f"needs {eval_set}")
    many = tmp_path / "in"
    many.mkdir()
    gt = tmp_path / "gt"
    gt.mkdir()
    for k in range(40):  # the five pages, shifted so that each is another image (another hash, another split)
        name = f"p{k:02d}"
        pixels = cv2.imread(str(eval_set / "images" / f"synth_ko_0{k % 5}.png"))
        cv2.imwrite(str(many / f"{name}.png"), cv2.copyMakeBorder(pixels, k, 0, 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255)))
        lines = (eval_set / "gt_icdar" / f"gt_synth_ko_0{k % 5}.txt").read_text(encoding="utf-8").splitlines()
        shifted = []
        for line in lines:
            parts = line.split(",", 8)
            shifted.append(",".join(str(float(v) + (k if i % 2 else 0)) for i, v in enumerate(parts[:8])) + "," + parts[8])
        (gt / f"{name}.txt").write_text("\n".join(shifted) + "\n", encoding="utf-8")
    args = ["dataset", str(many), "--truth", str(gt), "--format", "dtrb", "--split", "train=0.7,val=0.3"]
    whole = tmp_path / "whole"
    assert run_cli(*args, "--out", str(whole)).returncode == 0
    before = sorted((p.relative_to(whole), p.stat().st_mtime_ns) for p in whole.rglob("*") if p.is_file() and p.suffix == ".png")
    proc = run_cli(*args, "--out", str(whole))
    assert proc.returncode == 0 and "; 0 new" in proc.stderr
    assert sorted((p.relative_to(whole), p.stat().st_mtime_ns) for p in whole.rglob("*") if p.is_file() and p.suffix == ".png") == before

    broken = tmp_path / "broken"
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFIED_OCR") or k == "UNIFIED_OCR_CACHE_DIR"}
    child = subprocess.Popen([sys.executable, "-m", "unified_ocr", *args, "--out", str(broken)], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        sources = broken / "sources.jsonl"
        if sources.is_file() and len(sources.read_text(encoding="utf-8").splitlines()) >= 12:
            break
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    done = len((broken / "sources.jsonl").read_text(encoding="utf-8").splitlines())
    assert 0 < done < 40, "the run was not killed halfway"
    for split in ("train", "val"):  # what a kill leaves opens in the trainer as it stands
        if (broken / split / "data.mdb").exists():
            readers.dtrb_lmdb(broken / split)
    assert run_cli(*args, "--out", str(broken)).returncode == 0
    assert (broken / "manifest.jsonl").read_text(encoding="utf-8") == (whole / "manifest.jsonl").read_text(encoding="utf-8")
    for split in ("train", "val"):
        a, b = readers.dtrb_lmdb(whole / split), readers.dtrb_lmdb(broken / split)
        assert [label for _, label in a] == [label for _, label in b]
        assert all((x == y).all() for (x, _), (y, _) in zip(a, b))
        assert (whole / split / "gt.txt").read_text(encoding="utf-8") == (broken / split / "gt.txt").read_text(encoding="utf-8")


def test_usage_errors_stop_before_any_work_with_exit_2(tmp_path) -> None:
    image, truth = hostile_truth(tmp_path)
    out = tmp_path / "ds"
    cases = {
        ("--format", "dtrb", "--out", str(out)): "label with --engine NAME",
        ("--format", "dtrb", "--out", str(out), "--truth", str(truth), "--engine", "rapidocr"): "one of the two",
        ("--format", "lmdb", "--out", str(out), "--truth", str(truth)): "unknown dataset format 'lmdb'",
        ("--format", "dtrb", "--out", str(out), "--engine", "rapidocr", "--min-agree", "2"): "needs at least 2 engines",
        ("--format", "dtrb", "--out", str(out), "--truth", str(truth), "--split", "train=0.9,val=0.2"): "sum to 1.1",
        ("--format", "dtrb", "--out", str(out), "--truth", str(truth), "--pattern", "(["): "not a regular expression",
    }
    for args, message in cases.items():
        proc = cli_here("dataset", str(image), *args)
        assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr, (args, proc.stderr)
        assert not out.exists()
    assert run_cli("dataset", str(image), "--format", "dtrb", "--out", str(out), "--truth", str(truth)).returncode == 0
    proc = cli_here("dataset", str(image), "--format", "dtrb", "--out", str(out), "--truth", str(truth), "--level", "line")
    assert proc.returncode == 2 and "other settings (level)" in proc.stderr
    assert cli_here("dataset", "--list").stdout.count("(from unified-ocr ") == 8
