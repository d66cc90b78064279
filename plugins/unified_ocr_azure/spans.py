"""Pages of the span model: Document Intelligence 3.x/4.x and the Image Analysis 4.0 preview.

These answers hold the document's text once (``content``) and point into it: every word has
a ``span`` (offset, length), every line, paragraph, table cell and figure ``spans``. So a
word belongs to the line whose span holds the word's offset, a line to the paragraph whose
spans hold the line's, and a cell's lines are the lines inside its spans. Nothing is matched
by position on the page, which would fail on overlapping or turned text.

* A line's text is its ``content``, the vendor's own. With ``contentFormat: markdown`` that
  content carries markup (``<!-- PageHeader="..." -->``, ``1\\.``), so the line's words are
  joined instead, with a space wherever the content has white space between them.
* Paragraphs become :class:`~unified_ocr.Block` s: runs of consecutive lines of one paragraph
  (lines outside every paragraph make runs of their own). A run inside a table is a ``table``
  block, inside a figure a ``figure`` block; the paragraph's ``role`` (``title``,
  ``sectionHeading``, ``pageHeader``, ...) goes to ``meta["azure"]["pages"][i]["roles"]``, one
  entry per block.
* Tables keep their spans and empty cells; a table over two pages becomes one table on each.
* Selection marks become ``checkbox`` fields ``selection_mark.K`` (K counted on the page).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from unified_ocr import Block, Cell, Field, Line, Page, Quad, Table, Word
from unified_ocr.model import checked_block, checked_line

from .values import Frame, confidence, count, frame, page_number, plain_quad, plain_word, polygon, read, text

Span = tuple[int, int]  # offset, end


@attrs.define
class SpanPage:
    """One page read, with what later steps need: its lines' spans and the frame."""

    index: int
    frame: Frame
    lines: list[Line]
    line_spans: list[Span]
    fields: list[Field]
    angle: float | None


def read_pages(result: Mapping[str, Any], at: str, dpi: float, box_key: str) -> list[SpanPage]:
    """Every page of ``result["pages"]``; ``box_key`` is ``polygon`` (3.x+) or ``boundingBox`` (preview)."""
    markdown = result.get("contentFormat") == "markdown"
    content = result.get("content") if isinstance(result.get("content"), str) else ""
    pages = []
    for k, raw in enumerate(read.optional_list(result, "pages", at)):
        where = f"{at}.pages[{k}]"
        obj = read.object(raw, where)
        index = page_number(obj["pageNumber"], f"{where}.pageNumber") if obj.get("pageNumber") is not None else k
        pages.append(_page(obj, where, index, frame(obj, where, dpi), box_key, content if markdown else None))
    return pages


def _page(obj: Mapping[str, Any], at: str, index: int, fr: Frame, box_key: str, markdown: str | None) -> SpanPage:
    words = [_word(w, at, i, fr.scale, box_key) for i, w in enumerate(read.optional_list(obj, "words", at))]
    if markdown is not None:
        words = [(w if "\\" not in w.text else attrs.evolve(w, text=unescape(w.text)), span) for w, span in words]
    words.sort(key=lambda pair: pair[1][0])
    starts = [span[0] for _, span in words]
    lines: list[Line] = []
    spans: list[Span] = []
    for i, raw in enumerate(read.optional_list(obj, "lines", at)):
        where = f"{at}.lines[{i}]"
        line = raw if type(raw) is dict else read.object(raw, where)
        line_spans = _spans(line, where)
        picked = [(bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)) for s, e in line_spans]
        mine = [words[k][0] for first, end in picked for k in range(first, end)]
        content = text(line, where, "content", "text")
        box = line.get(box_key)
        quad = plain_quad(box, fr.scale) or polygon(box, f"{where}.{box_key}", fr.scale)  # the path built only when needed
        if markdown is not None and mine:  # the spans of the words in the line's spans, in the content's order
            inside = sorted({k for first, end in picked for k in range(first, end)})
            content = _joined(mine, [words[k][1] for k in inside], markdown)
        if not content.strip() and not mine:
            continue  # an empty line adds nothing to read
        scores = [w.confidence for w in mine]
        score = min(scores) if mine and None not in scores else None  # type: ignore[type-var]
        lines.append(checked_line(content, quad, tuple(mine), score))
        spans.append(line_spans[0] if line_spans else (-1, -1))
    fields = [
        _mark(m, f"{at}.selectionMarks[{k}]", k, fr.scale, box_key)
        for k, m in enumerate(read.optional_list(obj, "selectionMarks", at))
    ]
    angle = read.number(obj["angle"], f"{at}.angle") if obj.get("angle") is not None else None
    return SpanPage(index, fr, lines, spans, fields, angle)


