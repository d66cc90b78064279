"""Truth pages for the layout benchmark, and the transforms that make them harder (used by layout_rows.py).

A :class:`TruthPage` is a page's truth words and its truth rows (the words of one truth line
or segment, in reading order). Each transform returns a new page with the same rows, so
that what a line builder makes of the moved words is still scored against the truth: the
boxes padded about their centre line (detectors pad their boxes), the page turned a few
degrees or warped as in a phone photo, the rows moved closer (a thermal receipt's pitch
is close to its glyph height), or words dropped (a detector misses some). Every random
choice comes from a seed, so a run is repeatable.
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import median

import numpy as np

from unified_ocr import Quad, Word
from unified_ocr.geometry import mean_direction


@dataclass(frozen=True)
class TruthPage:
    """Truth words and rows. ``rows`` hold word indices, each row in reading order and the rows
    in the set's reading order; ``lines[r]`` is the visual line row ``r`` lies on: rows level
    with each other in the truth (a receipt's label and amount, a form's label and value) share
    one, since a line builder rightly joins them."""

    name: str
    words: tuple[Word, ...]
    rows: tuple[tuple[int, ...], ...]
    lines: tuple[int, ...]

    @classmethod
    def build(cls, name: str, words: Sequence[Word], rows: Sequence[Sequence[int]]) -> TruthPage:
        """A page whose rows' visual lines are found from the truth geometry."""
        kept = tuple(tuple(row) for row in rows if row)
        return cls(name, tuple(words), kept, level_lines(words, kept))

    def reordered(self, order: Sequence[int]) -> TruthPage:
        """The same page with its rows in another reading order."""
        return TruthPage(self.name, self.words, tuple(self.rows[r] for r in order), tuple(self.lines[r] for r in order))

    def moved(self, quads: Sequence[Quad]) -> TruthPage:
        return TruthPage(
            self.name, tuple(Word(w.text, q, w.confidence) for w, q in zip(self.words, quads)), self.rows, self.lines
        )


def seed(page: TruthPage, step: str) -> int:
    """A stable seed per page and step (Python's own hash of a string changes between runs)."""
    return zlib.crc32(f"{page.name}/{step}".encode())


def frame(words: Sequence[Word]) -> tuple[float, float, float]:
    """The page's reading direction (degrees) as a unit vector along the text, and the angle."""
    angle = mean_direction(w.quad for w in words)
    theta = math.radians(angle)
    return math.cos(theta), math.sin(theta), angle


def down(quad: Quad, ux: float, uy: float) -> float:
    """How far down the page (across the text) a quad's centre lies."""
    x, y = quad.center
    return y * ux - x * uy


def level_lines(words: Sequence[Word], rows: Sequence[Sequence[int]]) -> tuple[int, ...]:
    """Per row, an id shared by the rows level with it: centre lines within half the taller row's
    glyph height, in the page's reading frame (rows level with a row level with it are joined too).
    Half the taller, not the smaller: a scan a degree off square puts a form's label and its
    value, far apart on one row, a few pixels apart across it."""
    if not rows:
        return ()
    ux, uy, _ = frame(words)
    centre = [sum(down(words[i].quad, ux, uy) for i in row) / len(row) for row in rows]
    height = [median(words[i].quad.height for i in row) for row in rows]
    parent = list(range(len(rows)))

    def find(r: int) -> int:
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    order = sorted(range(len(rows)), key=centre.__getitem__)
    tallest = max(height)
    for p, a in enumerate(order):
        for b in order[p + 1 :]:
            if centre[b] - centre[a] > 0.5 * tallest:  # no row further down is level with a
                break
            if centre[b] - centre[a] <= 0.5 * max(height[a], height[b]):
                parent[find(b)] = find(a)
    roots: dict[int, int] = {}
    return tuple(roots.setdefault(find(r), len(roots)) for r in range(len(rows)))


def glyph_height(page: TruthPage) -> float:
    return median(w.quad.height for w in page.words)


