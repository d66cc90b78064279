"""The Korean and receipt datasets as they are downloaded (CORD, AI Hub's 공공행정문서 OCR, 야외 실제
촬영 한글 이미지, Text in the Wild, OCR 데이터(공공)) read as truth: a small sample of each, made
here in the documented shape, read into the result model and scored by ``compare``."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from unified_ocr.errors import TruthError
from unified_ocr.evaluation.truth import TruthIndex, about, is_dont_care, read_truth, reader_named, truth_words
from unified_ocr.evaluation.truth.korean import READERS

from ..conftest import TEST_PLUGINS, run_cli, write_dist


def _write(path: Path, data: Any, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)).encode(encoding))
    return path


def _quad(x0: float, y0: float, x1: float, y1: float) -> dict[str, float]:
    """CORD's quad: clockwise from the top-left."""
    return {"x1": x0, "y1": y0, "x2": x1, "y2": y0, "x3": x1, "y3": y1, "x4": x0, "y4": y1}


def cord(texts: list[tuple[str, tuple[float, float, float, float], int]], width: int, height: int) -> dict[str, Any]:
    """A CORD annotation: one valid_line per word here (as CORD groups by parse class), rows by row_id."""
    return {
        "gt_parse": {"menu": {"nm": "아메리카노"}},
        "meta": {"version": "2.0.0", "split": "test", "image_id": 0, "image_size": {"width": width, "height": height}},
        "valid_line": [
            {"words": [{"quad": _quad(*box), "is_key": int(text == "TOTAL"), "row_id": row, "text": text}],
             "category": "menu.nm" if row == 1 else "total.total_price", "group_id": k}
            for k, (text, box, row) in enumerate(texts)
        ],  # fmt: skip
        "roi": {},
        "repeating_symbol": [[{"quad": _quad(0, 48, 40, 50), "text": "-"}]],
        "dontcare": [],
    }


def admin_docs(regions: list[tuple[str, list[float]]], name: str, width: int, height: int) -> dict[str, Any]:
    """공공행정문서 OCR: flat dotted keys, as the dataset writes them."""
    return {
        "images": [{"image.width": width, "image.height": height, "image.file.name": name, "image.category": "인.허가"}],
        "annotations": [{"id": k + 1, "annotation.text": text, "annotation.bbox": box, "annotation.type": "rectangle"}
                        for k, (text, box) in enumerate(regions)],  # fmt: skip
    }


def outdoor(regions: list[tuple[str, list[float] | None]], name: str, width: int, height: int) -> dict[str, Any]:
    """야외 실제 촬영 한글 이미지: one file per image; xxx illegible; a bbox may be null."""
    return {
        "info": {"name": "야외 실제 촬영 한글 이미지"},
        "images": [{"id": 1, "width": width, "height": height, "file_name": name}],
        "annotations": [{"id": k + 1, "text": text, "bbox": box} for k, (text, box) in enumerate(regions)],
        "metadata": [{"wordorientation": "가로"}],
    }


def ocr_public(regions: list[tuple[str, list[float], list[float]]], width: int, height: int) -> dict[str, Any]:
    """OCR 데이터(공공): corners in the order top-left, top-right, bottom-left, bottom-right."""
    return {
        "Dataset": {"name": "OCR 데이터(공공)"},
        "Images": {"identifier": "doc", "type": "png", "width": width, "height": height},
        "Bbox": [{"data": text, "id": k + 1, "type": 1, "typeface": 1, "x": xs, "y": ys} for k, (text, xs, ys) in enumerate(regions)],
    }


def text_in_the_wild(images: list[tuple[int, str, int, int]], annotations: list[tuple[int, str | None, list[float], str]]) -> dict[str, Any]:
    return {
        "info": {"name": "Text in the wild Dataset", "date_created": "2019-10-14"},
        "images": [{"id": i, "file_name": name, "width": w, "height": h, "type": "book"} for i, name, w, h in images],
        "annotations": [{"id": k + 1, "image_id": i, "text": text, "bbox": box, "attributes": {"class": kind}}
                        for k, (i, text, box, kind) in enumerate(annotations)],  # fmt: skip
        "licenses": [],
    }


