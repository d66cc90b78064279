"""Document Parse answers read into the model: elements become blocks, tables become cells.

``{"elements": [{"id", "category", "page", "coordinates": [{"x", "y"} x4],
"content": {"text", "html", "markdown"}}], "usage": {"pages"}, "model", "api"}``.

* **Older answers.** The layout API before Document Parse (``layout-analysis``) gave each
  element a ``bounding_box`` in pixels of the document sent and its ``text`` and ``html`` on
  the element itself, with no ``content``: read the same way, on a page of the size sent.
* **Frame.** ``coordinates`` are normalised to 0..1 of the page and the answer gives no page
  size (a figure's ``data-coord`` holds pixels of a rendering whose size is not given either),
  so each page is 1 x 1 and points stay as given. ``recognize`` needs nothing more: the core
  scales a page reported at another size onto the page it sent. ``parse`` of a saved answer
  without its document gives pages of width and height 1, the coordinates 0..1; so does
  ``recognize`` of an office document or HEIC, which is sent as it is and has no frame here
  (its result's ``meta["coordinates"]`` says ``"normalised"``).
* **Blocks.** Elements come in reading order; each one with text is a block of its lines. The
  model's block kinds are ``text``, ``table`` and ``figure``: ``table`` is a table, ``figure``
  and ``chart`` a figure, the rest text; Upstage's own category of each block (``heading1``,
  ``header``, ``caption``, ``list``, ...) is kept in ``meta["upstage"]["pages"][i]["categories"]``,
  one per block. An element with no text (a figure without words) makes no block; its id is
  listed in ``meta["upstage"]["pages"][i]["empty"]``.
* **Lines.** An element has one box for all its text. Its text is read from ``content.text``,
  else its HTML (see :mod:`.html`), else its markdown; each line of it is a :class:`Line` of
  one word whose quad is the element's box cut in equal strips, top to bottom. Those boxes are
  estimates (no word boxes, no confidence: ``None``); crop whole elements, not their lines.
* **Tables.** The element's ``<table>`` gives the cells, spans kept and empty cells kept; a
  cell's quad is its slot in the table's box cut into equal rows and columns (again an
  estimate). The table block's lines are its rows, cells joined by a space.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_ocr import Block, Cell, Line, OcrResult, Page, Quad, Table
from unified_ocr.engines.responses import MISSING
from unified_ocr.errors import BadResponseError
from unified_ocr.geometry import checked_quad
from unified_ocr.model import BlockKind, checked_block, checked_line, checked_word

from .answer import MAX_COORDINATE, VENDOR, billed_pages, plain_quad, read, result
from .html import HtmlCell, simple_lines, table_cells, text_lines

Point = tuple[float, float]
#: The whole page, for an element answered without coordinates (``coordinates`` turned off).
WHOLE_PAGE = Quad([(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)])
FIGURES = frozenset({"figure", "chart"})


def parse_elements(raw: Mapping[str, Any]) -> OcrResult:
    """A Document Parse answer: pages of 1 x 1 (normalised), one block per element with text."""
    elements = read.array(raw["elements"], "elements")
    by_page: dict[int, list[tuple[Mapping[str, Any], str]]] = {}
    for k, element in enumerate(elements):
        at = f"elements[{k}]"
        obj = read.object(element, at) if type(element) is not dict else element
        number = obj.get("page", 1)
        if type(number) is not int or number < 1:  # the strict reading, which says what is wrong
            number = read.count(number, f"{at}.page")
            if number < 1:
                raise read.fail(f"{at}.page", "a page number >= 1", obj.get("page"))
        by_page.setdefault(number - 1, []).append((obj, at))
    count = max([billed_pages(raw) or 0, *(i + 1 for i in by_page)])
    pages: list[Page] = []
    infos: list[dict[str, Any]] = []
    for index in range(count):
        page, info = _page(index, by_page.get(index, []))
        pages.append(page)
        infos.append(info)
    return result(raw, pages, {"api": "document-parse", "pages": infos}, (("model", "model"), ("api", "api_version")))


def _page(index: int, elements: list[tuple[Mapping[str, Any], str]]) -> tuple[Page, dict[str, Any]]:
    lines: list[Line] = []
    blocks: list[Block] = []
    tables: list[Table] = []
    categories: list[str] = []
    empty: list[Any] = []
    pixels = False  # the page's boxes are pixels of the document sent (its size then comes from it)
    for obj, at in elements:
        category = obj.get("category", "paragraph")
        if type(category) is not str:
            category = read.string(category, f"{at}.category")
        coordinates = obj.get("coordinates")
        if coordinates is None and obj.get("bounding_box") is not None:
            quad = _quad(obj["bounding_box"], f"{at}.bounding_box")  # the older layout API: pixels
            pixels = True
        else:
            quad = plain_quad(coordinates) or _quad(coordinates, f"{at}.coordinates")  # the path built only when needed
        content = obj.get("content")
        if content is None:  # the older layout API: text and html on the element itself
            content = {key: obj[key] for key in ("text", "html", "markdown") if isinstance(obj.get(key), str)}
        elif type(content) is not dict:
            content = read.object(content, f"{at}.content")
        html = _string(content, "html", at)
        element_lines: list[Line] = []
        if category == "table":
            cells = table_cells(html)
            if cells:
                table, element_lines = _table(cells, quad)
                tables.append(table)
        if not element_lines:
            said = content.get("text")  # usually none or empty: the lines are the HTML's, read without a parser
            plain = simple_lines(html) if said is None or said == "" else None
            texts = plain if plain else _texts(content, html, at)
            if not texts:
                empty.append(obj.get("id"))
                continue
            parts = strips(quad, len(texts))
            element_lines = [checked_line(text, part, (checked_word(text, part, None),), None) for text, part in zip(texts, parts)]
        kind: BlockKind = "table" if category == "table" else "figure" if category in FIGURES else "text"
        blocks.append(checked_block(len(lines), len(lines) + len(element_lines), quad, kind))
        lines.extend(element_lines)
        categories.append(category)
    info: dict[str, Any] = {"categories": categories}
    if empty:
        info["empty"] = empty
    if pixels:
        info["frame"] = "pixels"
    size = 0 if pixels else 1  # 0: the size of the page sent, filled in when mapped back
    return Page(index, size, size, lines=lines, tables=tables, blocks=blocks), info


def _texts(content: Mapping[str, Any], html: str, at: str) -> list[str]:
    """The element's lines: ``text`` when Upstage gave it, else read from the HTML, else the markdown."""
    text = _string(content, "text", at)
    if text.strip():
        return [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    lines = text_lines(html)
    if lines:
        return lines
    markdown = _string(content, "markdown", at)
    return [" ".join(line.split()) for line in markdown.splitlines() if line.strip()]


def _string(content: Mapping[str, Any], key: str, at: str) -> str:
    value = content.get(key)
    if type(value) is str:
        return value
    return "" if value is None else read.string(value, f"{at}.content.{key}")


def _line(text: str, quad: Quad) -> Line:
    """A line of one word, the text read and its strip of the element's box (neither converted again)."""
    return checked_line(text, quad, (checked_word(text, quad, None),), None)


def _table(cells: list[HtmlCell], quad: Quad) -> tuple[Table, list[Line]]:
    """The model's table over the HTML cells, and the table block's lines (one per row)."""
    n_rows = max(c.row + c.row_span for c in cells)
    n_cols = max(c.col + c.col_span for c in cells)
    rows = strips(quad, n_rows)
    model_cells = []
    for c in cells:
        band = _span_strip(quad, n_rows, c.row, c.row_span)
        slot = _columns(band, n_cols, c.col, c.col_span)
        parts = strips(slot, len(c.lines))
        model_cells.append(Cell(c.row, c.col, c.row_span, c.col_span, [_line(t, q) for t, q in zip(c.lines, parts)], slot))
    lines = []
    for r in range(n_rows):
        texts = [" ".join(c.lines) for c in sorted(cells, key=lambda c: c.col) if c.row == r and c.lines]
        if texts:
            lines.append(_line(" ".join(texts), rows[r]))
    return Table(model_cells, quad), lines


def strips(quad: Quad, n: int) -> list[Quad]:
    """``quad`` cut into ``n`` equal strips from its top edge to its bottom edge (its own frame)."""
    if n <= 0:
        return []
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad.points
    left_x, left_y, right_x, right_y = x3 - x0, y3 - y0, x2 - x1, y2 - y1
    # each cut's left and right points at t = i / n, from the top edge (t = 0.0) down; a strip
    # runs from one cut to the next (most elements are one strip: their one line)
    top_x, top_y, top_rx, top_ry = x0 + left_x * 0.0, y0 + left_y * 0.0, x1 + right_x * 0.0, y1 + right_y * 0.0
    if n == 1:  # the usual element, of one line: the loop's one strip (t = 1 / 1), without the loop
        return [checked_quad(top_x, top_y, top_rx, top_ry, x1 + right_x * 1.0, y1 + right_y * 1.0, x0 + left_x * 1.0, y0 + left_y * 1.0)]
    out = []
    for i in range(1, n + 1):
        t = i / n
        next_x, next_y, next_rx, next_ry = x0 + left_x * t, y0 + left_y * t, x1 + right_x * t, y1 + right_y * t
        out.append(checked_quad(top_x, top_y, top_rx, top_ry, next_rx, next_ry, next_x, next_y))
        top_x, top_y, top_rx, top_ry = next_x, next_y, next_rx, next_ry
    return out


def _span_strip(quad: Quad, n: int, start: int, span: int) -> Quad:
    p0, p1, p2, p3 = quad.points
    a, b = start / n, (start + span) / n
    return Quad([_lerp(p0, p3, a), _lerp(p1, p2, a), _lerp(p1, p2, b), _lerp(p0, p3, b)])


def _columns(quad: Quad, n: int, start: int, span: int) -> Quad:
    p0, p1, p2, p3 = quad.points
    a, b = start / n, (start + span) / n
    return Quad([_lerp(p0, p1, a), _lerp(p0, p1, b), _lerp(p3, p2, b), _lerp(p3, p2, a)])


def _lerp(p: Point, q: Point, t: float) -> Point:
    return (p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t)


def _quad(value: Any, at: str) -> Quad:
    """Four normalised ``{"x", "y"}`` points in Upstage's order; the whole page when absent.

    Points of the usual shape (four objects of plain numbers of a sane size) are checked at
    once; anything else goes through :func:`_checked_quad`, which says what is wrong where."""
    if value is None or value is MISSING or value == []:
        return WHOLE_PAGE
    quad = plain_quad(value)
    if quad is not None:
        return quad
    return _checked_quad(value, at)


def _checked_quad(value: Any, at: str) -> Quad:
    vertices = read.array(value, at)
    if len(vertices) != 4:
        raise read.fail(at, "four points", value)
    points = []
    for i, vertex in enumerate(vertices):
        v = read.object(vertex, f"{at}[{i}]")
        x, y = read.number(v.get("x", MISSING), f"{at}[{i}].x"), read.number(v.get("y", MISSING), f"{at}[{i}].y")
        if abs(x) > MAX_COORDINATE or abs(y) > MAX_COORDINATE:
            raise BadResponseError(f"{at}[{i}] is not a point of a sane size", vendor=VENDOR)
        points.append((x, y))
    return Quad(points)