def line_centres(page: TruthPage) -> list[float]:
    """The visual lines' centre lines (down the page, in its reading frame), top to bottom."""
    ux, uy, _ = frame(page.words)
    members: dict[int, list[float]] = {}
    for row, line in zip(page.rows, page.lines):
        members.setdefault(line, []).extend(down(page.words[i].quad, ux, uy) for i in row)
    return sorted(sum(c) / len(c) for c in members.values())


def pitch(page: TruthPage) -> float:
    """The median distance between neighbouring lines' centre lines."""
    centres = line_centres(page)
    return median(b - a for a, b in zip(centres, centres[1:])) if len(centres) > 1 else 0.0


# -- the transforms ---------------------------------------------------------------------------


def padded(page: TruthPage, scale: float) -> TruthPage:
    """Every box ``scale`` times its height, about its centre line (its left and right edges
    stretched from their midpoints), as a detector pads the boxes it finds."""
    quads = []
    for w in page.words:
        p = w.quad.array
        left, right = (p[0] + p[3]) / 2, (p[1] + p[2]) / 2
        mid = np.array([left, right, right, left])
        quads.append(Quad(mid + scale * (p - mid)))
    return page.moved(quads)


def rotated(page: TruthPage, seed: int, limit: float = 5.0) -> TruthPage:
    """The page turned by an angle drawn from -``limit``..``limit`` degrees about its centre."""
    theta = math.radians(random.Random(seed).uniform(-limit, limit))
    cx, cy = _centre(page)
    c, s = math.cos(theta), math.sin(theta)
    matrix = np.array([[c, -s, cx - c * cx + s * cy], [s, c, cy - s * cx - c * cy], [0.0, 0.0, 1.0]])
    return _mapped(page, matrix)


