"""RapidOCR's output read into the model, with every quad starting at its text's own top-left.

RapidOCR gives each line's box in page order (clockwise from the page's top-left corner of
the box) and decides the reading direction apart from it, in two steps:

* a box at least 1.5 times as tall as wide is cut out and turned a quarter turn
  counter-clockwise (``np.rot90``) before anything reads it: sideways text;
* its angle classifier then says whether that crop is upside down (label ``"180"``), and,
  where it is sure enough (a score above ``Cls.cls_thresh``), the recogniser reads it turned back.

Neither decision is in the output, so :class:`Decisions` keeps them as RapidOCR makes them
(see :func:`watch`), and the box is turned here to start where the text starts: one
quarter turn for the first step, two for the second. Word boxes are placed by RapidOCR
along the crop *before* the classifier turned it, so on an upside-down line they are
mirrored back along the line. Without the decisions (a RapidOCR that no longer passes
them) the first step is taken from the box's shape and the second is unknown: upright.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np

from unified_ocr import Line, Quad, Word
from unified_ocr.geometry import mean_direction

Point = tuple[float, float]

#: RapidOCR turns a crop this many times taller than wide a quarter turn before reading it.
SIDEWAYS_RATIO = 1.5
#: RapidOCR's default ``Cls.cls_thresh``: it turns a crop labelled upside down only above this score.
CLS_THRESHOLD = 0.9


@attrs.frozen
class Decisions:
    """What RapidOCR decided about every box it detected, before it dropped the empty and
    low-scoring ones: the text read, its score, the classifier's label, the crop's shape."""

    texts: tuple[str, ...]
    scores: tuple[float, ...]
    labels: tuple[str, ...]
    crops: tuple[tuple[int, int], ...]  # (height, width) of each crop as the classifier got it

    def aligned(self, texts: Sequence[str], scores: Sequence[float]) -> list[int] | None:
        """The index of each kept line among the detected boxes: RapidOCR drops boxes but
        never reorders them, so the kept ones are found in order. ``None`` if they are not."""
        found, j = [], 0
        for text, score in zip(texts, scores):
            while j < len(self.texts) and (self.texts[j], self.scores[j]) != (text, float(score)):
                j += 1
            if j == len(self.texts):
                return None
            found.append(j)
            j += 1
        return found


def watch(ocr: Any, keep: Callable[[Decisions | None], None]) -> bool:
    """Have ``ocr`` (a ``RapidOCR``) hand its per-box decisions to ``keep`` on every call.

    RapidOCR's last internal step receives them all (``build_final_output(..., cls_res,
    rec_res, cropped_img_list, ...)``); it is wrapped on this one instance, arguments taken
    by name. Returns ``False``, changing nothing, if that step is not there to wrap.
    """
    build = getattr(ocr, "build_final_output", None)
    if build is None:
        return False
    try:
        signature = inspect.signature(build)
    except (TypeError, ValueError):
        return False
    if not {"cls_res", "rec_res", "cropped_img_list"} <= set(signature.parameters):
        return False

    def build_watched(*args: Any, **kwargs: Any) -> Any:
        given = signature.bind(*args, **kwargs).arguments
        keep(_decisions(given["cls_res"], given["rec_res"], given["cropped_img_list"], _turn_threshold(ocr)))
        return build(*args, **kwargs)

    ocr.build_final_output = build_watched
    return True


def _turn_threshold(ocr: Any) -> float:
    """The classifier score above which RapidOCR turns a crop it labels ``"180"`` (its ``Cls.cls_thresh``)."""
    try:
        return float(ocr.cfg.Cls.cls_thresh)
    except (AttributeError, KeyError, TypeError, ValueError):
        return CLS_THRESHOLD


def _decisions(cls_res: Any, rec_res: Any, crops: Any, threshold: float = 0.9) -> Decisions | None:
    """The decisions as RapidOCR acted on them: a crop labelled ``"180"`` counts as turned only
    when its score passed ``threshold``, as RapidOCR turns only those before reading them. A
    short upright word (``Tax``, ``0.00``) is often labelled ``"180"`` at a low score and read
    upright; taking the label alone turned its quad over, so its crop came out upside down and
    the layout put it on a line of its own."""
    try:
        texts = tuple(str(t) for t in rec_res.txts)
        scores = tuple(float(s) for s in rec_res.scores)
        labels = (tuple("180" if "180" in str(label) and float(score) > threshold else "0" for label, score in cls_res.cls_res)
                  if cls_res.cls_res is not None else ("0",) * len(texts))  # fmt: skip
        shapes = tuple((int(c.shape[0]), int(c.shape[1])) for c in crops)
    except (AttributeError, TypeError, ValueError):  # nothing recognised, or a shape this version does not have
        return None
    return Decisions(texts, scores, labels, shapes) if len(labels) == len(texts) == len(shapes) else None


def read_lines(out: Any, decisions: Decisions | None) -> list[Line]:
    """RapidOCR's output as lines whose quads, and their words' quads, start at the text's top-left."""
    if out.boxes is None or out.txts is None:
        return []
    word_sets = out.word_results if out.word_results and len(out.word_results) == len(out.txts) else [()] * len(out.txts)
    found = decisions.aligned(out.txts, out.scores) if decisions is not None else None
    lines = []
    for k, (box, text, score, word_set) in enumerate(zip(out.boxes, out.txts, out.scores, word_sets)):
        corners: list[Point] = [(float(x), float(y)) for x, y in np.asarray(box, dtype=np.float64)]
        if decisions is not None and found is not None:
            sideways = _turned_sideways(corners, decisions.crops[found[k]])
            upside_down = decisions.labels[found[k]] == "180"
        else:
            sideways, upside_down = _taller_than_wide(corners, SIDEWAYS_RATIO), False
        turns = (1 if sideways else 0) + (2 if upside_down else 0)
        quad = Quad(corners[turns:] + corners[:turns])
        words = []
        for w_text, w_score, w_box in word_set:
            if w_box is None or not w_text.strip():
                continue
            points = [(float(x), float(y)) for x, y in np.asarray(w_box, dtype=np.float64)]
            if upside_down:  # placed along the crop as it was before the classifier turned it
                points = _mirrored(points, corners[1 if sideways else 0], corners[2 if sideways else 1])
            words.append(Word(w_text, Quad(points).reading(quad.angle), _score(w_score)))
        if not words:
            words = [Word(text, quad, _score(score))]
        lines.append(Line(text, quad, tuple(words), _score(score)))
    return _squares_along(lines)


