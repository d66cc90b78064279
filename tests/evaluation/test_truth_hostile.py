"""Truth that cannot be used is said, by file, and its image is left unscored (issue 20, defects
4, 5 and 12): numbers that are not finite or in range, two images of one stem, empty files,
files in another encoding, and a run where no truth could be read at all."""

from __future__ import annotations

import io
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

import unified_ocr
from unified_ocr.errors import ConfigError, TruthError
from unified_ocr.evaluation.truth import TruthIndex, read_truth
from unified_ocr_clova import ClovaEmulator

from ..conftest import run_cli
from ..exports.test_numbers_hostile import with_value

KOREAN = "합계 12,400\n명세서"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


# -- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "said"), [
    ("huge.txt", "0,0," + "9" * 400 + ",0,10,10,0,10,word\n", r"huge\.txt:1: x must be a finite number"),
    ("funsd.json", '{"form": [{"text": "a", "box": [0, 0, NaN, 9], "words": []}]}', r"funsd\.json: not valid JSON \(NaN is not a JSON number"),
    ("funsd-big.json", '{"form": [{"text": "a", "box": [0, 0, 1e400, 9], "words": []}]}', r"funsd-big\.json: form\[0\]: x must be"),
    ("quads.json", '{"words": [{"text": "a", "quad": [[0, 0], [1, Infinity], [1, 1], [0, 1]]}]}', r"quads\.json: not valid JSON \(Infinity"),
    ("quads-far.json", '{"words": [{"text": "a", "quad": [[0, 0], [1e300, 0], [1, 1], [0, 1]]}]}', r"quads-far\.json: words\[0\]: x must"),
    ("nan.hocr", with_value("hocr", "word", "nan"), r"nan\.hocr:6: bbox must be a finite number"),
    ("inf.alto.xml", with_value("alto", "s_w", "inf"), r"inf\.alto\.xml:6: WIDTH must be"),
    ("neg.page.xml", with_value("page", "page_h", "-5"), r"neg\.page\.xml:2: imageHeight must be a whole number from 0"),
])  # fmt: skip
def test_a_number_that_is_not_finite_or_in_range_makes_a_truth_error_naming_the_file(tmp_path: Path, name: str, content: str,
                                                                                      said: str) -> None:  # fmt: skip
    with pytest.raises(TruthError, match=said):
        read_truth(write(tmp_path / name, content))


def test_a_saved_result_with_a_nan_point_is_a_truth_error(tmp_path: Path) -> None:
    quad = [[0, 0], [10, 0], [10, 10], [0, 10]]
    page = {"index": 0, "width": 10, "height": 10, "lines": [{"text": "a", "quad": quad, "words": [
        {"text": "a", "quad": [[0, 0], [12345, 0], [10, 10], [0, 10]], "confidence": None}]}]}  # fmt: skip
    result = {"schema": "unified-ocr/result", "version": 2, "engine": "x", "pages": [page]}
    with pytest.raises(TruthError, match=r"gold\.json: not a unified-ocr result \(NonFiniteQuadError"):
        read_truth(write(tmp_path / "gold.json", json.dumps(result).replace("12345", "1e999")))


# -- empty files and encodings --------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "   \n\t\r\n", "\ufeff\n"])
def test_an_empty_truth_file_is_a_truth_error(tmp_path: Path, content: str) -> None:
    with pytest.raises(TruthError, match=r"empty\.txt: empty \(no text at all\)"):
        read_truth(write(tmp_path / "empty.txt", content))


def test_cp949_truth_needs_its_encoding_named_and_auto_finds_it(tmp_path: Path) -> None:
    path = write(tmp_path / "receipt.txt", KOREAN.encode("cp949"))
    with pytest.raises(TruthError, match=r"receipt\.txt: not UTF-8 text \(byte 0\); .*--truth-encoding cp949"):
        read_truth(path)
    assert read_truth(path, encoding="cp949").text == KOREAN
    assert read_truth(path, encoding="euc-kr").text == KOREAN
    assert read_truth(path, encoding="auto").text == KOREAN
    assert read_truth(write(tmp_path / "bom.txt", "\ufeff" + KOREAN), encoding="auto").text == KOREAN  # UTF-8 first
    assert TruthIndex(tmp_path, encoding="auto").read("scans/receipt.png").text == KOREAN
    for bad in ("klingon", "rot13", "base64"):
        with pytest.raises(ConfigError, match=repr(bad)):
            TruthIndex(tmp_path, encoding=bad)


# -- matching by place, then by a stem no other image has ----------------------------------


