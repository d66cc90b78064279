"""TEDS and TEDS-Struct: how alike two tables are, as PubTabNet defines it.

Tree-Edit-Distance-based Similarity (Zhong, ShafieiBavani and Jimeno Yepes, "Image-based
table recognition: data, model, and evaluation", ECCV 2020) reads a table as the tree of its
HTML: ``table``, ``thead``/``tbody``, ``tr`` and ``td`` nodes (other tags inside a cell are
part of its content, yet each counts as a node). Inserting or deleting a node costs 1; turning
one node into another costs 1 when their tags or ``colspan``/``rowspan`` differ, and for two
``td`` of the same spans the Levenshtein distance of their contents over the longer one's
length. TEDS is ``1 - distance / max(nodes)``, the nodes of each tree counted without its
``table``. TEDS-Struct is the same with every cell's content left out: the structure alone.

The tree edit distance is APTED's (the ``apted`` package, which PubTabNet's own evaluation
uses), the content distance RapidFuzz's Levenshtein over the content's tokens (characters,
and ``<b>``/``</b>`` for a tag inside a cell, as PubTabNet tokenises them).

:func:`teds_html` scores two HTML tables exactly as PubTabNet's evaluation does;
:func:`teds` scores two tables of the result model, read as the HTML ``<table><tbody><tr><td>``
with each cell's text, so the same figure comes out for a vendor's table and the truth's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from apted import APTED, Config
from lxml import etree
from lxml import html as lxml_html
from rapidfuzz.distance import Levenshtein

from ..model import Table


class Node:
    """A node of a table's tree: its tag, and for a cell its spans and content tokens."""

    __slots__ = ("tag", "colspan", "rowspan", "content", "children")

    def __init__(self, tag: str, colspan: int | None = None, rowspan: int | None = None,
                 content: Sequence[str] | None = None, children: Iterable[Node] = ()) -> None:  # fmt: skip
        self.tag = tag
        self.colspan = colspan
        self.rowspan = rowspan
        self.content = list(content) if content is not None else None
        self.children = list(children)


class _Costs(Config):  # type: ignore[misc]
    """PubTabNet's costs: insert and delete 1 (APTED's own), rename as the module says."""

    def rename(self, a: Node, b: Node) -> float:
        if a.tag != b.tag or a.colspan != b.colspan or a.rowspan != b.rowspan:
            return 1.0
        if a.tag == "td" and (a.content or b.content):
            return Levenshtein.distance(a.content or [], b.content or []) / max(len(a.content or []), len(b.content or []))
        return 0.0


def similarity(true: Node, read: Node, nodes: int) -> float:
    """``1 - distance / nodes``: the TEDS of two trees, ``nodes`` the larger's count without its root."""
    if nodes == 0:  # two tables of no rows: PubTabNet divides by zero; nothing differs
        return 1.0
    return 1.0 - float(APTED(read, true, _Costs()).compute_edit_distance()) / nodes


# ---- HTML tables, as PubTabNet's evaluation reads them ------------------------------------------


def _tokens(element: Any) -> list[str]:
    """A cell's content as PubTabNet tokenises it: characters, each inner tag as ``<b>`` ... ``</b>``."""
    out: list[str] = list(element.text or "")
    for child in element:
        out.append(f"<{child.tag}>")
        out += _tokens(child)
        if child.tag != "unk":
            out.append(f"</{child.tag}>")
        if child.tag != "td":
            out += list(child.tail or "")
    return out


def _html_tree(element: Any, structure_only: bool) -> Node:
    if element.tag == "td":
        return Node("td", int(element.attrib.get("colspan", "1")), int(element.attrib.get("rowspan", "1")),
                    [] if structure_only else _tokens(element))  # fmt: skip
    return Node(element.tag, children=[_html_tree(child, structure_only) for child in element])


def _first_table(markup: str) -> Any:
    """The first ``<table>`` of an HTML document or fragment (under ``<body>``), or ``None``."""
    document = lxml_html.fromstring(markup, parser=lxml_html.HTMLParser(remove_comments=True, encoding="utf-8"))
    found = document.xpath("body/table")
    return found[0] if found else None


def teds_html(true: str, read: str, *, structure_only: bool = False, ignore_nodes: Sequence[str] = ()) -> float:
    """The TEDS of two HTML tables (``<html><body><table>...``), as PubTabNet's ``TEDS.evaluate``
    gives it: 0 when either is empty or holds no table. ``ignore_nodes`` are tags whose elements
    are dropped, their content kept (PubTabNet's option of that name)."""
    if not true or not read:
        return 0.0
    true_table, read_table = _first_table(true), _first_table(read)
    if true_table is None or read_table is None:
        return 0.0
    if ignore_nodes:
        etree.strip_tags(true_table, *ignore_nodes)
        etree.strip_tags(read_table, *ignore_nodes)
    nodes = max(len(true_table.xpath(".//*")), len(read_table.xpath(".//*")))
    return similarity(_html_tree(true_table, structure_only), _html_tree(read_table, structure_only), nodes)


# ---- tables of the result model ------------------------------------------------------------------


def table_tree(table: Table, text: Callable[[str], str] = str, structure_only: bool = False) -> tuple[Node, int]:
    """A model table as the tree of ``<table><tbody>``, a ``<tr>`` per row, a ``<td>`` per cell
    (its ``row_span``/``col_span``, its text through ``text`` as characters), and its node count
    without the root. Rows follow the cells' ``row``, cells in a row their ``col``; two cells at
    one slot are one ``<td>`` with both texts a line apart, as :func:`~unified_ocr.exports.table_html`
    renders them. The result model marks no header rows, so there is no ``<thead>``."""
    rows = []
    for row in table.rows():
        tds = []
        for cells in row:
            content = [] if structure_only else list(text("\n".join(cell.text for cell in cells)))
            tds.append(Node("td", cells[0].col_span, cells[0].row_span, content))
        rows.append(Node("tr", children=tds))
    nodes = 1 + len(rows) + sum(len(row.children) for row in rows)
    return Node("table", children=[Node("tbody", children=rows)]), nodes


def teds(true: Table, read: Table | None, *, text: Callable[[str], str] = str, structure_only: bool = False) -> float:
    """The TEDS of a table read against its truth (0 for a table not read), cell texts compared
    after ``text`` (the comparison's normalisation); ``structure_only`` for TEDS-Struct."""
    if read is None:
        return 0.0
    true_tree, true_nodes = table_tree(true, text, structure_only)
    read_tree, read_nodes = table_tree(read, text, structure_only)
    return similarity(true_tree, read_tree, max(true_nodes, read_nodes))
