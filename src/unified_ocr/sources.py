"""Reading what the user gives (a path, bytes, a file object, a numpy array) and probing it.

The probe reads the header only: format, size, EXIF orientation, page count. Pixels are
decoded only when something needs them. Every problem is an :class:`~.errors.InputError`
naming the source, raised before any engine (and so any network call) sees the image.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import IO, Union

import attrs
import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import (
    CorruptImageError,
    EmptyImageError,
    ImageNotFoundError,
    UnsupportedImageError,
)

SourceLike = Union[str, os.PathLike, bytes, bytearray, memoryview, IO[bytes], np.ndarray]

#: Pillow's format names, as unified-ocr calls them.
_FORMATS = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "TIFF": "tiff", "BMP": "bmp", "WEBP": "webp", "GIF": "gif"}

#: Refuse images over this many pixels before decoding them (decompression bombs).
MAX_PIXELS = 180_000_000

# Only ImageInfo.pixels is compared against MAX_PIXELS; Pillow's own guard would warn.
Image.MAX_IMAGE_PIXELS = None


@attrs.frozen(slots=True)
class ImageInfo:
    """What the header says: enough to decide whether an engine can take the bytes as they are."""

    format: str
    width: int  # as stored, before EXIF orientation
    height: int
    orientation: int = 1  # EXIF 1..8; 5..8 swap width and height when displayed
    pages: int = 1

    @property
    def displayed_size(self) -> tuple[int, int]:
        return (self.height, self.width) if self.orientation >= 5 else (self.width, self.height)

    @property
    def pixels(self) -> int:
        return self.width * self.height


@attrs.frozen(slots=True)
class Source:
    """One input image: its name for messages, its bytes (or pixels) and its header facts."""

    name: str
    data: bytes | None = attrs.field(repr=False)
    array: np.ndarray | None = attrs.field(default=None, repr=False, eq=False)
    info: ImageInfo | None = None

    @property
    def displayed_size(self) -> tuple[int, int]:
        if self.array is not None:
            return self.array.shape[1], self.array.shape[0]
        assert self.info is not None
        return self.info.displayed_size

    def decode(self) -> np.ndarray:
        """The pixels as 8-bit BGR, EXIF orientation applied."""
        if self.array is not None:
            return _to_bgr8(self.array)
        assert self.data is not None
        pixels = cv2.imdecode(np.frombuffer(self.data, np.uint8), cv2.IMREAD_COLOR)
        if pixels is None:  # formats OpenCV was built without; Pillow reads them
            pixels = _decode_with_pillow(self.name, self.data)
        return pixels


def open_source(source: SourceLike | Source, name: str | None = None) -> Source:
    """Read and probe ``source``; raise an input error that names it when it is not usable."""
    if isinstance(source, Source):
        return source
    if isinstance(source, np.ndarray):
        return _from_array(source, name or "<array>")
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, label = bytes(source), name or "<bytes>"
    elif hasattr(source, "read"):
        data = source.read()  # type: ignore[union-attr]
        label = name or str(getattr(source, "name", "<stream>"))
    else:
        path = Path(os.fspath(source))  # type: ignore[arg-type]
        label = name or str(source)
        if not path.exists():
            raise ImageNotFoundError(label, "no such file")
        if not path.is_file():
            raise ImageNotFoundError(label, "not a file")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ImageNotFoundError(label, f"cannot be read ({exc.strerror})") from None
    if not data:
        raise EmptyImageError(label, "empty (0 bytes)")
    return Source(label, data, None, probe(data, label))


def probe(data: bytes, name: str = "<bytes>") -> ImageInfo:
    """Header facts of encoded image bytes, without decoding the pixels."""
    if data[:5] == b"%PDF-":
        raise UnsupportedImageError(name, "PDF input is not supported yet; render its pages to images first")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as img:
                fmt = _FORMATS.get(img.format or "")
                if fmt is None:
                    raise UnsupportedImageError(name, f"{img.format} images are not supported")
                orientation = int(img.getexif().get(0x0112, 1) or 1)
                info = ImageInfo(fmt, img.width, img.height, orientation if 1 <= orientation <= 8 else 1,
                                 int(getattr(img, "n_frames", 1)))
                scan_start = img.tile[0][2] if img.tile else 0
    except UnidentifiedImageError:
        raise UnsupportedImageError(name, "not an image (the content is not JPEG, PNG, TIFF, BMP, WebP or GIF)") from None
    except (OSError, SyntaxError, ValueError, IndexError) as exc:
        raise CorruptImageError(name, f"damaged or truncated image ({exc})") from None
    if info.width <= 0 or info.height <= 0:
        raise EmptyImageError(name, "the image has no pixels")
    if info.pixels > MAX_PIXELS:
        raise UnsupportedImageError(
            name, f"{info.width}x{info.height} is over the {MAX_PIXELS:,} pixel limit (a decompression bomb guard)"
        )
    _check_complete(data, info.format, scan_start, name)
    return info


def _check_complete(data: bytes, fmt: str, scan_start: int, name: str) -> None:
    """Catch truncated files from their last bytes; decoders would silently fill the gap."""
    if fmt == "jpeg" and data.rfind(b"\xff\xd9") <= scan_start:
        raise CorruptImageError(name, "truncated JPEG (no end-of-image marker after the image data)")
    if fmt == "png" and b"IEND" not in data[-64:]:
        raise CorruptImageError(name, "truncated PNG (no IEND chunk at the end)")


def _from_array(array: np.ndarray, name: str) -> Source:
    if array.size == 0:
        raise EmptyImageError(name, "the array has no pixels")
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (1, 3, 4)):
        raise UnsupportedImageError(name, f"expected an HxW or HxWx3 (BGR) array, got shape {array.shape}")
    if array.dtype not in (np.uint8, np.uint16):
        raise UnsupportedImageError(name, f"expected a uint8 or uint16 array, got {array.dtype}")
    h, w = array.shape[:2]
    return Source(name, None, array, ImageInfo("array", w, h))


def _to_bgr8(array: np.ndarray) -> np.ndarray:
    if array.dtype == np.uint16:
        array = (array >> 8).astype(np.uint8)
    if array.ndim == 2 or array.shape[2] == 1:
        return cv2.cvtColor(array, cv2.COLOR_GRAY2BGR)
    if array.shape[2] == 4:
        return cv2.cvtColor(array, cv2.COLOR_BGRA2BGR)
    return array


def _decode_with_pillow(name: str, data: bytes) -> np.ndarray:
    try:
        with Image.open(io.BytesIO(data)) as img:
            rgb = ImageOps.exif_transpose(img).convert("RGB")
    except (OSError, SyntaxError, ValueError) as exc:
        raise CorruptImageError(name, f"cannot be decoded ({exc})") from None
    return cv2.cvtColor(np.asarray(rgb), cv2.COLOR_RGB2BGR)
