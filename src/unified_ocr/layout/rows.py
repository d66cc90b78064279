"""The row model: which words (or a detector's pieces) lie on one row, by centre line, not by box overlap.

Boxes are a poor guide to rows. Thermal receipts are printed with a line pitch close to the
glyph height and detectors pad their boxes, so the boxes of neighbouring rows overlap by a
fifth to a half of their height: linking overlapping boxes chains rows together, and a line
sorted left to right then interleaves their words. What does part two rows is their centre
lines, which padding leaves where they are. So, in the frame of the text's direction:

1. **Pitch.** The page's row pitch, as a share of the box height, is measured from words
   stacked above one another (:func:`pitch_ratio`). A word may sit at most half a row
   height off a row's centre line, and never more than half the pitch: two rows whose
   centre lines lie farther apart than that never merge, however much their boxes overlap.
2. **Chains.** Words are taken left to right and each joins the row whose centre line,
   followed locally (from its last full-height word, along the words' own slope), passes
   nearest its centre, if within that tolerance and within reach along the row. A row
   skewed or curved by a photograph is followed word by word rather than by one global y;
   a superscript or a comma joins its row without moving its centre line; a word that
   would stack on a row's last word starts a row of its own. Far along a row, a word that
   leans apart from the row's end is also measured along their chord (:data:`CHORD`): a
   curled page's rows lean opposite ways at their two ends, which stay level.
3. **Doubt.** Each word joins at most one row and rows are never joined afterwards, so two
   rows cannot be merged through a word between them: where a merge is doubtful the
   result is two lines, never one line holding two rows' words in x order.

Plain floats and lists: the chaining is sequential (each word's row depends on the rows
before it), most pages have tens of words, and a grid of buckets by centre line keeps a
dense page of thousands near-linear. A page of many words is seen in its frame and has its
pitch measured with numpy, where working on every word at once pays (the same floats as
one word at a time).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import chain
from statistics import median

import numpy as np

from ..geometry import Quad

#: The most a word's slope (in the frame) is trusted to carry a row's centre line along it: about 8.5°.
MAX_SLOPE = 0.15
#: A word at least this share of a row's height moves the row's centre line; a smaller one
#: (a superscript, a comma, a lone digit's tight box) joins the row without moving it.
ANCHOR = 0.6
#: A word more than this many times taller than a row joins it only if its centre lies within
#: the tolerance of a word this much taller, or its bottom within the row's own tolerance of
#: the row's bottom (one baseline: a big amount beside small text): a stamp or a scribble two rows tall, level with one row's top, does not join
#: it and drag its centre line onto the row below (which would then lose its own words).
TALL = 1.5
#: A word whose centre lies nearly as near the line of a second row as of the nearest (its
#: distance to the nearest over this share of its distance to the second) joins neither: two
#: lines where one would have been a guess, since a wrong guess interleaves two rows.
DOUBT = 0.75
#: A word at least this many times as long as it is tall, this many row heights along from the
#: row's last word, may be matched along the chord of a bent row (the mean of the row's slope
#: and its own) where that passes nearer than the row's slope alone: a curled page's rows lean
#: one way at one end and the other way at the other, and their ends stay level.
CHORD = 2.0
#: ... and only where the two lean apart by more than this (about 1.1 degrees): a bend, not a box's noise.
BEND = 0.02
#: Stacked words whose centres lie closer than this share of their height are duplicates, not a pitch.
MIN_PITCH = 0.25


#: Frames of fewer quads than this are worked out one quad at a time: below it numpy's cost per
#: call outweighs what it saves (about 30 us against 3 at two quads; 50 us against 59 at 48).
_FRAME_ARRAYS = 40


class Frame:
    """Quads seen in a frame where their text reads left to right: per quad its extent along
    the text (``x0``, ``x1``), its centre (``cx``, ``cy``; ``cy`` grows down the page), its
    height across the text (``h``) and the slope of its centre line (``s``, down per along).
    ``y0``, ``y1``: its extent across the text (with ``x0``, ``x1`` its box in the frame).

    Kept as plain lists: the row chaining reads them one word at a time, where a list's item
    is several times quicker to read than an array's. A page of many quads is worked out
    whole (numpy: each operation once over every quad, the same operations in the same order
    as one quad at a time, so the same floats: 2.7x quicker at 455 quads), a few quads one at
    a time."""

    __slots__ = ("x0", "x1", "cx", "cy", "h", "s", "y0", "y1", "_arrays")

    def __init__(self, quads: Sequence[Quad], angle: float) -> None:
        theta = math.radians(angle)
        ux, uy = math.cos(theta), math.sin(theta)  # along the text; (-uy, ux) is down it
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        if len(quads) < _FRAME_ARRAYS:
            self._one_at_a_time(quads, ux, uy)
            return
        flat = np.fromiter(chain.from_iterable(chain.from_iterable(q.points for q in quads)), np.float64, 8 * len(quads))
        ax, ay, bx, by, cx, cy, dx, dy = flat.reshape(-1, 8).T
        a0, a1, a2, a3 = ax * ux + ay * uy, bx * ux + by * uy, cx * ux + cy * uy, dx * ux + dy * uy
        d0, d1, d2, d3 = ay * ux - ax * uy, by * ux - bx * uy, cy * ux - cx * uy, dy * ux - dx * uy
        x0 = np.minimum(np.minimum(a0, a1), np.minimum(a2, a3))
        x1 = np.maximum(np.maximum(a0, a1), np.maximum(a2, a3))
        centre_y = (d0 + d1 + d2 + d3) / 4
        h = np.maximum(np.abs((d3 - d0) + (d2 - d1)) / 2, 1e-6)
        run = (a1 - a0) + (a2 - a3)
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(run > 1e-9, ((d1 - d0) + (d2 - d3)) / run, 0.0)
        self._arrays = (x0, x1, centre_y, h)
        self.x0: list[float] = x0.tolist()
        self.x1: list[float] = x1.tolist()
        self.cx: list[float] = ((a0 + a1 + a2 + a3) / 4).tolist()
        self.cy: list[float] = centre_y.tolist()
        self.h: list[float] = h.tolist()
        self.s: list[float] = np.clip(slope, -MAX_SLOPE, MAX_SLOPE).tolist()
        self.y0: list[float] = np.minimum(np.minimum(d0, d1), np.minimum(d2, d3)).tolist()
        self.y1: list[float] = np.maximum(np.maximum(d0, d1), np.maximum(d2, d3)).tolist()

    def _one_at_a_time(self, quads: Sequence[Quad], ux: float, uy: float) -> None:
        """The same figures, a quad at a time: for a few quads."""
        self.x0, self.x1, self.cx, self.cy, self.h, self.s, self.y0, self.y1 = [], [], [], [], [], [], [], []
        for quad in quads:
            (ax, ay), (bx, by), (cx, cy), (dx, dy) = quad.points
            a0, a1, a2, a3 = ax * ux + ay * uy, bx * ux + by * uy, cx * ux + cy * uy, dx * ux + dy * uy
            d0, d1, d2, d3 = ay * ux - ax * uy, by * ux - bx * uy, cy * ux - cx * uy, dy * ux - dx * uy
            self.x0.append(min(a0, a1, a2, a3))
            self.x1.append(max(a0, a1, a2, a3))
            self.y0.append(min(d0, d1, d2, d3))
            self.y1.append(max(d0, d1, d2, d3))
            self.cx.append((a0 + a1 + a2 + a3) / 4)
            self.cy.append((d0 + d1 + d2 + d3) / 4)
            self.h.append(max(abs((d3 - d0) + (d2 - d1)) / 2, 1e-6))
            run = (a1 - a0) + (a2 - a3)
            slope = ((d1 - d0) + (d2 - d3)) / run if run > 1e-9 else 0.0
            self.s.append(MAX_SLOPE if slope > MAX_SLOPE else -MAX_SLOPE if slope < -MAX_SLOPE else slope)

    @property
    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``x0``, ``x1``, ``cy`` and ``h`` as arrays, for the measures taken over the whole page."""
        if self._arrays is None:
            self._arrays = (np.array(self.x0), np.array(self.x1), np.array(self.cy), np.array(self.h))
        return self._arrays

    def __len__(self) -> int:
        return len(self.cx)


