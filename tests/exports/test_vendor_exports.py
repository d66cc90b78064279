"""Tables and named fields of the real recorded CLOVA answers through ``unified-ocr export``.

What each export must hold is read from the vendor's raw JSON here, independently of the
parser: a table's cells by ``rowIndex``/``columnIndex``/``rowSpan``/``columnSpan`` and the
``inferText`` of their words; a template's fields by ``name``; a receipt's values by where
they sit in the vendor's tree, named by the rules documented for CLOVA receipts.
"""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import unified_ocr
from unified_ocr.exports.csvcells import safe_rows

from ..conftest import run_cli

CLOVA = Path(__file__).resolve().parents[1] / "fixtures" / "clova"
TABLE = CLOVA / "autorag-kbo-table-general-v2.json"
TEMPLATES = sorted(p.name for p in CLOVA.glob("*template*.json"))
RECEIPTS = sorted(p.name for p in CLOVA.glob("*receipt*.json"))

Slot = tuple[int, int, int, int]  # row, column, rows spanned, columns spanned


def raw(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def raw_cells(path: Path) -> dict[Slot, str]:
    """The table's cells as the vendor wrote them: place and spans -> text (words joined by a
    space, the cell's lines by a newline)."""
    (image,) = raw(path)["images"]
    (table,) = image["tables"]
    return {(c["rowIndex"], c["columnIndex"], c.get("rowSpan", 1), c.get("columnSpan", 1)):
            "\n".join(" ".join(w["inferText"] for w in line["cellWords"]) for line in c["cellTextLines"])
            for c in table["cells"]}  # fmt: skip


def save(tmp_path: Path, path: Path) -> Path:
    """The fixture parsed and saved as a result file, as ``recognize --format json`` would."""
    saved = tmp_path / f"{path.stem}.json"
    result = unified_ocr.parse(path.read_text(encoding="utf-8"), engine="clova")
    saved.write_text(json.dumps(result.to_dict(), ensure_ascii=False), encoding="utf-8")
    return saved


def export(saved: Path, *formats: str, out: Path | None = None) -> str:
    proc = run_cli("export", str(saved), *(arg for fmt in formats for arg in ("--format", fmt)), *(["--out", str(out)] if out else []))
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


# -- the CLOVA table: CSV, HTML, xlsx -------------------------------------------------------------


def test_the_table_fixture_holds_what_these_tests_rely_on() -> None:
    cells = raw_cells(TABLE)
    assert len(cells) == 16 and sum(1 for text in cells.values() if not text) == 2
    assert {slot for slot in cells if slot[2] > 1 or slot[3] > 1} == {(4, 0, 2, 1), (4, 1, 2, 1)}
    assert sum(1 for text in cells.values() if "\n" in text) == 7
    assert cells[(0, 0, 1, 1)] == "쿠분" and cells[(4, 0, 2, 1)] == "제28조\n[비디오 잔뜩" and cells[(4, 1, 2, 1)] == ""


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The table fixture saved as a result, and exported by the command as csv, html and xlsx."""
    tmp = tmp_path_factory.mktemp("table")
    saved, out = save(tmp, TABLE), tmp / "out"
    export(saved, "csv", "html", "xlsx", out=out)  # one command for the three: each format's file as it writes it alone
    return saved, out


def test_csv_is_the_grid_with_each_text_in_its_top_left_slot(exported: tuple[Path, Path]) -> None:
    saved, out = exported
    cells = raw_cells(TABLE)
    files = sorted(out.glob("*.csv"))
    # one table: NAME.csv (a file per table, NAME.table-1.csv, is accepted too)
    assert [f.name for f in files] in ([f"{saved.stem}.csv"], [f"{saved.stem}.table-1.csv"])
    with files[0].open(encoding="utf-8", newline="") as f:
        grid = list(csv.reader(f))
    expected = [[""] * max(c + w for _, c, _, w in cells) for _ in range(max(r + h for r, _, h, _ in cells))]
    for (r, c, _, _), text in cells.items():
        expected[r][c] = text  # slots a span covers stay empty, as do empty cells
    assert (len(grid), len(grid[0])) == (6, 3)
    assert grid == safe_rows(expected)  # a cell a spreadsheet would run (a lone "-" here) opens as text
    assert grid == safe_rows(unified_ocr.load_result(saved).pages[0].tables[0].to_grid())
    assert (
        grid[1][2]
        == "심판판정의 공청성 일관성 정확성 향상을 위해\nX4 투구 관점 시스템(AIS)을 도입하고\n주심의 블 스트라이크 판정을 대체"
    )


class HtmlTable(HTMLParser):
    """Each ``<td>``'s place in the grid, worked out as a browser does (a cell goes in the next
    slot no span from above covers), with its spans and its text (``<br>`` as a newline)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables = 0
        self.rows: list[list[dict[str, Any]]] = []
        self.td: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables += 1
        elif tag == "tr":
            self.rows.append([])
        elif tag == "td":
            a = dict(attrs)
            self.td = {"rows": int(a.get("rowspan") or 1), "cols": int(a.get("colspan") or 1), "text": ""}
            self.rows[-1].append(self.td)
        elif tag == "br" and self.td is not None:
            self.td["text"] += "\n"

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.td = None

    def handle_data(self, data: str) -> None:
        if self.td is not None:
            self.td["text"] += data

    def placed(self) -> dict[Slot, str]:
        taken: set[tuple[int, int]] = set()
        out: dict[Slot, str] = {}
        for r, row in enumerate(self.rows):
            c = 0
            for td in row:
                while (r, c) in taken:
                    c += 1
                out[(r, c, td["rows"], td["cols"])] = td["text"]
                taken.update((r + i, c + j) for i in range(td["rows"]) for j in range(td["cols"]))
                c += td["cols"]
        return out


