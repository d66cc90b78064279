"""PAGE-XML (2019-07-15): the ground-truth format of OCR-D and of transcription editors.

One page per document, as the schema has it (``page=N`` picks one of a multi-page result).
Blocks become ``TextRegion``\\ s in reading order (with a ``ReadingOrder``), lines
``TextLine``\\ s, words ``Word``\\ s, each with its ``Coords`` and a ``TextEquiv`` (``conf``
where the engine gives a confidence); tables become ``TableRegion``\\ s with a ``TextRegion``
per cell carrying its ``TableCellRole`` (row, column, spans). Named fields are key-value
``Labels`` of the page (``externalModel="unified-ocr field"``, the name as ``externalId``,
labels ``text``, ``value``, ``kind``, ``checked``, ``confidence``), and a field with a place
has a ``TextRegion`` of type ``other`` that its ``region`` label points at.

PAGE stores points as non-negative integers on the image's pixels, so coordinates are
rounded and clipped to the page. Characters XML cannot hold (control characters) are
dropped, and how many is said in the ``Metadata/Comments``. Written with lxml; valid against
the official schema (the tests check every fixture and generated results against it).

:func:`read_page_xml` reads PAGE (this export's or an editor's, any version) back into a result.
"""

from __future__ import annotations

import re
import time
from typing import Any

from ..errors import MalformedDocumentError
from ..geometry import Quad
from ..model import Block, Cell, Field, Line, OcrResult, Page, Table, Word
from . import xmlkit
from .numbers import MAX_INDEX, MAX_SIDE, read_number

NAMESPACE = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
SCHEMA_LOCATION = f"{NAMESPACE} {NAMESPACE}/pagecontent.xsd"
FIELD_MODEL = "unified-ocr field"
#: What the namespaces of PAGE's versions start with.
NAMESPACES = "http://schema.primaresearch.org/PAGE/gts/pagecontent/"


class _Writer:
    def __init__(self, page: Page, etree: Any) -> None:
        self.etree = etree  # lxml, imported when a document is written: not when the formats are listed
        self.frame = xmlkit.Page(page.width, page.height, pixels=True)
        self.clean = xmlkit.Cleaner()

    def sub(self, parent: Any, tag: str, **attrs: str) -> Any:
        return self.etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attrs)

    def coords(self, parent: Any, quad: Quad) -> None:
        self.sub(parent, "Coords", points=" ".join(f"{int(x)},{int(y)}" for x, y in self.frame.points(quad)))

    def equiv(self, parent: Any, text: str, confidence: float | None) -> None:
        attrs = {} if confidence is None else {"conf": f"{confidence:.4f}"}
        self.sub(self.sub(parent, "TextEquiv", **attrs), "Unicode").text = self.clean(text)

    def line(self, parent: Any, line: Line, ident: str) -> None:
        element = self.sub(parent, "TextLine", id=ident)
        self.coords(element, line.quad)
        for k, word in enumerate(line.words):
            w = self.sub(element, "Word", id=f"{ident}w{k}")
            self.coords(w, word.quad)
            self.equiv(w, word.text, word.confidence)
        self.equiv(element, line.text, line.confidence)

    def labels(self, parent: Any, field: Field, region: str | None) -> None:
        group = self.sub(parent, "Labels", externalModel=FIELD_MODEL, externalId=self.clean(field.name))
        values = {"text": field.text, "value": field.value, "kind": field.kind, "region": region,
                  "checked": None if field.checked is None else str(field.checked).lower(),
                  "confidence": None if field.confidence is None else f"{field.confidence:.4f}"}  # fmt: skip
        for kind, value in values.items():
            if value is not None:
                self.sub(group, "Label", type=kind, value=self.clean(value))


