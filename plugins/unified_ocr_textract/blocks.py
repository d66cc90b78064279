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
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from unified_ocr import Block, Cell, Field, Line, Quad, Table, Word
from unified_ocr.engines.responses import FLOATS, ResponseReader, four_points
from unified_ocr.geometry import NonFiniteQuadError, checked_quad
from unified_ocr.model import checked_word

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
            block_id, page = block.get("Id"), block.get("Page", 1)
            if not (type(block_id) is str and type(block.get("BlockType")) is str and type(page) is int and 1 <= page <= MAX_PAGES):
                at = f"Blocks[{k}]"  # the strict reading, which says what is wrong and where
                block_id = read.string(block_id, f"{at}.Id")
                read.string(block.get("BlockType"), f"{at}.BlockType")
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
        found = _plain_ids(block.get("Relationships"), relation)
        if found is not None:
            return found
        found = []
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


def _plain_ids(relationships: Any, relation: str) -> list[str] | None:
    """The ids of well-formed relationships, read without building a path for each value;
    ``None`` for anything else, which :meth:`Document.ids` then reads strictly and explains."""
    if relationships is None:
        return []
    if type(relationships) is not list:
        return None
    found: list[str] = []
    for rel in relationships:
        if type(rel) is not dict:
            return None
        if rel.get("Type") == relation:
            ids = rel.get("Ids")
            if ids is None:
                continue
            if type(ids) is not list or not all(type(i) is str for i in ids):
                return None
            found += ids
    return found


class Geometry:
    """Normalised geometry to pixels of one page's ``size``; confidences to 0..1."""

    def __init__(self, size: tuple[int, int], read: ResponseReader) -> None:
        self.width, self.height = size
        self.read = read
        #: each WORD block read once (a table's cells name the words its lines hold): by the block's identity
        self.words: dict[int, Word] = {}

    def plain_quad(self, block: Block_) -> Quad | None:
        """A polygon of four well-formed points, read without building a path for each value
        (pages have thousands); ``None`` for anything else, which :meth:`quad` reads strictly."""
        geometry = block.get("Geometry")
        # floats only: an integer is read strictly (a float's range decides it)
        found = four_points(geometry.get("Polygon") if type(geometry) is dict else None, "X", "Y", FLOATS)
        if found is None:
            return None
        x0, y0, x1, y1, x2, y2, x3, y3 = found
        w, h = self.width, self.height
        try:  # a NaN or infinite point: the strict reading says which
            return checked_quad(x0 * w, y0 * h, x1 * w, y1 * h, x2 * w, y2 * h, x3 * w, y3 * h)
        except NonFiniteQuadError:
            return None

    def quad(self, block: Block_, at: str | Callable[[], str] | None = None) -> Quad:
        """The block's polygon (its order kept), else its bounding box. ``at`` names the block
        in a message (by default its type and id): a function that makes the name is called only
        when one is needed."""
        quad = self.plain_quad(block)
        if quad is not None:
            return quad
        at = _at(block) if at is None else at() if callable(at) else at
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

    def confidence(self, block: Block_, at: str | Callable[[], str] | None = None) -> float | None:
        value = block.get("Confidence")
        if value is None:
            return None
        if type(value) is not float or not -_INF < value < _INF:
            at = _at(block) if at is None else at() if callable(at) else at
            value = self.read.number(value, f"{at}.Confidence")
        return min(1.0, max(0.0, value / 100.0))


_INF = float("inf")


def _at(block: Block_) -> str:
    return f"{block['BlockType']} {block['Id']!r}"


def word(block: Block_, geo: Geometry) -> Word:
    """A WORD block: its text, polygon and confidence; where it names the block, a message
    builds the name only when it is raised (a page has thousands of words)."""
    found = geo.words.get(id(block))
    if found is not None:
        return found
    text = block.get("Text", "")
    if type(text) is not str:
        text = geo.read.string(text, f"{_at(block)}.Text")
    found = geo.words[id(block)] = checked_word(text, geo.quad(block), geo.confidence(block))
    return found


def _cell_lines(doc: Document, members: Sequence[Block_], geo: Geometry) -> list[Line]:
    """The words of ``members`` (cells), one line per Textract line they belong to, in order."""
    groups: dict[str | None, list[Word]] = {}
    for member in members:
        for child in doc.children(member, "WORD"):
            groups.setdefault(doc.line_of(child["Id"]) or child["Id"], []).append(word(child, geo))
    return [Line.from_words(words) for words in groups.values()]


def _index(block: Block_, key: str, doc: Document) -> int:
    value = block.get(key)
    if type(value) is int and value >= 1:
        return value
    value = doc.read.count(value, f"{_at(block)}.{key}")
    if value < 1:
        raise doc.read.fail(f"{_at(block)}.{key}", "a whole number from 1", value)
    return value


def _span(block: Block_, key: str, doc: Document) -> int:
    value = block.get(key, 1)
    if type(value) is int and value >= 1:
        return value
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
                _cell_lines(doc, members, geo), geo.quad(block), geo.confidence(block),
            ))  # fmt: skip
        built.sort(key=lambda c: (c.row, c.col))
        found.append(Table(built, geo.quad(table), geo.confidence(table)))
    return found


def _text(doc: Document, block: Block_) -> str:
    texts = [w.get("Text", "") for w in doc.children(block, "WORD")]
    if all(type(text) is str for text in texts):
        return " ".join(texts)
    return " ".join(doc.read.string(w.get("Text", ""), f"{_at(w)}.Text") for w in doc.children(block, "WORD"))


def fields(doc: Document, page: int, geo: Geometry) -> list[Field]:
    """Key-value pairs, signatures and query answers as named fields, in the answer's order."""
    found = []
    for block in doc.pages.get(page, ()):
        kind = block["BlockType"]
        if kind == "KEY_VALUE_SET" and "KEY" in (block.get("EntityTypes") or ()):
            found.append(_key_value(doc, block, geo))
        elif kind == "SIGNATURE":
            found.append(Field("signature", "text", "", geo.quad(block), geo.confidence(block)))
        elif kind == "QUERY":
            found.extend(_query(doc, block, geo))
    return found


def _key_value(doc: Document, key: Block_, geo: Geometry) -> Field:
    name = _text(doc, key)
    values = doc.children(key, "KEY_VALUE_SET", relation="VALUE")
    value = values[0] if values else None
    if value is None:
        return Field(name, "text", "", geo.quad(key), geo.confidence(key))
    marks = doc.children(value, "SELECTION_ELEMENT")
    text = _text(doc, value)
    quad = geo.quad(value)
    confidence = geo.confidence(key)  # Textract gives the pair one confidence, on both blocks
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
    quad = geo.quad(answer) if isinstance(answer.get("Geometry"), dict) else None
    return [Field(str(name), "text", text, quad, geo.confidence(answer))]


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
            blocks.append(Block(start, len(ordered), geo.quad(block), kind))  # type: ignore[arg-type]
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
