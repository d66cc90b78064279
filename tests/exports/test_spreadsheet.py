"""The xlsx export: a sheet per table, merged cells for spans, text never a formula, nothing a
workbook cannot hold, the same bytes for the same result, and a clear error without openpyxl."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import unified_ocr
from unified_ocr import Cell, Line, OcrResult, Page, Quad, Table

from ..conftest import run_cli

openpyxl = pytest.importorskip("openpyxl", reason='the xlsx format: pip install -e ".[xlsx]"')
BOX = Quad.from_bbox(0, 0, 9, 9)


def cell(row: int, col: int, *lines: str, rows: int = 1, cols: int = 1) -> Cell:
    return Cell(row, col, rows, cols, tuple(Line(text, BOX) for text in lines))


def workbook(result: OcrResult) -> tuple[bytes, object]:
    data = unified_ocr.export(result, "xlsx")
    assert isinstance(data, bytes)
    return data, openpyxl.load_workbook(io.BytesIO(data))


def merges(sheet: object) -> set[tuple[int, int, int, int]]:
    """The sheet's merged ranges as (row, col, rows, cols), 0-based like the model's cells."""
    return {(r.min_row - 1, r.min_col - 1, r.max_row - r.min_row + 1, r.max_col - r.min_col + 1)
            for r in sheet.merged_cells.ranges}  # type: ignore[attr-defined]  # fmt: skip


def kept(text: str) -> str:
    """What a cell can hold of ``text``: no control character but tab, newline and return, no
    non-character, no lone surrogate (said here by Unicode category, not by the exporter's rule)."""
    return "".join(
        ch for ch in text if ch in "\t\n\r" or (unicodedata.category(ch) not in ("Cc", "Cs") and ch not in "\ufffe\uffff")
    )


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/worksheets/"))


# -- generated tables --------------------------------------------------------------------------

HOSTILE = ["=1+1", '=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "<&>\"'", "합계 1,000원", "a\x07b\x00c", "\x1b[31m",
           "x\x7fy\x85z", "\ufffe\uffff", " padded ", ""]  # fmt: skip
line_texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.sampled_from(list("ab1 =+-@<&>\"'\t\x00\x01\x08\x0b\x0c\x1f\x7f\x9f합계원,.\ufffe")), max_size=10),
)


@st.composite
def tables(draw: st.DrawFn) -> Table:
    """A grid covered by rectangles that never overlap, some spanning, some slots left empty."""
    rows, cols = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    free = [[True] * cols for _ in range(rows)]
    cells = []
    for r in range(rows):
        for c in range(cols):
            if not free[r][c] or draw(st.integers(0, 5)) == 0:  # now and then a hole: no cell at all
                continue
            run = 1
            while c + run < cols and free[r][c + run]:
                run += 1
            width = draw(st.integers(1, run))
            height = draw(st.integers(1, rows - r))
            while any(not free[r + i][c + j] for i in range(height) for j in range(width)):
                height -= 1
            for i in range(height):
                for j in range(width):
                    free[r + i][c + j] = False
            cells.append(cell(r, c, *draw(st.lists(line_texts, max_size=3)), rows=height, cols=width))
    return Table(tuple(draw(st.permutations(cells))))  # in any order, as a vendor may list them


@settings(max_examples=80, deadline=None)
@given(table=tables())
def test_generated_tables_give_workbooks_whose_merges_are_the_spans(table: Table) -> None:
    data, book = workbook(OcrResult("t", (Page(0, 9, 9, tables=(table,)),)))
    assert book.sheetnames == ["Table 1"]  # type: ignore[attr-defined]
    sheet = book["Table 1"]  # type: ignore[index]
    assert merges(sheet) == {(c.row, c.col, c.row_span, c.col_span) for c in table.cells if c.row_span > 1 or c.col_span > 1}
    tops = {(c.row, c.col): c for c in table.cells}
    for row in sheet.iter_rows():
        for slot in row:
            source = tops.get((slot.row - 1, slot.column - 1))
            if source is None:  # inside a span, or a hole: nothing written
                assert slot.value is None
                continue
            expected = kept(source.text)
            assert slot.value == (expected or None)  # "=1+1" comes back as that text, controls gone
            if expected:
                assert slot.data_type == "s"  # a string, never a formula
                assert slot.alignment.wrap_text and slot.alignment.vertical == "top" and slot.alignment.horizontal == "left"
    assert "<f>" not in sheet_xml(data)  # no formula anywhere in the file, whatever openpyxl reads back


def test_formulas_are_text_and_controls_are_dropped() -> None:
    table = Table((cell(0, 0, "=1+1"), cell(0, 1, "a\x07b\x00", "합계 <&>\"'"), cell(1, 0, "=SUM(A1:B1)", rows=1, cols=2)))
    data, book = workbook(OcrResult("t", (Page(0, 9, 9, tables=(table,)),)))
    sheet = book["Table 1"]  # type: ignore[index]
    assert sheet["A1"].value == "=1+1" and sheet["A1"].data_type == "s"
    assert sheet["B1"].value == "ab\n합계 <&>\"'"  # a cell's lines kept with a newline
    assert sheet["A2"].value == "=SUM(A1:B1)" and merges(sheet) == {(1, 0, 1, 2)}
    xml = sheet_xml(data)
    assert "<f>" not in xml and "=SUM(A1:B1)" in xml