def _texts(truth: Any) -> list[tuple[str, bool]]:
    return [(line.text, is_dont_care(line)) for _, line in truth.iter_lines()]


def test_cord_lines_come_from_row_ids_and_its_classes_are_kept(tmp_path: Path) -> None:
    sample = cord([("12,000", (120, 10, 170, 20), 1), ("아메리카노", (10, 10, 100, 20), 1), ("TOTAL", (10, 30, 60, 40), 2)], 200, 60)
    truth = read_truth(_write(tmp_path / "receipt.json", sample))
    assert about(truth)["format"] == "cord" and about(truth)["levels"] == ["words", "lines"]
    assert _texts(truth) == [("아메리카노 12,000", False), ("TOTAL", False), ("###", True)]  # the cut line: do not care
    assert truth.pages[0].lines[0].quad.bbox() == (10, 10, 170, 20)
    assert [w.quad.points[0] for w in truth.pages[0].lines[0].words] == [(10, 10), (120, 10)]
    assert (truth.pages[0].width, truth.pages[0].height) == (200, 60)
    assert about(truth)["entities"][2] == {"category": "total.total_price", "group_id": 2, "text": "TOTAL", "is_key": True}
    row = {"image": {"bytes": None, "path": None}, "ground_truth": json.dumps(sample, ensure_ascii=False)}  # a cord-v2 row
    wrapped = read_truth(_write(tmp_path / "row.json", row))
    assert about(wrapped)["format"] == "cord" and _texts(wrapped) == _texts(truth)


def test_admin_docs_outdoor_and_ocr_public_regions_with_illegible_ones_not_cared_for(tmp_path: Path) -> None:
    admin = read_truth(_write(tmp_path / "a.json", admin_docs([("민원", [10, 10, 40, 20]), ("xxx", [60, 10, 20, 20])], "a.jpg", 100, 40)))
    assert about(admin)["format"] == "aihub-admin-docs" and about(admin)["levels"] == ["unknown"]
    assert _texts(admin) == [("민원", False), ("###", True)] and admin.words[0].quad.bbox() == (10, 10, 50, 30)
    nested = {"images": [{"image": {"width": 100, "height": 40, "file": {"name": "a.jpg"}}}],
              "annotations": [{"annotation": {"text": "민원", "bbox": [10, 10, 40, 20]}}]}  # fmt: skip
    assert _texts(read_truth(_write(tmp_path / "nested.json", nested))) == [("민원", False)]

    out = read_truth(_write(tmp_path / "o.json", outdoor([("약국", [5, 5, 30, 10]), ("xxx", [40, 5, 10, 10]), ("간판", None)], "o.jpg", 80, 20)))
    assert about(out)["format"] == "aihub-outdoor" and _texts(out) == [("약국", False), ("###", True)]
    assert about(out)["unplaced"] == 1 and (out.pages[0].width, out.pages[0].height) == (80, 20)

    public = ocr_public([("서울특별시", [10, 50, 10, 50], [5, 5, 25, 25]),  # top-left, top-right, bottom-left, bottom-right
                         ("종로구", [60, 90, 90, 60], [5, 5, 25, 25]),  # already clockwise
                         ("###", [1, 1, 2, 2], [1, 1, 2, 2])], 100, 30)  # fmt: skip
    read = read_truth(_write(tmp_path / "p.json", public))
    assert about(read)["format"] == "aihub-ocr-public" and _texts(read) == [("서울특별시", False), ("종로구", False), ("###", True)]
    assert [w.quad.points for w in read.words[:2]] == [((10, 5), (50, 5), (50, 25), (10, 25)), ((60, 5), (90, 5), (90, 25), (60, 25))]
    assert read.words[2].quad.bbox() == (1, 1, 2, 2)  # no box either way: the rectangle around the corners


