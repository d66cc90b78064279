"""The result model every engine's output becomes: pages, lines, words, tables and fields.

All classes are frozen ``attrs`` classes with slots. Coordinates are float pixels in the
original image as displayed (EXIF applied), whatever frame the engine saw; confidence is
0..1, or ``None`` when the engine gives none (never a made-up 1.0).

Ground truth is read into the same classes (:mod:`unified_ocr.evaluation.truth`): confidence
``None``, and ``dont_care`` set on a word or line whose text nobody could read (ICDAR's ``###``),
which is scored as neither found nor missed and is no part of the page's text.

``to_dict()``/``from_dict()`` round-trip exactly through JSON; the document carries
:data:`SCHEMA` and :data:`SCHEMA_VERSION` so that readers can refuse what they do not know.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

import attrs

from .geometry import Quad, Transform

SCHEMA = "unified-ocr/result"
SCHEMA_VERSION = 2  # 2 added Page.blocks; version 1 documents are still read

FieldKind = Literal["text", "multi_box", "checkbox"]
#: What a block of lines is: running text, rows of short cells read across (a receipt's items), or a figure.
BlockKind = Literal["text", "table", "figure"]


def _words(items: Iterable[Word]) -> tuple[Word, ...]:
    return tuple(items)


def _lines(items: Iterable[Line]) -> tuple[Line, ...]:
    return tuple(items)


def _cells(items: Iterable[Cell]) -> tuple[Cell, ...]:
    return tuple(items)


def _tables(items: Iterable[Table]) -> tuple[Table, ...]:
    return tuple(items)


def _fields(items: Iterable[Field]) -> tuple[Field, ...]:
    return tuple(items)


def _blocks(items: Iterable[Block]) -> tuple[Block, ...]:
    return tuple(items)


def _pages(items: Iterable[Page]) -> tuple[Page, ...]:
    return tuple(items)


def _confidence(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    if not 0.0 <= value <= 1.0:  # NaN fails this too
        raise ValueError(f"confidence must be a number within 0..1 or None, got {value}")
    return value


def _index(value: Any) -> int:
    """A line index: an integer (numpy's too), never a bool or a float such as JSON's ``1.0``."""
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise ValueError(f"a block's start and end are line indices (integers), got {value!r}")
    return int(value)


def _quad_or_none(value: Any) -> Quad | None:
    if value is None or isinstance(value, Quad):
        return value
    return Quad(value)


def _quad(value: Any) -> Quad:
    return value if isinstance(value, Quad) else Quad(value)


def _quad_dict(quad: Quad | None) -> list[list[float]] | None:
    return None if quad is None else [list(p) for p in quad.points]


@attrs.frozen(slots=True)
class Word:
    """One recognised word (or, for engines that split no further, one character run)."""

    text: str
    quad: Quad = attrs.field(converter=_quad)
    confidence: float | None = attrs.field(default=None, converter=_confidence)
    #: ground truth only: a place with text nobody could read (ICDAR's ``###``), not scored
    dont_care: bool = False

    def mapped(self, transform: Transform) -> Word:
        return attrs.evolve(self, quad=self.quad.mapped(transform))

    def to_dict(self) -> dict[str, Any]:
        d = {"text": self.text, "quad": _quad_dict(self.quad), "confidence": self.confidence}
        return {**d, "dont_care": True} if self.dont_care else d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Word:
        return cls(d["text"], d["quad"], d.get("confidence"), bool(d.get("dont_care", False)))


@attrs.frozen(slots=True)
class Line:
    """A line of text: its words in reading order, and the text as the engine wrote it.

    ``text`` is kept apart from the words because not every script joins words with a
    space (an engine may return Chinese characters one by one).
    """

    text: str
    quad: Quad = attrs.field(converter=_quad)
    words: tuple[Word, ...] = attrs.field(default=(), converter=_words)
    confidence: float | None = attrs.field(default=None, converter=_confidence)
    #: ground truth only: a line nobody could read (ICDAR's ``###``): not scored, and not in the page's text
    dont_care: bool = False

    @classmethod
    def from_words(cls, words: Sequence[Word], separator: str = " ") -> Line:
        """A line over ``words``: text joined by ``separator``, quad enclosing them all."""
        if len(words) == 1:  # the usual line of a vendor that gives no lines: nothing to join
            word = words[0]
            if cls is Line and type(word) is Word and type(word.text) is str:  # a word's values are the model's already
                return checked_line(word.text, word.quad.union(), (word,), word.confidence)
            return cls(word.text, word.quad.union(), (word,), word.confidence)
        if not words:
            raise ValueError("a line needs at least one word")
        quad = words[0].quad.union(*(w.quad for w in words[1:]))
        scores = [w.confidence for w in words if w.confidence is not None]
        confidence = min(scores) if len(scores) == len(words) else None
        if cls is Line:  # the words' values are the model's already, and the quad is made of them
            return checked_line(separator.join([w.text for w in words]), quad, tuple(words), confidence)
        return cls(separator.join(w.text for w in words), quad, tuple(words), confidence)

    def mapped(self, transform: Transform) -> Line:
        return attrs.evolve(
            self,
            quad=self.quad.mapped(transform),
            words=tuple(w.mapped(transform) for w in self.words),
        )

    def to_dict(self) -> dict[str, Any]:
        d = {
            "text": self.text,
            "quad": _quad_dict(self.quad),
            "confidence": self.confidence,
            "words": [w.to_dict() for w in self.words],
        }
        return {**d, "dont_care": True} if self.dont_care else d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Line:
        words = tuple(Word.from_dict(w) for w in d.get("words", ()))
        return cls(d["text"], d["quad"], words, d.get("confidence"), bool(d.get("dont_care", False)))


_new = object.__new__
_WORD_SLOTS = Word.__dict__
_set_word_text, _set_word_quad = _WORD_SLOTS["text"].__set__, _WORD_SLOTS["quad"].__set__
_set_word_confidence, _set_word_dont_care = _WORD_SLOTS["confidence"].__set__, _WORD_SLOTS["dont_care"].__set__
_LINE_SLOTS = Line.__dict__
_set_line_text, _set_line_quad = _LINE_SLOTS["text"].__set__, _LINE_SLOTS["quad"].__set__
_set_line_words, _set_line_confidence = _LINE_SLOTS["words"].__set__, _LINE_SLOTS["confidence"].__set__
_set_line_dont_care = _LINE_SLOTS["dont_care"].__set__


def checked_word(text: str, quad: Quad, confidence: float | None) -> Word:
    """``Word(text, quad, confidence)`` from values a parser has read and checked: a ``str``, a
    :class:`Quad` and a ``float`` or ``None``, none of them converted.

    The readers of vendor answers build one word per word of a page, and attrs's converters
    were most of a word's time. The confidence's range and the types of the text and the quad
    are still checked (a ``ValueError`` or ``TypeError``, which a parser reports as the vendor's
    bad answer), at a fraction of what converting them cost; a confidence must be a ``float``
    already (an ``int`` from JSON is refused: :class:`Word` converts it).

    >>> checked_word("hello", Quad.from_bbox(0, 0, 50, 10), 0.5) == Word("hello", Quad.from_bbox(0, 0, 50, 10), 0.5)
    True
    """
    if type(text) is not str or type(quad) is not Quad:
        raise TypeError(f"a word is a str and a Quad, got {type(text).__name__} and {type(quad).__name__}")
    if confidence is not None and (type(confidence) is not float or not 0.0 <= confidence <= 1.0):  # NaN fails this too
        raise ValueError(f"confidence must be a float within 0..1 or None, got {confidence!r}")
    word = _new(Word)
    _set_word_text(word, text)
    _set_word_quad(word, quad)
    _set_word_confidence(word, confidence)
    _set_word_dont_care(word, False)
    return word


def checked_line(text: str, quad: Quad, words: tuple[Word, ...], confidence: float | None) -> Line:
    """``Line(text, quad, words, confidence)`` from values a parser has read and checked, as
    :func:`checked_word` makes a word: ``words`` must be a tuple (of words the model made)."""
    if type(text) is not str or type(quad) is not Quad or type(words) is not tuple:
        raise TypeError(
            f"a line is a str, a Quad and a tuple of words, got {type(text).__name__}, {type(quad).__name__} and {type(words).__name__}"
        )
    if confidence is not None and (type(confidence) is not float or not 0.0 <= confidence <= 1.0):
        raise ValueError(f"confidence must be a float within 0..1 or None, got {confidence!r}")
    line = _new(Line)
    _set_line_text(line, text)
    _set_line_quad(line, quad)
    _set_line_words(line, words)
    _set_line_confidence(line, confidence)
    _set_line_dont_care(line, False)
    return line


@attrs.frozen(slots=True)
class Cell:
    """A table cell, 0-based, with its spans and every line of its text."""

    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    lines: tuple[Line, ...] = attrs.field(default=(), converter=_lines)
    quad: Quad | None = attrs.field(default=None, converter=_quad_or_none)
    confidence: float | None = attrs.field(default=None, converter=_confidence)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def mapped(self, transform: Transform) -> Cell:
        return attrs.evolve(
            self,
            lines=tuple(line.mapped(transform) for line in self.lines),
            quad=None if self.quad is None else self.quad.mapped(transform),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "col": self.col,
            "row_span": self.row_span,
            "col_span": self.col_span,
            "quad": _quad_dict(self.quad),
            "confidence": self.confidence,
            "lines": [line.to_dict() for line in self.lines],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Cell:
        lines = tuple(Line.from_dict(x) for x in d.get("lines", ()))
        return cls(
            d["row"], d["col"], d.get("row_span", 1), d.get("col_span", 1),
            lines, d.get("quad"), d.get("confidence"),
        )  # fmt: skip


@attrs.frozen(slots=True)
class Table:
    """A detected table; cells keep their spans, and empty cells are kept too."""

    cells: tuple[Cell, ...] = attrs.field(converter=_cells)
    quad: Quad | None = attrs.field(default=None, converter=_quad_or_none)
    confidence: float | None = attrs.field(default=None, converter=_confidence)

    @property
    def n_rows(self) -> int:
        return max((c.row + c.row_span for c in self.cells), default=0)

    @property
    def n_cols(self) -> int:
        return max((c.col + c.col_span for c in self.cells), default=0)

    def rows(self) -> list[list[tuple[Cell, ...]]]:
        """The table row by row, each row its occupied slots in column order, each slot the
        cells placed at it (one, or more where a vendor put two cells at one slot, the first one's
        spans being the slot's): how HTML and table metrics walk a table.

        >>> table = Table([Cell(0, 0), Cell(0, 1, row_span=2), Cell(1, 0), Cell(1, 0)])
        >>> first, second = table.rows()
        >>> len(first), len(second), len(second.pop())  # two slots, then one slot of two cells
        (2, 1, 2)
        """
        by_slot: dict[tuple[int, int], list[Cell]] = {}
        for cell in self.cells:
            by_slot.setdefault((cell.row, cell.col), []).append(cell)
        return [[tuple(by_slot[(r, c)]) for c in sorted(col for row, col in by_slot if row == r)] for r in range(self.n_rows)]

    def to_grid(self) -> list[list[str]]:
        """Rows of cell texts; a spanning cell's text fills its top-left slot only.

        Two cells a vendor places at one slot (the model does not forbid it) both keep their
        text there, a line apart, in the order given: no text is lost to the other.
        """
        grid = [["" for _ in range(self.n_cols)] for _ in range(self.n_rows)]
        for c in self.cells:
            slot = grid[c.row][c.col]
            grid[c.row][c.col] = f"{slot}\n{c.text}" if slot and c.text else slot or c.text
        return grid

    def mapped(self, transform: Transform) -> Table:
        return attrs.evolve(
            self,
            cells=tuple(c.mapped(transform) for c in self.cells),
            quad=None if self.quad is None else self.quad.mapped(transform),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "quad": _quad_dict(self.quad),
            "confidence": self.confidence,
            "cells": [c.to_dict() for c in self.cells],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Table:
        return cls(tuple(Cell.from_dict(c) for c in d["cells"]), d.get("quad"), d.get("confidence"))


@attrs.frozen(slots=True)
class Field:
    """A named value from a template or document engine (a form field, a receipt total).

    ``text`` is what was read; ``value`` the engine's normalised form of it, when it gives one.
    """

    name: str
    kind: FieldKind = "text"
    text: str = ""
    quad: Quad | None = attrs.field(default=None, converter=_quad_or_none)
    confidence: float | None = attrs.field(default=None, converter=_confidence)
    checked: bool | None = None
    parts: tuple[Field, ...] = attrs.field(default=(), converter=_fields)
    value: str | None = None  # the engine's normalised value ("1000" for "1,000"), when it gives one

    def mapped(self, transform: Transform) -> Field:
        return attrs.evolve(
            self,
            quad=None if self.quad is None else self.quad.mapped(transform),
            parts=tuple(p.mapped(transform) for p in self.parts),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "text": self.text,
            "quad": _quad_dict(self.quad),
            "confidence": self.confidence,
            "checked": self.checked,
            "parts": [p.to_dict() for p in self.parts],
            "value": self.value,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Field:
        parts = tuple(Field.from_dict(p) for p in d.get("parts", ()))
        return cls(
            d["name"], d.get("kind", "text"), d.get("text", ""), d.get("quad"),
            d.get("confidence"), d.get("checked"), parts, d.get("value"),
        )  # fmt: skip


_FIELD_SLOTS = Field.__dict__
_set_field_name, _set_field_kind, _set_field_text = (_FIELD_SLOTS[k].__set__ for k in ("name", "kind", "text"))
_set_field_quad, _set_field_confidence, _set_field_checked = (_FIELD_SLOTS[k].__set__ for k in ("quad", "confidence", "checked"))
_set_field_parts, _set_field_value = _FIELD_SLOTS["parts"].__set__, _FIELD_SLOTS["value"].__set__


def checked_field(
    name: str, kind: FieldKind, text: str, quad: Quad | None, confidence: float | None,
    checked: bool | None = None, parts: tuple[Field, ...] = (), value: str | None = None,
) -> Field:  # fmt: skip
    """``Field(...)`` from values a parser has read and checked, as :func:`checked_word` makes a
    word: the strings ``str``, ``quad`` a :class:`Quad` or ``None``, ``confidence`` a ``float``
    within 0..1 or ``None``, ``checked`` a ``bool`` or ``None``, ``parts`` a tuple (of fields)."""
    if (type(name) is not str or type(kind) is not str or type(text) is not str or not (quad is None or type(quad) is Quad)
            or not (checked is None or type(checked) is bool) or type(parts) is not tuple
            or not (value is None or type(value) is str)):  # fmt: skip
        raise TypeError(
            f"a field's name, kind and text are str, its quad a Quad or None, checked a bool or None, parts a tuple and "
            f"value a str or None; got {name!r}, {kind!r}, {type(text).__name__}, {type(quad).__name__}, {checked!r}, "
            f"{type(parts).__name__} and {type(value).__name__}"
        )
    if confidence is not None and (type(confidence) is not float or not 0.0 <= confidence <= 1.0):
        raise ValueError(f"confidence must be a float within 0..1 or None, got {confidence!r}")
    field = _new(Field)
    _set_field_name(field, name)
    _set_field_kind(field, kind)
    _set_field_text(field, text)
    _set_field_quad(field, quad)
    _set_field_confidence(field, confidence)
    _set_field_checked(field, checked)
    _set_field_parts(field, parts)
    _set_field_value(field, value)
    return field


@attrs.frozen(slots=True)
class Block:
    """A block of a page's lines: a paragraph, a column, a table-like run of rows.

    It holds ``page.lines[start:end]``. Lines stay in one list, in reading order, and a
    block is a run of them, so every engine and caller that reads ``page.lines`` is
    unchanged, and the exporters that need regions (ALTO ``TextBlock``, PAGE-XML
    ``TextRegion``, hOCR ``ocr_carea``) read :meth:`Page.iter_blocks`.
    """

    start: int = attrs.field(converter=_index)
    end: int = attrs.field(converter=_index)
    quad: Quad | None = attrs.field(default=None, converter=_quad_or_none)
    kind: BlockKind = "text"

    def mapped(self, transform: Transform) -> Block:
        return self if self.quad is None else attrs.evolve(self, quad=self.quad.mapped(transform))

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "kind": self.kind, "quad": _quad_dict(self.quad)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Block:
        return cls(d["start"], d["end"], d.get("quad"), d.get("kind", "text"))


_BLOCK_SLOTS = Block.__dict__
_set_block_start, _set_block_end = _BLOCK_SLOTS["start"].__set__, _BLOCK_SLOTS["end"].__set__
_set_block_quad, _set_block_kind = _BLOCK_SLOTS["quad"].__set__, _BLOCK_SLOTS["kind"].__set__


def checked_block(start: int, end: int, quad: Quad | None, kind: BlockKind) -> Block:
    """``Block(start, end, quad, kind)`` from values a parser has made, as :func:`checked_word`
    makes a word: ``start`` and ``end`` must be ``int`` already, ``quad`` a :class:`Quad` or ``None``
    (the page still checks that its blocks cut its lines into runs)."""
    if type(start) is not int or type(end) is not int or not (quad is None or type(quad) is Quad) or type(kind) is not str:
        raise TypeError(
            f"a block is two ints, a Quad or None and a kind, got {type(start).__name__}, {type(end).__name__}, "
            f"{type(quad).__name__} and {type(kind).__name__}"
        )
    block = _new(Block)
    _set_block_start(block, start)
    _set_block_end(block, end)
    _set_block_quad(block, quad)
    _set_block_kind(block, kind)
    return block


@attrs.frozen(slots=True)
class Page:
    """One page (or one image): its size in pixels and what was found on it."""

    index: int
    width: int
    height: int
    lines: tuple[Line, ...] = attrs.field(default=(), converter=_lines)
    tables: tuple[Table, ...] = attrs.field(default=(), converter=_tables)
    fields: tuple[Field, ...] = attrs.field(default=(), converter=_fields)
    blocks: tuple[Block, ...] = attrs.field(default=(), converter=_blocks)

    def __attrs_post_init__(self) -> None:
        if self.blocks:
            _check_partition(self.blocks, len(self.lines), self.index)

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words]

    @property
    def text(self) -> str:
        """The lines in reading order, one per line of text (a do-not-care line is no text)."""
        return "\n".join(line.text for line in self.lines if not line.dont_care)

    def field(self, name: str) -> Field:
        """The field called ``name``; a ``KeyError`` lists the names there are."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"no field {name!r} on page {self.index}; fields: {[f.name for f in self.fields]}")

    def iter_blocks(self) -> Iterator[tuple[Block, tuple[Line, ...]]]:
        """The blocks with their lines, in reading order. A page whose engine gave no blocks
        is one text block of all its lines, so that a consumer never needs a special case."""
        if self.blocks:
            for block in self.blocks:
                yield block, self.lines[block.start : block.end]
        elif self.lines:
            quads = [line.quad for line in self.lines]
            yield Block(0, len(self.lines), quads[0].union(*quads[1:])), self.lines

    def mapped(self, transform: Transform) -> Page:
        """The page in ``transform``'s target frame, every quad moved and the size updated."""
        width, height = transform.target_size
        return attrs.evolve(
            self,
            width=width,
            height=height,
            lines=tuple(x.mapped(transform) for x in self.lines),
            tables=tuple(x.mapped(transform) for x in self.tables),
            fields=tuple(x.mapped(transform) for x in self.fields),
            blocks=tuple(x.mapped(transform) for x in self.blocks),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "width": self.width,
            "height": self.height,
            "lines": [x.to_dict() for x in self.lines],
            "tables": [x.to_dict() for x in self.tables],
            "fields": [x.to_dict() for x in self.fields],
            "blocks": [x.to_dict() for x in self.blocks],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Page:
        return cls(
            d["index"], d["width"], d["height"],
            tuple(Line.from_dict(x) for x in d.get("lines", ())),
            tuple(Table.from_dict(x) for x in d.get("tables", ())),
            tuple(Field.from_dict(x) for x in d.get("fields", ())),
            tuple(Block.from_dict(x) for x in d.get("blocks", ())),  # version 1 had none
        )  # fmt: skip


def _check_partition(blocks: Sequence[Block], n_lines: int, page: int) -> None:
    """Blocks must cut the lines into consecutive runs that cover them all, in order."""
    starts, ends = [block.start for block in blocks], [block.end for block in blocks]
    if starts[0] == 0 and ends[-1] == n_lines and starts[1:] == ends[:-1] and all(map(operator.lt, starts, ends)):
        return  # the usual page, checked at C speed; otherwise the walk below says which block is wrong
    expected = 0
    for i, block in enumerate(blocks):
        if block.start != expected or block.end <= block.start:
            raise ValueError(
                f"page {page}: block {i} holds lines {block.start}:{block.end}; blocks must cut the page's "
                f"{n_lines} lines into runs in order, so it should start at {expected} and end after it"
            )
        expected = block.end
    if expected != n_lines:
        raise ValueError(f"page {page}: the blocks hold {expected} lines of {n_lines}; every line belongs to one block")


@attrs.frozen(slots=True)
class OcrResult:
    """What one engine found in one source. ``raw`` keeps the engine's own output."""

    engine: str
    pages: tuple[Page, ...] = attrs.field(converter=_pages)
    raw: Any = attrs.field(default=None, eq=False, repr=False)
    meta: Mapping[str, Any] = attrs.field(factory=dict, hash=False)

    @property
    def text(self) -> str:
        """All pages' text in reading order; pages are separated by a form feed."""
        return "\f".join(p.text for p in self.pages)

    @property
    def words(self) -> list[Word]:
        return [w for p in self.pages for w in p.words]

    def iter_lines(self) -> Iterator[tuple[Page, Line]]:
        for page in self.pages:
            for line in page.lines:
                yield page, line

    def mapped(self, transforms: Transform | Sequence[Transform]) -> OcrResult:
        """Move every quad of every page; one transform for all pages, or one per page."""
        if isinstance(transforms, Transform):
            transforms = [transforms] * len(self.pages)
        if len(transforms) != len(self.pages):
            raise ValueError(f"{len(transforms)} transforms for {len(self.pages)} pages")
        return attrs.evolve(self, pages=tuple(p.mapped(t) for p, t in zip(self.pages, transforms)))

    def to_dict(self, include_raw: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "schema": SCHEMA,
            "version": SCHEMA_VERSION,
            "engine": self.engine,
            "meta": dict(self.meta),
            "pages": [p.to_dict() for p in self.pages],
        }
        if include_raw and self.raw is not None:
            d["raw"] = self.raw
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> OcrResult:
        if d.get("schema") != SCHEMA:
            raise ValueError(f"not a unified-ocr result (schema {d.get('schema')!r}, expected {SCHEMA!r})")
        version = d.get("version")
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise ValueError(
                f"result schema version {version!r} is newer than this unified-ocr reads ({SCHEMA_VERSION}); upgrade unified-ocr"
            )
        return cls(
            d["engine"],
            tuple(Page.from_dict(p) for p in d["pages"]),
            d.get("raw"),
            dict(d.get("meta", {})),
        )
