"""Tables as truth and as a metric: PubTabNet annotations read into the result model, result and
PAGE truth keeping their cells, the ``tables`` metric pairing and averaging TEDS, and
``unified-ocr compare`` writing ``tables.teds`` for CLOVA's tables (its emulator, a recorded answer)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

import unified_ocr
from unified_ocr import Cell, Line, OcrResult, Page, Quad, Secret, Table
from unified_ocr.errors import TruthError
from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.table_metric import TablesMetric, summarize
from unified_ocr.evaluation.teds import teds
from unified_ocr.evaluation.truth import TruthIndex, read_truth, truth_lines, truth_words
from unified_ocr.evaluation.truth.pubtabnet import PubTabNetReader
from unified_ocr_clova import ClovaEmulator, ClovaOptions

from ..conftest import run_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clova"

# A PubTabNet annotation as the dataset's JSONL holds it (one line): a header cell over two
# rows, one over two columns, an empty cell (no bbox), Korean and inline bold.
ANNOTATION = {
    "filename": "PMC0000001_001_00.png", "split": "val", "imgid": 7,
    "html": {
        "structure": {"tokens": ["<thead>", "<tr>", "<td", ' rowspan="2"', ">", "</td>", "<td", ' colspan="2"', ">", "</td>",
                                 "</tr>", "<tr>", "<td>", "</td>", "<td>", "</td>", "</tr>", "</thead>", "<tbody>", "<tr>",
                                 "<td>", "</td>", "<td>", "</td>", "<td>", "</td>", "</tr>", "</tbody>"]},
        "cells": [
            {"tokens": ["<b>", "구", "분", "</b>"], "bbox": [1, 4, 27, 13]},
            {"tokens": list("2024년"), "bbox": [60, 4, 100, 13]},
            {"tokens": list("상반기"), "bbox": [40, 17, 70, 27]},
            {"tokens": list("하반기"), "bbox": [90, 17, 120, 27]},
            {"tokens": list("매출"), "bbox": [1, 31, 20, 41]},
            {"tokens": []},
            {"tokens": list("1,200"), "bbox": [90, 31, 118, 41]},
        ],
    },
}  # fmt: skip


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_pubtabnet_annotation_reads_as_a_table(tmp_path: Path) -> None:
    truth = read_truth(write(tmp_path / "PMC0000001_001_00.json", ANNOTATION))
    assert truth.meta["truth"]["format"] == "pubtabnet"
    (table,) = truth.pages[0].tables
    slots = [(c.row, c.col, c.row_span, c.col_span, c.text) for c in table.cells]
    assert slots == [(0, 0, 2, 1, "구분"), (0, 1, 1, 2, "2024년"), (1, 1, 1, 1, "상반기"), (1, 2, 1, 1, "하반기"),
                     (2, 0, 1, 1, "매출"), (2, 1, 1, 1, ""), (2, 2, 1, 1, "1,200")]  # fmt: skip
    assert table.cells[5].quad is None and table.cells[6].quad == Quad.from_bbox(90, 31, 118, 41)
    assert table.quad == Quad.from_bbox(1, 4, 120, 41)
    assert truth.text.split("\n") == ["구분", "2024년", "상반기", "하반기", "매출", "1,200"]  # the text figures score the cells
    assert not truth_words(truth) and not truth_lines(truth)  # cell boxes are no text lines: no detection figures


def test_pubtabnet_evaluation_html_reads_as_the_same_table(tmp_path: Path) -> None:
    """PubTabNet's evaluation files give the HTML whole, keyed by the image."""
    markup = ('<html><body><table><thead><tr><td rowspan="2"><b>구분</b></td><td colspan="2">2024년</td></tr><tr><td>상반기</td>'
              "<td>하반기</td></tr></thead><tbody><tr><td>매출</td><td></td><td>1,200</td></tr></tbody></table></body></html>")  # fmt: skip
    from_html = read_truth(write(tmp_path / "a.json", {"PMC0000001_001_00.png": {"html": markup}})).pages[0].tables[0]
    from_tokens = read_truth(write(tmp_path / "b.json", ANNOTATION)).pages[0].tables[0]
    assert [(c.row, c.col, c.row_span, c.col_span, c.text) for c in from_html.cells] == \
           [(c.row, c.col, c.row_span, c.col_span, c.text) for c in from_tokens.cells]  # fmt: skip
    assert teds(from_tokens, from_html) == 1.0


