"""Cut text regions out of an image: rectified (upright) or axis-aligned.

A quad's first point is the text's own top-left, so mapping the quad onto an upright
rectangle brings 90°, 180° and slanted text out upright. Quads are taken as the engines
gave them (never clamped); cropping is where the image's bounds apply: an axis-aligned
crop is clipped to the image, a rectified one repeats the edge pixels where the quad
reaches past it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import cv2
import numpy as np

from ..errors import InvalidQuadError
from ..geometry import Quad
from .sources import Source, SourceLike, open_source


def crop(
    image: np.ndarray | SourceLike | Source,
    quad: Quad | Sequence[Sequence[float]],
    *,
    padding: float = 0.0,
    padding_ratio: float = 0.0,
    rectify: bool = True,
) -> np.ndarray:
    """The region of ``quad`` in ``image``.

    ``padding`` adds pixels on every side, ``padding_ratio`` a share of the text height.
    With ``rectify`` the quad is mapped onto an upright rectangle as wide as the text is
    long; without it, the padded bounding box is cut out, clipped to the image.
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
    _check(pts)
    p0, p1, p2, p3 = pts[:, 0], pts[:, 1], pts[:, 2], pts[:, 3]
    heights = (np.linalg.norm(p3 - p0, axis=1) + np.linalg.norm(p2 - p1, axis=1)) / 2
    pad = padding + padding_ratio * heights
    if np.any(pad):
        pts = _grow(pts, pad)
    x0, x1, y0, y1 = _clipped_bounds(pixels, pts)
    if not rectify:
        return [pixels[y0[i] : y1[i], x0[i] : x1[i]].copy() for i in range(len(pts))]
    widths = (np.linalg.norm(pts[:, 1] - pts[:, 0], axis=1) + np.linalg.norm(pts[:, 2] - pts[:, 3], axis=1)) / 2
    heights = (np.linalg.norm(pts[:, 3] - pts[:, 0], axis=1) + np.linalg.norm(pts[:, 2] - pts[:, 1], axis=1)) / 2
    w = np.maximum(1, np.rint(widths)).astype(int)
    h = np.maximum(1, np.rint(heights)).astype(int)
    dst = np.zeros((len(pts), 4, 2), np.float32)
    dst[:, 1, 0] = dst[:, 2, 0] = w
    dst[:, 2, 1] = dst[:, 3, 1] = h
    src = pts.astype(np.float32)
    return [
        cv2.warpPerspective(
            pixels, cv2.getPerspectiveTransform(src[i], dst[i]), (int(w[i]), int(h[i])),
            flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE,
        )  # fmt: skip
        for i in range(len(src))
    ]


def _check(pts: np.ndarray) -> None:
    finite = np.isfinite(pts).all(axis=(1, 2))
    if not finite.all():
        raise InvalidQuadError(f"quad {int(np.argmin(finite))} has points that are not finite numbers: {pts[~finite][0].tolist()}")
    x, y = pts[:, :, 0], pts[:, :, 1]
    area = np.abs((x * np.roll(y, -1, axis=1) - y * np.roll(x, -1, axis=1)).sum(axis=1)) / 2
    if (area < 1e-6).any():
        i = int(np.argmax(area < 1e-6))
        raise InvalidQuadError(f"quad {i} has zero area (its points are {pts[i].tolist()}); nothing to crop")


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
