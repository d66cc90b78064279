"""The older shapes, read by ``parse`` for saved answers: lines that hold their words.

* **Read 3.x** (Computer Vision) and **Form Recognizer 2.x**: ``analyzeResult.readResults[]``, a
  page each (``page`` from 1, ``width``/``height``/``unit``, ``angle``) with ``lines[]`` of
  ``text``, ``boundingBox`` (8 numbers) and ``words[]`` (``text``, ``boundingBox``,
  ``confidence``). Form Recognizer 2.x adds ``selectionMarks[]`` on the page and
  ``pageResults[].tables[]``, whose cells point at words by JSON pointer
  (``#/readResults/0/lines/8/words/0``): a cell's lines are those words grouped by their line.
  A line's ``appearance.style`` (handwriting) is left out.
* **Image Analysis 4.0** (GA): ``readResult.blocks[].lines[]`` of ``text``,
  ``boundingPolygon`` (``[{x, y}]``) and ``words[]``; one page in the image's pixels
  (``metadata`` gives its size), one :class:`~unified_ocr.Block` per block. A bare list of
  such blocks (the ``readResult.blocks`` value saved on its own) is read the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from unified_ocr import Block, Cell, Field, Line, Page, Table, Word
from unified_ocr.model import checked_line

from .values import Frame, confidence, count, frame, page_number, plain_quad, plain_word, polygon, read, text

_POINTER = re.compile(r"#/readResults/(\d+)/(lines/(\d+)/words/(\d+)|selectionMarks/(\d+))$")


def read_results(
    result: Mapping[str, Any], at: str, dpi: float, fields: Mapping[int, list[Field]]
) -> tuple[list[Page], list[dict[str, Any]]]:
    pages: list[Page] = []
    infos: list[dict[str, Any]] = []
    read_pages = read.optional_list(result, "readResults", at)
    frames: list[Frame] = []
    words_of: list[list[list[Word]]] = []
    lines_of: list[list[Line]] = []
    for k, raw in enumerate(read_pages):
        where = f"{at}.readResults[{k}]"
        obj = read.object(raw, where)
        fr = frame(obj, where, dpi)
        frames.append(fr)
        lines, words = [], []
        for i, lraw in enumerate(read.optional_list(obj, "lines", where)):
            line = read.object(lraw, f"{where}.lines[{i}]") if type(lraw) is not dict else lraw
            found = line.get("words")
            if type(found) is not list:
                found = read.optional_list(line, "words", f"{where}.lines[{i}]")
            mine = [_word(w, where, i, j, fr.scale) for j, w in enumerate(found)]
            words.append(mine)
            quad = plain_quad(line.get("boundingBox"), fr.scale)
            said = line.get("text")
            if quad is None or type(said) is not str:  # the strict reading, which says what is wrong where
                lat = f"{where}.lines[{i}]"
                quad = polygon(line.get("boundingBox"), f"{lat}.boundingBox", fr.scale)
                said = text(line, lat, "text", "content")
            scores = [w.confidence for w in mine]
            score = min(scores) if mine and None not in scores else None  # type: ignore[type-var]
            lines.append(checked_line(said, quad, tuple(mine), score))
        words_of.append(words)
        lines_of.append(lines)
    tables = _page_tables(result, at, lines_of, words_of, frames)
    for k, raw in enumerate(read_pages):
        where = f"{at}.readResults[{k}]"
        obj = read.object(raw, where)
        index = page_number(obj["page"], f"{where}.page") if obj.get("page") is not None else k
        marks = [
            _mark(m, f"{where}.selectionMarks[{j}]", j, frames[k].scale)
            for j, m in enumerate(read.optional_list(obj, "selectionMarks", where))
        ]
        pages.append(Page(index, frames[k].width, frames[k].height, lines=[line for line in lines_of[k] if line.text.strip() or line.words],
                          tables=tables.get(k, ()), fields=[*marks, *fields.get(index, ())]))  # fmt: skip
        angle = read.number(obj["angle"], f"{where}.angle") if obj.get("angle") is not None else None
        info: dict[str, Any] = {"angle": angle, "unit": "inch" if frames[k].scale != 1.0 else "pixel"}
        if isinstance(obj.get("language"), str):
            info["language"] = obj["language"]
        infos.append(info)
    return pages, infos


def _word(raw: Any, page_at: str, i: int, j: int, scale: float) -> Word:
    """Word ``j`` of line ``i`` of the page at ``page_at``: the usual shape read at once, anything else strictly."""
    word = plain_word(raw, "boundingBox", scale, "text", "content")
    if word is not None:
        return word
    at = f"{page_at}.lines[{i}].words[{j}]"
    obj = read.object(raw, at)
    return Word(
        text(obj, at, "text", "content"), polygon(obj.get("boundingBox"), f"{at}.boundingBox", scale), confidence(obj, at)
    )


def _mark(raw: Any, at: str, k: int, scale: float) -> Field:
    obj = read.object(raw, at)
    state = obj.get("state")
    if state not in ("selected", "unselected"):
        raise read.fail(f"{at}.state", "'selected' or 'unselected'", state)
    return Field(f"selection_mark.{k}", "checkbox", "", polygon(obj.get("boundingBox"), f"{at}.boundingBox", scale),
                 confidence(obj, at), state == "selected")  # fmt: skip


def _page_tables(
    result: Mapping[str, Any],
    at: str,
    lines: Sequence[Sequence[Line]],
    words: Sequence[Sequence[Sequence[Word]]],
    frames: Sequence[Frame],
) -> dict[int, list[Table]]:
    """``pageResults[].tables`` per position in ``readResults``."""
    out: dict[int, list[Table]] = {}
    for p, raw in enumerate(read.optional_list(result, "pageResults", at)):
        where = f"{at}.pageResults[{p}]"
        obj = read.object(raw, where)
        k = page_number(obj["page"], f"{where}.page") if obj.get("page") is not None else p
        if k >= len(frames):
            raise read.fail(f"{where}.page", f"a page of readResults (1..{len(frames)})", obj.get("page"))
        scale = frames[k].scale
        for t, traw in enumerate(read.optional_list(obj, "tables", where)):
            tat = f"{where}.tables[{t}]"
            table = read.object(traw, tat)
            cells = [_cell(c, tat, i, words, scale) for i, c in enumerate(read.optional_list(table, "cells", tat))]
            quad = polygon(table["boundingBox"], f"{tat}.boundingBox", scale) if table.get("boundingBox") is not None else None
            out.setdefault(k, []).append(Table(cells, quad))
    return out


def _cell(raw: Any, table_at: str, k: int, words: Sequence[Sequence[Sequence[Word]]], scale: float) -> Cell:
    """Cell ``k`` of the table at ``table_at``; its path is spelt out only for a message."""
    at = f"{table_at}.cells[{k}]"
    cell = raw if type(raw) is dict else read.object(raw, at)
    row, col = count(cell, "rowIndex", at), count(cell, "columnIndex", at)
    row_span = count(cell, "rowSpan", at) if cell.get("rowSpan") is not None else 1
    col_span = count(cell, "columnSpan", at) if cell.get("columnSpan") is not None else 1
    box = cell.get("boundingBox")
    quad = None if box is None else plain_quad(box, scale) or polygon(box, f"{at}.boundingBox", scale)
    groups: dict[tuple[int, int], list[Word]] = {}
    elements = cell.get("elements")
    for i, pointer in enumerate(elements if type(elements) is list else read.optional_list(cell, "elements", at)):
        match = _POINTER.match(pointer) if isinstance(pointer, str) else None
        if match is None:
            raise read.fail(f"{at}.elements[{i}]", "a pointer '#/readResults/P/lines/L/words/W'", pointer)
        page, _, line, word, mark = match.groups()
        if mark is not None:
            continue  # a selection mark: a field of the page, not text of the cell
        page, line = int(page), int(line)
        try:
            groups.setdefault((page, line), []).append(words[page][line][int(word)])
        except IndexError:
            raise read.fail(f"{at}.elements[{i}]", "a pointer to a word the answer has", pointer) from None
    cell_lines = [Line.from_words(group) for group in groups.values()]
    said = cell.get("text")
    if not cell_lines and isinstance(said, str) and said.strip() and quad is not None:
        cell_lines = [Line(said, quad, (), None)]
    return Cell(row, col, max(row_span, 1), max(col_span, 1), cell_lines, quad, confidence(cell, at))


def image_analysis_blocks(blocks: Sequence[Any], at: str, width: int, height: int) -> Page:
    """Image Analysis 4.0 GA ``readResult.blocks``: one page, a block of lines each."""
    lines: list[Line] = []
    out: list[Block] = []
    for b, raw in enumerate(blocks):
        where = f"{at}[{b}]"
        block = read.object(raw, where)
        start = len(lines)
        for i, lraw in enumerate(read.optional_list(block, "lines", where)):
            lat = f"{where}.lines[{i}]"
            line = read.object(lraw, lat)
            words = [
                plain_word(w, "boundingPolygon", 1.0, "text", "content")
                or Word(
                    text(w, f"{lat}.words[{j}]", "text", "content"),
                    polygon(read.object(w, f"{lat}.words[{j}]").get("boundingPolygon"), f"{lat}.words[{j}].boundingPolygon"),
                    confidence(w, f"{lat}.words[{j}]"),
                )  # fmt: skip
                for j, w in enumerate(read.optional_list(line, "words", lat))
            ]
            scores = [w.confidence for w in words]
            score = min(scores) if words and None not in scores else None  # type: ignore[type-var]
            lines.append(
                Line(
                    text(line, lat, "text", "content"),
                    polygon(line.get("boundingPolygon"), f"{lat}.boundingPolygon"),
                    words,
                    score,
                )
            )
        if len(lines) > start:
            quads = [line.quad for line in lines[start:]]
            out.append(Block(start, len(lines), quads[0].union(*quads[1:]) if len(quads) > 1 else quads[0]))
    return Page(0, width, height, lines=lines, blocks=out)