def test_text_in_the_wild_holds_many_images_found_by_file_name(tmp_path: Path) -> None:
    sample = text_in_the_wild(
        [(1, "book/a.jpg", 100, 50), (2, "b.jpg", 60, 30)],
        [(1, "한국어", [10, 10, 50, 20], "word"), (1, "한", [10, 10, 15, 20], "character"), (1, None, [70, 10, 20, 20], "ignored"),
         (2, "글", [5, 5, 10, 10], "character")],
    )  # fmt: skip
    path = _write(tmp_path / "gt" / "textinthewild_data_info.json", sample)
    reader = reader_named("aihub-text-in-the-wild")
    pages = reader.pages(path.read_text(encoding="utf-8"), str(path))  # type: ignore[attr-defined]
    assert sorted(pages) == ["a.jpg", "b.jpg"]
    assert _texts(pages["a.jpg"]) == [("한국어", False), ("###", True)]  # the character boxes inside the word left out
    assert _texts(pages["b.jpg"]) == [("글", False)]  # an image marked by characters only
    with pytest.raises(TruthError, match="holds the truth of 2 images"):
        read_truth(path)
    index = TruthIndex(tmp_path / "gt", images=["img/a.jpg", "img/b.png", "img/c.jpg"])
    assert _texts(index.read("img/a.jpg")) == [("한국어", False), ("###", True)]
    page = index.read("img/a.jpg")
    assert page is not None and about(page)["format"] == "aihub-text-in-the-wild" and about(page)["source"] == str(path)
    assert _texts(index.read("img/b.png")) == [("글", False)]  # the one name with that stem
    assert index.read("img/c.jpg") is None and not index.unused()
    alone = TruthIndex(path, images=["a.jpg", "c.jpg"])  # the file itself as --truth
    page = alone.read("a.jpg")
    assert page is not None and truth_words(page)[0].text == "한국어" and alone.read("c.jpg") is None
    with pytest.raises(TruthError, match="share the file name 'a.jpg'"):
        TruthIndex(tmp_path / "gt", images=["x/a.jpg", "y/a.jpg"]).read("x/a.jpg")


def test_each_sample_is_taken_by_its_own_reader_alone(tmp_path: Path) -> None:
    samples = {
        "cord": cord([("TOTAL", (1, 1, 9, 9), 1)], 10, 10),
        "aihub-admin-docs": admin_docs([("가", [1, 1, 5, 5])], "x.jpg", 10, 10),
        "aihub-outdoor": outdoor([("가", [1, 1, 5, 5])], "x.jpg", 10, 10),
        "aihub-text-in-the-wild": text_in_the_wild([(1, "x.jpg", 10, 10)], [(1, "가", [1, 1, 5, 5], "word")]),
        "aihub-ocr-public": ocr_public([("가", [1, 5, 1, 5], [1, 1, 5, 5])], 10, 10),
        "quads-json": {"words": [{"text": "가", "quad": [[1, 1], [5, 1], [5, 5], [1, 5]]}]},
        "funsd": {"form": [{"text": "가", "box": [1, 1, 5, 5], "words": [{"text": "가", "box": [1, 1, 5, 5]}]}]},
    }
    for name, sample in samples.items():
        text = json.dumps(sample, ensure_ascii=False)
        assert [r.name for r in READERS if r.sniff(text)] == ([name] if name in {r.name for r in READERS} else []), name
        assert about(read_truth(_write(tmp_path / f"{name}.json", text)))["format"] == name