#: At most this many words of a page are sampled for its pitch, each looking this far down the page.
_PITCH_SAMPLES, _PITCH_WINDOW = 300, 400


#: Pages of fewer words than this measure their pitch in a plain loop: below it numpy's cost per
#: call outweighs what it saves (about 40 us against 4 us at 8 words; 115 us against 330 at 100).
_PITCH_ARRAYS = 64


def pitch_ratio(frame: Frame, items: Sequence[int] | None = None) -> float:
    """The row pitch over the box height: the median distance between the centre lines of a
    word and the nearest word stacked below it (overlapping along the text by half the
    narrower, of a like height), over their mean height. 1.0 when too few words stack.

    Measured on a deterministic sample of at most a few hundred words, so a dense page costs
    no more than a short one. On a page of many words each sampled word is paired at once
    with the words below it within four of its heights (numpy), and the first that stacks on
    it gives its sample: the same samples as the plain loop, in a third of its time."""
    x0, x1, cy, h = frame.x0, frame.x1, frame.cy, frame.h
    if (len(frame) if items is None else len(items)) >= _PITCH_ARRAYS:
        ax0, ax1, acy, ah = frame.arrays
        chosen = np.arange(len(frame)) if items is None else np.asarray(items, dtype=np.intp)
        at = chosen[np.argsort(acy[chosen], kind="stable")]  # as sorted() orders them: ties kept in turn
        samples = _stacked_samples(ax0[at], ax1[at], acy[at], ah[at])
        return median(samples) if len(samples) >= 3 else 1.0
    order = sorted(range(len(frame)) if items is None else items, key=cy.__getitem__)
    n = len(order)
    samples = []
    for p in range(0, n, max(1, n // _PITCH_SAMPLES)):
        i = order[p]
        hi, wi = h[i], x1[i] - x0[i]
        for q in range(p + 1, min(n, p + _PITCH_WINDOW)):
            j = order[q]
            d = cy[j] - cy[i]
            if d > 4.0 * hi:
                break
            hj = h[j]
            if d <= MIN_PITCH * (hi if hi < hj else hj) or not 0.5 * hi <= hj <= 2.0 * hi:
                continue
            overlap = (x1[i] if x1[i] < x1[j] else x1[j]) - (x0[i] if x0[i] > x0[j] else x0[j])
            wj = x1[j] - x0[j]
            if overlap > 0.5 * (wi if wi < wj else wj):
                samples.append(2.0 * d / (hi + hj))
                break
    return median(samples) if len(samples) >= 3 else 1.0


def _stacked_samples(x0: np.ndarray, x1: np.ndarray, cy: np.ndarray, h: np.ndarray) -> list[float]:
    """:func:`pitch_ratio`'s samples over words sorted by centre line, as arrays: each sampled
    word against every word below it in its window at once, the first that stacks on it kept."""
    n = len(cy)
    at = np.arange(0, n, max(1, n // _PITCH_SAMPLES))
    # the words each sampled word is compared with: the next ones down the page, no further than
    # four of its heights (a bound a little loose here, exact below: the loop's ``break``) and the window
    reach = np.searchsorted(cy, cy[at] + 4.0 * h[at] * (1 + 1e-9) + 1e-9, side="right")
    ends = np.minimum(np.minimum(n, at + _PITCH_WINDOW), np.maximum(reach, at + 1))
    counts = ends - (at + 1)
    total = int(counts.sum())
    if total == 0:
        return []
    pair_of = np.repeat(np.arange(len(at)), counts)
    starts = np.cumsum(counts) - counts
    i = at[pair_of]
    j = (i + 1) + (np.arange(total) - starts[pair_of])
    hi, hj = h[i], h[j]
    d = cy[j] - cy[i]
    overlap = np.minimum(x1[i], x1[j]) - np.maximum(x0[i], x0[j])
    stacked = (
        (d <= 4.0 * hi) & (d > MIN_PITCH * np.minimum(hi, hj)) & (0.5 * hi <= hj) & (hj <= 2.0 * hi)
        & (overlap > 0.5 * np.minimum(x1[i] - x0[i], x1[j] - x0[j]))
    )  # fmt: skip
    found = np.flatnonzero(stacked)
    owner = pair_of[found]  # in order: a sampled word's pairs are a run, nearest first
    first = np.ones(len(found), dtype=bool)
    first[1:] = owner[1:] != owner[:-1]  # each sampled word's nearest stacked word
    chosen = found[first]
    samples: list[float] = (2.0 * d[chosen] / (hi[chosen] + hj[chosen])).tolist()
    return samples


def chain_rows(frame: Frame, items: Sequence[int], ratio: float, max_gap: float = math.inf) -> list[list[int]]:
    """``items`` (indices into ``frame``) as rows, each left to right (see the module's steps 2 and 3).

    A word joins a row when its centre lies within ``0.5 * min(1, ratio)`` of the taller
    one's height from the row's local centre line, it does not stack on the row's last word,
    and the gap to the row's end is at most ``max_gap`` times that height (``inf``: a row's
    pieces across any gutter, as the reading order joins them).
    """
    if len(items) < 2:
        return [[items[0]]] if items else []
    x0, x1, cx, cy, h, s = frame.x0, frame.x1, frame.cx, frame.cy, frame.h, frame.s
    # the module's constants as locals, and the loop's fixed products worked out once (the same
    # floats: each is the left operand of the product the loop would form)
    max_slope, tall_share, doubt, chord_length, bend, anchor = MAX_SLOPE, TALL, DOUBT, CHORD, BEND, ANCHOR
    floor, inf = math.floor, math.inf
    share = 0.5 * min(1.0, ratio)
    far = share / DOUBT * (1 + 1e-9)  # a centre this far off a row's line (in heights) never counts for it
    least_doubt, near_own = 1.0 / DOUBT, 0.5 * MIN_PITCH
    heights = sorted([h[i] for i in items])
    unit = max(heights[len(heights) // 2], 1e-6)  # bucket size
    tall = heights[(len(heights) * 19) // 20]  # a row taller than most is still looked up
    finite = not math.isinf(max_gap)
    if finite:  # a word reaches along the row as far as the gap allows, past a wide word before it
        widths = sorted([x1[i] - x0[i] for i in items])
        wide = widths[(len(widths) * 19) // 20]
        left = 0.0
    else:  # a word reaches back to the page's left edge
        wide = 0.0
        left = min([x0[i] for i in items])
    # per row, one list: [number, centre x, centre y (a point of its centre line), its slope, the
    # slope of its last full-height word itself (the row's lean where it ends), height, end along
    # the text, width of its last word, first full-height word's centre x and y (with the last,
    # the row's own slope), bucket, its words]
    rows: list[list] = []
    buckets: dict[int, list[list]] = {}
    by_cy: list[int] = []  # the items down the page, sorted when first asked for
    cys: list[float] = []

    def crowded(j: int, within: float) -> bool:
        """Whether a word of another row (stacked on ``j``, of a like height) lies within ``within`` of
        ``j``'s centre line: the local pitch, where rows run closer than the page's pitch says."""
        if not by_cy:
            by_cy.extend(sorted(items, key=cy.__getitem__))
            cys.extend([cy[i] for i in by_cy])
        hj, wj, cyj, xj0, xj1 = h[j], x1[j] - x0[j], cy[j], x0[j], x1[j]
        for k in by_cy[bisect_left(cys, cyj - within) : bisect_right(cys, cyj + within)]:
            hk, wk = h[k], x1[k] - x0[k]
            if abs(cy[k] - cyj) <= MIN_PITCH * (hj if hj < hk else hk) or not 0.5 * hj <= hk <= 2.0 * hj:
                continue  # its own row (or a duplicate), or a word of another size
            if (xj1 if xj1 < x1[k] else x1[k]) - (xj0 if xj0 > x0[k] else x0[k]) > 0.5 * (wj if wj < wk else wk):
                return True
        return False

    for j in sorted(items, key=x0.__getitem__):
        xj0, hj, cxj, cyj, sj = x0[j], h[j], cx[j], cy[j], s[j]
        wj = x1[j] - xj0
        said = wj if wj < hj else hj  # how sure the word's own slope is: as a square box at most
        along = (0.5 * wj + max_gap * (hj if hj > tall else tall) + wide) if finite else cxj - left
        reach = 0.5 * (hj if hj > tall else tall) + max_slope * along
        best: list | None = None
        best_score, best_at = 1.0, 0.0
        other_score, other_at = least_doubt, inf  # the next best row (near enough to cast doubt), and where its line passes
        low, high = floor((cyj - reach) / unit), floor((cyj + reach) / unit)
        # the buckets in reach; where a word reaches over more buckets than there are (a box
        # a vendor's answer puts a billion pixels tall), only those that exist: never a count
        # of empty ones that grows with a coordinate's value
        keys = range(low, high + 1) if high - low <= len(buckets) else sorted([k for k in buckets if low <= k <= high])
        for key in keys:
            bucket = buckets.get(key)
            if not bucket:
                continue
            stale = False
            for row in bucket:
                _, rcx, rcy, rs, ls, rh, rx1, rw, rfx, rfy, _, _ = row
                top = rh if rh > hj else hj
                gap = xj0 - rx1
                if finite and gap > max_gap * top:
                    if gap > max_gap * (rh if rh > tall else tall):
                        stale = True  # out of reach of every word still to come (all start further along)
                    continue
                if gap < -0.5 * (rw if rw < wj else wj):
                    continue  # it would stack on the row's last word
                # too far off the row's line at any slope to be the nearest row or cast doubt on it
                # (score >= 1 / DOUBT): skipped before the slope is worked out, which a wide
                # page's reach (rows across every gutter) would otherwise do for every row in it
                dx = cxj - rcx
                if hj <= tall_share * rh and abs(cyj - rcy) - max_slope * abs(dx) > far * top + 1e-9:
                    continue
                # the row's slope: from its own words' centres once they span a few heights (boxes
                # drawn upright on a skewed photo show it no other way), else from the boxes' edges:
                # the row's as sure as its last word is long, the joining word's as sure as a square
                # box at most (a short cell's box, often drawn upright on a turned page, taken at
                # half weight sent cells across a gutter to the next row). Written out here, not
                # called: this is the innermost loop.
                run = rcx - rfx
                if run > 3.0 * rh:
                    fitted = (rcy - rfy) / run
                    rs = max_slope if fitted > max_slope else -max_slope if fitted < -max_slope else fitted
                else:
                    rs = (rs * rw + sj * said) / (rw + said)
                off = cyj - rcy - rs * dx  # the word's centre below the row's line
                if wj > chord_length * hj and dx > chord_length * rh and abs(sj - ls) > bend:
                    # far along, a word long enough to show its own slope: a curled row's chord
                    # leans as the mean of its two ends do, where each end's own slope points off it
                    chord = cyj - rcy - 0.5 * (ls + sj) * dx
                    off = chord if abs(chord) < abs(off) else off
                dy = abs(off)
                if hj > tall_share * rh:  # a word much taller than the row: its centre near the row's, or its bottom on the row's
                    top = tall_share * rh
                    bottoms = tall_share * abs(off + 0.5 * (hj - rh))  # one baseline (a big amount beside small text), judged at the row's own height
                    dy = dy if dy < bottoms else bottoms
                score = dy / (share * top)
                if score < best_score and not (dy > near_own * hj and crowded(j, 2.0 * dy)):
                    if best is not None:
                        other_score, other_at = best_score, best_at
                    best, best_score, best_at = row, score, off
                elif score < other_score:
                    other_score, other_at = score, off
            if stale:
                buckets[key] = [r for r in bucket if r is best or xj0 - r[6] <= max_gap * (r[5] if r[5] > tall else tall)]
        if best is not None and abs(best_at) > doubt * abs(other_at) and abs(best_at - other_at) > share * hj:
            best = None  # about as near two rows' lines, which lie apart: a row of its own, not a guess
        if best is None:
            key = floor(cyj / unit)
            row = [len(rows), cxj, cyj, sj, sj, hj, x1[j], wj, cxj, cyj, key, [j]]
            rows.append(row)
            bucket = buckets.get(key)
            if bucket is None:
                buckets[key] = [row]
            else:
                bucket.append(row)
            continue
        best[11].append(j)
        if x1[j] > best[6]:
            best[6] = x1[j]
        best[7] = wj
        rh = best[5]
        if hj >= anchor * rh:  # a full-height word carries the centre line on
            if hj > rh / anchor:  # a much taller word: the line starts again from it
                best[8], best[9] = cxj, cyj
            best[1], best[2], best[5] = cxj, cyj, hj
            best[3] = 0.5 * (best[3] + sj)
            best[4] = sj
            key = floor(cyj / unit)
            if key != best[10]:
                buckets[best[10]].remove(best)
                bucket = buckets.get(key)
                if bucket is None:
                    buckets[key] = [best]
                else:
                    bucket.append(best)
                best[10] = key
    return [row[11] for row in rows]


def row_level(frame: Frame, row: Sequence[int], at: float) -> float:
    """Where a row's centre line crosses ``at`` along the text: to put rows top to bottom."""
    x0, x1, s, cx, cy = frame.x0, frame.x1, frame.s, frame.cx, frame.cy
    weights = [x1[i] - x0[i] + 1e-6 for i in row]
    total = sum(weights)
    slope = sum([w * s[i] for w, i in zip(weights, row)]) / total
    return sum([w * (cy[i] + slope * (at - cx[i])) for w, i in zip(weights, row)]) / total