def warped(page: TruthPage, seed: int, keystone: float = 0.1, jitter: float = 0.03) -> TruthPage:
    """A perspective warp like a phone held a little off square: one edge of the page (top,
    bottom, left or right, drawn) narrowed by up to ``keystone`` of its length, and every corner
    moved by up to ``jitter`` of the page's shorter side."""
    rng = random.Random(seed)
    x0, y0, x1, y1 = _extent(page)
    w, h = x1 - x0, y1 - y0
    corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    target = corners.copy()
    side, k = rng.randrange(4), rng.uniform(0.0, keystone)
    a, b = side, (side + 1) % 4  # the edge from corner a to corner b is narrowed towards its middle
    shift = (corners[b] - corners[a]) * k / 2
    target[a] += shift
    target[b] -= shift
    target += np.array([[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(4)]) * jitter * min(w, h)
    return _mapped(page, _homography(corners, target))


def tightened(page: TruthPage, ratio: float = 0.8) -> TruthPage:
    """Rows moved closer: each visual line shifted across the text, about the page's centre line,
    so that the median distance between neighbouring lines' centre lines becomes ``ratio`` times
    the median glyph height. Words keep their size; rows never move apart."""
    gap = pitch(page)
    if gap <= 0:
        return page
    k = min(1.0, ratio * glyph_height(page) / gap)
    ux, uy, _ = frame(page.words)
    centres = line_centres(page)
    middle = (centres[0] + centres[-1]) / 2
    quads = list(w.quad for w in page.words)
    members: dict[int, list[int]] = {}
    for row, line in zip(page.rows, page.lines):
        members.setdefault(line, []).extend(row)
    for line_words in members.values():
        centre = sum(down(page.words[i].quad, ux, uy) for i in line_words) / len(line_words)
        d = (k - 1.0) * (centre - middle)  # the shift across the text
        for i in line_words:
            quads[i] = Quad(page.words[i].quad.array + np.array([-uy * d, ux * d]))
    return page.moved(quads)


def dropped(page: TruthPage, seed: int, share: float = 0.1) -> TruthPage:
    """``share`` of the words (rounded) taken away at random; a row left empty goes too."""
    n = len(page.words)
    gone = set(random.Random(seed).sample(range(n), round(share * n)))
    index: dict[int, int] = {}
    words: list[Word] = []
    for i, w in enumerate(page.words):
        if i not in gone:
            index[i] = len(words)
            words.append(w)
    rows, lines = [], []
    for row, line in zip(page.rows, page.lines):
        kept = tuple(index[i] for i in row if i in index)
        if kept:
            rows.append(kept)
            lines.append(line)
    return TruthPage(page.name, tuple(words), tuple(rows), tuple(lines))


def curled(page: TruthPage, seed: int, limit: float = 5.0) -> TruthPage:
    """A page bent as a receipt lies curled on a table: every point moved across the text by
    a parabola along it, whose lowest (or highest) point lies somewhere in the middle half of
    the page and whose rows lean by up to ``limit`` degrees at the page's edges, the two edges
    leaning opposite ways. A row's two ends stay about level while each word along it leans
    with the bend: a word's own slope, followed across a gutter, points off its row."""
    rng = random.Random(seed)
    ux, uy, _ = frame(page.words)
    x0, y0, x1, y1 = _extent(page)
    cx, cy = _centre(page)
    half = max((x1 - x0) / 2, 1e-6)
    middle = cx + rng.uniform(-0.5, 0.5) * half
    reach = max(middle - x0, x1 - middle)
    edge = math.tan(math.radians(rng.uniform(2.0, limit))) * rng.choice((-1, 1))  # the slope at the farther edge
    depth = edge * reach / 2  # y = depth * (t / reach)^2 has slope 2 * depth / reach at t = reach
    quads = []
    for w in page.words:
        points = []
        for x, y in w.quad.points:
            along = (x - cx) * ux + (y - cy) * uy + cx - middle
            sag = depth * (along / reach) ** 2
            points.append((x - uy * sag, y + ux * sag))
        quads.append(Quad(points))
    return page.moved(quads)


def everything(page: TruthPage) -> TruthPage:
    """All transforms, one after the other, with the seeds each uses alone: words dropped, rows
    moved closer, boxes padded 1.6x, the page turned, then warped."""
    page = tightened(dropped(page, seed(page, "drop")))
    return warped(rotated(padded(page, 1.6), seed(page, "rotate")), seed(page, "warp"))


#: The transforms by the name the benchmark prints; each takes a page and returns a page.
TRANSFORMS: dict[str, Callable[[TruthPage], TruthPage]] = {
    "none": lambda page: page,
    "pad1.3": lambda page: padded(page, 1.3),
    "pad1.6": lambda page: padded(page, 1.6),
    "pad2.0": lambda page: padded(page, 2.0),
    "rotate": lambda page: rotated(page, seed(page, "rotate")),
    "warp": lambda page: warped(page, seed(page, "warp")),
    "curl": lambda page: curled(page, seed(page, "curl")),
    "pitch0.8": tightened,
    "drop10": lambda page: dropped(page, seed(page, "drop")),
    "all": everything,
}


def _extent(page: TruthPage) -> tuple[float, float, float, float]:
    boxes = [w.quad.bbox() for w in page.words]
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def _centre(page: TruthPage) -> tuple[float, float]:
    x0, y0, x1, y1 = _extent(page)
    return (x0 + x1) / 2, (y0 + y1) / 2


def _mapped(page: TruthPage, matrix: np.ndarray) -> TruthPage:
    quads = []
    for w in page.words:
        p = np.hstack([w.quad.array, np.ones((4, 1))]) @ matrix.T
        quads.append(Quad(p[:, :2] / p[:, 2:3]))
    return page.moved(quads)


def _homography(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 3x3 projective map taking four points onto four others."""
    a, b = [], []
    for (x, y), (u, v) in zip(source, target):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b.extend([u, v])
    h = np.linalg.solve(np.array(a, dtype=np.float64), np.array(b, dtype=np.float64))
    return np.append(h, 1.0).reshape(3, 3)
