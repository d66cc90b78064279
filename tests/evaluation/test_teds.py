"""TEDS and TEDS-Struct: equal to PubTabNet's own evaluation (``teds_reference``) on 20 pairs of
tables of the result model and on PubTabNet-style HTML, and pinned by hand on small cases."""

from __future__ import annotations

import pytest

from unified_ocr import Cell, Line, Quad, Table
from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.teds import teds, teds_html
from unified_ocr.exports import table_html

from .teds_reference import TEDS

SOMEWHERE = Quad.from_bbox(0, 0, 10, 10)


def table(*cells: tuple) -> Table:
    """Cells as ``(row, col, text)`` or ``(row, col, text, row_span, col_span)``; ``""`` is an empty cell."""
    out = []
    for row, col, text, *spans in cells:
        rows, cols = spans or (1, 1)
        out.append(Cell(row, col, rows, cols, (Line(text, SOMEWHERE),) if text else ()))
    return Table(tuple(out))


def html(t: Table) -> str:
    """A model table as PubTabNet's evaluation takes it: the project's HTML export in a ``<tbody>``."""
    return "<html><body>" + table_html(t).replace("<table>", "<table><tbody>").replace("</table>", "</tbody></table>") + "</body></html>"


RECEIPT = table((0, 0, "품목"), (0, 1, "수량"), (0, 2, "금액"), (1, 0, "아메리카노"), (1, 1, "2"), (1, 2, "9,000"),
                (2, 0, "카페라떼"), (2, 1, "1"), (2, 2, "5,000"), (3, 0, "합계", 1, 2), (3, 2, "14,000"))  # fmt: skip
HEADED = table((0, 0, "Variable", 2, 1), (0, 1, "Hazard ratio", 1, 2), (1, 1, "HR"), (1, 2, "95 % CI"),
               (2, 0, "Age"), (2, 1, ""), (2, 2, "0.716"), (3, 0, "Gender"), (3, 1, "1.000"), (3, 2, ""))  # fmt: skip
SCHEDULE = table((0, 0, "시간"), (0, 1, "월"), (0, 2, "화"), (1, 0, "09:00"), (1, 1, "국어", 2, 1), (1, 2, "수학"),
                 (2, 0, "10:00"), (2, 2, "영어"), (3, 0, "11:00"), (3, 1, "과학", 1, 2))  # fmt: skip

PAIRS: list[tuple[str, Table, Table]] = [
    ("identical", RECEIPT, RECEIPT),
    ("one syllable misread", RECEIPT, table(*[(c.row, c.col, c.text.replace("카페라떼", "카페라때"), c.row_span, c.col_span) for c in RECEIPT.cells])),
    ("total not merged", RECEIPT, table(*[(c.row, c.col, c.text) for c in RECEIPT.cells if c.row < 3], (3, 0, "합계"), (3, 1, ""), (3, 2, "14,000"))),
    ("a row missed", RECEIPT, table(*[(c.row if c.row < 2 else c.row - 1, c.col, c.text, c.row_span, c.col_span) for c in RECEIPT.cells if c.row != 2])),
    ("a column missed", RECEIPT, table(*[(c.row, c.col, c.text) for c in RECEIPT.cells if c.col == 0 and c.row < 3], (3, 0, "합계"))),
    ("an extra column", RECEIPT, table(*[(c.row, c.col, c.text, c.row_span, c.col_span) for c in RECEIPT.cells],
                                       *[(r, 3, "원") for r in range(4)])),  # fmt: skip
    ("every cell empty", RECEIPT, table(*[(c.row, c.col, "", c.row_span, c.col_span) for c in RECEIPT.cells])),
    ("texts one column along", RECEIPT, table(*[(c.row, (c.col + 1) % 3, c.text) for c in RECEIPT.cells if c.row < 3])),
    ("one cell read as the whole table", RECEIPT, table((0, 0, "품목 수량 금액 아메리카노 2 9,000 카페라떼 1 5,000 합계 14,000"))),
    ("spans and empty cells kept", HEADED, HEADED),
    ("header spans lost", HEADED, table((0, 0, "Variable"), (0, 1, "Hazard ratio"), (0, 2, ""), (1, 0, ""), (1, 1, "HR"),
                                        (1, 2, "95 % CI"), (2, 0, "Age"), (2, 1, ""), (2, 2, "0.716"), (3, 0, "Gender"),
                                        (3, 1, "1.000"), (3, 2, ""))),  # fmt: skip
    ("empty cells filled with misreadings", HEADED, table(*[(c.row, c.col, c.text or "—", c.row_span, c.col_span) for c in HEADED.cells])),
    ("digits misread", HEADED, table(*[(c.row, c.col, c.text.replace("0", "O").replace("1", "l"), c.row_span, c.col_span) for c in HEADED.cells])),
    ("rowspan read as colspan", SCHEDULE, table(*[(c.row, c.col, c.text, c.col_span, c.row_span) for c in SCHEDULE.cells])),
    ("spans kept, Hangul misread", SCHEDULE, table(*[(c.row, c.col, {"국어": "굳어", "영어": "영이", "과학": "과힉"}.get(c.text, c.text),
                                                     c.row_span, c.col_span) for c in SCHEDULE.cells])),  # fmt: skip
    ("spans split into cells", SCHEDULE, table((0, 0, "시간"), (0, 1, "월"), (0, 2, "화"), (1, 0, "09:00"), (1, 1, "국어"),
                                               (1, 2, "수학"), (2, 0, "10:00"), (2, 1, ""), (2, 2, "영어"), (3, 0, "11:00"),
                                               (3, 1, "과학"), (3, 2, ""))),  # fmt: skip
    ("one cell against many", table((0, 0, "가")), SCHEDULE),
    ("a table of one empty cell", table((0, 0, "")), table((0, 0, ""), (0, 1, ""), (1, 0, "", 1, 2))),
    ("markup and spaces as text", table((0, 0, "<b>a</b> & b"), (0, 1, " 1 ")), table((0, 0, "a & b"), (0, 1, "1"))),
    ("latin and hangul mixed, a wide span", table((0, 0, "Total 합계", 1, 4), (1, 0, "A"), (1, 1, "B"), (1, 2, "C"), (1, 3, "D")),
     table((0, 0, "Total", 1, 2), (0, 2, "합계", 1, 2), (1, 0, "A"), (1, 1, "8"), (1, 2, "C"), (1, 3, "0"))),  # fmt: skip
]