def to_page_xml(result: OcrResult, *, page: int | None = None, image_filename: str | None = None) -> str:
    """Page ``page`` of ``result`` as a PAGE-XML document (text); ``page`` may be left out of a
    one-page result. (The commands write a file per page: ``NAME.p2.page.xml``.)"""
    if not result.pages:
        raise ValueError("the result has no page to write")
    if page is None:
        if len(result.pages) > 1:
            raise ValueError(f"PAGE-XML holds one page a file and the result has {len(result.pages)}: "
                             f"pass page=N (0..{len(result.pages) - 1}), once per page")  # fmt: skip
        page = 0
    if not 0 <= page < len(result.pages):
        raise ValueError(f"page {page} is not in the result (pages 0..{len(result.pages) - 1}); PAGE-XML holds one page a file")
    from lxml import etree

    the_page = result.pages[page]
    w = _Writer(the_page, etree)
    root = etree.Element(f"{{{NAMESPACE}}}PcGts", nsmap={None: NAMESPACE, "xsi": "http://www.w3.org/2001/XMLSchema-instance"})
    root.set("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation", SCHEMA_LOCATION)
    meta = w.sub(root, "Metadata")
    w.sub(meta, "Creator").text = f"unified-ocr ({result.engine})"
    created = str(result.meta.get("created") or time.strftime("%Y-%m-%dT%H:%M:%S"))  # kept: a round trip gives the same file
    w.sub(meta, "Created").text = created
    w.sub(meta, "LastChange").text = created
    comments = w.sub(meta, "Comments")
    source = image_filename or str(result.meta.get("source") or "image")
    element = w.sub(root, "Page", imageFilename=w.clean(source), imageWidth=str(the_page.width), imageHeight=str(the_page.height))
    blocks = [(block, lines) for block, lines in the_page.iter_blocks() if lines]
    regions = [f"r{k}" for k in range(len(blocks))] + [f"t{k}" for k in range(len(the_page.tables))]
    if regions:
        group = w.sub(w.sub(element, "ReadingOrder"), "OrderedGroup", id="ro")
        for k, region in enumerate(regions):
            w.sub(group, "RegionRefIndexed", index=str(k), regionRef=region)
    for k, field in enumerate(the_page.fields):
        w.labels(element, field, f"f{k}" if field.quad is not None else None)
    for k, (block, lines) in enumerate(blocks):
        region = w.sub(element, "TextRegion", id=f"r{k}")
        w.coords(region, block.quad if block.quad is not None else lines[0].quad.union(*(line.quad for line in lines[1:])))
        for j, line in enumerate(lines):
            w.line(region, line, f"r{k}l{j}")
        w.equiv(region, "\n".join(line.text for line in lines), None)
    for k, table in enumerate(the_page.tables):
        _table(w, element, table, f"t{k}")
    for k, field in enumerate(the_page.fields):
        if field.quad is not None:
            region = w.sub(element, "TextRegion", id=f"f{k}", type="other")
            w.coords(region, field.quad)
            w.equiv(region, field.text, field.confidence)
    comments.text = f"{w.clean.dropped} control character(s) dropped" if w.clean.dropped else "written by unified-ocr"
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def _table(w: _Writer, parent: Any, table: Table, ident: str) -> None:
    cells = [c for c in table.cells if c.quad is not None or c.lines]
    quads = [c.quad if c.quad is not None else c.lines[0].quad.union(*(x.quad for x in c.lines[1:])) for c in cells]
    table_quad = table.quad or (Quad.enclosing(quads, angle=quads[0].angle) if quads else None)
    if table_quad is None:
        return
    region = w.sub(parent, "TableRegion", id=ident, rows=str(table.n_rows), columns=str(table.n_cols))
    w.coords(region, table_quad)
    for j, (cell, quad) in enumerate(zip(cells, quads)):
        text_region = w.sub(region, "TextRegion", id=f"{ident}c{j}")
        w.coords(text_region, quad)
        w.sub(w.sub(text_region, "Roles"), "TableCellRole", rowIndex=str(cell.row), columnIndex=str(cell.col),
              rowSpan=str(cell.row_span), colSpan=str(cell.col_span))  # fmt: skip
        for i, line in enumerate(cell.lines):
            w.line(text_region, line, f"{ident}c{j}l{i}")
        w.equiv(text_region, cell.text, cell.confidence)