def test_truth_is_matched_by_place_then_by_an_unshared_stem(tmp_path: Path) -> None:
    gt = tmp_path / "gt"
    write(gt / "a" / "x.txt", "under a\n")
    write(gt / "x.txt", "by stem\n")
    write(gt / "sub" / "gt_solo.txt", "solo\n")
    write(gt / "b" / "c" / "deep.page.txt", "deep\n")
    images = ["img/a/x.png", "img/b/x.png", "img/solo.jpg", "/data/img/b/c/deep.png"]
    index = TruthIndex(gt, images=images)
    assert index.read("img/a/x.png").text == "under a"  # its place, although the stem is shared
    with pytest.raises(TruthError, match=r"img/b/x\.png: 2 images share the stem 'x' .*cannot say which"):
        index.read("img/b/x.png")
    assert index.read("img/solo.jpg").text == "solo"  # a stem no other image has: found anywhere, gt_ or not
    assert index.read("/data/img/b/c/deep.png").text == "deep"  # the longest place that matches
    assert [p.relative_to(gt).as_posix() for p in index.unused()] == ["x.txt"]
    assert TruthIndex(gt).read("p/solo.png").text == "solo"  # no images told: every stem is taken as unshared
    with pytest.raises(TruthError, match="share the stem 'solo'"):
        TruthIndex(gt, images=["p/solo.png", "q/solo.png"]).read("p/solo.png")


# -- whole runs -------------------------------------------------------------------------------


def image(path: Path, shade: int) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.full((60, 200, 3), shade, np.uint8))  # each image differs, so no cache answers for another
    return str(path)


def config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "unified-ocr.toml"
    path.write_text(f'[engines.clova]\nbackend = "clova"\ninvoke_url = "{url}/general"\nsecret = {{ env = "HOSTILE_CLOVA" }}\n'
                    "retries = 0\n", encoding="utf-8")  # fmt: skip
    return path


def test_compare_lists_unusable_truth_leaves_those_images_unscored_and_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSTILE_CLOVA", "k")
    img, gt = tmp_path / "img", tmp_path / "gt"
    images = [image(img / "a" / "x.png", 200), image(img / "b" / "x.png", 210), image(img / "good.png", 220),
              image(img / "nan.png", 230), image(img / "empty.png", 240), image(img / "korean.png", 250)]  # fmt: skip
    write(gt / "x.txt", "emulated\n")  # for one of two images named x: which is not said
    write(gt / "good.txt", "emulated\n")
    write(gt / "nan.hocr", with_value("hocr", "word", "nan"))
    write(gt / "empty.txt", "\n")
    write(gt / "korean.txt", KOREAN.encode("cp949"))
    with ClovaEmulator(key="k", canned=True) as clova:
        comparison = unified_ocr.compare(images, ["clova"], gt, config(tmp_path, clova.url), cache=False, stream=io.StringIO())
        problems = {Path(p["image"]).relative_to(img).as_posix(): p["problem"] for p in comparison.summary["truth"]["problems"]}
        assert sorted(problems) == ["a/x.png", "b/x.png", "empty.png", "korean.png", "nan.png"]
        assert "share the stem 'x'" in problems["a/x.png"] and "bbox must be a finite number" in problems["nan.png"]
        assert "empty" in problems["empty.png"] and "--truth-encoding" in problems["korean.png"]
        assert comparison.summary["truth"]["images_with_truth"] == 1
        scored = [k for k in range(len(images)) if "cer" in comparison.figures[k]["clova"]]
        assert scored == [2] and comparison.summary["engines"]["clova"]["text"]["cer"] == 0.0
        again = unified_ocr.compare(images[-1:], ["clova"], gt, config(tmp_path, clova.url), truth_encoding="auto", cache=False,
                                    stream=io.StringIO())  # fmt: skip
        assert again.summary["truth"]["problems"] == [] and again.truths[0].text == KOREAN


def test_a_run_where_no_truth_file_could_be_read_exits_1(tmp_path: Path) -> None:
    img, gt = tmp_path / "img", tmp_path / "gt"
    images = [image(img / "one.png", 200), image(img / "two.png", 220)]
    write(gt / "one.txt", KOREAN.encode("cp949"))
    write(gt / "two.txt", KOREAN.encode("euc-kr"))
    with ClovaEmulator(key="k", canned=True) as clova:
        args = ["compare", *images, "--engine", "clova", "--truth", str(gt), "--config", str(config(tmp_path, clova.url)),
                "--out", str(tmp_path / "cmp"), "--no-cache"]  # fmt: skip
        done = run_cli(*args, env={"HOSTILE_CLOVA": "k"})
        assert done.returncode == 1, done.stderr
        assert "no truth file could be read" in done.stderr and "--truth-encoding" in done.stderr
        done = run_cli(*args, "--truth-encoding", "cp949", env={"HOSTILE_CLOVA": "k"})
        assert done.returncode == 0, done.stderr
        summary = json.loads((tmp_path / "cmp" / "summary.json").read_text(encoding="utf-8"))
        assert summary["truth"]["images_with_truth"] == 2 and summary["truth"]["problems"] == []
        done = run_cli(*args, "--truth-encoding", "klingon", env={"HOSTILE_CLOVA": "k"})
        assert done.returncode == 2 and "unknown truth encoding 'klingon'" in done.stderr, done.stderr
    dataset = run_cli("dataset", *images, "--truth", str(gt), "--format", "icdar", "--out", str(tmp_path / "ds"))
    assert dataset.returncode == 1 and "--truth-encoding" in dataset.stderr, dataset.stderr
    dataset = run_cli("dataset", *images, "--truth", str(gt), "--format", "icdar", "--out", str(tmp_path / "ds2"),
                      "--truth-encoding", "auto")  # fmt: skip
    assert dataset.returncode == 0, dataset.stderr
