"""Tables as CSV and HTML: the grid a spreadsheet opens, and a ``<table>`` with its spans."""

from __future__ import annotations

import csv
import html
import io

from ..model import Cell, Table


def table_csv(table: Table) -> str:
    """Rows of cell texts as CSV; a spanning cell's text fills its top-left slot only.

    >>> from unified_ocr.model import Cell, Line, Table
    >>> line = Line("a,b", [[0, 0], [1, 0], [1, 1], [0, 1]])
    >>> print(table_csv(Table([Cell(0, 0, lines=[line]), Cell(0, 1)])), end="")
    "a,b",
    """
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table.to_grid())
    return out.getvalue()


def table_html(table: Table) -> str:
    """An HTML ``<table>`` with ``rowspan``/``colspan``; the lines of a cell are kept with ``<br>``.

    Two cells a vendor places at one slot become one ``<td>`` (the first one's spans) with the
    lines of both, as in :meth:`Table.to_grid`: a second ``<td>`` would push the row's other
    cells a column to the right.
    """
    by_slot: dict[tuple[int, int], list[Cell]] = {}
    for cell in table.cells:
        by_slot.setdefault((cell.row, cell.col), []).append(cell)
    rows = []
    for r in range(table.n_rows):
        tds = []
        for c in sorted(col for row, col in by_slot if row == r):
            first, *others = by_slot[(r, c)]
            span = "".join(f' {name}="{n}"' for name, n in (("rowspan", first.row_span), ("colspan", first.col_span)) if n > 1)
            body = "<br>".join(html.escape(line.text) for cell in (first, *others) for line in cell.lines)
            tds.append(f"<td{span}>{body}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return "<table>\n" + "\n".join(rows) + "\n</table>"