def test_a_pubtabnet_jsonl_gives_each_image_its_table_by_file_name(tmp_path: Path) -> None:
    other = {**ANNOTATION, "filename": "PMC0000002_001_00.png", "html": {**ANNOTATION["html"], "cells": [  # type: ignore[dict-item]
        {"tokens": list("다른 표")}, *ANNOTATION["html"]["cells"][1:]]}}  # type: ignore[index]  # fmt: skip
    jsonl = tmp_path / "val.json"
    jsonl.write_text(json.dumps(ANNOTATION, ensure_ascii=False) + "\n" + json.dumps(other, ensure_ascii=False) + "\n", encoding="utf-8")
    pages = PubTabNetReader().pages(jsonl.read_text(encoding="utf-8"), str(jsonl))
    assert {name: page.pages[0].tables[0].cells[0].text for name, page in pages.items()} == {
        "PMC0000001_001_00.png": "구분", "PMC0000002_001_00.png": "다른 표"}  # fmt: skip
    index = TruthIndex(jsonl, images=["img/PMC0000001_001_00.png", "img/PMC0000002_001_00.png"])
    assert index.read("img/PMC0000002_001_00.png").pages[0].tables[0].cells[0].text == "다른 표"  # type: ignore[union-attr]


def test_pubtabnet_files_that_cannot_be_truth_say_what_to_do(tmp_path: Path) -> None:
    jsonl = tmp_path / "PubTabNet_2.0.0.json"
    jsonl.write_text("\n".join(json.dumps(ANNOTATION) for _ in range(3)) + "\n", encoding="utf-8")
    with pytest.raises(TruthError, match="the annotations of 3 images; as --truth"):
        read_truth(jsonl)  # alone, a file is one image's truth
    short = json.loads(json.dumps(ANNOTATION))
    short["html"]["cells"].pop()
    with pytest.raises(TruthError, match="7 cells and html.cells 6"):
        read_truth(write(tmp_path / "short.json", short))
    wide = json.loads(json.dumps(ANNOTATION))
    wide["html"]["structure"]["tokens"][7] = ' colspan="100000"'
    with pytest.raises(TruthError, match="outside 1..1000"):
        read_truth(write(tmp_path / "wide.json", wide))


def cell(row: int, col: int, text: str, quad: Quad | None = None) -> Cell:
    return Cell(row, col, lines=(Line(text, quad or Quad.from_bbox(0, 0, 1, 1)),))


PRICES = Table((cell(0, 0, "품목"), cell(0, 1, "금액"), cell(1, 0, "커피"), cell(1, 1, "4,500")), Quad.from_bbox(0, 0, 100, 50))
NAMES = Table((cell(0, 0, "이름"), cell(1, 0, "홍길동")), Quad.from_bbox(0, 300, 100, 350))


def result(*tables: Table, engine: str = "engine") -> OcrResult:
    return OcrResult(engine, (Page(0, 400, 400, tables=tables),))


def test_saved_results_and_page_xml_keep_their_tables_as_truth(tmp_path: Path) -> None:
    saved = result(PRICES, NAMES)
    truth = read_truth(write(tmp_path / "saved.json", saved.to_dict()))
    assert [t.to_grid() for t in truth.pages[0].tables] == [PRICES.to_grid(), NAMES.to_grid()]
    page_xml = tmp_path / "saved.page.xml"
    page_xml.write_text(unified_ocr.export(saved, "page"), encoding="utf-8")
    truth = read_truth(page_xml)
    assert truth.meta["truth"]["format"] == "page"
    assert [t.to_grid() for t in truth.pages[0].tables] == [PRICES.to_grid(), NAMES.to_grid()]


def test_tables_pair_by_place_and_average_per_table() -> None:
    metric = TablesMetric(Normalization())
    misread = Table((cell(0, 0, "품목"), cell(0, 1, "금액"), cell(1, 0, "커퍼"), cell(1, 1, "4,500")), Quad.from_bbox(2, 2, 98, 52))
    # read in the other order: each pairs with the truth table it overlaps
    figures = metric.update(result(PRICES, NAMES, engine="truth"), result(NAMES, misread))
    expected = (teds(PRICES, misread) + 1.0) / 2
    assert figures == {"tables_teds": pytest.approx(expected), "tables_teds_struct": 1.0}
    assert teds(PRICES, misread) == pytest.approx(1 - 0.5 / 7)  # one syllable of two, in a tree of 7 nodes
    # no table read: each truth table scores 0; an engine that failed likewise
    assert metric.update(result(PRICES, engine="truth"), result()) == {"tables_teds": 0.0, "tables_teds_struct": 0.0}
    assert metric.update(result(PRICES, engine="truth"), None) == {"tables_teds": 0.0, "tables_teds_struct": 0.0}
    assert metric.image_counts() == {"tables": 1, "teds_sum": 0.0, "teds_struct_sum": 0.0}
    assert metric.update(result(engine="truth"), result(PRICES)) == {}  # no truth table: nothing to say
    assert metric.image_counts() is None
    assert metric.summary() == {"tables": 4, "teds": pytest.approx(expected / 2), "teds_struct": 0.5}
    # a function of per-image counts summed, as a resample of the images sums them
    assert metric.images[0] == {"tables": 2, "teds_sum": pytest.approx(2 * expected), "teds_struct_sum": 2.0}
    assert summarize(metric.images[1:]) == {"tables": 2, "teds": 0.0, "teds_struct": 0.0}
    assert TablesMetric.figures_from({"tables": 3, "teds_sum": 1.5, "teds_struct_sum": 3.0}) == {"teds": 0.5, "teds_struct": 1.0}
    assert summarize([]) is None and TablesMetric.figures_from({"tables": 0, "teds_sum": 0, "teds_struct_sum": 0})["teds"] is None


