"""Tables as CSV, HTML and Markdown: the grid a spreadsheet opens, a ``<table>`` with its spans, a
Markdown table.

OCR text comes from whatever was photographed, so none of these formats lets it act as
anything but text: a CSV cell that a spreadsheet would run as a formula gets a leading ``'``
(:mod:`.csvcells`; ``raw_text=True`` keeps it exactly), and HTML and Markdown cells are escaped
so that ``<script>`` or ``[link](javascript:...)`` is shown, never run or followed.
"""

from __future__ import annotations

import csv
import html
import io
import re

from ..model import Table
from .csvcells import safe_rows

# What would start Markdown markup inside a table cell: inline code, emphasis, links and
# images, strike-through, the cell separator, and the backslash that escapes all of them.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]~|])")


def table_csv(table: Table, raw_text: bool = False) -> str:
    """Rows of cell texts as CSV; a spanning cell's text fills its top-left slot only.

    A cell a spreadsheet would read as a formula is written as text (a leading ``'``, see
    :mod:`.csvcells`); ``raw_text=True`` writes every cell exactly as read.

    >>> from unified_ocr.model import Cell, Line, Table
    >>> line = Line("a,b", [[0, 0], [1, 0], [1, 1], [0, 1]])
    >>> print(table_csv(Table([Cell(0, 0, lines=[line]), Cell(0, 1)])), end="")
    "a,b",
    """
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(safe_rows(table.to_grid(), raw_text))
    return out.getvalue()


def table_html(table: Table) -> str:
    """An HTML ``<table>`` with ``rowspan``/``colspan``; the lines of a cell are kept with ``<br>``.

    Two cells a vendor places at one slot become one ``<td>`` (the first one's spans) with the
    lines of both, as in :meth:`Table.to_grid`: a second ``<td>`` would push the row's other
    cells a column to the right.
    """
    rows = []
    for row in table.rows():
        tds = []
        for cells in row:
            first = cells[0]
            span = "".join(f' {name}="{n}"' for name, n in (("rowspan", first.row_span), ("colspan", first.col_span)) if n > 1)
            body = "<br>".join(html.escape(line.text) for cell in cells for line in cell.lines)
            tds.append(f"<td{span}>{body}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return "<table>\n" + "\n".join(rows) + "\n</table>"


def markdown_cell(text: str) -> str:
    """``text`` as one Markdown table cell that renders as exactly that text.

    ``& < >`` become entities (no raw HTML, no entity read as another character), the
    characters that start inline markup or part cells get a backslash, and line breaks
    become ``<br>`` (a table row is one line).

    >>> markdown_cell('<img src=x onerror=alert(1)> | [a](javascript:b)')
    '&lt;img src=x onerror=alert(1)&gt; \\\\| \\\\[a\\\\](javascript:b)'
    """
    escaped = _MARKDOWN_PUNCTUATION.sub(r"\\\1", html.escape(text, quote=False))
    return "<br>".join(escaped.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def table_markdown(table: Table) -> str:
    """A Markdown table of the grid; a spanning cell's text in its top-left slot (Markdown has no spans).

    Every cell goes through :func:`markdown_cell`, so OCR text never becomes HTML or markup.
    """
    grid = table.to_grid()
    if not grid:
        return ""
    width = max(len(row) for row in grid)
    rows = [[markdown_cell(cell) for cell in row] + [""] * (width - len(row)) for row in grid]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines) + "\n"