def test_html_has_a_td_per_cell_with_its_rowspan_and_colspan(exported: tuple[Path, Path]) -> None:
    saved, out = exported
    cells = raw_cells(TABLE)
    parser = HtmlTable()
    parser.feed((out / f"{saved.stem}.html").read_text(encoding="utf-8"))
    assert parser.tables == 1 and len(parser.rows) == 6
    assert sum(len(row) for row in parser.rows) == len(cells) == 16
    assert [len(row) for row in parser.rows] == [3, 3, 3, 3, 3, 1]  # the last row: its first two slots are spanned from above
    assert parser.placed() == cells  # every cell at its place, with the vendor's spans and text
    spanning = [td for row in parser.rows for td in row if td["rows"] > 1 or td["cols"] > 1]
    assert [(td["rows"], td["cols"]) for td in spanning] == [(2, 1), (2, 1)]


def test_xlsx_merges_exactly_the_vendors_spans_and_holds_the_texts(exported: tuple[Path, Path]) -> None:
    openpyxl = pytest.importorskip("openpyxl", reason='the xlsx format: pip install -e ".[xlsx]"')
    saved, out = exported
    cells = raw_cells(TABLE)
    book = openpyxl.load_workbook(out / f"{saved.stem}.xlsx")
    assert book.sheetnames == ["Table 1"]
    sheet = book["Table 1"]
    merged = {
        (m.min_row - 1, m.min_col - 1, m.max_row - m.min_row + 1, m.max_col - m.min_col + 1) for m in sheet.merged_cells.ranges
    }
    assert merged == {slot for slot in cells if slot[2] > 1 or slot[3] > 1} == {(4, 0, 2, 1), (4, 1, 2, 1)}
    tops = {(r, c): text for (r, c, _, _), text in cells.items()}
    for row in sheet.iter_rows(min_row=1, max_row=6, max_col=3):
        for slot in row:
            assert slot.value == (tops.get((slot.row - 1, slot.column - 1)) or None)
    assert sheet.max_row == 6 and sheet.max_column == 3
    assert sheet["C2"].alignment.wrap_text  # a cell of three lines shows them as lines


# -- named fields: templates and receipts ---------------------------------------------------------


