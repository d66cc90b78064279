"""Quadrilaterals and the transforms that move them between image frames.

A :class:`Quad` keeps its four points in the order the text is read: clockwise from the
text's own top-left. For upright text that is the page's top-left; for text turned 180°
the first point sits at the page's bottom-right. Vendors return points in that order, and
keeping it is what lets a crop come out upright. :meth:`Quad.canonical` gives the purely
geometric order beside it.

Points are never clamped: vendors return points outside the image, and clipping belongs to
exporters and crops, which know the image size.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, Union

import attrs
import cv2
import numpy as np

Point = tuple[float, float]
PointsLike = Union[Sequence[Sequence[float]], np.ndarray]


def _to_points(value: PointsLike) -> tuple[Point, Point, Point, Point]:
    """Four points of finite floats: a NaN or infinite point would poison every figure, drawing and
    JSON document it reaches (NaN compares false with every bound), so it is refused here, once."""
    try:  # the common case, unpacked without numpy: parsers build thousands of quads
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = value
        x0, y0, x1, y1, x2, y2, x3, y3 = float(x0), float(y0), float(x1), float(y1), float(x2), float(y2), float(x3), float(y3)
    except (TypeError, ValueError):
        arr = np.asarray(value, dtype=np.float64)
        if arr.shape != (4, 2):
            raise ValueError(f"a quad needs four (x, y) points, got an array of shape {arr.shape}") from None
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = arr.tolist()
    # chained comparisons, not math.isfinite per value: NaN fails them too, at a fraction of the calls
    if not (_MINUS_INF < x0 < _INF and _MINUS_INF < y0 < _INF and _MINUS_INF < x1 < _INF and _MINUS_INF < y1 < _INF
            and _MINUS_INF < x2 < _INF and _MINUS_INF < y2 < _INF and _MINUS_INF < x3 < _INF and _MINUS_INF < y3 < _INF):  # fmt: skip
        raise NonFiniteQuadError(f"a quad's points must be finite numbers, got {((x0, y0), (x1, y1), (x2, y2), (x3, y3))}")
    return (x0, y0), (x1, y1), (x2, y2), (x3, y3)


_INF = math.inf
_MINUS_INF = -math.inf  # a constant: ``-_INF`` in a comparison is a negation each time


class NonFiniteQuadError(ValueError):
    """A quad was given a point that is NaN or infinite."""


def _size(value: Iterable[int]) -> tuple[int, int]:
    width, height = value
    return int(width), int(height)


def _matrix(value: Any) -> tuple[float, ...]:
    return tuple(float(v) for v in np.ravel(value))


@attrs.frozen(slots=True)
class Transform:
    """A 3x3 projective matrix that maps points from one frame into another.

    ``source_size`` and ``target_size`` are the (width, height) of the two frames. The usual
    one maps the frame an engine saw (the upload) back to the original image as displayed.
    """

    matrix: tuple[float, ...] = attrs.field(converter=_matrix)
    source_size: tuple[int, int] = attrs.field(converter=_size)
    target_size: tuple[int, int] = attrs.field(converter=_size)

    @matrix.validator
    def _check_matrix(self, _attribute: attrs.Attribute, value: tuple[float, ...]) -> None:
        if len(value) != 9:
            raise ValueError("a transform matrix has 9 entries (3x3)")

    @classmethod
    def identity(cls, width: int, height: int) -> Transform:
        return cls(np.eye(3), (width, height), (width, height))

    @classmethod
    def scale(cls, source_size: tuple[int, int], target_size: tuple[int, int]) -> Transform:
        """Map a resized frame onto the frame it was resized from."""
        sx = target_size[0] / source_size[0]
        sy = target_size[1] / source_size[1]
        return cls(np.diag([sx, sy, 1.0]), source_size, target_size)

    @property
    def array(self) -> np.ndarray:
        return np.asarray(self.matrix, dtype=np.float64).reshape(3, 3)

    @property
    def is_identity(self) -> bool:
        return bool(np.allclose(self.array, np.eye(3))) and self.source_size == self.target_size

    def apply(self, points: PointsLike) -> np.ndarray:
        """Map an (N, 2) array of points; returns float64 (N, 2)."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        homogeneous = np.hstack([pts, np.ones((len(pts), 1))]) @ self.array.T
        return homogeneous[:, :2] / homogeneous[:, 2:3]

    def then(self, other: Transform) -> Transform:
        """This transform followed by ``other``."""
        return Transform(other.array @ self.array, self.source_size, other.target_size)

    def inverse(self) -> Transform:
        return Transform(np.linalg.inv(self.array), self.target_size, self.source_size)