def test_twenty_pairs_of_tables() -> None:
    assert len(PAIRS) == 20 and len({name for name, _, _ in PAIRS}) == 20


@pytest.mark.parametrize(("name", "true", "read"), PAIRS, ids=[name for name, _, _ in PAIRS])
def test_teds_of_model_tables_equals_pubtabnets(name: str, true: Table, read: Table) -> None:
    reference, structure = TEDS(), TEDS(structure_only=True)
    assert teds(true, read) == pytest.approx(reference.evaluate(html(read), html(true)), abs=1e-9)
    assert teds(true, read, structure_only=True) == pytest.approx(structure.evaluate(html(read), html(true)), abs=1e-9)
    assert teds_html(html(true), html(read)) == pytest.approx(reference.evaluate(html(read), html(true)), abs=1e-9)


def test_the_pairs_span_the_range() -> None:
    """The 20 pairs are no 20 easy ones: identical tables score 1, wrong readings well below."""
    scores = {name: teds(true, read) for name, true, read in PAIRS}
    assert scores["identical"] == scores["spans and empty cells kept"] == 1.0
    assert min(scores.values()) < 0.3 and sum(0.3 < s < 0.95 for s in scores.values()) >= 10
    assert teds(RECEIPT, table(*[(c.row, c.col, "", c.row_span, c.col_span) for c in RECEIPT.cells]), structure_only=True) == 1.0


PUBTABNET = ('<html><body><table><thead><tr><td rowspan="2"><b>Reactive</b></td><td colspan="2"><b>Changes in <i>vivo</i></b></td>'
             "</tr><tr><td><b>Up</b></td><td><b>Down</b></td></tr></thead><tbody><tr><td>Mild</td><td>• Hypertrophy</td>"
             "<td>GFAP, nestin</td></tr><tr><td>Severe</td><td></td><td>&lt;0.05</td></tr></tbody></table></body></html>")  # fmt: skip
PREDICTED = [
    PUBTABNET,
    PUBTABNET.replace("<b>", "").replace("</b>", ""),  # no bold: tags inside cells are content and nodes
    PUBTABNET.replace(' rowspan="2"', "").replace("<thead>", "<tbody>").replace("</thead>", "</tbody>"),
    PUBTABNET.replace("nestin", "nestln").replace("Severe", "Sever"),
    "<html><body><table><tr><td>Reactive</td></tr></table></body></html>",
    "<html><body><p>no table</p></body></html>",
    "",
]


@pytest.mark.parametrize("read", PREDICTED)
@pytest.mark.parametrize("structure_only", [False, True])
@pytest.mark.parametrize("ignore", [(), ("b", "i")])
def test_teds_of_html_tables_equals_pubtabnets(read: str, structure_only: bool, ignore: tuple[str, ...]) -> None:
    reference = TEDS(structure_only=structure_only, ignore_nodes=list(ignore) or None).evaluate(read, PUBTABNET)
    assert teds_html(PUBTABNET, read, structure_only=structure_only, ignore_nodes=ignore) == pytest.approx(reference, abs=1e-9)


def test_by_hand() -> None:
    """Trees of table/tbody/tr/td: nodes counted without the table."""
    one, two = table((0, 0, "ab")), table((0, 0, "ab"), (0, 1, "c"))
    assert teds(one, two) == pytest.approx(1 - 1 / 4)  # one td inserted; 4 nodes (tbody, tr, td, td)
    assert teds(one, table((0, 0, "ac"))) == pytest.approx(1 - 0.5 / 3)  # one character of two
    assert teds(one, table((0, 0, "ab", 1, 2))) == pytest.approx(1 - 1 / 3)  # other spans: rename costs 1
    assert teds(one, None) == 0.0


def test_cell_texts_are_compared_after_the_normalisation() -> None:
    """Two lines of a cell are one text a line apart; the comparison's normalisation makes it a space."""
    two_lines = Table((Cell(0, 0, lines=(Line("Total", SOMEWHERE), Line("amount", SOMEWHERE))),))
    assert teds(table((0, 0, "Total amount")), two_lines) < 1
    assert teds(table((0, 0, "Total amount")), two_lines, text=Normalization().apply) == 1.0
    assert teds(table((0, 0, "ＡＢＣ")), table((0, 0, "ABC")), text=Normalization().apply) == 1.0
