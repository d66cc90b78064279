"""Cut text regions out of an image: rectified (upright) or axis-aligned.

A quad's first point is the text's own top-left, so mapping the quad onto an upright
rectangle brings 90°, 180° and slanted text out upright. Quads are taken as the engines
gave them (never clamped); cropping is where the image's bounds apply, so that a quad far
larger than its image (a vendor's or an annotator's mistake) costs no more than the image:

- an axis-aligned crop is the padded bounding box clipped to the image;
- a rectified crop keeps the quad's own mapping onto its upright rectangle (as long as the
  text, as high as the text) but renders only the part of that rectangle whose pixels lie
  in the image grown by the padding; the padding beyond the image repeats the edge pixels.
  Such a crop is never larger than the image plus padding: its sides at most the padded
  image's diagonal and its area at most the padded image's; the rare crop that would still
  be larger (a huge quad turned or sheared across the whole image) is scaled down to fit.

A quad with zero area, non-finite or absurd points (over :data:`MAX_COORDINATE`), sides that
cross each other, or nothing inside the image raises :class:`InvalidQuadError`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import cv2
import numpy as np
import shapely

from ..errors import InvalidQuadError
from ..geometry import Quad
from .sources import Source, SourceLike, open_source

#: No image has a side of a billion pixels; a point further out than this is not a place on one.
MAX_COORDINATE = 1e9


def crop(
    image: np.ndarray | SourceLike | Source,
    quad: Quad | Sequence[Sequence[float]],
    *,
    padding: float = 0.0,
    padding_ratio: float = 0.0,
    rectify: bool = True,
) -> np.ndarray:
    """The region of ``quad`` in ``image``.

    ``padding`` adds pixels on every side, ``padding_ratio`` a share of the text height (the
    height counted at most the image's longest side). With ``rectify`` the quad is mapped onto
    an upright rectangle as wide as the text is long, cut to the part inside the image; without
    it, the padded bounding box is cut out, clipped to the image.
    """
    return crop_many(image, [quad], padding=padding, padding_ratio=padding_ratio, rectify=rectify)[0]


def crop_many(
    image: np.ndarray | SourceLike | Source,
    quads: Iterable[Quad | Sequence[Sequence[float]]],
    *,
    padding: float = 0.0,
    padding_ratio: float = 0.0,
    rectify: bool = True,
) -> list[np.ndarray]:
    """Crops of many quads of one image, checked and measured together (cheaper than one by one)."""
    pixels = image if isinstance(image, np.ndarray) else open_source(image).decode()
    pts = np.asarray([q.points if isinstance(q, Quad) else q for q in quads], dtype=np.float64).reshape(-1, 4, 2)
    if len(pts) == 0:
        return []
    h, w = pixels.shape[:2]
    _check(pts, w, h)
    p0, p1, p2, p3 = pts[:, 0], pts[:, 1], pts[:, 2], pts[:, 3]
    heights = (np.linalg.norm(p3 - p0, axis=1) + np.linalg.norm(p2 - p1, axis=1)) / 2
    pad = padding + padding_ratio * np.minimum(heights, max(w, h))  # a quad taller than the image pads as one as tall
    if np.any(pad):
        pts = _grow(pts, pad)
    if not rectify:
        x0, x1, y0, y1 = _clipped_bounds(pixels, pts)
        return [pixels[y0[i] : y1[i], x0[i] : x1[i]].copy() for i in range(len(pts))]
    widths = (np.linalg.norm(pts[:, 1] - pts[:, 0], axis=1) + np.linalg.norm(pts[:, 2] - pts[:, 3], axis=1)) / 2
    heights = (np.linalg.norm(pts[:, 3] - pts[:, 0], axis=1) + np.linalg.norm(pts[:, 2] - pts[:, 1], axis=1)) / 2
    rw = np.maximum(1, np.rint(widths))
    rh = np.maximum(1, np.rint(heights))
    x, y, lo = pts[:, :, 0], pts[:, :, 1], -pad[:, None]
    inside = ((x >= lo) & (y >= lo) & (x <= w - lo) & (y <= h - lo)).all(axis=1)
    rects = np.zeros_like(pts)
    rects[:, 1, 0] = rects[:, 2, 0] = rw
    rects[:, 2, 1] = rects[:, 3, 1] = rh
    maps = _homographies(pts, rects)
    # the part of each upright rectangle to render: all of it, or what lies in the padded image
    boxes = np.zeros((len(pts), 4))
    boxes[:, 2:] = rects[:, 2]
    for i in np.flatnonzero(~inside):
        boxes[i] = _window(pts[i], maps[i], rects[i, 2], w, h, float(pad[i]))
    maps, sizes = _fit(maps, boxes, w + 2 * pad, h + 2 * pad)
    return [cv2.warpPerspective(pixels, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            for m, size in zip(maps, sizes.tolist())]  # fmt: skip


class QuadMeasures(NamedTuple):
    """What decides whether quads (``n x 4 x 2`` points) are places on a ``w`` x ``h`` image, for
    :func:`crop` (which refuses a bad one) and the dataset filters (which drop it) alike."""

    finite: np.ndarray  #: every point a finite number
    far: np.ndarray  #: a point further out than :data:`MAX_COORDINATE`, or not finite
    signed_area: np.ndarray  #: > 0 clockwise on the page (0 where ``far``)
    crossing: np.ndarray  #: sides that cross each other
    on_page: np.ndarray  #: the area inside the image (0 where ``crossing``: GEOS refuses those)


def measure_quads(pts: np.ndarray, w: int, h: int) -> QuadMeasures:
    """The :class:`QuadMeasures` of ``pts``; unusable points are counted as ``far`` and measured as zeros."""
    finite = np.isfinite(pts).all(axis=(1, 2))
    far = ~finite | (np.abs(np.where(np.isfinite(pts), pts, 0.0)) > MAX_COORDINATE).any(axis=(1, 2))
    pts = np.where(far[:, None, None], 0.0, pts)
    x, y = pts[:, :, 0], pts[:, :, 1]
    signed = (x * np.roll(y, -1, axis=1) - y * np.roll(x, -1, axis=1)).sum(axis=1) / 2
    polygons = shapely.polygons(pts)
    crossing = ~shapely.is_valid(polygons)
    on_page = np.zeros(len(pts))
    # a simple quad wholly in the image is all on it: its own area (most quads; spares GEOS the intersection)
    within = ~crossing & ((x >= 0) & (y >= 0) & (x <= w) & (y <= h)).all(axis=1)
    on_page[within] = np.abs(signed[within])
    rest = ~crossing & ~within
    on_page[rest] = shapely.area(shapely.intersection(polygons[rest], shapely.box(0, 0, w, h)))
    return QuadMeasures(finite, far, signed, crossing, on_page)


def _check(pts: np.ndarray, w: int, h: int) -> None:
    m = measure_quads(pts, w, h)
    if not m.finite.all():
        raise InvalidQuadError(f"quad {int(np.argmin(m.finite))} has points that are not finite numbers: {pts[~m.finite][0].tolist()}")
    if m.far.any():
        i = int(np.argmax(m.far))
        raise InvalidQuadError(f"quad {i} has points more than {MAX_COORDINATE:.0e} pixels away (its points are {pts[i].tolist()}); "
                               "it is not a place on any image")  # fmt: skip
    zero = np.abs(m.signed_area) < 1e-6
    if zero.any():
        i = int(np.argmax(zero))
        raise InvalidQuadError(f"quad {i} has zero area (its points are {pts[i].tolist()}); nothing to crop")
    if m.crossing.any():
        i = int(np.argmax(m.crossing))
        raise InvalidQuadError(f"quad {i} has sides that cross each other (its points are {pts[i].tolist()}); "
                               "give its corners clockwise from the text's top-left")  # fmt: skip
    outside = m.on_page <= 0
    if outside.any():
        i = int(np.argmax(outside))
        raise InvalidQuadError(f"quad {i} lies outside the {w}x{h} image (its points are {pts[i].tolist()})")


def _homographies(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The perspective maps of ``n`` quads' four points onto four (``n x 4 x 2`` each, as
    ``n x 3 x 3``), solved together in float64 on coordinates brought near the unit square
    first: OpenCV's own solver takes float32, which loses whole pixels on quads reaching
    millions of pixels out, and solving one quad at a time in Python cost three times the
    warps themselves (``benchmarks/prepare_bench.py``, crops).

    A quad with three corners on one line has no such map: :class:`InvalidQuadError` names it.
    """
    ts, td = _normalizers(src), _normalizers(dst)
    s = np.einsum("nij,nkj->nki", ts[:, :2, :2], src) + ts[:, None, :2, 2]
    d = np.einsum("nij,nkj->nki", td[:, :2, :2], dst) + td[:, None, :2, 2]
    x, y, u, v = s[..., 0], s[..., 1], d[..., 0], d[..., 1]
    one, zero = np.ones_like(x), np.zeros_like(x)
    a = np.empty((len(src), 8, 8))
    a[:, 0::2] = np.stack([x, y, one, zero, zero, zero, -u * x, -u * y], axis=-1)
    a[:, 1::2] = np.stack([zero, zero, zero, x, y, one, -v * x, -v * y], axis=-1)
    b = np.empty((len(src), 8))
    b[:, 0::2], b[:, 1::2] = u, v
    try:
        solved = np.linalg.solve(a, b[..., None])[..., 0]
    except np.linalg.LinAlgError:  # which one: solved alone, the first that fails
        for i in range(len(src)):
            try:
                np.linalg.solve(a[i], b[i])
            except np.linalg.LinAlgError:
                raise InvalidQuadError(f"quad {i} has three corners on one line (its points are {src[i].tolist()}); "
                                       "it is not a quadrilateral to rectify") from None  # fmt: skip
        raise
    m = np.concatenate([solved, np.ones((len(src), 1))], axis=1).reshape(-1, 3, 3)
    out: np.ndarray = np.linalg.inv(td) @ m @ ts
    return out / out[:, 2:, 2:]


def _normalizers(p: np.ndarray) -> np.ndarray:
    """Per quad, the similarity that brings its points' centre to 0 and their mean distance to it to sqrt(2)."""
    centre = p.mean(axis=1)
    scale = math.sqrt(2) / np.maximum(np.linalg.norm(p - centre[:, None], axis=2).mean(axis=1), 1e-12)
    t = np.zeros((len(p), 3, 3))
    t[:, 0, 0] = t[:, 1, 1] = scale
    t[:, :2, 2] = -scale[:, None] * centre
    t[:, 2, 2] = 1.0
    return t


def _window(quad: np.ndarray, to_rect: np.ndarray, corner: np.ndarray, w: int, h: int, pad: float) -> tuple[float, ...]:
    """The box ``(x0, y0, x1, y1)`` of the quad's upright rectangle (``corner``: its bottom-right)
    whose pixels lie in the image grown by ``pad``."""
    part = shapely.intersection(shapely.Polygon(quad), shapely.box(-pad, -pad, w + pad, h + pad))
    ring = np.asarray(shapely.get_coordinates(part), np.float64)
    mapped = np.hstack([ring, np.ones((len(ring), 1))]) @ to_rect.T
    if not len(ring) or (mapped[:, 2] <= 1e-12).any():
        return (0.0, 0.0, *corner)  # a quad whose sides bend inwards maps part of itself through infinity: all of it, fitted
    xy = mapped[:, :2] / mapped[:, 2:]
    x0, y0 = np.clip(np.floor(xy.min(axis=0) + 1e-3), 0, corner)  # within a thousandth of a pixel: the solver's rounding
    x1, y1 = np.clip(np.ceil(xy.max(axis=0) - 1e-3), 0, corner)
    return float(x0), float(y0), float(x1), float(y1)


def _fit(maps: np.ndarray, boxes: np.ndarray, pw: np.ndarray, ph: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The maps onto each box (``x0, y0, x1, y1``) of its rectangle and the output sizes
    (``n x 2``, width and height), scaled down where a box is larger than its padded image
    (``pw`` x ``ph``): each side at most its diagonal, the area at most its own."""
    ow = np.maximum(1.0, boxes[:, 2] - boxes[:, 0])
    oh = np.maximum(1.0, boxes[:, 3] - boxes[:, 1])
    side = np.hypot(pw, ph)
    scale = np.minimum.reduce([np.ones_like(ow), side / ow, side / oh, np.sqrt(pw * ph / (ow * oh))])
    shift = np.zeros((len(maps), 3, 3))
    shift[:, 0, 0] = shift[:, 1, 1] = scale
    shift[:, 0, 2], shift[:, 1, 2], shift[:, 2, 2] = -boxes[:, 0] * scale, -boxes[:, 1] * scale, 1.0
    sizes = np.maximum(1, np.floor(np.stack([ow * scale, oh * scale], axis=1) + 1e-9)).astype(int)
    return shift @ maps, sizes


def _grow(pts: np.ndarray, pad: np.ndarray) -> np.ndarray:
    """Move each side outwards by ``pad`` pixels, along and across the text."""
    u = (pts[:, 1] - pts[:, 0]) + (pts[:, 2] - pts[:, 3])
    v = (pts[:, 3] - pts[:, 0]) + (pts[:, 2] - pts[:, 1])
    u /= np.maximum(np.linalg.norm(u, axis=1, keepdims=True), 1e-12)
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    du, dv = u * pad[:, None], v * pad[:, None]
    return np.stack([pts[:, 0] - du - dv, pts[:, 1] + du - dv, pts[:, 2] + du + dv, pts[:, 3] - du + dv], axis=1)


def _clipped_bounds(pixels: np.ndarray, pts: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each quad's bounding box clipped to the image; a quad wholly outside it is an error."""
    h, w = pixels.shape[:2]
    x0 = np.clip(np.floor(pts[:, :, 0].min(axis=1)), 0, w).astype(int)
    x1 = np.clip(np.ceil(pts[:, :, 0].max(axis=1)), 0, w).astype(int)
    y0 = np.clip(np.floor(pts[:, :, 1].min(axis=1)), 0, h).astype(int)
    y1 = np.clip(np.ceil(pts[:, :, 1].max(axis=1)), 0, h).astype(int)
    empty = (x1 <= x0) | (y1 <= y0)
    if empty.any():
        i = int(np.argmax(empty))
        raise InvalidQuadError(f"quad {i} lies outside the {w}x{h} image (its points are {pts[i].tolist()})")
    return x0, x1, y0, y1
