"""Text and tables out of the HTML Document Parse writes for each element.

Document Parse answers ``content.html`` always (``text`` and ``markdown`` only when asked for,
and empty strings otherwise, as in the recorded answers), so the element's text is read from
its HTML: ``<br>`` and block tags end a line, an ``<img>`` counts by its ``alt`` text. A table
element's ``<table>`` becomes grid cells with their row and column spans, placed the way a
browser places them (a cell goes to the first column its row has free, after the cells that
span down into it from rows above). lxml parses it: an HTML parser that never fetches anything.

Most elements are one tag of plain text broken by ``<br>`` (a paragraph, a heading, a header), or
a figure of one ``<img>``: those are read by a pattern instead, for a parse of their fragment cost
ten times the rest of the element. The pattern takes only what lxml reads the same way (no
entity, no other tag, no character the parser rewrites such as a carriage return, a control
character or a lone surrogate); anything else goes to lxml.
"""

from __future__ import annotations

import re

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


#: What plain text may not hold: markup, an entity, or a character lxml's parser rewrites or drops
#: (a carriage return becomes a line end, NUL becomes U+FFFD, a lone surrogate ends the text).
_UNSAFE = r"<&\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_PLAIN = rf"[^{_UNSAFE}]*"
_SPACE = r"[ \t\n]"  # what HTML takes for space inside a tag (never a Unicode space)
_BREAK = rf"<br{_SPACE}*/?>"
#: Attributes other than ``alt``, their values quoted and plain (no ``>`` either).
_ATTRIBUTES = rf"""(?:{_SPACE}+(?!alt\b)[a-z][a-z0-9_-]*(?:=(?:'[^'>{_UNSAFE}]*'|"[^">{_UNSAFE}]*"))?)*{_SPACE}*"""
#: The start of one element of plain text broken by ``<br>``: ``<p id='5' style='...'>line<br>line</p>``.
_SIMPLE_TEXT = re.compile(rf"(?:{_BREAK})*<(p|h[1-6]|header|footer|caption|figcaption|div|span)\b{_ATTRIBUTES}>")
_PLAIN_TEXT = re.compile(_PLAIN)
#: One figure of one image, its text the image's ``alt``: ``<figure id='3'><img alt="" /></figure>``.
_SIMPLE_FIGURE = re.compile(
    rf"""(?:{_BREAK})*<figure\b{_ATTRIBUTES}><img\b{_ATTRIBUTES}"""
    rf"""(?:{_SPACE}+alt=(?:'([^'>{_UNSAFE}]*)'|"([^">{_UNSAFE}]*)"))?{_ATTRIBUTES}/?></figure>"""
)
_BREAKS = re.compile(_BREAK)


def simple_lines(html: str) -> list[str] | None:
    """The lines of an element of the common shapes (see the module's docstring) without a
    parser; ``None`` when it is of another shape."""
    head = _SIMPLE_TEXT.match(html)
    if head is not None:
        end = f"</{head[1]}>"
        if not html.endswith(end):
            return None
        lines = []
        inner = html[head.end() : len(html) - len(end)]
        for piece in _BREAKS.split(inner) if "<" in inner else (inner,):  # no tag, so no <br>: one piece
            if piece.isprintable() and "<" not in piece and "&" not in piece:  # the usual test, at C speed: one line
                if line := " ".join(piece.split()):
                    lines.append(line)
            elif _PLAIN_TEXT.fullmatch(piece) is not None:  # line ends or tabs, which the parser keeps
                lines.extend(line for part in piece.split("\n") if (line := " ".join(part.split())))
            else:
                return None
        return lines
    figure = _SIMPLE_FIGURE.fullmatch(html)
    if figure is None:
        return None
    return [line for part in (figure[1] or figure[2] or "").split("\n") if (line := " ".join(part.split()))]


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
    simple = simple_lines(html)
    return parsed_lines(html) if simple is None else simple


def parsed_lines(html: str) -> list[str]:
    """:func:`text_lines` always through the parser (what the pattern's reading must equal)."""
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
