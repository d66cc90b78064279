"""OCR text is whatever was photographed: no export written for people lets it act as a formula or as markup.

Spreadsheet formats (tsv, csv, fields-csv) write a cell a spreadsheet would run as text, with a
leading ``'``, and keep plain signed numbers; ``raw_text`` keeps every cell exactly. Markdown
and HTML cells are escaped, and render as exactly the text. Formats read by programs (json,
jsonl) keep the text exactly.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import pytest

import unified_ocr
from unified_ocr import Field, Line, OcrResult, Page, Quad, Word
from unified_ocr.model import Cell, Table

from ..conftest import run_cli

#: Hostile OCR text and what a spreadsheet cell must hold for it.
SAFE = {
    '=HYPERLINK("http://x","y")': '\'=HYPERLINK("http://x","y")',
    "+SUM(1)": "'+SUM(1)",
    "@cmd": "'@cmd",
    "-2+3+cmd|' /C calc'!A0": "'-2+3+cmd|' /C calc'!A0",
    "-1,000": "-1,000",  # a discount on a receipt: a number, kept
    "+82": "+82",  # a country code
    "<script>alert(1)</script>": "<script>alert(1)</script>",  # not a formula; HTML is escaped where HTML is read
    "<img src=x onerror=alert(1)>": "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))": "[x](javascript:alert(1))",
    "합계 12,000": "합계 12,000",
}
TEXTS = list(SAFE)


def hostile_result() -> OcrResult:
    """A page whose every word, table cell and field holds one of :data:`TEXTS`."""
    lines, cells, fields = [], [], []
    for k, text in enumerate(TEXTS):
        quad = Quad.from_bbox(10, 10 + 20 * k, 200, 28 + 20 * k)
        lines.append(Line(text, quad, (Word(text, quad, 0.9),)))
        cells.append(Cell(k, 0, lines=(Line(text, quad),)))
        fields.append(Field(f"f{k}", text=text, value=text, parts=(Field(text, text=text),)))
    return OcrResult("test", (Page(0, 300, 300, tuple(lines), (Table(tuple(cells)),), tuple(fields)),))


def saved(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.json"
    path.write_text(unified_ocr.export(hostile_result(), "json"), encoding="utf-8")  # type: ignore[arg-type]
    return path


def tsv_texts(content: str) -> list[str]:
    return [row[3] for row in list(csv.reader(io.StringIO(content), delimiter="\t"))[1:]]


def csv_texts(content: str) -> list[str]:
    return [row[0] for row in csv.reader(io.StringIO(content))]


def fields_csv(content: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content)))


@pytest.mark.parametrize("raw", [False, True], ids=["safe", "raw_text"])
def test_spreadsheet_formats_write_formulas_as_text_and_keep_signed_numbers(raw: bool) -> None:
    result = hostile_result()
    want = TEXTS if raw else [SAFE[t] for t in TEXTS]
    options = {"raw_text": True} if raw else {}
    assert tsv_texts(unified_ocr.export(result, "tsv", **options)) == want  # type: ignore[arg-type]
    assert csv_texts(unified_ocr.export(result, "csv", **options)) == want  # type: ignore[arg-type]
    rows = fields_csv(unified_ocr.export(result, "fields-csv", **options))  # type: ignore[arg-type]
    fields = [row for row in rows if not row["part_of"]]
    parts = [row for row in rows if row["part_of"]]
    assert [row["text"] for row in fields] == want and [row["value"] for row in fields] == want
    assert [row["name"] for row in parts] == want and [row["text"] for row in parts] == want  # a name is OCR text too
    assert [row["name"] for row in fields] == [f"f{k}" for k in range(len(TEXTS))]


def test_formats_read_by_programs_keep_the_text_exactly() -> None:
    result = hostile_result()
    jsonl = unified_ocr.export(result, "jsonl").splitlines()  # type: ignore[union-attr]
    assert [json.loads(line)["text"] for line in jsonl] == TEXTS
    assert OcrResult.from_dict(json.loads(unified_ocr.export(result, "json"))).words == result.words


def test_the_command_writes_safe_cells_and_keeps_them_raw_with_raw_text(tmp_path: Path) -> None:
    path = saved(tmp_path)
    proc = run_cli("export", str(path), "--format", "tsv", "--format", "csv", "--format", "fields-csv", "--format", "json",
                   "--out", str(tmp_path / "safe"))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert tsv_texts((tmp_path / "safe" / "hostile.tsv").read_text(encoding="utf-8")) == [SAFE[t] for t in TEXTS]
    assert csv_texts((tmp_path / "safe" / "hostile.csv").read_text(encoding="utf-8")) == [SAFE[t] for t in TEXTS]
    proc = run_cli("export", str(path), "--format", "tsv", "--format", "csv", "--format", "fields-csv", "--format", "json",
                   "--raw-text", "--out", str(tmp_path / "raw"))  # fmt: skip  # json takes no raw_text: left as it is
    assert proc.returncode == 0, proc.stderr
    assert tsv_texts((tmp_path / "raw" / "hostile.tsv").read_text(encoding="utf-8")) == TEXTS
    assert csv_texts((tmp_path / "raw" / "hostile.csv").read_text(encoding="utf-8")) == TEXTS
    rows = fields_csv((tmp_path / "raw" / "hostile.fields.csv").read_text(encoding="utf-8"))
    assert [row["text"] for row in rows if not row["part_of"]] == TEXTS
    assert (tmp_path / "raw" / "hostile.json").read_bytes() == (tmp_path / "safe" / "hostile.json").read_bytes()


def test_markdown_cells_render_as_the_text_never_as_html_or_links() -> None:
    markdown = unified_ocr.export(hostile_result(), "markdown")
    assert isinstance(markdown, str)
    assert "<script" not in markdown and "<img" not in markdown and "](" not in markdown.replace("\\](", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown and "&lt;img src=x onerror=alert(1)&gt;" in markdown
    assert len(markdown.splitlines()) == len(TEXTS) + 1  # one row per cell: nothing broke a row
    markdown_it = pytest.importorskip("markdown_it", reason="a Markdown renderer is not installed")
    rendered = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)  # raw HTML allowed
    assert "<script" not in rendered and "<img" not in rendered and "<a " not in rendered and "<table>" in rendered
    cells = [html.unescape(cell) for cell in re.findall(r"<t[hd]>(.*?)</t[hd]>", rendered)]
    assert cells == TEXTS  # rendered, each cell is exactly the text read


def test_markdown_keeps_a_cells_pipe_and_line_breaks_inside_the_cell() -> None:
    quad = Quad.from_bbox(0, 0, 10, 10)
    table = Table((Cell(0, 0, lines=(Line("a|b", quad), Line("*c*", quad))), Cell(0, 1, lines=(Line("d", quad),))))
    markdown = unified_ocr.export(OcrResult("test", (Page(0, 10, 10, tables=(table,)),)), "markdown")
    assert markdown.splitlines()[0] == "| a\\|b<br>\\*c\\* | d |"  # type: ignore[union-attr]


def test_html_cells_are_escaped() -> None:
    html_table = unified_ocr.export(hostile_result(), "html")
    assert "<script" not in html_table and "<img" not in html_table  # type: ignore[operator]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_table  # type: ignore[operator]


def test_xlsx_stores_formula_like_text_as_text() -> None:
    openpyxl = pytest.importorskip("openpyxl", reason="the xlsx extra is not installed")
    book = openpyxl.load_workbook(io.BytesIO(unified_ocr.export(hostile_result(), "xlsx")))  # type: ignore[arg-type]
    column = [(cell.value, cell.data_type) for cell in book["Table 1"]["A"]]
    assert column == [(text, "s") for text in TEXTS]  # a string cell: never a formula, and no ' needed


def _strict(constant: str) -> None:
    raise AssertionError(f"not JSON: a bare {constant}")


@pytest.mark.parametrize("fmt", ["json", "jsonl", "fields-json"])
def test_json_formats_write_a_non_finite_meta_value_as_null_never_a_bare_nan(fmt: str) -> None:
    quad = Quad.from_bbox(0, 0, 10, 10)
    page = Page(0, 100, 100, lines=(Line.from_words([Word("x", quad, 0.5)]),), fields=(Field("total", "text", "x", quad, 0.5),))
    result = OcrResult("test", (page,), meta={"seconds": float("nan"), "scores": [float("inf"), 1.0]})
    text = unified_ocr.export(result, fmt)
    for line in ([text] if fmt != "jsonl" else text.splitlines()):
        json.loads(line, parse_constant=_strict)
    if fmt == "json":
        assert json.loads(text)["meta"] == {"seconds": None, "scores": [None, 1.0]}