@attrs.frozen(slots=True)
class Quad:
    """Four points in pixels, clockwise, starting at the text's own top-left."""

    points: tuple[Point, Point, Point, Point] = attrs.field(converter=_to_points)

    @classmethod
    def from_bbox(cls, x0: float, y0: float, x1: float, y1: float) -> Quad:
        """An upright rectangle from its left, top, right and bottom edges."""
        return cls([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])

    @property
    def array(self) -> np.ndarray:
        return np.asarray(self.points, dtype=np.float64)

    def bbox(self) -> tuple[float, float, float, float]:
        """The axis-aligned bounding box as (left, top, right, bottom)."""
        xs = [p[0] for p in self.points]
        ys = [p[1] for p in self.points]
        return min(xs), min(ys), max(xs), max(ys)

    @property
    def center(self) -> Point:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.points
        return (x0 + x1 + x2 + x3) / 4, (y0 + y1 + y2 + y3) / 4

    @property
    def width(self) -> float:
        """Length along the text: the mean of the top and bottom edges."""
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.points
        return (math.hypot(x1 - x0, y1 - y0) + math.hypot(x2 - x3, y2 - y3)) / 2

    @property
    def height(self) -> float:
        """Size across the text: the mean of the left and right edges."""
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.points
        return (math.hypot(x3 - x0, y3 - y0) + math.hypot(x2 - x1, y2 - y1)) / 2

    @property
    def angle(self) -> float:
        """Direction of reading in degrees, clockwise from the x axis (image y points down)."""
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.points
        return math.degrees(math.atan2((y1 - y0) + (y2 - y3), (x1 - x0) + (x2 - x3)))

    @property
    def area(self) -> float:
        """Unsigned polygon area (shoelace)."""
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.points
        return abs((x0 * y1 - x1 * y0) + (x1 * y2 - x2 * y1) + (x2 * y3 - x3 * y2) + (x3 * y0 - x0 * y3)) / 2

    def canonical(self) -> Quad:
        """The same points in geometric order: clockwise from the top-left-most corner.

        Use it where the reading direction must not matter (detection metrics, drawing).
        """
        pts = self.array
        c = pts.mean(axis=0)
        order = np.argsort(np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0]))  # clockwise on screen
        pts = pts[order]
        start = int(np.argmin(pts[:, 0] + pts[:, 1]))
        return Quad(np.roll(pts, -start, axis=0))

    def reading(self, angle: float) -> Quad:
        """The same corners, clockwise, starting where text read at ``angle`` degrees begins.

        For engines that give boxes in page order and the reading direction apart (a line
        classified as upside down, a box of sideways text): ``angle`` is that direction,
        clockwise from the x axis as :attr:`angle` measures it, and the result's own
        :attr:`angle` is the one of the four turns of the box nearest to it.
        """
        points = self.canonical().points
        turns = [points[k:] + points[:k] for k in range(4)]
        return Quad(min(turns, key=lambda pts: angle_gap(Quad(pts).angle, angle)))

    def mapped(self, transform: Transform) -> Quad:
        """The quad in the target frame of ``transform``; the point order is kept."""
        return Quad(transform.apply(self.array))

    def iou(self, other: Quad) -> float:
        """Intersection over union of the two (convex hulls of the) quads."""
        a = _convex(self.array)
        b = _convex(other.array)
        area_a, area_b = _poly_area(a), _poly_area(b)
        if area_a <= 0 or area_b <= 0:
            return 0.0
        inter, _ = cv2.intersectConvexConvex(a.astype(np.float32), b.astype(np.float32))
        union = area_a + area_b - inter
        return float(inter / union) if union > 0 else 0.0

    def union(self, *others: Quad) -> Quad:
        """The smallest rectangle, turned the way this quad reads, that holds all the quads.

        Used to build a line's quad from its words: the result starts at the text's
        top-left like every other quad.
        """
        if others:
            return Quad.enclosing([self, *others], angle=self.angle)
        # one quad (a line of one word, the usual line of a vendor that gives words only): the
        # same figures as enclosing(), without its lists
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.points
        rise, run = (y1 - y0) + (y2 - y3), (x1 - x0) + (x2 - x3)
        if rise == 0 and run > 0:  # upright: at angle 0 the rectangle is the box of the points
            left, top, right, bottom = min(x0, x1, x2, x3), min(y0, y1, y2, y3), max(x0, x1, x2, x3), max(y0, y1, y2, y3)
            return _exact(((left, top), (right, top), (right, bottom), (left, bottom)))
        theta = math.radians(math.degrees(math.atan2(rise, run)))
        ux, uy = math.cos(theta), math.sin(theta)
        a0, a1, a2, a3 = x0 * ux + y0 * uy, x1 * ux + y1 * uy, x2 * ux + y2 * uy, x3 * ux + y3 * uy
        c0, c1, c2, c3 = y0 * ux - x0 * uy, y1 * ux - x1 * uy, y2 * ux - x2 * uy, y3 * ux - x3 * uy
        u0, u1, v0, v1 = min(a0, a1, a2, a3), max(a0, a1, a2, a3), min(c0, c1, c2, c3), max(c0, c1, c2, c3)
        return _exact(
            ((u0 * ux - v0 * uy, u0 * uy + v0 * ux), (u1 * ux - v0 * uy, u1 * uy + v0 * ux),
             (u1 * ux - v1 * uy, u1 * uy + v1 * ux), (u0 * ux - v1 * uy, u0 * uy + v1 * ux))
        )  # fmt: skip

    @staticmethod
    def enclosing(quads: Iterable[Quad], angle: float | None = None) -> Quad:
        """The rectangle at ``angle`` (default: the first quad's) enclosing all ``quads``."""
        quads = list(quads)
        if not quads:
            raise ValueError("enclosing() needs at least one quad")
        theta = math.radians(quads[0].angle if angle is None else angle)
        if theta == 0:  # upright (most vendors' boxes): the rectangle is the box of the points
            xs = [x for quad in quads for x, _ in quad.points]
            ys = [y for quad in quads for _, y in quad.points]
            left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
            return _exact(((left, top), (right, top), (right, bottom), (left, bottom)))
        ux, uy = math.cos(theta), math.sin(theta)  # along the text; (-uy, ux) is down, across it
        # plain floats, not arrays: parsers build a line's quad for every line, most of them of one word
        along = [x * ux + y * uy for quad in quads for x, y in quad.points]
        across = [y * ux - x * uy for quad in quads for x, y in quad.points]
        u0, u1, v0, v1 = min(along), max(along), min(across), max(across)
        return _exact(
            ((u0 * ux - v0 * uy, u0 * uy + v0 * ux), (u1 * ux - v0 * uy, u1 * uy + v0 * ux),
             (u1 * ux - v1 * uy, u1 * uy + v1 * ux), (u0 * ux - v1 * uy, u0 * uy + v1 * ux))
        )  # fmt: skip