def test_tables_without_places_pair_in_order() -> None:
    metric = TablesMetric(Normalization())
    unplaced = [Table(t.cells) for t in (PRICES, NAMES)]
    assert metric.update(result(*unplaced, engine="truth"), result(PRICES, NAMES)) == {"tables_teds": 1.0, "tables_teds_struct": 1.0}
    far = Table(PRICES.cells, Quad.from_bbox(200, 200, 300, 250))  # placed, but not where the truth's is: another table
    assert metric.update(result(PRICES, engine="truth"), result(far)) == {"tables_teds": 0.0, "tables_teds_struct": 0.0}


def pubtabnet(table: Table) -> dict[str, object]:
    """A model table written as a PubTabNet annotation (rows in order, cells by column)."""
    tokens, cells = ["<tbody>"], []
    for r in range(table.n_rows):
        tokens.append("<tr>")
        for c in sorted((c for c in table.cells if c.row == r), key=lambda c: c.col):
            spans = [f' {name}="{n}"' for name, n in (("rowspan", c.row_span), ("colspan", c.col_span)) if n > 1]
            tokens += ["<td", *spans, ">", "</td>"] if spans else ["<td>", "</td>"]
            box = [round(v) for v in c.quad.bbox()] if c.quad is not None else None
            cells.append({"tokens": list(c.text), **({"bbox": box} if box and c.text else {})})
        tokens.append("</tr>")
    return {"filename": "page.png", "html": {"structure": {"tokens": [*tokens, "</tbody>"]}, "cells": cells}}


@pytest.mark.slow
def test_compare_writes_teds_for_clovas_tables(tmp_path: Path) -> None:
    """CLOVA's recorded table (the emulator answers it for the page's bytes) against a PubTabNet
    truth of that table in which one cell says otherwise and one is empty."""
    images, replay, truth = tmp_path / "images", tmp_path / "replay", tmp_path / "truth"
    for folder in (images, replay, truth):
        folder.mkdir()
    page = np.full((842, 595, 3), 255, np.uint8)  # the recorded page's size
    cv2.putText(page, "KBO", (80, 120), cv2.FONT_HERSHEY_SIMPLEX, 2, (0, 0, 0), 3)
    cv2.imwrite(str(images / "page.png"), page)
    shutil.copy(images / "page.png", replay / "page.png")
    shutil.copy(FIXTURES / "autorag-kbo-table-general-v2.json", replay / "page.json")
    key = "clova-tables-s3cret"
    with ClovaEmulator(key=key, replay=replay) as clova:
        config = tmp_path / "unified-ocr.toml"
        config.write_text(f'[engines.clova]\nbackend = "clova"\ninvoke_url = "{clova.url}/general"\n'
                          'secret = { env = "TABLES_CLOVA_SECRET" }\nenable_table_detection = true\n', encoding="utf-8")  # fmt: skip
        options = ClovaOptions(invoke_url=f"{clova.url}/general", secret=Secret.of(key), enable_table_detection=True)
        read = unified_ocr.recognize(images / "page.png", engine=options, cache=False).pages[0].tables[0]
        wrong = {id(read.cells[1]): "틀림", id(read.cells[5]): ""}
        true = Table(tuple(Cell(c.row, c.col, c.row_span, c.col_span, (Line(wrong.get(id(c), c.text), c.quad),) if wrong.get(id(c), c.text) else (), c.quad)
                           for c in read.cells), read.quad)  # fmt: skip
        write(truth / "page.json", pubtabnet(true))
        out = tmp_path / "report"
        done = run_cli("compare", str(images), "--truth", str(truth), "--engine", "clova", "--config", str(config), "--out", str(out),
                       "--cache-dir", str(tmp_path / "cache"), env={"TABLES_CLOVA_SECRET": key})  # fmt: skip
    assert done.returncode == 0, done.stderr
    norm = Normalization().apply
    truth_table = read_truth(truth / "page.json").pages[0].tables[0]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))["engines"]["clova"]["tables"]
    figures = {key: summary[key] for key in ("tables", "teds", "teds_struct")}
    assert figures == {"tables": 1, "teds": pytest.approx(teds(truth_table, read, text=norm), abs=1e-12), "teds_struct": 1.0}
    assert 0.8 < summary["teds"] < 1
    with (out / "images.csv").open(encoding="utf-8") as f:
        (row,) = csv.DictReader(f)
    assert float(row["tables_teds"]) == pytest.approx(summary["teds"], abs=1e-3) and float(row["tables_teds_struct"]) == 1.0
    assert ">TEDS<" in (out / "report.html").read_text(encoding="utf-8")
