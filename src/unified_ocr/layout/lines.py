"""Words into lines, and lines into reading order and visual lines, for every engine.

Kakao (and some local engines) return word boxes with no line structure. One shared,
deterministic grouping turns them into :class:`~unified_ocr.model.Line`\\ s so that every
engine's ``result.text`` reads the same way:

1. **Orientation.** Words are gathered by reading direction (their quads' angle); each
   group is rotated so its text runs left to right. A page photographed at a slant, or
   turned 90° or 180°, is grouped in its own frame.
2. **Lines.** Words on one centre line share a line (the row model, :mod:`.rows`): taken
   left to right, a word joins the row whose centre line, followed along the row, passes
   within half the row's height and half the page's pitch of its centre, and whose end is at
   most ``max_gap`` times that height away (the gap bound keeps the columns of a two-column
   page apart). Box overlap plays no part: padded boxes of a receipt's neighbouring rows
   overlap, their centre lines do not meet.
3. **Reading order.** Lines are ordered by recursive XY-cut: at each step the widest empty
   band, across or down the page, splits the lines; bands across the page are read top to
   bottom and bands down it left to right. A full-width title is read first, then the
   columns one after the other. A band down the page between rows of short, level cells
   (a receipt's items and prices, a form's labels and values) is not a column gutter: such
   rows are read across.
4. **Blocks.** The same cuts say where blocks of lines begin (:func:`group_blocks`): every
   cut down the page (a column gutter) and every band across the page at least
   :data:`BLOCK_GAP` line heights tall (a paragraph break) separates blocks; narrower bands
   stay inside one. A block whose rows were read across as cells is of kind ``"table"``.
   Blocks are runs of the lines in reading order, so they never change that order.
5. **Visual lines.** Pieces on one centre line that no cut parted (the cells of a
   receipt's row, a detector's fragments of one line; the same row model, with no gap
   bound) are one line: ``Green tea 2 3,000``,
   not three. :func:`order_lines` does steps 3 to 5 for engines that give lines of their
   own, so that ``page.lines`` means the visual lines of the page whatever the engine.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import islice
from math import hypot
from statistics import median
from typing import Literal

from ..model import Block, BlockKind, Line, Word, checked_line
from .rows import MAX_SLOPE, Frame, chain_rows, pitch_ratio, row_level

#: Words whose reading directions differ by more than this (degrees) are never on one line.
ANGLE_TOLERANCE = 20.0
#: Of lines on two sides of a cut down the page, at least this share must start a new run of
#: their side, top to bottom, for the sides to take turns (a staggered receipt), not be columns.
STAGGER = 0.75
#: A band across the page at least this many median line heights tall starts a new block.
#: Lines of one paragraph, or rows of one receipt, are closer; a blank line between them is not.
BLOCK_GAP = 1.0


def group_lines(words: Sequence[Word], *, max_gap: float = 1.5, separator: str = " ") -> list[Line]:
    """``words`` as lines in reading order; words keep their own quads and confidences."""
    return group_blocks(words, max_gap=max_gap, separator=separator)[0]


def group_blocks(words: Sequence[Word], *, max_gap: float = 1.5, separator: str = " ") -> tuple[list[Line], list[Block]]:
    """``words`` as lines in reading order (exactly :func:`group_lines`'), and the blocks
    those lines fall into: a page's ``lines`` and ``blocks``.

    Plain floats where the work is sequential (the row chaining, the cuts): most pages have
    tens of words, where numpy's cost per call outweighs its speed; a page of many words has
    its frame and its pitch worked out with arrays, and the sweeps below keep it near-linear.
    """
    if not words:
        return [], []
    lines: list[Line] = []
    for members, angle in _orientation_groups(*_directions(words)):
        lines.extend(_lines_in_frame([words[i] for i in members], angle, max_gap, separator))
    return order_lines(lines)


def order_lines(lines: Sequence[Line], *, separator: str = " ") -> tuple[list[Line], list[Block]]:
    """Lines an engine found as the page's visual lines, in reading order, cut into blocks (steps 3 to 5).

    For engines that give lines in some other order (an offline detector gives them top to
    bottom of the page, which is backwards on a page turned 180°) or in pieces (a detector's
    column fragments, a document engine's fields): pieces level with each other that no
    column gutter parts are one visual line, their texts joined by ``separator`` and their
    words kept, so that every engine's ``page.lines`` means the same thing.
    """
    lines = list(lines)
    widths, angles = _directions(lines)
    regions = _reading_order(lines, widths, angles)
    ordered: list[Line] = []
    blocks = []
    for region in regions:
        start = len(ordered)
        for row in region.rows:
            ordered.extend(_visual_lines(row, lines, angles, separator))
        quads = [line.quad for line in ordered[start:]]
        blocks.append(Block(start, len(ordered), quads[0].union(*quads[1:]), region.kind))
    return ordered, blocks


def _visual_lines(row: list[int], lines: list[Line], angles: list[float], separator: str) -> list[Line]:
    """The pieces of one row (indices, left to right) as one line per reading direction: a
    piece read another way (a vertical label beside the row) is a line of its own."""
    if len(row) == 1:
        return [lines[row[0]]]
    groups: list[tuple[float, list[int]]] = []  # each group's first piece's direction, and its pieces
    for i in row:
        angle = angles[i]
        for reference, group in groups:
            if abs((angle - reference + 180.0) % 360.0 - 180.0) <= ANGLE_TOLERANCE:  # geometry.angle_gap
                group.append(i)
                break
        else:
            groups.append((angle, [i]))
    return [_joined([lines[i] for i in group], separator) for _, group in groups]


def _joined(pieces: list[Line], separator: str) -> Line:
    if len(pieces) == 1:
        return pieces[0]
    scores = [line.confidence for line in pieces]
    # the pieces' values are the model's already: the line is made without converting them again
    return checked_line(
        separator.join([line.text for line in pieces]),
        pieces[0].quad.union(*[line.quad for line in pieces[1:]]),
        tuple([word for line in pieces for word in line.words]),
        None if any(c is None for c in scores) else min(c for c in scores if c is not None),
    )


class _Region:
    """Lines (as indices) that no significant cut separates, in rows (level lines, left to
    right) in reading order, and what they are."""

    __slots__ = ("rows", "kind")

    def __init__(self, rows: list[list[int]], kind: BlockKind) -> None:
        self.rows = rows
        self.kind = kind

    @property
    def items(self) -> list[int]:
        return [i for row in self.rows for i in row]


def _directions(items: Sequence[Word | Line]) -> tuple[list[float], list[float]]:
    """Each quad's length and direction, once (as :attr:`Quad.width` and :attr:`Quad.angle` give them)."""
    widths, angles = [], []
    for item in items:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = item.quad.points
        widths.append((math.hypot(x1 - x0, y1 - y0) + math.hypot(x2 - x3, y2 - y3)) / 2)
        angles.append(math.degrees(math.atan2((y1 - y0) + (y2 - y3), (x1 - x0) + (x2 - x3))))
    return widths, angles


def _orientation_groups(widths: list[float], angles: list[float]) -> list[tuple[list[int], float]]:
    """Indices of words (or lines) per reading direction, and each group's direction (width-weighted)."""
    groups: list[tuple[list[int], float]] = []
    shorter = [-width for width in widths]
    for i in sorted(range(len(widths)), key=shorter.__getitem__):  # long words set the direction
        angle = angles[i]
        for members, reference in groups:
            if abs((angle - reference + 180.0) % 360.0 - 180.0) <= ANGLE_TOLERANCE:  # geometry.angle_gap
                members.append(i)
                break
        else:
            groups.append(([i], angle))
    out = []
    for members, _ in groups:
        members.sort()
        out.append((members, _mean_direction(members, widths, angles)))
    return out


def _mean_direction(members: list[int], widths: list[float], angles: list[float]) -> float:
    """:func:`~unified_ocr.geometry.mean_direction` of the members, from their lengths and directions."""
    sin_sum = cos_sum = 0.0
    for i in members:
        weight, theta = max(widths[i], 1e-6), math.radians(angles[i])
        sin_sum += weight * math.sin(theta)
        cos_sum += weight * math.cos(theta)
    return math.degrees(math.atan2(sin_sum, cos_sum))


def _lines_in_frame(words: list[Word], angle: float, max_gap: float, separator: str) -> list[Line]:
    """Words read one way as the pieces of rows: words on one centre line, no wider apart than
    ``max_gap`` times their height (so the columns of a page stay apart; a row's pieces across
    a gutter are joined later, by the reading order)."""
    frame = Frame([w.quad for w in words], angle)
    rows = chain_rows(frame, range(len(words)), pitch_ratio(frame), max_gap)
    return [Line.from_words([words[i] for i in row], separator) for row in rows]


def _reading_order(lines: list[Line], widths: list[float], angles: list[float]) -> list[_Region]:
    """Recursive XY-cut over the lines, in the frame of the page's main reading direction."""
    if len(lines) < 2:
        return [_Region([list(range(len(lines)))], "text")] if lines else []
    # the frame of the page's main direction: the direction with the most text along it, not the
    # mean of all (a vertical label would tilt a mean and split the rows it stands beside)
    members, angle = max(_orientation_groups(widths, angles), key=lambda g: sum(widths[i] for i in g[0]))
    page = _Page(lines, angle)
    frame = page.frame  # each line's box in the page's frame: its span across the page and down it
    spans = ([(x0, x1, i) for i, (x0, x1) in enumerate(zip(frame.x0, frame.x1))], [(y0, y1, i) for i, (y0, y1) in enumerate(zip(frame.y0, frame.y1))])
    spans[0].sort()
    spans[1].sort()
    return _xy_cut(page, spans)


class _Page:
    """The lines in the frame of the page's main direction: boxes for the cuts, centre lines for the rows."""

    __slots__ = ("frame", "ratio", "starts", "unit")

    def __init__(self, lines: Sequence[Line], angle: float) -> None:
        self.frame = frame = Frame([line.quad for line in lines], angle)
        self.starts = (frame.x0, frame.y0)  # per axis, where each line's box starts along it
        _slopes_from_words(self.frame, lines, angle)
        self.ratio = pitch_ratio(self.frame)
        self.unit = median(y1 - y0 for y0, y1 in zip(frame.y0, frame.y1))

    def rows(self, items: list[int]) -> list[list[int]]:
        """Lines on one centre line, whatever gutter parts them: rows top to bottom, each left to right
        (the row model, :mod:`.rows`; boxes that overlap do not make a row)."""
        rows = chain_rows(self.frame, items, self.ratio)
        frame = self.frame
        middle = _median([frame.cx[i] for i in items])
        return sorted(rows, key=lambda row: row_level(frame, row, middle))


def _slopes_from_words(frame: Frame, lines: Sequence[Line], angle: float) -> None:
    """Each line's slope from its words' centres where they span a few heights, and the skew
    so shown given to the other lines (one word, an amount): a detector that draws upright
    boxes on a skewed photo gives pieces whose boxes are level while their rows climb, and an
    amount across a gutter would otherwise be matched to the row its box is level with."""
    theta = math.radians(angle)
    ux, uy = math.cos(theta), math.sin(theta)
    shown: dict[int, float] = {}  # line -> how much its words' slope differs from its box's
    for i, line in enumerate(lines):
        if len(line.words) < 2:
            continue  # a line of one word shows no slope of its own
        points = [word.quad.points for word in line.words]
        heights = [(hypot(x3 - x0, y3 - y0) + hypot(x2 - x1, y2 - y1)) / 2 for (x0, y0), (x1, y1), (x2, y2), (x3, y3) in points]  # Quad.height
        limit = 0.75 * max(heights)
        full = [k for k, height in enumerate(heights) if height > limit]  # no superscripts
        if len(full) < 2:
            continue
        (ax, ay), (bx, by), (cx, cy), (dx, dy) = points[full[0]]
        fx, fy = (ax + bx + cx + dx) / 4, (ay + by + cy + dy) / 4  # Quad.center
        (ax, ay), (bx, by), (cx, cy), (dx, dy) = points[full[-1]]
        lx, ly = (ax + bx + cx + dx) / 4, (ay + by + cy + dy) / 4
        run = (lx - fx) * ux + (ly - fy) * uy
        if run > 3.0 * frame.h[i]:
            fitted = max(-MAX_SLOPE, min(MAX_SLOPE, ((ly - fy) * ux - (lx - fx) * uy) / run))
            shown[i] = fitted - frame.s[i]
            frame.s[i] = fitted
    if not shown:
        return
    skew = median(shown.values())
    if abs(skew) > 0.005:  # about 0.3 degrees: boxes that show less than their words
        for i in range(len(lines)):
            if i not in shown:
                frame.s[i] = max(-MAX_SLOPE, min(MAX_SLOPE, frame.s[i] + skew))


def _is_table(frame: Frame, where: float, unit: float, spans: Spans, staggered: bool = False) -> Verdict:
    """Whether the two sides of a cut down the page (at ``where``) are rows of short cells rather than columns of text.

    Rows pair up: most lines of the smaller side lie level with a line of the other side
    (``"level"``), or the two sides take turns down the page (``"staggered"``, :func:`_staggered`:
    a receipt that prints each item's name on one row and its price, count and amount on the
    next; ``staggered``: a larger region around these lines was found so at this cut, for a few
    lines cannot show it). Columns of running text can be level too, so short lines on one side
    are also required. ``None``: columns.
    ``spans``: the items' spans across and down the page, each sorted (whichever of two equal
    tops comes first, the count of level lines is the same); the left side is the lines that
    start at ``where`` or before, a run at the start of the spans across.
    """
    by_left, by_top = spans
    cut = bisect_right(by_left, where, key=_start)
    if cut == 0 or cut == len(by_left):
        return None
    left, right = by_left[:cut], by_left[cut:]
    few_is_left = len(left) <= len(right)
    few = left if few_is_left else right
    starts, bottoms = frame.x0, frame.y1
    many = [(top, i) for top, _, i in by_top if (starts[i] <= where) != few_is_left]  # the other side, top to bottom
    tops = [top for top, _ in many]
    # tallest line of ``many`` so far: a line starting this far above can still reach down to ``few``'s
    tallest = max([bottoms[j] - top for top, j in many])
    level = 0
    for _, _, i in few:
        y0, y1 = frame.y0[i], bottoms[i]
        for q in range(bisect_left(tops, y0 - tallest), len(many)):
            jy0, j = many[q]
            jy1 = bottoms[j]
            if jy0 >= y1:
                break
            if (y1 if y1 < jy1 else jy1) - (y0 if y0 > jy0 else jy0) > 0.5 * (y1 - y0 if y1 - y0 < jy1 - jy0 else jy1 - jy0):
                level += 1
                break
    verdict: Verdict = "level"
    if level < 0.5 * len(few):
        turns = _staggered(frame, by_top, where)
        if not (turns or (turns is None and staggered)):
            return None
        verdict = "staggered"
    widths = [_median([x1 - x0 for x0, x1, _ in side]) for side in (left, right)]
    return verdict if min(widths) < 6.0 * unit else None


def _staggered(frame: Frame, by_top: list[tuple[float, float, int]], where: float) -> bool | None:
    """Whether the lines on the two sides of a cut at ``where`` take turns down the page
    (``None``: too few to tell, under four steps).

    Taken top to bottom, with level pieces on one side counted as one (a row's price, count and
    amount), the side changes at nearly every step: at least :data:`STAGGER` of the steps start
    a new run of their side (1.0: the sides alternate row by row). Two columns each keep their
    own rhythm, so rows of one follow each other; a side with half the other's rows or fewer
    cannot take turns with it.

    >>> from types import SimpleNamespace
    >>> frame = SimpleNamespace(x0=[0, 50, 0, 50, 80], y0=[0, 2, 4, 6, 6], y1=[1, 3, 5, 7, 7])
    >>> spans = [(0, 1, 0), (2, 3, 1), (4, 5, 2), (6, 7, 3), (6, 7, 4)]
    >>> _staggered(frame, spans, 25.0), _staggered(SimpleNamespace(**{**vars(frame), "x0": [0, 0, 50, 50, 80]}), spans, 25.0)
    (True, False)
    >>> _staggered(frame, spans[:3], 25.0) is None
    True
    """
    steps: list[tuple[bool, float, float]] = []  # (side, top, bottom), level pieces of a side merged
    for _, _, i in by_top:
        side, y0, y1 = frame.x0[i] <= where, frame.y0[i], frame.y1[i]
        if steps and steps[-1][0] == side:
            _, top, bottom = steps[-1]
            if min(y1, bottom) - max(y0, top) > 0.5 * min(y1 - y0, bottom - top):
                steps[-1] = (side, min(y0, top), max(y1, bottom))
                continue
        steps.append((side, y0, y1))
    if len(steps) < 4:
        return None
    runs = 1 + sum(a[0] != b[0] for a, b in zip(steps, steps[1:]))
    return runs >= STAGGER * len(steps)


def _start(span: tuple[float, float, int]) -> float:
    return span[0]


def _median(values: list[float]) -> float:
    """:func:`statistics.median`, to the bit, without its checks and conversions: called once a cut."""
    values.sort()
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


#: Per axis, the items' spans along it as (start, end, item), sorted.
Spans = tuple[list[tuple[float, float, int]], list[tuple[float, float, int]]]
#: Why the sides of a cut down the page are a table's cells: level rows or rows taking turns.
Verdict = Literal["level", "staggered"] | None


def _xy_cut(page: _Page, spans: Spans, staggered: tuple[tuple[float, float], ...] = ()) -> list[_Region]:
    """The regions of the lines whose spans are given (sorted once, for the page; each cut
    splits them, keeping their order). ``staggered``: bands down the page whose sides a larger
    region showed taking turns (:func:`_staggered`); a band across the page that parts those
    turns leaves too few lines on each side to show them again."""
    unit = page.unit
    if len(spans[0]) < 2:
        return [_Region([[i for _, _, i in spans[0]]], "text")]
    best: tuple[float, int, float] | None = None  # (gap, axis, where)
    read_across = False  # a cut down the page was refused: rows of cells
    for axis in (1, 0):  # 1: a band across the page (split by y); 0: a band down it (split by x)
        along = spans[axis]
        gap, reach = -math.inf, along[0][1]
        ties: list[float] = []  # where the bands as wide as the widest begin
        for lo, hi, _ in islice(along, 1, None):  # the widest empty band between what lies before and after it
            if lo - reach >= gap - 1e-9:
                if lo - reach > gap + 1e-9:
                    gap, ties = lo - reach, []
                ties.append(reach)
            if hi > reach:
                reach = hi
        # of equally wide bands the middle one: the same cuts in the end, in log(n) rounds, not n
        where = ties[len(ties) // 2] if ties else 0.0
        # a cut down the page must be wider than a word space, or lines of a row would part
        needed = 1e-6 if axis == 1 else 0.8 * unit
        if gap > needed and (best is None or gap > best[0]):
            if axis == 0:
                inherited = any(where < b and where + gap > a for a, b in staggered)
                verdict = _is_table(page.frame, where, unit, spans, inherited)
                if verdict is not None:
                    read_across = True
                    if verdict == "staggered" and not inherited:
                        staggered = (*staggered, (where, where + gap))
                    continue  # rows of label and value (a receipt): read across, not down
            best = (gap, axis, where)
    if best is None:  # the lines in the order given to the layout (what ties in the row model follow)
        return [_Region(page.rows(sorted([i for _, _, i in spans[0]])), "table" if read_across else "text")]
    gap, axis, where = best
    # the side before the cut: a run at the start of the spans along the cut's axis, and the
    # same lines (by where they start) among the spans along the other
    cut = bisect_right(spans[axis], where, key=_start)
    starts = page.starts[axis]
    other = spans[1 - axis]
    before_other = [t for t in other if starts[t[2]] <= where]
    after_other = [t for t in other if starts[t[2]] > where]
    before = (spans[0][:cut], before_other) if axis == 0 else (before_other, spans[1][:cut])
    after = (spans[0][cut:], after_other) if axis == 0 else (after_other, spans[1][cut:])
    first = _xy_cut(page, before, staggered)
    rest = _xy_cut(page, after, staggered)
    if axis == 1 and gap < BLOCK_GAP * unit and len(first) == len(rest) == 1 and first[0].kind == rest[0].kind:
        return [_Region(first[0].rows + rest[0].rows, first[0].kind)]  # a narrow band: one block
    return first + rest
