"""Tables and fields from real vendor answers through ``unified-ocr export``: CSV, HTML with
spans, xlsx with merged cells (checked against spans read from the raw answer, not from
the model), and every named field of template and receipt answers."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import unified_ocr
from unified_ocr import Cell, Line, OcrResult, Page, Quad, Table, Word

from ..conftest import run_cli

openpyxl = pytest.importorskip("openpyxl", reason='the xlsx format: pip install -e ".[xlsx]"')
CLOVA = Path(__file__).resolve().parents[1] / "fixtures" / "clova"
TABLE = CLOVA / "autorag-kbo-table-general-v2.json"


def raw_cells(path: Path) -> list[dict]:
    """The table's cells as the vendor wrote them: place, spans and the text of their words."""
    (image,) = json.loads(path.read_text(encoding="utf-8"))["images"]
    (table,) = image["tables"]
    return [{"row": c["rowIndex"], "col": c["columnIndex"], "rows": c["rowSpan"], "cols": c["columnSpan"],
             "text": "\n".join(" ".join(w["inferText"] for w in line["cellWords"]) for line in c["cellTextLines"])}
            for c in table["cells"]]  # fmt: skip


def save(tmp_path: Path, path: Path) -> Path:
    saved = tmp_path / f"{path.stem}.json"
    saved.write_text(json.dumps(unified_ocr.parse(path, engine="clova").to_dict(), ensure_ascii=False), encoding="utf-8")
    return saved


class Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            a = dict(attrs)
            self.rows[-1].append({"rows": int(a.get("rowspan", 1)), "cols": int(a.get("colspan", 1))})


def test_the_clova_table_exports_to_csv_html_and_xlsx_with_its_spans(tmp_path) -> None:
    saved, out = save(tmp_path, TABLE), tmp_path / "out"
    for fmt in ("csv", "html", "xlsx"):
        proc = run_cli("export", str(saved), "--format", fmt, "--out", str(out))
        assert proc.returncode == 0, proc.stderr
    cells = raw_cells(TABLE)
    spans = {(c["row"], c["col"], c["rows"], c["cols"]) for c in cells if c["rows"] > 1 or c["cols"] > 1}
    assert spans  # the fixture has spanning cells, or this test says nothing
    n_rows = max(c["row"] + c["rows"] for c in cells)
    grid = list(csv.reader((out / f"{saved.stem}.csv").open(encoding="utf-8", newline="")))
    assert len(grid) == n_rows
    for c in cells:
        assert grid[c["row"]][c["col"]].split() == c["text"].split()  # the words of the cell, in its top-left slot
    parser = Cells()
    parser.feed((out / f"{saved.stem}.html").read_text(encoding="utf-8"))
    assert len(parser.rows) == n_rows and sum(len(r) for r in parser.rows) == len(cells)
    assert Counter((td["rows"], td["cols"]) for row in parser.rows for td in row) == Counter((c["rows"], c["cols"]) for c in cells)
    book = openpyxl.load_workbook(out / f"{saved.stem}.xlsx")
    sheet = book["Table 1"]
    merged = {(r.min_row - 1, r.min_col - 1, r.max_row - r.min_row + 1, r.max_col - r.min_col + 1) for r in sheet.merged_cells.ranges}
    assert merged == spans
    for c in cells:
        assert (sheet.cell(row=c["row"] + 1, column=c["col"] + 1).value or "").split() == c["text"].split()


def leaf_texts(value: object) -> list[str]:
    """Every value the vendor named in a receipt (an object with a ``text``), however deep."""
    if isinstance(value, dict):
        if isinstance(value.get("text"), str):
            return [value["text"]]
        return [t for v in value.values() for t in leaf_texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in leaf_texts(v)]
    return []


@pytest.mark.parametrize("name", sorted(p.name for p in CLOVA.glob("*.json") if "template" in p.name or "receipt" in p.name))
def test_fields_json_gives_every_named_field_of_templates_and_receipts(tmp_path, name: str) -> None:
    raw = json.loads((CLOVA / name).read_text(encoding="utf-8"))
    saved = save(tmp_path, CLOVA / name)
    proc = run_cli("export", str(saved), "--format", "fields-json")
    assert proc.returncode == 0, proc.stderr
    fields = json.loads(proc.stdout)
    (image,) = raw["images"]
    if "fields" in image and "receipt" not in image:  # Template OCR: named fields with inferText
        expected = Counter((f["name"], f["inferText"]) for f in image["fields"])
        got = Counter((key.split("@")[0], value["text"]) for key, value in fields.items())
        assert got == expected
    else:  # Document OCR (receipts): every value the answer names, by its text
        assert Counter(v["text"] for v in fields.values()) == Counter(leaf_texts(image["receipt"]["result"]))
    assert all(set(v) == {"text", "value", "confidence", "checked", "page"} for v in fields.values())


@st.composite
def tables(draw: st.DrawFn) -> Table:
    """A grid covered by non-overlapping cells, some spanning; texts hostile to spreadsheets."""
    rows, cols = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    taken = [[False] * cols for _ in range(rows)]
    texts = st.sampled_from(["=1+1", "=HYPERLINK(\"http://x\")", "<&>\"'", "a\x07b\x00", "합계 1,000원", "+1", "", "a\nb"])
    cells = []
    for r in range(rows):
        for c in range(cols):
            if taken[r][c]:
                continue
            height = draw(st.integers(1, rows - r))
            width = 1
            while c + width < cols and not taken[r][c + width] and draw(st.booleans()):
                width += 1
            if any(taken[r + i][c + j] for i in range(height) for j in range(width)):
                height = 1
            for i in range(height):
                for j in range(width):
                    taken[r + i][c + j] = True
            text = draw(texts)
            line = (Line.from_words([Word(text, Quad.from_bbox(0, 0, 9, 9))]),) if text else ()
            cells.append(Cell(r, c, height, width, line))
    return Table(tuple(cells))


@settings(max_examples=60, deadline=None)
@given(table=tables())
def test_generated_tables_give_workbooks_whose_merges_are_the_spans(table: Table) -> None:
    data = unified_ocr.export(OcrResult("t", (Page(0, 9, 9, tables=(table,)),)), "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Table 1"]  # type: ignore[arg-type]
    merged = {(r.min_row - 1, r.min_col - 1, r.max_row - r.min_row + 1, r.max_col - r.min_col + 1) for r in sheet.merged_cells.ranges}
    assert merged == {(c.row, c.col, c.row_span, c.col_span) for c in table.cells if c.row_span > 1 or c.col_span > 1}
    for cell in table.cells:
        value = sheet.cell(row=cell.row + 1, column=cell.col + 1).value
        expected = cell.text.replace("\x07", "").replace("\x00", "")
        assert (value or "") == expected  # "=1+1" comes back as that text: stored as a string, never a formula
        assert sheet.cell(row=cell.row + 1, column=cell.col + 1).data_type in ("s", "n")


def test_no_tables_is_a_workbook_with_one_empty_sheet_and_the_same_bytes_each_time() -> None:
    result = OcrResult("t", (Page(0, 9, 9),))
    first = unified_ocr.export(result, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(first))  # type: ignore[arg-type]
    assert book.sheetnames == ["No tables"] and first == unified_ocr.export(result, "xlsx")


def test_without_openpyxl_the_error_names_the_extra(monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(unified_ocr.ConfigError, match=r'pip install "unified-ocr\[xlsx\]"'):
        unified_ocr.export(OcrResult("t", (Page(0, 9, 9),)), "xlsx")