def test_names_and_text_in_decomposed_hangul_are_the_composed_ones(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "영수증")
    assert nfd != "영수증"
    _write(tmp_path / "gt" / f"{nfd}.txt", unicodedata.normalize("NFD", "아버지가 방에\nㅋㅋ ＣＵ\n"))
    _write(tmp_path / "gt" / "계산서.txt", "합계\n")
    index = TruthIndex(tmp_path / "gt", images=["img/영수증.png", f"img/{unicodedata.normalize('NFD', '계산서')}.png"])
    truth = index.read("img/영수증.png")
    assert truth is not None and truth.text == "아버지가 방에\nㅋㅋ ＣＵ"  # composed; compatibility jamo and full width as written
    assert index.read(f"img/{unicodedata.normalize('NFD', '계산서')}.png").text == "합계"  # type: ignore[union-attr]
    assert not index.unused()


def test_decomposed_compatibility_and_full_width_forms_score_as_the_plain_text(tmp_path: Path) -> None:
    from unified_ocr.evaluation.normalize import Normalization
    from unified_ocr.evaluation.text import score_text

    truth = read_truth(_write(tmp_path / "t.txt", unicodedata.normalize("NFD", "아버지가 방에 들어가신다")))
    none = Normalization.from_names("none")
    assert score_text(truth.text, "아버지가 방에 들어가신다", none).cer == 0.0  # NFD truth read as NFC, even with no normalisation
    assert score_text("ㅋㅋ 맛집", "\u110f\u110f 맛집", Normalization()).cer == 0.0  # compatibility jamo under NFKC (the default)
    assert score_text("ＣＵ １,２００원", "CU 1,200원", Normalization()).cer == 0.0  # full-width forms under NFKC
    assert score_text("ＣＵ", "CU", none).cer == 1.0  # and counted where NFKC is turned off


def _image(path: Path, width: int, height: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.full((height, width, 3), 255, np.uint8))
    return path


