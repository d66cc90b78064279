"""Ground-truth readers: each format, told from its content, and errors naming file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unified_ocr import Line, OcrResult, Page, Quad, TruthError, Word
from unified_ocr.evaluation.truth import (
    TruthIndex,
    about,
    format_names,
    has_boxes,
    read_truth,
    settle_levels,
    truth_fields,
    truth_lines,
    truth_words,
)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_icdar_words_with_bom_crlf_commas_and_dont_care(tmp_path) -> None:
    path = write(tmp_path / "gt_img_1.txt", "\ufeff377,117,463,117,465,130,378,130,Genaxis Theatre\r\n"
                                            "493,115,519,115,519,131,493,131,[06]\r\n"
                                            "374,155,409,155,409,170,374,170,###\r\n"
                                            "10,10,50,10,50,20,10,20,1,000\r\n")  # fmt: skip
    truth = read_truth(path)
    assert about(truth)["format"] == "icdar" and about(truth)["levels"] == ["unknown"] and truth_lines(truth) == []
    assert truth.engine == "truth" and about(truth)["source"] == str(path)
    assert [w.text for w in truth_words(truth)] == ["Genaxis Theatre", "[06]", "###", "1,000"]  # a comma inside the text is kept
    assert [w.dont_care for w in truth.words] == [False, False, True, False] and truth.pages[0].lines[2].dont_care
    assert all(w.confidence is None for w in truth.words)
    assert truth.words[0].quad.points[0] == (377.0, 117.0)
    assert truth.text == "Genaxis Theatre\n[06]\n1,000"  # do-not-care regions are not text
    words = [read_truth(write(tmp_path / f"gt_{k}.txt", f"0,0,9,0,9,9,0,9,w{k}\n")) for k in range(2)]
    settled = settle_levels([truth, *words, None])  # one region in 5 with a space, over the set: words
    assert about(settled[0])["levels"] == ["words"] and truth_words(settled[0]) == truth.words and settled[-1] is None
    assert truth_lines(settled[0]) == []
    lines = settle_levels([truth], "lines")[0]
    assert [x.text for x in truth_lines(lines)] == [w.text for w in truth.words] and truth_words(lines) == []


def test_sroie_boxes_of_lines_are_read_as_lines(tmp_path) -> None:
    path = write(tmp_path / "000.csv", "72,25,326,25,326,64,72,64,TAN WOON YANN\n50,82,440,82,440,121,50,121,BOOK TA .K(TAMAN DAYA) SDN BND\n"
                                       "205,121,285,121,285,139,205,139,789417-W\n")  # fmt: skip
    (truth,) = settle_levels([read_truth(path)])
    assert about(truth)["levels"] == ["lines"] and truth_words(truth) == [] and [r.text for r in truth_lines(truth)][0] == "TAN WOON YANN"
    assert truth.text.splitlines() == ["TAN WOON YANN", "BOOK TA .K(TAMAN DAYA) SDN BND", "789417-W"]


def test_a_bad_icdar_line_names_the_file_and_line(tmp_path) -> None:
    path = write(tmp_path / "gt_x.txt", "1,2,3,4,5,6,7,8,fine\n1,2,3,four,5,6,7,8,broken\n")
    with pytest.raises(TruthError, match=r"gt_x.txt:2: expected x1,y1,x2,y2,x3,y3,x4,y4,text; got '1,2,3,four"):
        read_truth(path)


def test_funsd(tmp_path) -> None:
    form = {"form": [
        {"box": [10, 10, 120, 30], "text": "DATE: 1/2/99", "label": "question", "words": [
            {"box": [10, 10, 60, 30], "text": "DATE:"}, {"box": [65, 10, 120, 30], "text": "1/2/99"}]},
        {"box": [10, 40, 80, 60], "text": "", "words": []},
    ]}  # fmt: skip
    truth = read_truth(write(tmp_path / "82092117.json", json.dumps(form)))
    assert about(truth)["format"] == "funsd" and [w.text for w in truth_words(truth)] == ["DATE:", "1/2/99"]
    assert [r.text for r in truth_lines(truth)] == ["DATE: 1/2/99"] and truth.text == "DATE: 1/2/99"
    assert [w.text for w in truth.pages[0].lines[0].words] == ["DATE:", "1/2/99"]  # the entity's words inside it
    bad = write(tmp_path / "bad.json", json.dumps({"form": [{"text": "x", "box": [1, 2]}]}))
    with pytest.raises(TruthError, match=r"bad.json: form\[0\]"):
        read_truth(bad)
    with pytest.raises(TruthError, match=r"broken.json:1: not valid JSON"):
        read_truth(write(tmp_path / "broken.json", '{"form": [}'), "funsd")


def test_a_saved_result_is_gold_with_fields(tmp_path) -> None:
    from unified_ocr import Field

    word = Word("TOTAL", Quad.from_bbox(0, 0, 50, 10), 0.9)
    page = Page(0, 100, 100, lines=(Line("TOTAL", word.quad, (word,)),), fields=(Field("total", text="12,400"),))
    path = write(tmp_path / "receipt.json", json.dumps(OcrResult("clova", (page,)).to_dict()))
    truth = read_truth(path)
    assert about(truth)["format"] == "result" and truth.text == "TOTAL" and truth_fields(truth) == {"total": "12,400"}
    assert [w.text for w in truth_words(truth)] == ["TOTAL"] and [r.text for r in truth_lines(truth)] == ["TOTAL"]
    assert truth.words[0].confidence is None and truth.engine == "truth" and set(truth.meta) == {"truth"}  # no engine meta


def test_plain_text_has_no_boxes(tmp_path) -> None:
    truth = read_truth(write(tmp_path / "korean.txt", "\ufeff명세서\n합계 12,400\n\n"))
    assert about(truth)["format"] == "text" and truth.text == "명세서\n합계 12,400" and not has_boxes(truth)
    assert about(truth)["levels"] == []


def test_a_forced_format_and_an_unknown_one(tmp_path) -> None:
    path = write(tmp_path / "a.txt", "1,2,3,4,5,6,7,8,x\n")
    assert about(read_truth(path, "text"))["format"] == "text"
    with pytest.raises(ValueError, match="unknown truth format 'xml'"):
        TruthIndex(tmp_path, "xml")
    names = format_names()
    assert names[:7] == ["result", "funsd", "quads-json", "page", "alto", "hocr", "icdar"] and names[-1] == "text"
    assert {"cord", "aihub-admin-docs", "aihub-outdoor", "aihub-text-in-the-wild", "aihub-ocr-public"} <= set(names)
    with pytest.raises(TruthError, match="not UTF-8"):
        read_truth(write(tmp_path / "latin.txt", "caf\xe9".encode("latin-1")))


def test_the_index_matches_stems_and_gt_prefixes_and_says_what_it_did_not_use(tmp_path) -> None:
    write(tmp_path / "gt" / "gt_img_1.txt", "1,2,3,4,5,6,7,8,a\n")
    write(tmp_path / "gt" / "000.csv", "1,2,3,4,5,6,7,8,b\n")
    write(tmp_path / "gt" / "orphan.txt", "nobody's\n")
    write(tmp_path / "gt" / "twice.txt", "one\n")
    write(tmp_path / "gt" / "gt_twice.txt", "two\n")
    index = TruthIndex(tmp_path / "gt")
    assert index.read("images/img_1.jpg").text == "a" and index.read("scans/000.jpg").text == "b"
    assert index.read("images/none.jpg") is None
    with pytest.raises(TruthError, match="more than one truth file matches"):
        index.find("twice.png")
    assert [p.name for p in index.unused()] == ["gt_twice.txt", "orphan.txt", "twice.txt"]
    with pytest.raises(TruthError, match="no such file or folder"):
        TruthIndex(tmp_path / "missing")
