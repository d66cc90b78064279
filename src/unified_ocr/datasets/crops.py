"""Cutting a page's regions into training crops: rectified upright in the text's own reading
direction, padded by a share of the text's height, vertical text kept, turned or dropped,
and encoded as PNG or JPEG."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from ..errors import InvalidQuadError
from ..geometry import Quad
from ..imaging.crop import crop_many

FORMATS = {"png": ".png", "jpg": ".jpg", "jpeg": ".jpg"}


def cut(pixels: np.ndarray, quads: Sequence[Quad], *, padding: float = 0.0, rectify: bool = True) -> list[np.ndarray | None]:
    """A crop per quad (``None`` where a quad cannot be cut: no area, or off the image)."""
    if not quads:
        return []
    try:
        return list(crop_many(pixels, quads, padding_ratio=padding, rectify=rectify))
    except InvalidQuadError:  # one bad quad: cut the others one by one
        out: list[np.ndarray | None] = []
        for quad in quads:
            try:
                out.append(crop_many(pixels, [quad], padding_ratio=padding, rectify=rectify)[0])
            except InvalidQuadError:
                out.append(None)
        return out


def is_vertical(crop: np.ndarray, label: str) -> bool:
    """Text set top to bottom: a crop of two or more characters half again as tall as wide once
    rectified (one character, or two narrow digits, may well be taller than wide)."""
    return len(label) > 1 and crop.shape[0] >= 1.5 * crop.shape[1]


def turn_upright(crop: np.ndarray) -> np.ndarray:
    """A vertical crop turned 90 degrees counterclockwise: its first character on the left."""
    return np.ascontiguousarray(np.rot90(crop, 1))


def encode(pixels: np.ndarray, fmt: str = "png", quality: int = 95) -> bytes:
    """The image's file bytes: PNG (lossless) or JPEG at ``quality``."""
    ext = FORMATS[fmt]
    params = [cv2.IMWRITE_JPEG_QUALITY, int(quality)] if ext == ".jpg" else []  # PNG: OpenCV's defaults, as imwrite
    ok, data = cv2.imencode(ext, pixels, params)
    if not ok:  # pragma: no cover - OpenCV encodes any 8-bit image
        raise ValueError(f"could not encode a {pixels.shape} image as {fmt}")
    return data.tobytes()