def _compare(tmp_path: Path, images: Path, truth: Path, out: str, *extra: str) -> dict[str, Any]:
    """``compare`` run as a user would, with the echo engine (it reads ``png WxH`` over the whole image)."""
    site = tmp_path / "site"
    if not site.exists():
        write_dist(site, "unified-ocr-echo", {"echo": "unified_ocr_echo"})
    config = tmp_path / "unified-ocr.toml"
    config.write_text('[engines.vendor]\nbackend = "echo"\napi_key = { env = "ECHO_TEST_KEY" }\n', encoding="utf-8")
    proc = run_cli("compare", str(images), "--truth", str(truth), "--engine", "vendor", "--config", str(config), "--out",
                   str(tmp_path / out), *extra, env={"ECHO_TEST_KEY": "k"}, pythonpath=[site, TEST_PLUGINS])  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads((tmp_path / out / "summary.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_compare_scores_a_sample_of_every_format_as_it_comes(tmp_path: Path) -> None:
    images, gt = tmp_path / "images", tmp_path / "gt"
    sizes = {"영수증": (120, 40), "admin": (90, 30), "outdoor": (100, 30), "public": (80, 40), "wild": (110, 50)}
    for stem, (w, h) in sizes.items():
        _image(images / f"{stem}.png", w, h)
    w, h = sizes["영수증"]
    _write(gt / f"{unicodedata.normalize('NFD', '영수증')}.json",  # a receipt's truth named on a Mac
           cord([(f"png {w}x{h}", (0, 0, w, h), 5)], w, h))  # fmt: skip
    w, h = sizes["admin"]
    _write(gt / "admin.json", admin_docs([(f"png {w}x{h}", [0, 0, w, h]), ("xxx", [5, 5, 10, 10])], "admin.png", w, h))
    w, h = sizes["outdoor"]
    _write(gt / "outdoor.json", outdoor([(f"png {w}x{h}", [0, 0, w, h]), ("xxx", [2, 2, 8, 8]), ("간판", None)], "outdoor.png", w, h))
    w, h = sizes["public"]
    _write(gt / "public.json", ocr_public([(f"png {w}x{h}", [0, w, 0, w], [0, 0, h, h])], w, h))
    w, h = sizes["wild"]
    _write(gt / "aihub" / "textinthewild_data_info.json", text_in_the_wild(
        [(7, "wild.png", w, h), (8, "not-in-this-run.jpg", 10, 10)],
        [(7, f"png {w}x{h}", [0, 0, w, h], "word"), (7, None, [1, 1, 5, 5], "ignored"), (8, "책", [1, 1, 5, 5], "word")]))  # fmt: skip
    summary = _compare(tmp_path, images, gt, "cmp")
    assert summary["truth"]["formats"] == ["aihub-admin-docs", "aihub-ocr-public", "aihub-outdoor", "aihub-text-in-the-wild", "cord"]
    assert summary["truth"]["images_with_truth"] == 5 and not summary["truth"]["problems"] and not summary["truth"]["unused_files"]
    engine = summary["engines"]["vendor"]
    assert engine["text"]["cer"] == 0.0  # the illegible regions neither required nor counted
    assert engine["detection"]["hmean"] == 1.0


def test_a_cp949_truth_folder_scores_as_its_utf8_copy(tmp_path: Path) -> None:
    images = tmp_path / "images"
    _image(images / "sign.png", 100, 30)
    _image(images / "form.png", 90, 40)
    for folder, encoding in (("utf8", "utf-8"), ("cp949", "cp949")):
        _write(tmp_path / folder / "sign.json", outdoor([("png 100x30 약국", [0, 0, 100, 30]), ("xxx", [2, 2, 8, 8])], "sign.png", 100, 30),
               encoding)  # fmt: skip
        _write(tmp_path / folder / "form.txt", "0,0,90,0,90,40,0,40,png 90x40 합계\n10,10,20,10,20,20,10,20,###\n", encoding)
    with pytest.raises(TruthError, match="not UTF-8"):
        read_truth(tmp_path / "cp949" / "form.txt")
    utf8 = _compare(tmp_path, images, tmp_path / "utf8", "out-utf8")
    legacy = _compare(tmp_path, images, tmp_path / "cp949", "out-cp949", "--truth-encoding", "cp949")
    assert legacy["truth"]["formats"] == utf8["truth"]["formats"] == ["aihub-outdoor", "icdar"]
    run = {"speed", "calls", "calls_recorded", "retries", "failures", "cost"}  # how the run went (the second is cached), not figures
    same = [figure for figure in utf8["engines"]["vendor"] if figure not in run]
    assert {"text", "detection", "end_to_end"} <= set(same)
    for figure in same:
        assert legacy["engines"]["vendor"][figure] == utf8["engines"]["vendor"][figure], figure
    assert 0 < utf8["engines"]["vendor"]["text"]["cer"] < 1  # the Korean words, read from either, are missed alike


def test_a_many_image_file_is_read_once_and_a_fault_is_said_for_the_images_it_touches(tmp_path: Path) -> None:
    sample = text_in_the_wild([(1, "a.jpg", 10, 10), (2, "b.jpg", 10, 10)],
                              [(1, "가", [1, 1, 5, 5], "word"), (2, "나", ["oops", 1, 5, 5], "word")])  # fmt: skip
    _write(tmp_path / "gt" / "textinthewild_data_info.json", sample)
    index = TruthIndex(tmp_path / "gt", images=["a.jpg", "b.jpg"])
    assert _texts(index.read("a.jpg")) == [("가", False)]  # each image's page made when asked for: b's fault is b's alone
    with pytest.raises(TruthError, match=r"annotations\[1\]: x must be a finite number"):
        index.read("b.jpg")
    _write(tmp_path / "cut" / "textinthewild_data_info.json", json.dumps(sample)[:200])  # cut short: not JSON
    _write(tmp_path / "cut" / "c.txt", "다\n")
    cut = TruthIndex(tmp_path / "cut", images=["a.jpg", "c.jpg"])
    assert cut.read("c.jpg").text == "다"  # type: ignore[union-attr]
    for _ in range(2):
        with pytest.raises(TruthError, match="a.jpg: no truth file of its own, and a file that may hold its truth cannot be read: .*not valid JSON"):
            cut.read("a.jpg")