# -- reading back ------------------------------------------------------------------------


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, element: Any, problem: str) -> MalformedDocumentError:
        return MalformedDocumentError(f"{xmlkit.where(self.source, element.sourceline)}: {problem}")

    def quad(self, element: Any) -> Quad | None:
        coords = xmlkit.child(element, "Coords")
        if coords is None:
            return None
        points = xmlkit.parse_points(coords.get("points") or "", self.source, coords.sourceline)
        return xmlkit.quad_from_points(points, self.source, coords.sourceline) if points else None

    def equiv(self, element: Any) -> tuple[str | None, float | None]:
        """The element's first ``TextEquiv`` (its ``index`` 0 when there are several): text and conf."""
        equivs = list(xmlkit.children(element, "TextEquiv"))
        if not equivs:
            return None, None
        equiv = min(equivs, key=lambda e: int(e.get("index", "0")) if e.get("index", "0").lstrip("-").isdigit() else 0)
        unicode = xmlkit.child(equiv, "Unicode")
        conf = equiv.get("conf")
        confidence = None if conf is None else read_number(conf, "conf", self.source, equiv.sourceline, low=0.0, high=1.0)
        return (unicode.text or "") if unicode is not None else "", confidence

    def lines(self, region: Any) -> list[Line]:
        out = []
        for element in xmlkit.children(region, "TextLine"):
            quad = self.quad(element)
            if quad is None:
                raise self.fail(element, "a TextLine has no Coords")
            words = []
            for word in xmlkit.children(element, "Word"):
                word_quad = self.quad(word)
                if word_quad is None:
                    raise self.fail(word, "a Word has no Coords")
                text, confidence = self.equiv(word)
                words.append(Word(text or "", word_quad, confidence))
            text, confidence = self.equiv(element)
            out.append(Line(text if text is not None else " ".join(w.text for w in words), quad, tuple(words), confidence))
        return out

    def table(self, region: Any) -> Table:
        cells = []
        for k, cell in enumerate(xmlkit.children(region, "TextRegion")):
            roles = xmlkit.child(cell, "Roles")
            role = xmlkit.child(roles, "TableCellRole") if roles is not None else None
            place = [int(read_number(role.get(name, default), f"a TableCellRole's {name}", self.source, role.sourceline,
                                     low=0, high=MAX_INDEX, whole=True)) for name, default in
                     (("rowIndex", k), ("columnIndex", 0), ("rowSpan", 1), ("colSpan", 1))] if role is not None else [k, 0, 1, 1]  # fmt: skip
            _, confidence = self.equiv(cell)
            cells.append(Cell(place[0], place[1], max(place[2], 1), max(place[3], 1), tuple(self.lines(cell)), self.quad(cell), confidence))
        return Table(tuple(cells), self.quad(region))

    def page(self, element: Any) -> Page:
        width, height = (int(read_number(element.get(name, "0"), name, self.source, element.sourceline, low=0, high=MAX_SIDE,
                                         whole=True)) for name in ("imageWidth", "imageHeight"))  # fmt: skip
        regions = {e.get("id"): e for e in element.iter() if xmlkit.local(e) in ("TextRegion", "TableRegion") and e.get("id")}
        fields, field_regions = self.fields(element, regions)
        ordered = [regions[r] for r in _reading_order(element) if r in regions]
        seen = set(map(id, ordered))
        ordered += [e for e in regions.values() if id(e) not in seen]  # regions the order leaves out, in file order
        lines: list[Line] = []
        blocks: list[Block] = []
        tables: list[Table] = []
        for region in ordered:
            if region.get("id") in field_regions or _inside_table(region):
                continue
            if xmlkit.local(region) == "TableRegion":
                tables.append(self.table(region))
                continue
            found = self.lines(region)
            if found:
                blocks.append(Block(len(lines), len(lines) + len(found), self.quad(region)))
                lines.extend(found)
        return Page(0, width, height, tuple(lines), tuple(tables), tuple(fields), tuple(blocks))

    def fields(self, page: Any, regions: dict[str, Any]) -> tuple[list[Field], set[str]]:
        fields, used = [], set()
        for group in xmlkit.children(page, "Labels"):
            if group.get("externalModel") != FIELD_MODEL:
                continue
            labels = {label.get("type"): label.get("value", "") for label in xmlkit.children(group, "Label")}
            region = regions.get(labels.get("region") or "")
            if region is not None:
                used.add(labels["region"])
            confidence = None if "confidence" not in labels else read_number(
                labels["confidence"], "a field's confidence", self.source, group.sourceline, low=0.0, high=1.0)
            kind = labels.get("kind", "text")
            fields.append(Field(
                group.get("externalId", ""), kind if kind in ("text", "multi_box", "checkbox") else "text",  # type: ignore[arg-type]
                labels.get("text", ""), self.quad(region) if region is not None else None, confidence,
                {"true": True, "false": False}.get(labels.get("checked", "")), value=labels.get("value"),
            ))  # fmt: skip
        return fields, used


def _inside_table(region: Any) -> bool:
    parent = region.getparent()
    return parent is not None and xmlkit.local(parent) == "TableRegion"


def _reading_order(page: Any) -> list[str]:
    """The region ids of the page's ``ReadingOrder``, indexed groups sorted by ``index``."""
    order = xmlkit.child(page, "ReadingOrder")

    def walk(group: Any) -> list[str]:
        items = [e for e in group if isinstance(e.tag, str) and ("regionRef" in e.attrib or xmlkit.local(e).endswith("Group")
                                                                   or xmlkit.local(e).endswith("Indexed"))]  # fmt: skip
        if all(e.get("index", "").isdigit() for e in items):
            items.sort(key=lambda e: int(e.get("index")))
        out = []
        for e in items:
            if e.get("regionRef"):
                out.append(e.get("regionRef"))
            out.extend(walk(e))
        return out

    return walk(order) if order is not None else []


def read_page_xml(data: str | bytes, source: str = "<page>") -> OcrResult:
    """A PAGE-XML document (any version) back into a one-page result.

    A document that is not well-formed or has no ``Page`` raises
    :class:`~unified_ocr.errors.MalformedDocumentError` naming ``source`` and the line.
    """
    root = xmlkit.parse_xml(data, source, "PAGE-XML")
    if xmlkit.local(root) != "PcGts":
        raise MalformedDocumentError(f"{source}: the root element is <{xmlkit.local(root)}>, not <PcGts>, so not PAGE-XML")
    xmlkit.check_namespace(root, source, "PAGE-XML", (NAMESPACES,))
    page = xmlkit.child(root, "Page")
    if page is None:
        raise MalformedDocumentError(f"{source}: no Page element")
    creator = next((e.text or "" for e in root.iter() if xmlkit.local(e) == "Creator"), "")
    created = next((e.text for e in root.iter() if xmlkit.local(e) == "Created" and e.text), None)
    ours = re.fullmatch(r"unified-ocr \((.+)\)", creator.strip())
    meta: dict[str, Any] = {"format": "page"}
    if page.get("imageFilename"):
        meta["source"] = page.get("imageFilename")
    if created:
        meta["created"] = created
    return OcrResult(ours.group(1) if ours else "page", (_Reader(source).page(page),), meta=meta)
