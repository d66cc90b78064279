"""The ``docling`` export: DoclingDocument JSON that docling-core validates and reads back, with the
result's pages, boxes, table cells and spans, in the result's reading order."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from docling_core.types.doc import CoordOrigin, DoclingDocument, TableItem, TextItem

import unified_ocr
from unified_ocr import Block, Cell, ConfigError, Line, OcrResult, Page, Quad, Table, Word
from unified_ocr.engines.registry import Registry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def clova_table() -> OcrResult:
    return unified_ocr.parse(
        json.loads((FIXTURES / "clova" / "autorag-kbo-table-general-v2.json").read_text(encoding="utf-8")), "clova"
    )


def loaded(result: OcrResult, tmp_path: Path) -> DoclingDocument:
    path = tmp_path / "result.docling.json"
    path.write_text(unified_ocr.export(result, "docling"), encoding="utf-8")  # type: ignore[arg-type]
    return DoclingDocument.load_from_json(path)


def line(text: str, left: float, top: float, right: float, bottom: float) -> Line:
    quad = Quad.from_bbox(left, top, right, bottom)
    return Line(text, quad, (Word(text, quad, 0.9),), 0.9)


def test_the_clova_table_loads_back_with_the_same_cells_spans_and_order(tmp_path: Path) -> None:
    result = clova_table()
    document = loaded(result, tmp_path)
    ((table,),) = [page.tables for page in result.pages]
    items = [item for item, _level in document.iterate_items()]
    assert [type(item) for item in items] == [TextItem, TableItem]  # the title, then the table: the lines in it are its cells
    (docling_table,) = document.tables
    cells = {
        (c.start_row_offset_idx, c.start_col_offset_idx, c.row_span, c.col_span, c.text) for c in docling_table.data.table_cells
    }
    assert cells == {(c.row, c.col, c.row_span, c.col_span, c.text) for c in table.cells}
    assert any(c.row_span > 1 for c in table.cells)  # the fixture has spans to keep
    assert (docling_table.data.num_rows, docling_table.data.num_cols) == (table.n_rows, table.n_cols)
    assert items[0].text == result.pages[0].lines[0].text  # type: ignore[attr-defined]
    assert list(document.pages) == [1] and document.pages[1].size.height == result.pages[0].height


def test_boxes_have_a_bottom_left_origin_and_each_line_its_charspan(tmp_path: Path) -> None:
    page = Page(0, 200, 100, (line("first", 10, 10, 60, 20), line("second", 10, 30, 90, 42)))
    document = loaded(OcrResult("test", (page,)), tmp_path)
    (item,) = document.texts
    assert item.text == "first\nsecond" and [p.page_no for p in item.prov] == [1, 1]
    first, second = item.prov
    assert first.bbox.coord_origin == CoordOrigin.BOTTOMLEFT
    assert (first.bbox.l, first.bbox.t, first.bbox.r, first.bbox.b) == (10, 90, 60, 80)
    assert item.text[slice(*first.charspan)] == "first" and item.text[slice(*second.charspan)] == "second"
    assert first.bbox.to_top_left_origin(page_height=100).as_tuple() == (10, 10, 60, 20)  # docling's own conversion agrees


def test_reading_order_is_kept_around_a_table_and_across_pages(tmp_path: Path) -> None:
    """Two blocks, a table between their lines; a second page: items come in the result's order."""
    cells = (Cell(0, 0, 1, 2, (line("head", 10, 40, 90, 48),), Quad.from_bbox(10, 40, 90, 50)),
             Cell(1, 0, 1, 1, (), Quad.from_bbox(10, 50, 50, 60)), Cell(1, 1, 1, 1, (line("x", 60, 52, 70, 58),), None))  # fmt: skip
    lines = (line("intro", 10, 10, 90, 20), line("head", 10, 40, 90, 48), line("x", 60, 52, 70, 58),
             line("after", 10, 70, 90, 80), line("second block", 10, 85, 90, 95))  # fmt: skip
    first = Page(0, 100, 100, lines, (Table(cells, Quad.from_bbox(10, 40, 90, 60)),), blocks=(Block(0, 4), Block(4, 5)))
    result = OcrResult("test", (first, Page(1, 100, 100, (line("page two", 10, 10, 90, 20),))))
    document = loaded(result, tmp_path)
    order = [(type(item).__name__, getattr(item, "text", ""), item.prov[0].page_no) for item, _ in document.iterate_items()]  # type: ignore[attr-defined]
    assert order == [("TextItem", "intro", 1), ("TableItem", "", 1), ("TextItem", "after", 1),
                     ("TextItem", "second block", 1), ("TextItem", "page two", 2)]  # fmt: skip
    (table,) = document.tables
    assert [(c.row_span, c.col_span, c.text) for c in table.data.table_cells] == [(1, 2, "head"), (1, 1, ""), (1, 1, "x")]
    assert table.data.grid[0][1].text == "head"  # the spanning cell fills both of its slots in docling's grid


def test_docling_is_found_by_name_and_a_missing_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "docling" in Registry().all("exporter")
    monkeypatch.setitem(sys.modules, "docling_core.types.doc", None)  # as if docling-core were not installed
    with pytest.raises(ConfigError, match=r'docling-core: pip install "unified-ocr\[docling\]"'):
        unified_ocr.export(clova_table(), "docling")


def test_the_example_writes_a_document_docling_reads_back(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "docling_export.py"
    out = tmp_path / "kbo.docling.json"
    done = subprocess.run([sys.executable, str(example), "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{out}: 1 page(s), 1 text item(s), 1 table(s)\n") and "| KBD 피치클락 규정" in done.stdout
    (table,) = DoclingDocument.load_from_json(out).tables
    assert {(c.start_row_offset_idx, c.start_col_offset_idx, c.row_span) for c in table.data.table_cells} == {
        (c.row, c.col, c.row_span) for c in clova_table().pages[0].tables[0].cells
    }