def _squares_along(lines: list[Line]) -> list[Line]:
    """Lines about as tall as wide (a lone digit) turned to the direction of the page's long lines.

    Their shape says nothing about their direction, and the classifier often guesses a
    quarter or half turn wrong on one character; the long lines of the same page do know it.
    """
    long = [line.quad for line in lines if not _squarish(line.quad)]
    if not long or len(long) == len(lines):
        return lines
    direction = mean_direction(long)
    out = []
    for line in lines:
        if _squarish(line.quad):
            words = tuple(attrs.evolve(w, quad=w.quad.reading(direction)) for w in line.words)
            line = attrs.evolve(line, quad=line.quad.reading(direction), words=words)
        out.append(line)
    return out


def _squarish(quad: Quad) -> bool:
    width, height = quad.width, quad.height
    return max(width, height) < SIDEWAYS_RATIO * max(min(width, height), 1e-6)


def _edges(corners: Sequence[Point]) -> tuple[float, float]:
    """Width and height of a box as RapidOCR cuts it: the longer of each pair of opposite edges."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = corners
    width = max(math.hypot(x1 - x0, y1 - y0), math.hypot(x2 - x3, y2 - y3))
    height = max(math.hypot(x3 - x0, y3 - y0), math.hypot(x2 - x1, y2 - y1))
    return width, height


def _taller_than_wide(corners: Sequence[Point], ratio: float) -> bool:
    width, height = _edges(corners)
    return height >= ratio * max(width, 1e-6)


def _turned_sideways(corners: Sequence[Point], crop: tuple[int, int]) -> bool:
    """Whether RapidOCR turned this box's crop a quarter turn: the box is tall and its crop wide.

    The crop was cut from RapidOCR's resized copy of the image, so its proportions differ a
    little from the box's in the original; a margin below 1.5 on both sides absorbs that.
    """
    crop_height, crop_width = crop
    return _taller_than_wide(corners, 1.3) and crop_width >= 1.3 * max(crop_height, 1)


def _mirrored(points: Sequence[Point], left: Point, right: Point) -> list[Point]:
    """``points`` reflected along the edge from ``left`` to ``right``: what was near ``left`` is near ``right``."""
    (lx, ly), (rx, ry) = left, right
    ex, ey = rx - lx, ry - ly
    length2 = ex * ex + ey * ey
    if length2 <= 0:
        return list(points)
    out = []
    for x, y in points:
        u = ((x - lx) * ex + (y - ly) * ey) / length2  # 0 at ``left``, 1 at ``right``
        out.append((x + (1 - 2 * u) * ex, y + (1 - 2 * u) * ey))
    return out


def _score(value: Any) -> float:
    return min(1.0, max(0.0, float(value)))