def test_text_excel_would_decode_is_escaped_as_excel_escapes_it() -> None:
    data, _ = workbook(OcrResult("t", (Page(0, 9, 9, tables=(Table((cell(0, 0, "_x0041_ and _x41_"),)),)),)))
    assert "_x005F_x0041_ and _x41_" in sheet_xml(data)  # Excel shows the text as read, not "A and _x41_"


def test_a_cell_longer_than_excel_holds_is_cut_to_its_limit() -> None:
    _, book = workbook(OcrResult("t", (Page(0, 9, 9, tables=(Table((cell(0, 0, "가" * 40000),)),)),)))
    assert book["Table 1"]["A1"].value == "가" * 32767  # type: ignore[index]


def test_a_sheet_per_table_named_by_page_in_a_result_of_several_pages() -> None:
    one = Table((cell(0, 0, "one"),))
    two = Table((cell(0, 0, "two"), cell(0, 1, "2")))
    _, book = workbook(OcrResult("t", (Page(0, 9, 9, tables=(one, two)),)))
    assert book.sheetnames == ["Table 1", "Table 2"]  # type: ignore[attr-defined]
    pages = (Page(0, 9, 9, tables=(one,)), Page(1, 9, 9), Page(2, 9, 9, tables=(two, one)))
    _, book = workbook(OcrResult("t", pages))
    assert book.sheetnames == ["p1 Table 1", "p3 Table 1", "p3 Table 2"]  # type: ignore[attr-defined]
    assert book["p3 Table 1"]["B1"].value == "2" and book["p3 Table 2"]["A1"].value == "one"  # type: ignore[index]


def test_overlapping_cells_lose_no_text_and_give_no_overlapping_merges() -> None:
    # The model does not forbid overlaps; a vendor may send them. Excel calls overlapping merges a damaged file.
    table = Table((cell(0, 0, "big", rows=2, cols=2), cell(1, 1, "inside"), cell(0, 2, "wide", rows=1, cols=2),
                   cell(0, 3, "under"), cell(1, 2, "tall", rows=2, cols=2)))  # fmt: skip
    _, book = workbook(OcrResult("t", (Page(0, 9, 9, tables=(table,)),)))
    sheet = book["Table 1"]  # type: ignore[index]
    assert merges(sheet) == {(0, 0, 2, 2), (0, 2, 1, 2), (1, 2, 2, 2)}
    assert sheet["A1"].value == "big\ninside" and sheet["C1"].value == "wide\nunder" and sheet["C2"].value == "tall"


def test_no_tables_is_a_workbook_with_one_empty_sheet() -> None:
    _, book = workbook(OcrResult("t", (Page(0, 9, 9, lines=(Line("not a table", BOX),)),)))
    assert book.sheetnames == ["No tables"]  # type: ignore[attr-defined]
    sheet = book["No tables"]  # type: ignore[index]
    assert sheet.max_row == 1 and sheet.max_column == 1 and sheet["A1"].value is None


def test_one_result_gives_the_same_bytes_every_time() -> None:
    table = Table((cell(0, 0, "합계", rows=2), cell(0, 1, "1,000")))
    result = OcrResult("t", (Page(0, 9, 9, tables=(table,)),))
    data = unified_ocr.export(result, "xlsx")
    assert isinstance(data, bytes)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # the clock is nowhere: not on the zip entries (the writer dates them when it writes)...
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode("utf-8")
    # ... nor in the document's dates (openpyxl's save stamps "modified" with the time of saving)
    assert re.findall(r"<dcterms:(\w+)[^>]*>([^<]*)<", core) == [
        ("created", "2000-01-01T00:00:00Z"),
        ("modified", "2000-01-01T00:00:00Z"),
    ]
    script = ("import sys, unified_ocr; from unified_ocr import Cell, Line, OcrResult, Page, Quad, Table; "
              "b = Quad.from_bbox(0, 0, 9, 9); "
              "t = Table((Cell(0, 0, 2, 1, (Line('합계', b),)), Cell(0, 1, 1, 1, (Line('1,000', b),)))); "
              "sys.stdout.buffer.write(unified_ocr.export(OcrResult('t', (Page(0, 9, 9, tables=(t,)),)), 'xlsx'))")  # fmt: skip
    other = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, env={"PYTHONHASHSEED": "7", "TZ": "Asia/Seoul"}, check=True
    )
    assert other.stdout == data == unified_ocr.export(result, "xlsx")


def test_without_openpyxl_the_error_names_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # what import finds when the package is not installed
    with pytest.raises(unified_ocr.ConfigError, match=r'needs openpyxl: pip install "unified-ocr\[xlsx\]"'):
        unified_ocr.export(OcrResult("t", (Page(0, 9, 9),)), "xlsx")


def test_the_command_without_openpyxl_lists_the_format_and_says_what_to_install(tmp_path: Path) -> None:
    blocker = tmp_path / "no-openpyxl" / "openpyxl"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('not installed here')\n")
    saved = tmp_path / "r.json"
    saved.write_text(unified_ocr.export(OcrResult("t", (Page(0, 9, 9, tables=(Table((cell(0, 0, "a"),)),)),)), "json"))
    listed = run_cli("export", "--list", pythonpath=[blocker.parent])
    assert listed.returncode == 0 and "xlsx" in listed.stdout  # listing the formats never imports openpyxl
    proc = run_cli("export", str(saved), "--format", "xlsx", "--out", str(tmp_path / "out"), pythonpath=[blocker.parent])
    assert proc.returncode == 2, proc.stderr
    assert 'pip install "unified-ocr[xlsx]"' in proc.stderr and "Traceback" not in proc.stderr
    assert not list((tmp_path / "out").glob("*.xlsx"))