def _word(raw: Any, page_at: str, i: int, scale: float, box_key: str) -> tuple[Word, Span]:
    """Word ``i`` of the page at ``page_at`` and its span: the usual shape read at once, anything else strictly."""
    word = plain_word(raw, box_key, scale, "content", "text")
    if word is not None:
        span = raw.get("span")
        if span is None:
            return word, (-1, -1)
        if type(span) is dict:
            start, length = span.get("offset"), span.get("length")
            if type(start) is int and type(length) is int and start >= 0 and length >= 0:
                return word, (start, start + length)
    at = f"{page_at}.words[{i}]"
    obj = read.object(raw, at)
    span = obj.get("span")
    if span is None:
        start, end = -1, -1
    else:
        s = read.object(span, f"{at}.span")
        start = read.count(s.get("offset"), f"{at}.span.offset")
        end = start + read.count(s.get("length"), f"{at}.span.length")
    word = Word(text(obj, at, "content", "text"), polygon(obj.get(box_key), f"{at}.{box_key}", scale), confidence(obj, at))
    return word, (start, end)


def _joined(words: Sequence[Word], spans: Sequence[Span], content: str) -> str:
    """Words joined with a space where the content has white space between them (none for CJK)."""
    out = [words[0].text]
    for prev, word, span in zip(spans, words[1:], spans[1:]):
        gap = content[prev[1] : span[0]]
        # white space anywhere in the gap (" ", the usual one, is all space; str.split splits at what isspace() says)
        if gap and (gap.isspace() or "".join(gap.split()) != gap):
            out.append(" ")
        out.append(word.text)
    return "".join(out)


#: A markdown backslash escape: ``1\.`` is ``1.`` (ASCII punctuation only, as CommonMark has it).
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def unescape(text: str) -> str:
    """A word of a markdown answer as it reads on the page."""
    return _ESCAPE.sub(r"\1", text) if "\\" in text else text


def _spans(obj: Mapping[str, Any], at: str) -> list[Span]:
    found = obj.get("spans")
    if type(found) is list:  # the usual shape, read at once: offsets and lengths that are plain whole numbers
        out = []
        for span in found:
            if type(span) is not dict:
                break
            start, length = span.get("offset"), span.get("length")
            if not (type(start) is int and type(length) is int and start >= 0 and length >= 0):
                break
            out.append((start, start + length))
        else:
            return out
    out = []
    for i, raw in enumerate(read.optional_list(obj, "spans", at)):
        s = read.object(raw, f"{at}.spans[{i}]")
        start = read.count(s.get("offset"), f"{at}.spans[{i}].offset")
        out.append((start, start + read.count(s.get("length"), f"{at}.spans[{i}].length")))
    return out


def _mark(raw: Any, at: str, k: int, scale: float, box_key: str) -> Field:
    obj = read.object(raw, at)
    state = obj.get("state")
    if state not in ("selected", "unselected"):
        raise read.fail(f"{at}.state", "'selected' or 'unselected'", state)
    quad = polygon(obj.get(box_key), f"{at}.{box_key}", scale)
    return Field(f"selection_mark.{k}", "checkbox", "", quad, confidence(obj, at), state == "selected")


