"""PAGE-XML (2019-07-15): the ground-truth format of OCR-D and of transcription editors.

One page per document, as the schema has it (``page=N`` picks one of a multi-page result).
Blocks become ``TextRegion``\\ s in reading order (with a ``ReadingOrder``), lines
``TextLine``\\ s, words ``Word``\\ s, each with its ``Coords`` and a ``TextEquiv`` (``conf``
where the engine gives a confidence); tables become ``TableRegion``\\ s with a ``TextRegion``
per cell carrying its ``TableCellRole`` (row, column, spans).

PAGE stores points as non-negative integers, so coordinates are rounded and clipped to the
page. Characters XML cannot hold (control characters) are dropped, and how many is said in
the ``Metadata/Comments``. Written with lxml; valid against the official schema (the tests
check every fixture and generated results against it).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from typing import Any

from ..geometry import Quad
from ..model import Line, OcrResult, Page

NAMESPACE = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
SCHEMA_LOCATION = f"{NAMESPACE} {NAMESPACE}/pagecontent.xsd"
#: Characters XML 1.0 cannot hold: control characters (tab, newline and return are kept) and the non-characters.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _Writer:
    def __init__(self, page: Page, etree: Any) -> None:
        self.etree = etree  # lxml, imported when a document is written: not when the formats are listed
        self.page = page
        self.dropped = 0
        self.width = max(page.width, 1)
        self.height = max(page.height, 1)

    def text(self, value: str) -> str:
        clean, n = _UNSAFE.subn("", value)
        self.dropped += n
        return clean

    def points(self, quads: Iterable[Quad]) -> str:
        """The quads' points, rounded and clipped to the page (PAGE holds non-negative integers)."""
        out = []
        for quad in quads:
            for x, y in quad.points:
                px = min(max(round(x), 0), self.width - 1) if self.page.width else max(round(x), 0)
                py = min(max(round(y), 0), self.height - 1) if self.page.height else max(round(y), 0)
                out.append(f"{px},{py}")
        return " ".join(out)

    def sub(self, parent: Any, tag: str, **attrs: str) -> Any:
        return self.etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attrs)

    def coords(self, parent: Any, quad: Quad) -> None:
        self.sub(parent, "Coords", points=self.points([quad]))

    def equiv(self, parent: Any, text: str, confidence: float | None) -> None:
        attrs = {} if confidence is None else {"conf": f"{confidence:.4f}"}
        unicode = self.sub(self.sub(parent, "TextEquiv", **attrs), "Unicode")
        unicode.text = self.text(text)

    def line(self, parent: Any, line: Line, ident: str) -> None:
        element = self.sub(parent, "TextLine", id=ident)
        self.coords(element, line.quad)
        for k, word in enumerate(line.words):
            w = self.sub(element, "Word", id=f"{ident}w{k}")
            self.coords(w, word.quad)
            self.equiv(w, word.text, word.confidence)
        self.equiv(element, line.text, line.confidence)


def to_page_xml(result: OcrResult, *, page: int = 0, image_filename: str | None = None) -> str:
    """Page ``page`` of ``result`` as a PAGE-XML document (text)."""
    if not result.pages:
        raise ValueError("the result has no page to write")
    if not 0 <= page < len(result.pages):
        raise ValueError(f"page {page} is not in the result (pages 0..{len(result.pages) - 1}); PAGE-XML holds one page a file")
    from lxml import etree

    the_page = result.pages[page]
    w = _Writer(the_page, etree)
    nsmap = {None: NAMESPACE, "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
    root = etree.Element(f"{{{NAMESPACE}}}PcGts", nsmap=nsmap)
    root.set("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation", SCHEMA_LOCATION)
    meta = w.sub(root, "Metadata")
    w.sub(meta, "Creator").text = f"unified-ocr ({result.engine})"
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    w.sub(meta, "Created").text = now
    w.sub(meta, "LastChange").text = now
    comments = w.sub(meta, "Comments")
    source = image_filename or str(result.meta.get("source") or "image")
    element = w.sub(root, "Page", imageFilename=w.text(source), imageWidth=str(the_page.width), imageHeight=str(the_page.height))
    blocks = [(block, lines) for block, lines in the_page.iter_blocks() if lines]
    regions = [f"r{k}" for k in range(len(blocks))] + [f"t{k}" for k in range(len(the_page.tables))]
    if regions:
        group = w.sub(w.sub(element, "ReadingOrder"), "OrderedGroup", id="ro")
        for k, region in enumerate(regions):
            w.sub(group, "RegionRefIndexed", index=str(k), regionRef=region)
    for k, (block, lines) in enumerate(blocks):
        region = w.sub(element, "TextRegion", id=f"r{k}")
        quad = block.quad if block.quad is not None else lines[0].quad.union(*(line.quad for line in lines[1:]))
        w.coords(region, quad)
        for j, line in enumerate(lines):
            w.line(region, line, f"r{k}l{j}")
        w.equiv(region, "\n".join(line.text for line in lines), None)
    for k, table in enumerate(the_page.tables):
        cells = [c for c in table.cells if c.quad is not None or c.lines]
        table_quad = table.quad or (Quad.enclosing([c.quad for c in cells if c.quad is not None]) if any(c.quad for c in cells) else None)
        if table_quad is None:
            continue
        region = w.sub(element, "TableRegion", id=f"t{k}", rows=str(max((c.row + c.row_span for c in table.cells), default=0)),
                       columns=str(max((c.col + c.col_span for c in table.cells), default=0)))  # fmt: skip
        w.coords(region, table_quad)
        for j, cell in enumerate(cells):
            cell_quad = cell.quad or cell.lines[0].quad.union(*(line.quad for line in cell.lines[1:]))
            text_region = w.sub(region, "TextRegion", id=f"t{k}c{j}")
            w.coords(text_region, cell_quad)
            w.sub(w.sub(text_region, "Roles"), "TableCellRole", rowIndex=str(cell.row), columnIndex=str(cell.col),
                  rowSpan=str(cell.row_span), colSpan=str(cell.col_span))  # fmt: skip
            for i, line in enumerate(cell.lines):
                w.line(text_region, line, f"t{k}c{j}l{i}")
            w.equiv(text_region, cell.text, cell.confidence)
    comments.text = f"{w.dropped} control character(s) dropped" if w.dropped else "written by unified-ocr"
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode("utf-8")