def _exact(points: tuple[Point, Point, Point, Point]) -> Quad:
    """A quad of points already four pairs of finite floats, made without the converter's checks."""
    quad = _new(Quad)
    _set_points(quad, points)
    return quad


_new = object.__new__
#: The slot's own setter: a frozen class refuses ``quad.points = ...``, and this is what attrs's
#: generated ``__init__`` does too, less the converter and the lookups (a quarter of its time).
_set_points = Quad.__dict__["points"].__set__


def checked_quad(
    x0: float, y0: float, x1: float, y1: float, x2: float, y2: float, x3: float, y3: float, limit: float = math.inf
) -> Quad:
    """A quad of the eight floats a parser has read (and checked to be numbers), in reading order.

    For the readers of vendor answers, which build one quad per word: it makes the quad in a
    quarter of :class:`Quad`'s time, as it converts nothing, but still refuses a point that is
    not finite (a vendor's 1e308 times a page's width is infinite), or not within ``-limit`` and
    ``limit`` when one is given, with :class:`NonFiniteQuadError`, and a value that is no number
    with a ``TypeError``. The values must be ``float``: an ``int`` is not converted (give it to
    :class:`Quad`, which converts anything).

    >>> checked_quad(0.0, 0.0, 4.0, 0.0, 4.0, 2.0, 0.0, 2.0).width
    4.0
    """
    low = -limit  # once: each chained comparison below is half the time of one with ``-limit`` in it
    if not (low < x0 < limit and low < y0 < limit and low < x1 < limit and low < y1 < limit
            and low < x2 < limit and low < y2 < limit and low < x3 < limit and low < y3 < limit):  # fmt: skip
        raise NonFiniteQuadError(
            f"a quad's points must be finite numbers{'' if limit == _INF else f' within +-{limit:g}'}, "
            f"got {((x0, y0), (x1, y1), (x2, y2), (x3, y3))}"
        )
    quad = _new(Quad)
    _set_points(quad, ((x0, y0), (x1, y1), (x2, y2), (x3, y3)))
    return quad


def mean_direction(quads: Iterable[Quad]) -> float:
    """The quads' reading direction in degrees, averaged on the circle and weighted by length
    (so that 179° and -179° average to 180°, and a long line counts more than a lone digit)."""
    sin_sum = cos_sum = 0.0
    for quad in quads:
        weight, theta = max(quad.width, 1e-6), math.radians(quad.angle)
        sin_sum += weight * math.sin(theta)
        cos_sum += weight * math.cos(theta)
    return math.degrees(math.atan2(sin_sum, cos_sum))


def angle_gap(a: float, b: float) -> float:
    """How far apart two directions are, in degrees (0..180)."""
    return abs((a - b + 180.0) % 360.0 - 180.0)


def _convex(pts: np.ndarray) -> np.ndarray:
    hull = cv2.convexHull(pts.astype(np.float32))
    return hull.reshape(-1, 2).astype(np.float64)


def _poly_area(pts: np.ndarray) -> float:
    x, y = pts[:, 0], pts[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)
