"""Tables as CSV and HTML keep spans, empty cells and every line of a cell."""

from __future__ import annotations

from unified_ocr import Cell, Line, Quad, Table
from unified_ocr.exports import table_csv, table_html


def test_table_grid_csv_and_html_keep_spans_and_lines() -> None:
    q = Quad.from_bbox(0, 0, 1, 1)
    two_lines = (Line("Team", q), Line("name", q))
    table = Table((Cell(0, 0, 1, 2, two_lines), Cell(1, 0, lines=(Line("a,b", q),)), Cell(1, 1), Cell(0, 2, 2, 1)))
    assert (table.n_rows, table.n_cols) == (2, 3)
    assert table.to_grid() == [["Team\nname", "", ""], ["a,b", "", ""]]
    assert table_csv(table).splitlines()[-1] == '"a,b",,'
    html = table_html(table)
    assert '<td colspan="2">Team<br>name</td>' in html and '<td rowspan="2"></td>' in html


def test_two_cells_at_one_slot_both_keep_their_text_in_the_grid() -> None:
    q = Quad.from_bbox(0, 0, 1, 1)
    table = Table((Cell(0, 0, lines=(Line("a", q),)), Cell(0, 0, lines=(Line("b", q),)), Cell(0, 1), Cell(0, 1, lines=(Line("c", q),))))
    assert table.to_grid() == [["a\nb", "c"]]
    assert table_html(table) == "<table>\n<tr><td>a<br>b</td><td>c</td></tr>\n</table>"