def template_fields(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``images[].fields[]``: name -> its ``inferText`` and ``inferConfidence`` (a name met again on
    another page as ``name@page``)."""
    out: dict[str, dict[str, Any]] = {}
    for page, image in enumerate(answer["images"]):
        for field in image["fields"]:
            name = field["name"] if field["name"] not in out else f"{field['name']}@{page}"
            assert name not in out, f"{field['name']!r} twice on page {page}: this test does not expect that"
            out[name] = {"text": field["inferText"], "confidence": field.get("inferConfidence")}
    return out


def snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


def receipt_name(path: tuple[str | int, ...]) -> str:
    """A receipt value's documented name from its place in ``receipt.result``: ``storeInfo``
    -> ``store`` (``addresses`` -> ``address``), ``paymentInfo`` -> ``payment`` (``cardInfo.x`` ->
    ``card_x``), ``subResults[s].items[i]`` -> ``items.i`` (``price.unitPrice`` -> ``unit_price``),
    ``subTotal`` -> ``sub_total``, ``totalPrice`` -> ``total``; keys in snake case, positions as numbers."""
    head, *rest = path
    if head == "subResults":
        assert rest[0] == 0 and rest[1] == "items", "the fixtures have one sub-result of items"
        tail = [{"unitPrice": "unit_price", "price": "price"}[rest[4]]] if rest[3] == "price" else rest[3:]
        parts: list[str | int] = ["items", rest[2], *tail]
    elif head == "paymentInfo" and rest[0] == "cardInfo":
        parts = ["payment", f"card_{snake(str(rest[1]))}"]
    else:
        first = {"storeInfo": "store", "paymentInfo": "payment", "subTotal": "sub_total", "totalPrice": "total"}[str(head)]
        parts = [first, *({"addresses": "address"}.get(p, p) if isinstance(p, str) else p for p in rest)]
    return ".".join(snake(p) if isinstance(p, str) else str(p) for p in parts)


def receipt_fields(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every value in ``images[0].receipt.result`` (an object with a ``text``), however deep, by name."""
    out: dict[str, dict[str, Any]] = {}

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(node, dict) and "text" in node:
            name = receipt_name(path)
            assert name not in out
            out[name] = {"text": node["text"], "confidence": node.get("confidenceScore")}
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, key))
        elif isinstance(node, list):
            for k, value in enumerate(node):
                walk(value, (*path, k))

    (image,) = answer["images"]
    walk(image["receipt"]["result"], ())
    return out


#: A few values read from the answers by eye, under the names the documentation gives them.
READ_BY_HAND = {
    "ksd-bayley-template.json": {"인지-신뢰구간 95": "101-119", "적응행동-백분위": "30"},
    "agtm-receipt-0-kis-card-slip.json": {"store.tel.0": "0221732606)", "payment.card_number": "5159-54**- ****-8669"},
    "agtm-receipt-1-hansot.json": {
        "store.sub_name": "안산대학앞점",
        "payment.card_company": "국 민",
        "items.0.unit_price": "4,800",
    },
    "agtm-receipt-2-nonghyup-hanaro.json": {"items.5.code": "248462", "store.biz_num": "221-82-16124"},
    "gustomate-receipt.json": {"sub_total.0.tax_price.0": "698", "total.price": "19,770", "items.10.name": "씨)부산어묵"},
}


@pytest.mark.parametrize("name", TEMPLATES + RECEIPTS)
def test_fields_json_gives_every_named_field_with_its_text(tmp_path: Path, name: str) -> None:
    answer = raw(CLOVA / name)
    expected = template_fields(answer) if name in TEMPLATES else receipt_fields(answer)
    assert expected  # a fixture with no named field would make this test say nothing
    fields = json.loads(export(save(tmp_path, CLOVA / name), "fields-json"))
    assert set(fields) == set(expected)
    for key, value in fields.items():
        assert set(value) - {"parts"} == {"text", "value", "confidence", "checked", "page"}
        assert value["text"] == expected[key]["text"], key
        assert value["confidence"] == expected[key]["confidence"], key
        assert value["page"] == 0
    for key, text in READ_BY_HAND.get(name, {}).items():
        assert fields[key]["text"] == text


def test_the_fixtures_hold_the_fields_these_tests_rely_on() -> None:
    counts = {name: len(template_fields(raw(CLOVA / name)) if name in TEMPLATES else receipt_fields(raw(CLOVA / name)))
              for name in TEMPLATES + RECEIPTS}  # fmt: skip
    assert counts == {
        "ksd-bayley-template.json": 20, "pill-prescription-template-2023-06-01.json": 1,
        "agtm-receipt-0-kis-card-slip.json": 10, "agtm-receipt-1-hansot.json": 14, "agtm-receipt-2-nonghyup-hanaro.json": 34,
        "agtm-receipt-3-handondang.json": 21, "barguni-receipt-emart.json": 92, "gustomate-receipt.json": 46,
    }  # fmt: skip
