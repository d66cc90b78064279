"""Text and tables out of the HTML Document Parse writes for each element.

Document Parse answers ``content.html`` always (``text`` and ``markdown`` only when asked for,
and empty strings otherwise, as in the recorded answers), so the element's text is read from
its HTML: ``<br>`` and block tags end a line, an ``<img>`` counts by its ``alt`` text. A table
element's ``<table>`` becomes grid cells with their row and column spans, placed the way a
browser places them (a cell goes to the first column its row has free, after the cells that
span down into it from rows above). lxml parses it: an HTML parser that never fetches anything.
"""

from __future__ import annotations

import attrs
import lxml.html
from lxml import etree

#: Tags after which a new line starts (and before which, when text came before).
_BLOCK_TAGS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "tr", "table", "header", "footer",
     "caption", "figcaption", "figure", "section", "blockquote", "pre", "dt", "dd"}
)  # fmt: skip
#: A span this large is a mistake in the HTML; browsers cap rowspan at 65534 and colspan at 1000.
MAX_SPAN = 1000


@attrs.frozen(slots=True)
class HtmlCell:
    """One cell of an HTML table, 0-based, with the lines of its text."""

    row: int
    col: int
    row_span: int
    col_span: int
    lines: tuple[str, ...]
    header: bool = False


def fragment(html: str) -> etree._Element | None:
    """The HTML fragment under one ``<div>``; ``None`` when it holds nothing."""
    if not html.strip():
        return None
    try:
        return lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return None


def text_lines(html: str) -> list[str]:
    """The element's text as lines, blank lines dropped and spaces collapsed."""
    root = fragment(html)
    return [] if root is None else _lines(root)


def _lines(root: etree._Element) -> list[str]:
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _BLOCK_TAGS:
            parts.append("\n")
        if tag == "br":
            parts.append("\n")
        elif tag == "img" and node.get("alt"):
            parts.append(str(node.get("alt")))
        if node.text and tag not in ("script", "style"):
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in _BLOCK_TAGS:
            parts.append("\n")
        elif tag in ("td", "th"):
            parts.append(" ")

    walk(root)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return [line for line in lines if line]


def table_cells(html: str) -> list[HtmlCell] | None:
    """The cells of the first ``<table>`` in ``html`` (rows of ``thead``, ``tbody`` and ``tfoot``
    in document order; a table nested in a cell counts as that cell's text); ``None`` when there
    is no table."""
    root = fragment(html)
    if root is None:
        return None
    tables = root.xpath("descendant-or-self::table")
    if not tables:
        return None
    table = tables[0]
    rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    taken: set[tuple[int, int]] = set()
    cells = []
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.xpath("./td | ./th"):
            while (r, c) in taken:
                c += 1
            row_span = min(_span(td.get("rowspan")), len(rows) - r)  # a span past the last row stops there
            col_span = _span(td.get("colspan"))
            for dr in range(row_span):
                for dc in range(col_span):
                    taken.add((r + dr, c + dc))
            cells.append(HtmlCell(r, c, row_span, col_span, tuple(_lines(td)), td.tag == "th"))
            c += col_span
    return cells


def _span(value: str | None) -> int:
    """A row or column span as browsers read it: a positive integer, 1 when missing or garbled."""
    try:
        span = int(str(value).strip())
    except ValueError:
        return 1
    return min(max(span, 1), MAX_SPAN)
