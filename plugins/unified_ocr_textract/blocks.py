"""Textract's block graph: blocks by id and page, their geometry in pixels, and what AnalyzeDocument
adds on top of the text: tables, form fields and layout.

* **Tables.** A ``TABLE``'s ``CHILD`` ids are its ``CELL``s (``RowIndex``/``ColumnIndex`` from 1,
  with spans); its ``MERGED_CELL`` ids are cells Textract joined, each naming the cells it covers.
  A merged cell becomes one model cell with its spans and the text of the cells it covers; the
  covered cells are not repeated. A cell's words (its ``CHILD`` ``WORD``s) form one line per
  Textract line they come from.
* **Forms.** A ``KEY_VALUE_SET`` whose ``EntityTypes`` hold ``KEY`` is a field named by its words;
  its ``VALUE`` relationship names the value block, whose words are the field's text. A value
  holding a ``SELECTION_ELEMENT`` is a ``checkbox`` field, ``checked`` when ``SELECTED``. A
  ``SIGNATURE`` is a field named ``signature`` with no text; a ``QUERY`` is a field named by its
  alias (else its question) whose text is its ``QUERY_RESULT``'s answer.
* **Layout.** ``LAYOUT_*`` blocks (from ``FeatureTypes=["LAYOUT"]``) name the page's lines in
  reading order: each becomes a block of those lines, ``LAYOUT_TABLE`` of kind ``table``,
  ``LAYOUT_FIGURE`` of kind ``figure`` and the others ``text``; the vendor's own type stays in
  ``meta["textract"]["pages"][i]["layout"]``. ``LAYOUT_LIST`` names its items' layout blocks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from unified_ocr import Block, Cell, Field, Line, Quad, Table, Word
from unified_ocr.engines.responses import ResponseReader

Block_ = Mapping[str, Any]

#: LAYOUT_* types and the model's block kind for each (others: "text").
#: Textract reads at most 3,000 pages of a document (asynchronous jobs); a page number or page
#: count beyond that is a damaged answer, refused before a list of that many pages is made.
MAX_PAGES = 3000
LAYOUT_KINDS = {"LAYOUT_TABLE": "table", "LAYOUT_FIGURE": "figure"}


class Document:
    """The blocks of one answer (all its result pages joined), indexed by id and by page."""

    def __init__(self, blocks: Sequence[Block_], read: ResponseReader) -> None:
        self.read = read
        self.by_id: dict[str, Block_] = {}
        self.pages: dict[int, list[Block_]] = defaultdict(list)
        for k, block in enumerate(blocks):
            at = f"Blocks[{k}]"
            block_id = read.string(block.get("Id"), f"{at}.Id")
            read.string(block.get("BlockType"), f"{at}.BlockType")
            page = block.get("Page", 1)
            if not 1 <= read.count(page, f"{at}.Page") <= MAX_PAGES:
                raise read.fail(f"{at}.Page", f"a page number from 1 to {MAX_PAGES}", page)
            self.by_id[block_id] = block
            self.pages[int(page)].append(block)
        self._parents: dict[str, str] = {}  # a word's id -> its line's id
        for block in self.by_id.values():
            if block["BlockType"] == "LINE":
                for child in self.ids(block, "CHILD"):
                    self._parents.setdefault(child, block["Id"])

    def last_page(self) -> int:
        return max(self.pages, default=0)

    def of_type(self, kind: str, page: int) -> Iterator[Block_]:
        return (b for b in self.pages.get(page, ()) if b["BlockType"] == kind)

    def ids(self, block: Block_, relation: str) -> list[str]:
        """The ids ``block`` names in its relationships of type ``relation``."""
        found: list[str] = []
        at = f"{block['BlockType']} {block['Id']!r}.Relationships"
        for k, rel in enumerate(self.read.optional_list(block, "Relationships", at.rsplit(".", 1)[0])):
            rel = self.read.object(rel, f"{at}[{k}]")
            if rel.get("Type") == relation:
                found += [self.read.string(i, f"{at}[{k}].Ids") for i in self.read.optional_list(rel, "Ids", f"{at}[{k}]")]
        return found

    def children(self, block: Block_, *kinds: str, relation: str = "CHILD") -> list[Block_]:
        """The blocks ``block`` names by ``relation``, of the given types; ids it does not hold are skipped."""
        found = (self.by_id.get(i) for i in self.ids(block, relation))
        return [b for b in found if b is not None and (not kinds or b["BlockType"] in kinds)]

    def lines(self, page: int) -> list[Block_]:
        """The page's LINE blocks in Textract's order (the PAGE block's, when it names them)."""
        lines = list(self.of_type("LINE", page))
        order = {i: k for p in self.of_type("PAGE", page) for k, i in enumerate(self.ids(p, "CHILD"))}
        if order:
            lines.sort(key=lambda b: order.get(b["Id"], len(order)))
        return lines

    def orphan_words(self, page: int) -> list[Block_]:
        return [b for b in self.of_type("WORD", page) if b["Id"] not in self._parents]

    def line_of(self, word_id: str) -> str | None:
        return self._parents.get(word_id)

    def layout(self, page: int) -> list[Block_]:
        return [b for b in self.pages.get(page, ()) if b["BlockType"].startswith("LAYOUT_")]


class Geometry:
    """Normalised geometry to pixels of one page's ``size``; confidences to 0..1."""

    def __init__(self, size: tuple[int, int], read: ResponseReader) -> None:
        self.width, self.height = size
        self.read = read

    def quad(self, block: Block_, at: str) -> Quad:
        """The block's polygon (its order kept), else its bounding box."""
        geometry = self.read.object(block.get("Geometry"), f"{at}.Geometry")
        polygon = geometry.get("Polygon")
        if isinstance(polygon, list) and len(polygon) >= 3:
            pts = [self._point(p, f"{at}.Geometry.Polygon[{k}]") for k, p in enumerate(polygon)]
            if len(pts) == 4:
                return Quad(pts)
            xs, ys = [x for x, _ in pts], [y for _, y in pts]
            return Quad.from_bbox(min(xs), min(ys), max(xs), max(ys))
        box = self.read.object(geometry.get("BoundingBox"), f"{at}.Geometry.BoundingBox")
        left = self.read.number(box.get("Left"), f"{at}.Geometry.BoundingBox.Left") * self.width
        top = self.read.number(box.get("Top"), f"{at}.Geometry.BoundingBox.Top") * self.height
        w = self.read.number(box.get("Width"), f"{at}.Geometry.BoundingBox.Width") * self.width
        h = self.read.number(box.get("Height"), f"{at}.Geometry.BoundingBox.Height") * self.height
        return Quad.from_bbox(left, top, left + w, top + h)

    def _point(self, point: Any, at: str) -> tuple[float, float]:
        point = self.read.object(point, at)
        return self.read.number(point.get("X"), f"{at}.X") * self.width, self.read.number(point.get("Y"), f"{at}.Y") * self.height

    def confidence(self, block: Block_, at: str) -> float | None:
        value = block.get("Confidence")
        if value is None:
            return None
        return min(1.0, max(0.0, self.read.number(value, f"{at}.Confidence") / 100.0))


def _at(block: Block_) -> str:
    return f"{block['BlockType']} {block['Id']!r}"


def _words(doc: Document, block: Block_, geo: Geometry) -> list[Word]:
    found = []
    for child in doc.children(block, "WORD"):
        text = doc.read.string(child.get("Text", ""), f"{_at(child)}.Text")
        found.append(Word(text, geo.quad(child, _at(child)), geo.confidence(child, _at(child))))
    return found


def _cell_lines(doc: Document, members: Sequence[Block_], geo: Geometry) -> list[Line]:
    """The words of ``members`` (cells), one line per Textract line they belong to, in order."""
    groups: dict[str | None, list[Word]] = {}
    for member in members:
        for child, word in zip(doc.children(member, "WORD"), _words(doc, member, geo)):
            groups.setdefault(doc.line_of(child["Id"]) or child["Id"], []).append(word)
    return [Line.from_words(words) for words in groups.values()]


def _index(block: Block_, key: str, doc: Document) -> int:
    value = doc.read.count(block.get(key), f"{_at(block)}.{key}")
    if value < 1:
        raise doc.read.fail(f"{_at(block)}.{key}", "a whole number from 1", value)
    return value


def _span(block: Block_, key: str, doc: Document) -> int:
    value = block.get(key, 1)
    return max(1, doc.read.count(value, f"{_at(block)}.{key}"))


def tables(doc: Document, page: int, geo: Geometry) -> list[Table]:
    """The page's tables, cell for cell; merged cells once, with their spans."""
    found = []
    for table in doc.of_type("TABLE", page):
        cells = doc.children(table, "CELL")
        merged = doc.children(table, "MERGED_CELL", relation="MERGED_CELL")
        covered = {c["Id"] for m in merged for c in doc.children(m, "CELL")}
        built = []
        for block in [*merged, *(c for c in cells if c["Id"] not in covered)]:
            members = doc.children(block, "CELL") if block["BlockType"] == "MERGED_CELL" else [block]
            built.append(Cell(
                _index(block, "RowIndex", doc) - 1, _index(block, "ColumnIndex", doc) - 1,
                _span(block, "RowSpan", doc), _span(block, "ColumnSpan", doc),
                _cell_lines(doc, members, geo), geo.quad(block, _at(block)), geo.confidence(block, _at(block)),
            ))  # fmt: skip
        built.sort(key=lambda c: (c.row, c.col))
        found.append(Table(built, geo.quad(table, _at(table)), geo.confidence(table, _at(table))))
    return found


def _text(doc: Document, block: Block_) -> str:
    return " ".join(doc.read.string(w.get("Text", ""), f"{_at(w)}.Text") for w in doc.children(block, "WORD"))


def fields(doc: Document, page: int, geo: Geometry) -> list[Field]:
    """Key-value pairs, signatures and query answers as named fields, in the answer's order."""
    found = []
    for block in doc.pages.get(page, ()):
        kind = block["BlockType"]
        if kind == "KEY_VALUE_SET" and "KEY" in (block.get("EntityTypes") or ()):
            found.append(_key_value(doc, block, geo))
        elif kind == "SIGNATURE":
            found.append(Field("signature", "text", "", geo.quad(block, _at(block)), geo.confidence(block, _at(block))))
        elif kind == "QUERY":
            found.extend(_query(doc, block, geo))
    return found


def _key_value(doc: Document, key: Block_, geo: Geometry) -> Field:
    name = _text(doc, key)
    values = doc.children(key, "KEY_VALUE_SET", relation="VALUE")
    value = values[0] if values else None
    if value is None:
        return Field(name, "text", "", geo.quad(key, _at(key)), geo.confidence(key, _at(key)))
    marks = doc.children(value, "SELECTION_ELEMENT")
    text = _text(doc, value)
    quad = geo.quad(value, _at(value))
    confidence = geo.confidence(key, _at(key))  # Textract gives the pair one confidence, on both blocks
    if marks:
        checked = marks[0].get("SelectionStatus") == "SELECTED"
        return Field(name, "checkbox", text, quad, confidence, checked)
    return Field(name, "text", text, quad, confidence)


def _query(doc: Document, block: Block_, geo: Geometry) -> list[Field]:
    query: Mapping[str, Any] = block["Query"] if isinstance(block.get("Query"), dict) else {}
    name = query.get("Alias") or query.get("Text") or "query"
    answers = doc.children(block, "QUERY_RESULT", relation="ANSWER")
    if not answers:
        return [Field(str(name))]
    answer = answers[0]
    text = doc.read.string(answer.get("Text", ""), f"{_at(answer)}.Text")
    quad = geo.quad(answer, _at(answer)) if isinstance(answer.get("Geometry"), dict) else None
    return [Field(str(name), "text", text, quad, geo.confidence(answer, _at(answer)))]


def layout_blocks(
    layout: Sequence[Block_], by_id: Mapping[str, Line], lines: Sequence[Line], geo: Geometry, doc: Document
) -> tuple[list[Line], list[Block], list[dict[str, Any]]]:
    """The page's lines in the layout's reading order, the blocks they fall into, and the layout types."""
    nested = {i for b in layout if b["BlockType"] == "LAYOUT_LIST" for i in doc.ids(b, "CHILD")}
    ordered: list[Line] = []
    blocks: list[Block] = []
    info: list[dict[str, Any]] = []
    taken: set[int] = set()

    def add(block: Block_) -> None:
        start = len(ordered)
        for child_id in doc.ids(block, "CHILD"):
            line = by_id.get(child_id)
            if line is not None and id(line) not in taken:
                taken.add(id(line))
                ordered.append(line)
        if len(ordered) > start:
            kind = LAYOUT_KINDS.get(block["BlockType"], "text")
            blocks.append(Block(start, len(ordered), geo.quad(block, _at(block)), kind))  # type: ignore[arg-type]
            info.append({"type": block["BlockType"], "start": start, "end": len(ordered)})

    for block in layout:
        if block["Id"] in nested:
            continue
        if block["BlockType"] == "LAYOUT_LIST":
            for item in doc.children(block):
                add(item)
        else:
            add(block)
    rest = [line for line in lines if id(line) not in taken]
    if rest:  # lines no layout block names: one text block at the end, in Textract's order
        blocks.append(Block(len(ordered), len(ordered) + len(rest)))
        info.append({"type": None, "start": len(ordered), "end": len(ordered) + len(rest)})
        ordered += rest
    return ordered, blocks, info
