"""PubTabNet's table annotations as truth: a page holding the table, its cells' text as lines.

PubTabNet (and FinTabNet, which kept its shape) gives each image one JSON object, a line of
its JSONL: ``{"filename", "split", "imgid", "html": {"structure": {"tokens": [...]}, "cells":
[{"tokens": [...], "bbox": [x0, y0, x1, y1]}]}}``. The structure tokens are the table's HTML
without content (``<thead>``, ``<tr>``, ``<td>``, ``<td``, `` colspan="2"``, ``>``, ``</td>``
...); ``cells`` holds the content of each ``<td>`` in order, as tokens (characters, and tags
such as ``<b>``), with the box of the content where the cell is not empty. PubTabNet's
evaluation files give the HTML whole instead (``{"html": "<html><body><table>..."}``), keyed
by the image's name; both are read.

The table becomes a :class:`~unified_ocr.Table` of the result model: rows and columns placed
as a browser places them (a ``rowspan`` holds its slots in the rows below), spans kept, each
cell's text without the inline tags (no engine reports bold), its box where given; the table's
box is the union of its cells'. The page's lines are the cells' texts in reading order, so the
text figures score too; they are not text lines of the image, so the truth says it places no
boxes (no detection figures).

A file holds one image's annotation (``NAME.json`` beside ``NAME.png``) or many (the JSONL, an
evaluation file): :meth:`PubTabNetReader.pages` gives each by its image's file name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
from lxml import etree
from lxml import html as lxml_html

from ...errors import TruthError
from ...geometry import Quad
from ...model import Cell, Line, OcrResult, Table
from .pages import NOWHERE, truth_page
from .readers import TruthReader, _box, _json

#: The most rows or columns one cell may span (HTML's own limit on ``colspan``).
MAX_SPAN = 1000


class PubTabNetReader(TruthReader):
    name = "pubtabnet"
    description = 'PubTabNet/FinTabNet JSON (one line of the JSONL per image): html.structure.tokens and html.cells[{tokens, bbox}]'

    def sniff(self, text: str) -> bool:
        head = text.lstrip()[:4000]
        return head.startswith("{") and '"html"' in head and any(mark in head for mark in ('"cells"', '"structure"', "<table"))

    def read(self, text: str, source: str) -> OcrResult:
        annotations = _annotations(text, source)
        if len(annotations) != 1:
            raise TruthError(f"{source}: the annotations of {len(annotations)} images; as --truth (or in its folder) each image "
                             "finds its own by its file name; read alone, a file holds one image's")  # fmt: skip
        return _page(annotations[0][1], source)

    def pages(self, text: str, source: str) -> Mapping[str, OcrResult]:
        """The truth of each image a file holds (the JSONL, or an evaluation file), by image file
        name; each table is built when its image asks for it (a JSONL holds half a million)."""
        return _Pages(dict(_annotations(text, source)), source)


class _Pages(Mapping[str, OcrResult]):
    """Annotations by image name, each made a truth page on first use."""

    def __init__(self, annotations: dict[str, dict[str, Any]], source: str) -> None:
        self._annotations = annotations
        self._source = source

    def __getitem__(self, name: str) -> OcrResult:
        return _page(self._annotations[name], f"{self._source}: {name}")

    def __iter__(self) -> Iterator[str]:
        return iter(self._annotations)

    def __len__(self) -> int:
        return len(self._annotations)


def _page(annotation: dict[str, Any], source: str) -> OcrResult:
    markup = annotation["html"]
    if isinstance(markup, dict):
        boxes = [_cell_box(cell, source, k) for k, cell in enumerate(_cells(markup, source))]
        markup = _joined(markup, source)
    elif isinstance(markup, str):
        boxes = []
    else:
        raise TruthError(f"{source}: html is neither PubTabNet's {{structure, cells}} nor an HTML string")
    table = table_from_html(markup, boxes, source)
    page = truth_page([line for cell in table.cells for line in cell.lines], [])
    return attrs.evolve(page, pages=(attrs.evolve(page.pages[0], tables=(table,)),))


def _annotations(text: str, source: str) -> list[tuple[str, dict[str, Any]]]:
    """(image file name, annotation) of each image: the lines of a JSONL, the one object of a
    line saved alone, or the values of an evaluation file ``{"NAME.png": {"html": ...}}``."""
    rows = [line for line in text.splitlines() if line.strip()]
    if len(rows) > 1 and rows[0].lstrip().startswith("{") and rows[0].rstrip().endswith("}"):
        try:
            first = json.loads(rows[0])
        except ValueError:
            first = None
        if isinstance(first, dict) and "html" in first:  # JSONL: an object a line
            return [_named(_json(line, f"{source}:{k}"), f"{source}:{k}", source) for k, line in enumerate(rows, 1)]
    data = _json(text, source)
    if isinstance(data, dict) and "html" not in data:
        held = [(str(name), value) for name, value in data.items() if isinstance(value, dict) and "html" in value]
        if held:
            return held
    return [_named(data, source, source)]


def _named(data: Any, where: str, source: str) -> tuple[str, dict[str, Any]]:
    if not isinstance(data, dict) or "html" not in data:
        raise TruthError(f'{where}: not PubTabNet: expected an object with "html" (structure tokens and cells)')
    return str(data.get("filename") or Path(source).name), data


def _cells(markup: dict[str, Any], source: str) -> list[Any]:
    cells = markup.get("cells", markup.get("cell"))  # the dataset says "cells"; its README, "cell"
    if not isinstance(cells, list):
        raise TruthError(f"{source}: html.cells is not a list of cells")
    return cells


def _tokens(tokens: Any, where: str) -> str:
    if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
        raise TruthError(f"{where}: tokens is not a list of strings")
    return "".join(tokens)


def _joined(markup: dict[str, Any], source: str) -> str:
    """The table's HTML: the structure tokens with each ``</td>`` preceded by its cell's content."""
    structure = markup.get("structure")
    tokens = structure.get("tokens") if isinstance(structure, dict) else None
    _tokens(tokens, f"{source}: html.structure")
    cells = _cells(markup, source)
    ends = sum(token == "</td>" for token in tokens or [])
    if ends != len(cells):
        raise TruthError(f"{source}: the structure has {ends} cells and html.cells {len(cells)}; they must be as many")
    out, k = ["<table>"], 0
    for token in tokens or []:
        if token == "</td>":
            cell = cells[k]
            out.append(_tokens(cell.get("tokens") if isinstance(cell, dict) else None, f"{source}: html.cells[{k}]"))
            k += 1
        out.append(token)
    return "".join([*out, "</table>"])


def _cell_box(cell: Any, source: str, k: int) -> Quad | None:
    box = cell.get("bbox") if isinstance(cell, dict) else None
    if box is None:
        return None
    try:
        return _box(box, f"{source}: html.cells[{k}].bbox")
    except (TypeError, ValueError):
        raise TruthError(f"{source}: html.cells[{k}].bbox: expected [x0, y0, x1, y1]") from None


def _span(cell: Any, name: str, source: str) -> int:
    value = cell.get(name, "1").strip() or "1"
    try:
        span = int(value)
    except ValueError:
        raise TruthError(f"{source}: a cell's {name}={value!r} is not a whole number") from None
    if not 1 <= span <= MAX_SPAN:
        raise TruthError(f"{source}: a cell's {name}={span} is outside 1..{MAX_SPAN}")
    return span


def table_from_html(markup: str, boxes: Sequence[Quad | None] = (), source: str = "<html>") -> Table:
    """The first ``<table>`` of ``markup`` as a model table; ``boxes[k]`` is the box of the k-th
    cell in document order (``None``: not placed). Each cell's slot is the first one free in its
    row, the slots held by a ``rowspan`` above skipped, as browsers lay tables out."""
    try:
        root = lxml_html.fromstring(markup, parser=lxml_html.HTMLParser(remove_comments=True, no_network=True))
    except (etree.ParserError, ValueError) as exc:
        raise TruthError(f"{source}: the table's HTML cannot be read ({exc})") from None
    tables = [root] if root.tag == "table" else root.xpath(".//table")
    if not tables:
        raise TruthError(f"{source}: holds no <table>")
    held: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    k = 0
    for r, row in enumerate(tables[0].xpath(".//tr")):
        c = 0
        for element in row.xpath("./td | ./th"):
            while (r, c) in held:
                c += 1
            rows, cols = _span(element, "rowspan", source), _span(element, "colspan", source)
            held.update((r + i, c + j) for i in range(rows) for j in range(cols))
            box = boxes[k] if k < len(boxes) else None
            text = element.text_content()
            lines = (Line(text, box or NOWHERE),) if text else ()
            cells.append(Cell(r, c, rows, cols, lines, box))
            c += cols
            k += 1
    placed = [cell.quad for cell in cells if cell.quad is not None]
    return Table(tuple(cells), placed[0].union(*placed[1:]) if placed else None)
