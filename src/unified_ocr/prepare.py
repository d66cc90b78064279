"""Fit a source to an engine's input limits, and remember how to map results back.

When the original bytes already fit, they pass through untouched (no decode, no
re-encode). Otherwise the image is decoded once with its EXIF orientation applied,
shrunk with ``INTER_AREA`` to the engine's largest side, and encoded in a format the
engine takes. The :class:`Upload` carries the transform from the frame the engine sees
back to the original image as displayed.
"""

from __future__ import annotations

import attrs
import cv2
import numpy as np

from .errors import UnsupportedImageError
from .geometry import Transform
from .sources import Source

#: JPEG qualities tried, in order, until the byte limit holds.
_JPEG_QUALITIES = (95, 90, 85, 80, 70, 60, 50)


@attrs.frozen(slots=True)
class Limits:
    """What an engine accepts in one request."""

    max_side: int | None = None  # longest side in pixels
    max_bytes: int | None = None
    formats: frozenset[str] = frozenset({"jpeg", "png"})
    max_pages: int | None = 1
    honours_exif: bool = False  # the engine applies EXIF orientation itself
    takes_pixels: bool = False  # an in-process engine: decoded pixels need no re-encoding

    def accepts(self, source: Source) -> bool:
        """Whether ``source``'s bytes can be sent exactly as they are."""
        info = source.info
        if source.data is None or info is None:
            return False
        if info.format not in self.formats or (self.max_pages is not None and info.pages > self.max_pages):
            return False
        if self.max_bytes is not None and len(source.data) > self.max_bytes:
            return False
        if self.max_side is not None and max(info.width, info.height) > self.max_side:
            return False
        return info.orientation == 1 or self.honours_exif


@attrs.frozen(slots=True)
class Upload:
    """What an engine receives: bytes in an accepted format (and the pixels, when decoded)."""

    data: bytes = attrs.field(repr=False)
    format: str
    size: tuple[int, int]  # (width, height) of the frame the engine sees
    transform: Transform  # that frame -> the original image as displayed
    source: str  # the source's name, for messages
    pixels: np.ndarray | None = attrs.field(default=None, repr=False, eq=False)

    def decode(self) -> np.ndarray:
        """8-bit BGR pixels of the upload, decoding only when not already at hand."""
        if self.pixels is not None:
            return self.pixels
        return Source(self.source, self.data).decode()


def prepare(source: Source, limits: Limits) -> Upload:
    """The upload for ``source`` under ``limits``: the original bytes when they fit."""
    displayed = source.displayed_size
    if limits.accepts(source):
        assert source.data is not None and source.info is not None
        return Upload(source.data, source.info.format, displayed, Transform.identity(*displayed), source.name)
    pixels = source.decode()
    h, w = pixels.shape[:2]
    if limits.max_side is not None and max(w, h) > limits.max_side:
        ratio = limits.max_side / max(w, h)
        size = (max(1, round(w * ratio)), max(1, round(h * ratio)))
        pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
    h2, w2 = pixels.shape[:2]
    fmt, data = ("pixels", b"") if limits.takes_pixels else _encode(pixels, limits, source.name)
    return Upload(data, fmt, (w2, h2), Transform.scale((w2, h2), (w, h)), source.name, pixels)


def _encode(pixels: np.ndarray, limits: Limits, name: str) -> tuple[str, bytes]:
    """PNG when it fits (lossless), else JPEG at the best quality under the byte limit."""
    if "png" in limits.formats:
        ok, buf = cv2.imencode(".png", pixels, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        if ok and (limits.max_bytes is None or buf.nbytes <= limits.max_bytes):
            return "png", buf.tobytes()
    if "jpeg" in limits.formats:
        for quality in _JPEG_QUALITIES:
            ok, buf = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, quality])
            if ok and (limits.max_bytes is None or buf.nbytes <= limits.max_bytes):
                return "jpeg", buf.tobytes()
    raise UnsupportedImageError(
        name, f"cannot be encoded within the engine's limits ({limits.max_bytes} bytes, formats {sorted(limits.formats)})"
    )