def _first_holding(owners: Sequence[Sequence[Span]]) -> Callable[[int], int | None]:
    """A lookup: the first owner (by index) one of whose spans holds an offset, or ``None``.

    Spans sorted by start, with the furthest end reached so far: a look-up walks back only
    over spans that can still reach the offset, not over every paragraph of the page."""
    items = sorted((s, e, k) for k, spans in enumerate(owners) for s, e in spans)
    starts = [s for s, _, _ in items]
    reach = list(itertools.accumulate((e for _, e, _ in items), max))

    def first(offset: int) -> int | None:
        found = None
        i = bisect.bisect_right(starts, offset) - 1  # every span from here back starts at or before it
        while i >= 0 and reach[i] > offset:
            _, end, k = items[i]
            if end > offset and (found is None or k < found):
                found = k
            i -= 1
        return found

    return first


@attrs.frozen
class Owners:
    """The answer's paragraphs (spans, role) and tables and figures (spans, kind), read once for
    all its pages, with a look-up of the first of each holding an offset."""

    paragraphs: list[tuple[list[Span], str | None]]
    regions: list[tuple[list[Span], str]]
    paragraph_of: Callable[[int], int | None]
    region_of: Callable[[int], int | None]


def block_owners(result: Mapping[str, Any], at: str) -> Owners:
    """The paragraphs, tables and figures of ``result``, for :func:`blocks`."""
    paragraphs = []
    for k, raw in enumerate(read.optional_list(result, "paragraphs", at)):
        obj = read.object(raw, f"{at}.paragraphs[{k}]")
        role = obj.get("role") if isinstance(obj.get("role"), str) else None
        paragraphs.append((_spans(obj, f"{at}.paragraphs[{k}]"), role))
    regions: list[tuple[list[Span], str]] = []
    for key, kind in (("tables", "table"), ("figures", "figure")):
        for k, raw in enumerate(read.optional_list(result, key, at)):
            regions.append((_spans(read.object(raw, f"{at}.{key}[{k}]"), f"{at}.{key}[{k}]"), kind))
    return Owners(
        paragraphs, regions, _first_holding([spans for spans, _ in paragraphs]), _first_holding([spans for spans, _ in regions])
    )


def blocks(page: SpanPage, found: Owners) -> tuple[list[Block], list[str | None]]:
    """The page's lines cut into runs by paragraph, with each run's kind and role."""
    if not page.lines:
        return [], []
    paragraphs, regions = found.paragraphs, found.regions
    if not paragraphs and not regions:
        return [], []  # the answer says nothing of blocks: the page is one, as for any engine
    owners: list[tuple[tuple[str, int], str | None, str]] = []
    region_of, paragraph_of = found.region_of, found.paragraph_of
    for n, (start, _) in enumerate(page.line_spans):
        region = region_of(start)
        if region is not None:  # a table or a figure is one block, whatever paragraphs its cells hold
            owners.append((("region", region), None, regions[region][1]))
            continue
        paragraph = paragraph_of(start)
        if paragraph is None:
            owners.append((("line", n), None, "text"))  # no paragraph: a run of its own
        else:
            owners.append((("paragraph", paragraph), paragraphs[paragraph][1], "text"))
    out: list[Block] = []
    roles: list[str | None] = []
    start = 0
    for n in range(1, len(owners) + 1):
        if n == len(owners) or owners[n] != owners[start]:
            quads = [line.quad for line in page.lines[start:n]]
            out.append(checked_block(start, n, quads[0].union(*quads[1:]) if len(quads) > 1 else quads[0], owners[start][2]))  # type: ignore[arg-type]
            roles.append(owners[start][1])
            start = n
    return out, roles


