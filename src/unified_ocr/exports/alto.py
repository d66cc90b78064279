"""ALTO 4.4: the layout format of digital libraries and their search indexes.

Pixel units; one ``Page`` per page (``PHYSICAL_IMG_NR`` from 1) with a ``PrintSpace`` over the
whole image; a ``TextBlock`` per block, ``TextLine``\\ s, and a ``String`` per word with
``CONTENT``, ``WC`` (0-1, where the engine gives a confidence) and ``HPOS``/``VPOS``/
``WIDTH``/``HEIGHT``; ``SP`` between words that the line's text spaces apart. A quad that is
not its own upright box is kept whole as a ``Shape``/``Polygon``, and a turned block carries
its ``ROTATION`` (degrees counterclockwise). Tables become ``ComposedBlock TYPE="table"``
with a ``TextBlock`` per cell, whose ``ID`` holds its place: ``p1_t1_r0_c2_rs1_cs2`` is row 0,
column 2, one row high, two columns wide (ALTO has no cells of its own). Coordinates keep
three decimals and are clipped to the page. Named fields and line confidences have no place.

:func:`read_alto` reads ALTO in pixel units back into a result (this export's, or another
tool's: blocks in margins and composed blocks are read in document order).
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import MalformedDocumentError
from ..geometry import Quad
from ..model import Block, Cell, Line, OcrResult, Page, Table, Word
from . import xmlkit
from .numbers import MAX_COORDINATE, MAX_INDEX, MAX_SIDE, read_number

NAMESPACE = "http://www.loc.gov/standards/alto/ns-v4#"
SCHEMA_LOCATION = f"{NAMESPACE} http://www.loc.gov/alto/v4/alto-4-4.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_CELL_ID = re.compile(r"p\d+_t\d+_r(\d{1,6})_c(\d{1,6})_rs(\d{1,6})_cs(\d{1,6})")
#: The namespaces of ALTO's versions (the Library of Congress's, and version 1's before it).
NAMESPACES = ("http://www.loc.gov/standards/alto/", "http://schema.ccs-gmbh.com/ALTO")
#: What each numeric attribute may hold; any other is a coordinate.
_RANGES = {"WIDTH": (0.0, MAX_COORDINATE), "HEIGHT": (0.0, MAX_COORDINATE), "ROTATION": (-360.0, 360.0),
           "WC": (0.0, 1.0), "PHYSICAL_IMG_NR": (0.0, MAX_INDEX)}  # fmt: skip


class _Writer:
    def __init__(self, etree: Any, lang: str | None) -> None:
        self.etree = etree
        self.clean = xmlkit.Cleaner()
        self.lang = lang

    def sub(self, parent: Any, tag: str, **attrs: str) -> Any:
        return self.etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attrs)

    def placed(self, parent: Any, tag: str, frame: xmlkit.Page, quad: Quad, turn: float = 0.0, **attrs: str) -> Any:
        """An element with its box, and its quad as a polygon where the box turned by ``turn``
        (its block's ROTATION, which a reader applies) does not say it all."""
        x0, y0, x1, y1 = frame.box(quad)
        box = {"HPOS": x0, "VPOS": y0, "WIDTH": x1 - x0, "HEIGHT": y1 - y0}
        element = self.sub(parent, tag, **attrs, **{k: xmlkit.number(v) for k, v in box.items()})
        if not frame.is_box(quad, turn):
            points = " ".join(f"{xmlkit.number(x)},{xmlkit.number(y)}" for x, y in frame.points(quad))
            self.sub(self.sub(element, "Shape"), "Polygon", POINTS=points)
        return element

    def block(self, parent: Any, frame: xmlkit.Page, quad: Quad, ident: str, lines: tuple[Line, ...]) -> None:
        attrs = {"ID": ident}
        turn = xmlkit.rotation(Quad(frame.points(quad)))
        if turn:
            attrs["ROTATION"] = xmlkit.number(turn)
        if self.lang:
            attrs["LANG"] = self.lang
        element = self.placed(parent, "TextBlock", frame, quad, turn, **attrs)
        for k, line in enumerate(lines, 1):
            self.line(element, frame, line, f"{ident}_l{k}", turn)

    def line(self, parent: Any, frame: xmlkit.Page, line: Line, ident: str, turn: float) -> None:
        element = self.placed(parent, "TextLine", frame, line.quad, turn, ID=ident)
        words = line.words or (Word(line.text, line.quad, line.confidence),)  # ALTO's lines hold strings
        spaced = not (len(words) > 1 and line.text == "".join(w.text for w in words))
        for k, word in enumerate(words, 1):
            if k > 1 and spaced:
                self.sub(element, "SP")
            attrs = {"ID": f"{ident}_w{k}", "CONTENT": self.clean(word.text)}
            if word.confidence is not None:
                attrs["WC"] = xmlkit.number(word.confidence, 4)
            self.placed(element, "String", frame, word.quad, turn, **attrs)


def to_alto(result: OcrResult, *, image_filename: str | None = None) -> str:
    """``result`` as one ALTO 4.4 document (text), every page in it."""
    from lxml import etree

    langs = xmlkit.languages(result.meta.get("lang"))
    w = _Writer(etree, langs[0] if len(langs) == 1 else None)
    root = etree.Element(f"{{{NAMESPACE}}}alto", nsmap={None: NAMESPACE, "xlink": "http://www.w3.org/1999/xlink", "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    description = w.sub(root, "Description")
    w.sub(description, "MeasurementUnit").text = "pixel"
    source = image_filename or str(result.meta.get("source") or "")
    if source:
        w.sub(w.sub(description, "sourceImageInformation"), "fileName").text = w.clean(source)
    step = w.sub(w.sub(description, "Processing", ID="processing_1"), "processingStepDescription")
    software = w.sub(description[-1], "processingSoftware")
    w.sub(software, "softwareName").text = "unified-ocr"
    w.sub(software, "softwareVersion").text = xmlkit.version()
    layout = w.sub(root, "Layout")
    for p, page in enumerate(result.pages, 1):
        frame = xmlkit.Page(page.width, page.height, digits=None)
        element = w.sub(layout, "Page", ID=f"p{p}", PHYSICAL_IMG_NR=str(page.index + 1),
                        WIDTH=str(max(page.width, 0)), HEIGHT=str(max(page.height, 0)))  # fmt: skip
        space = w.sub(element, "PrintSpace", HPOS="0", VPOS="0", WIDTH=str(max(page.width, 0)), HEIGHT=str(max(page.height, 0)))
        for b, (block, lines) in enumerate(page.iter_blocks(), 1):
            quad = block.quad if block.quad is not None else lines[0].quad.union(*(line.quad for line in lines[1:]))
            w.block(space, frame, quad, f"p{p}_b{b}", lines)
        for t, table in enumerate(page.tables, 1):
            cells = [c for c in table.cells if c.quad is not None or c.lines]
            quads = [c.quad if c.quad is not None else c.lines[0].quad.union(*(x.quad for x in c.lines[1:])) for c in cells]
            if not cells:
                continue
            composed = w.placed(space, "ComposedBlock", frame, table.quad or Quad.enclosing(quads, angle=quads[0].angle),
                                ID=f"p{p}_t{t}", TYPE="table")  # fmt: skip
            for cell, quad in zip(cells, quads):
                w.block(composed, frame, quad, f"p{p}_t{t}_r{cell.row}_c{cell.col}_rs{cell.row_span}_cs{cell.col_span}", cell.lines)
    step.text = f"recognised by {result.engine}" + (f"; {w.clean.dropped} control character(s) dropped" if w.clean.dropped else "")
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode("utf-8")


# -- reading back ------------------------------------------------------------------------


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, element: Any, problem: str) -> MalformedDocumentError:
        return MalformedDocumentError(f"{xmlkit.where(self.source, element.sourceline)}: {problem}")

    def number(self, element: Any, name: str, default: float | None = None) -> float:
        """An attribute's number, finite and in its range (:data:`_RANGES`), or the document is refused."""
        value = element.get(name)
        if value is None:
            if default is None:
                raise self.fail(element, f"{xmlkit.local(element)} has no {name}")
            return default
        low, high = _RANGES.get(name, (-MAX_COORDINATE, MAX_COORDINATE))
        return read_number(value, name, self.source, element.sourceline, low=low, high=high)

    def quad(self, element: Any, turn: float) -> Quad:
        shape = xmlkit.child(element, "Shape")
        polygon = xmlkit.child(shape, "Polygon") if shape is not None else None
        if polygon is not None:
            points = xmlkit.parse_points(polygon.get("POINTS", ""), self.source, polygon.sourceline)
            return xmlkit.quad_from_points(points, self.source, polygon.sourceline)
        x, y = self.number(element, "HPOS"), self.number(element, "VPOS")
        return xmlkit.turned_box(x, y, x + self.number(element, "WIDTH"), y + self.number(element, "HEIGHT"), turn)

    def lines(self, block: Any) -> list[Line]:
        turn = self.number(block, "ROTATION", 0.0)
        out = []
        for element in xmlkit.children(block, "TextLine"):
            words: list[Word] = []
            parts: list[str] = []
            for item in element:
                name = xmlkit.local(item)
                if name == "String":
                    confidence = None if item.get("WC") is None else self.number(item, "WC")
                    words.append(Word(item.get("CONTENT", ""), self.quad(item, turn), confidence))
                    parts.append(words[-1].text)
                elif name == "SP" and parts:
                    parts.append(" ")
                elif name == "HYP" and parts:
                    parts.append(item.get("CONTENT", ""))
            quad = self.quad(element, turn)
            if not words:
                continue
            out.append(Line("".join(parts).strip(), quad, tuple(words)))
        return out

    def page(self, element: Any, order: int) -> Page:
        index = max(int(self.number(element, "PHYSICAL_IMG_NR", order + 1)) - 1, 0)
        width, height = (int(read_number(element.get(name, "0"), f"the Page's {name}", self.source, element.sourceline,
                                         low=0, high=MAX_SIDE)) for name in ("WIDTH", "HEIGHT"))  # fmt: skip
        lines: list[Line] = []
        blocks: list[Block] = []
        tables: list[Table] = []
        for block in (e for e in element.iter() if xmlkit.local(e) == "TextBlock"):  # any ALTO version's namespace
            parent = block.getparent()
            if xmlkit.local(parent) == "ComposedBlock" and parent.get("TYPE") == "table":
                continue
            found = self.lines(block)
            if found:
                blocks.append(Block(len(lines), len(lines) + len(found), self.quad(block, self.number(block, "ROTATION", 0.0))))
                lines.extend(found)
        for composed in element.iter():
            if xmlkit.local(composed) == "ComposedBlock" and composed.get("TYPE") == "table":
                tables.append(self.table(composed))
        return Page(index, width, height, tuple(lines), tuple(tables), blocks=tuple(blocks))

    def table(self, composed: Any) -> Table:
        cells = []
        for k, block in enumerate(xmlkit.children(composed, "TextBlock")):
            match = _CELL_ID.fullmatch(block.get("ID", ""))
            row, col, rows, cols = (int(v) for v in match.groups()) if match else (k, 0, 1, 1)
            quad = self.quad(block, self.number(block, "ROTATION", 0.0))
            cells.append(Cell(row, col, max(rows, 1), max(cols, 1), tuple(self.lines(block)), quad))
        return Table(tuple(cells), self.quad(composed, 0.0))


def read_alto(data: str | bytes, source: str = "<alto>") -> OcrResult:
    """An ALTO document (versions 2 to 4, pixel units) back into a result.

    A document that is not well-formed, is not ALTO, or measures in other units raises
    :class:`~unified_ocr.errors.MalformedDocumentError` naming ``source`` and the line.
    """
    root = xmlkit.parse_xml(data, source, "ALTO")
    if xmlkit.local(root) != "alto":
        raise MalformedDocumentError(f"{source}: the root element is <{xmlkit.local(root)}>, not <alto>, so not ALTO")
    xmlkit.check_namespace(root, source, "ALTO", NAMESPACES)
    unit = next((e.text or "" for e in root.iter() if xmlkit.local(e) == "MeasurementUnit"), "pixel").strip()
    if unit != "pixel":
        raise MalformedDocumentError(
            f"{source}: measures in {unit!r}; only ALTO in pixel units can be read (other units need the scan's resolution)"
        )
    reader = _Reader(source)
    pages = [e for e in root.iter() if xmlkit.local(e) == "Page"]
    if not pages:
        raise MalformedDocumentError(f"{source}: no Page element in its Layout")
    meta: dict[str, Any] = {"format": "alto"}
    name = next((e.text for e in root.iter() if xmlkit.local(e) == "fileName" and e.text), None)
    if name:
        meta["source"] = name
    step = next((e.text or "" for e in root.iter() if xmlkit.local(e) == "processingStepDescription"), "")
    engine = re.match(r"recognised by ([^;]+)", step)
    langs = {e.get("LANG") for e in root.iter() if e.get("LANG")}
    if len(langs) == 1:
        meta["lang"] = langs.pop()
    return OcrResult(engine.group(1) if engine else "alto", tuple(reader.page(p, k) for k, p in enumerate(pages)), meta=meta)