def tables(pages: Sequence[SpanPage], result: Mapping[str, Any], at: str) -> dict[int, list[Table]]:
    """Every table, on each page its cells are on (by ``boundingRegions``), keyed by page index."""
    by_page: dict[int, list[Table]] = {}
    frames = {p.index: p for p in pages}
    starts = {p.index: _by_start(p) for p in pages} if result.get("tables") else {}
    for k, raw in enumerate(read.optional_list(result, "tables", at)):
        where = f"{at}.tables[{k}]"
        table = read.object(raw, where)
        home = _regions(table, where, frames)
        cells: dict[int, list[Cell]] = {}
        for i, craw in enumerate(read.optional_list(table, "cells", where)):
            cat = f"{where}.cells[{i}]"
            cell = read.object(craw, cat)
            regions = _regions(cell, cat, frames)
            index = regions[0][0] if regions else home[0][0] if home else pages[0].index if pages else 0
            cells.setdefault(index, []).append(_cell(cell, cat, frames.get(index), starts.get(index), regions))
        for index, found in cells.items():
            quads = [q for i, q in home if i == index]
            by_page.setdefault(index, []).append(Table(found, quads[0] if quads else None, confidence(table, where)))
    return by_page


def _regions(obj: Mapping[str, Any], at: str, frames: Mapping[int, SpanPage]) -> list[tuple[int, Quad]]:
    out = []
    for i, raw in enumerate(read.optional_list(obj, "boundingRegions", at)):
        where = f"{at}.boundingRegions[{i}]"
        region = read.object(raw, where)
        index = page_number(region.get("pageNumber"), f"{where}.pageNumber")
        page = frames.get(index)
        scale = page.frame.scale if page is not None else 1.0
        out.append((index, polygon(region.get("polygon"), f"{where}.polygon", scale)))
    return out


def _by_start(page: SpanPage) -> tuple[list[int], list[int]]:
    """The page's line numbers by the offset each line starts at, with those offsets (both sorted by it)."""
    pairs = sorted((start, n) for n, (start, _) in enumerate(page.line_spans))
    return [start for start, _ in pairs], [n for _, n in pairs]


def _cell(
    cell: Mapping[str, Any], at: str, page: SpanPage | None, by_start: tuple[list[int], list[int]] | None, regions: list[tuple[int, Quad]]
) -> Cell:
    row, col = count(cell, "rowIndex", at), count(cell, "columnIndex", at)
    row_span, col_span = (count(cell, k, at) if cell.get(k) is not None else 1 for k in ("rowSpan", "columnSpan"))
    spans = _spans(cell, at)
    quad = regions[0][1] if regions else None
    lines: list[Line] = []
    if page is not None and by_start is not None and spans:  # the lines that start inside its spans, in the page's order
        starts, numbers = by_start
        inside = {n for s, e in spans for n in numbers[bisect.bisect_left(starts, s) : bisect.bisect_left(starts, e)]}
        lines = [page.lines[n] for n in sorted(inside)]
    content = cell.get("content")
    if not lines and isinstance(content, str) and content.strip() and quad is not None:
        lines = [Line(content, quad, (), None)]  # text the page's lines do not hold (a markdown cell)
    return Cell(row, col, max(row_span, 1), max(col_span, 1), lines, quad, confidence(cell, at))


def build(
    pages: Sequence[SpanPage], result: Mapping[str, Any], at: str, fields: Mapping[int, list[Field]]
) -> tuple[list[Page], list[dict[str, Any]]]:
    """The model's pages, and per page what the model has no place for (angle, unit, block roles)."""
    found = tables(pages, result, at)
    holders = block_owners(result, at) if any(page.lines for page in pages) else None
    out, infos = [], []
    for page in pages:
        page_blocks, roles = blocks(page, holders) if holders is not None else ([], [])
        out.append(
            Page(
                page.index,
                page.frame.width,
                page.frame.height,
                lines=page.lines,
                tables=found.get(page.index, ()),
                fields=[*page.fields, *fields.get(page.index, ())],
                blocks=page_blocks,
            )  # fmt: skip
        )
        info: dict[str, Any] = {"angle": page.angle, "unit": "inch" if page.frame.scale != 1.0 else "pixel"}
        if any(roles):
            info["roles"] = roles
        infos.append(info)
    return out, infos
