"""Reading what the user gives (a path, bytes, a file object, a numpy array) and probing it.

The probe reads the header only: format, size, EXIF orientation, page count. Pixels are
decoded only when something needs them. Every problem is an :class:`~.errors.InputError`
naming the source, raised before any engine (and so any network call) sees the image.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Union

import attrs
import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from ..errors import (
    CorruptImageError,
    EmptyImageError,
    ImageNotFoundError,
    InvalidSourceError,
    UnsupportedImageError,
)
from . import pdf
from .documents import DOCUMENT_FORMATS, DOCUMENT_SUFFIXES, document_format, no_pixels
from .jpeg_markers import read_structure

SourceLike = Union[str, os.PathLike, bytes, bytearray, memoryview, IO[bytes], np.ndarray]

#: Pillow's format names, as unified-ocr calls them.
_FORMATS = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "TIFF": "tiff", "BMP": "bmp", "WEBP": "webp", "GIF": "gif"}

#: File endings of the formats read here, and of documents some engines take as they are (always
#: listed: an engine that cannot read one fails that file alone, saying which engines can), for
#: walking folders (a file named outright is read whatever its ending).
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".gif", ".pdf"}) | DOCUMENT_SUFFIXES

#: Refuse images over this many pixels before decoding them (decompression bombs).
MAX_PIXELS = 180_000_000

#: Pillow's readers for the formats above, tried in this order.
_PILLOW_READERS = ("JPEG", "PNG", "TIFF", "BMP", "WEBP", "GIF")


@attrs.frozen(slots=True)
class ImageInfo:
    """What the header says: enough to decide whether an engine can take the bytes as they are."""

    format: str
    width: int  # as stored, before EXIF orientation (a PDF's first page at the default DPI)
    height: int
    orientation: int = 1  # EXIF 1..8; 5..8 swap width and height when displayed
    pages: int = 1
    alpha: bool = False  # transparent pixels, composited onto white when decoded
    gray: bool = False  # one channel: decoded as such where the caller allows, a third of the work

    @property
    def displayed_size(self) -> tuple[int, int]:
        return (self.height, self.width) if self.orientation >= 5 else (self.width, self.height)

    @property
    def pixels(self) -> int:
        return self.width * self.height


@attrs.frozen(slots=True)
class Source:
    """One input: its name for messages, its bytes (or pixels) and its header facts."""

    name: str
    data: bytes | None = attrs.field(repr=False)
    array: np.ndarray | None = attrs.field(default=None, repr=False, eq=False)
    info: ImageInfo | None = None
    max_pixels: int = MAX_PIXELS

    @property
    def pages(self) -> int:
        return self.info.pages if self.info else 1

    @property
    def document(self) -> str | None:
        """The format of a document sent to engines as it is (``"docx"``, ``"heic"``...), which has
        no pixels, page count or page size here; ``None`` for an image or PDF."""
        return self.info.format if self.info is not None and self.info.format in DOCUMENT_FORMATS else None

    def sha256(self) -> str:
        """The content's hash: the bytes as given, or an array's shape, type and pixels."""
        digest = hashlib.sha256()
        if self.data is not None:
            digest.update(self.data)
        elif self.array is not None:
            digest.update(f"{self.array.shape}{self.array.dtype}".encode())
            digest.update(np.ascontiguousarray(self.array).tobytes())
        return digest.hexdigest()

    @property
    def displayed_size(self) -> tuple[int, int]:
        """(width, height) of the first page as displayed."""
        if self.array is not None:
            return self.array.shape[1], self.array.shape[0]
        assert self.info is not None
        return self.info.displayed_size

    def page_sizes(self, dpi: float = pdf.DEFAULT_DPI) -> list[tuple[int, int]]:
        """Every page's (width, height) as displayed; PDF pages at ``dpi``. Header reads only.
        A document sent as it is has none known here: one page of 0 x 0."""
        if self.info is not None and self.info.format == "pdf":
            assert self.data is not None
            return pdf.page_sizes(self.data, self.name, dpi)
        if self.pages == 1:
            return [self.displayed_size]
        assert self.data is not None
        with _pillow(self.data, self.name) as img:
            sizes = []
            for i in range(self.pages):
                img.seek(i)
                sizes.append(img.size[::-1] if self.orientation >= 5 else img.size)
            return sizes

    @property
    def orientation(self) -> int:
        return self.info.orientation if self.info else 1

    def decode(
        self,
        page: int = 0,
        dpi: float = pdf.DEFAULT_DPI,
        *,
        oriented: bool = True,
        gray_ok: bool = False,
        to_shrink: bool = False,
    ) -> np.ndarray:
        """Page ``page`` as 8-bit BGR pixels, transparency on white.

        With ``oriented`` (the default) the EXIF orientation is applied; without it the
        pixels come as stored, so that a caller can shrink first and turn the smaller image
        (:func:`orient`). With ``gray_ok`` a grayscale image comes as one 8-bit channel.
        ``to_shrink`` says the pixels will be shrunk next: JPEG then decodes with a faster
        DCT and chroma upsampling whose differences the shrinking averages away.
        """
        if self.document:
            raise no_pixels(self.name, self.document)
        if not 0 <= page < self.pages:
            raise IndexError(f"{self.name} has {self.pages} page(s); there is no page {page}")
        pixels = self._decode_stored(page, dpi, gray_ok and self.info is not None and self.info.gray, to_shrink)
        return orient(pixels, self.orientation) if oriented else pixels

    def _decode_stored(self, page: int, dpi: float, gray: bool, fast: bool) -> np.ndarray:
        if self.array is not None:
            return _to_bgr8(self.array)
        assert self.data is not None and self.info is not None
        if self.info.format == "pdf":
            return pdf.render(self.data, self.name, page, dpi, max_pixels=self.max_pixels)
        if self.pages == 1 and not self.info.alpha:
            pixels = _decode_jpeg(self.data, self.name, gray, fast) if self.info.format == "jpeg" else None
            if pixels is None:
                flags = (cv2.IMREAD_GRAYSCALE if gray else cv2.IMREAD_COLOR) | cv2.IMREAD_IGNORE_ORIENTATION
                pixels = cv2.imdecode(np.frombuffer(self.data, np.uint8), flags)
            if pixels is not None:
                return pixels
        with _pillow(self.data, self.name) as img:  # several pages, transparency, or a format OpenCV lacks
            try:
                img.seek(page)
                if img.width * img.height > self.max_pixels:
                    raise UnsupportedImageError(self.name, f"page {page} is {img.width}x{img.height}, over the {self.max_pixels:,} pixel limit")
                return _pillow_to_bgr8(img)
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                raise CorruptImageError(self.name, f"page {page} cannot be decoded ({exc})") from None


def orient(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """Turn stored pixels the way EXIF ``orientation`` (1..8) says they are displayed."""
    if orientation == 2:
        return cv2.flip(pixels, 1)
    if orientation == 3:
        return cv2.rotate(pixels, cv2.ROTATE_180)
    if orientation == 4:
        return cv2.flip(pixels, 0)
    if orientation == 5:
        return cv2.transpose(pixels)
    if orientation == 6:
        return cv2.rotate(pixels, cv2.ROTATE_90_CLOCKWISE)
    if orientation == 7:
        return cv2.flip(cv2.transpose(pixels), -1)
    if orientation == 8:
        return cv2.rotate(pixels, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return pixels


#: libjpeg's words for damaged data (as opposed to a layout it cannot convert, such as CMYK).
_DAMAGED_JPEG = ("corrupt", "premature end", "bogus", "invalid jpeg", "huffman")


def _decode_jpeg(data: bytes, name: str, gray: bool = False, fast: bool = False) -> np.ndarray | None:
    """libjpeg-turbo through simplejpeg: about a third faster than OpenCV's decoder on photos.

    Strict: data that libjpeg finds damaged (a file cut short with an end marker put back,
    which a decoder would fill with grey) is a :class:`CorruptImageError`, not a warning on
    stderr. ``None`` when simplejpeg is not installed or cannot convert the file (CMYK, for
    one); OpenCV then does.
    """
    try:
        import simplejpeg
    except ImportError:  # pragma: no cover - an optional speed-up
        return None
    try:
        pixels = simplejpeg.decode_jpeg(data, colorspace="GRAY" if gray else "BGR", fastdct=fast, fastupsample=fast)
    except ValueError as exc:
        if any(word in str(exc).lower() for word in _DAMAGED_JPEG):
            raise CorruptImageError(name, f"damaged JPEG ({exc})") from None
        return None
    return pixels[:, :, 0] if gray else pixels


#: JPEGs whose coded image data is up to this size are also decoded to check them (at an eighth
#: of the size: under a millisecond at this size); larger ones are checked from their markers alone.
FULL_CHECK_BYTES = 64 * 1024


def verify_jpeg(data: bytes, name: str) -> None:
    """Raise :class:`CorruptImageError` if the JPEG is cut short or damaged.

    For bytes sent on as they are: the header can be whole around data cut short, which a
    service would then read (and charge for) as grey. Two checks, by cost:

    - the markers (:mod:`.jpeg_markers`), always: about 0.1 ms for a 2000x1500 photo. They
      catch a file cut short with nothing put back, a segment running past the end, restart
      markers missing or out of sequence (a cut with an end marker put back, in a file that
      has them), and a progressive file cut between its scans;
    - a decode at an eighth of the size, which reads every Huffman code, when the coded data
      is up to :data:`FULL_CHECK_BYTES`, or when its last bits are not the end an encoder
      writes (a hint the markers give: most cuts with an end marker put back). The decode
      also catches what only the codes show: such a cut after the last restart marker (or in
      a file without any), and bytes garbled in the middle. It costs about 9 ms a megabyte of
      a baseline photo's coded data (4-5 ms for that 2000x1500 one, 30 times all the rest of
      passing it through) and five times that for a progressive one, which is why larger
      files that end cleanly skip it: for them, garbled data, and a cut whose last bits look
      like an end by chance (half the cuts of a 4:2:0 colour photo, one in twenty of a
      greyscale one), reach the service (``benchmarks/jpeg_check.py`` counts them).
    """
    structure = read_structure(data)
    if structure.problem is not None:
        raise CorruptImageError(name, f"damaged JPEG ({structure.problem})")
    if structure.coded_bytes > FULL_CHECK_BYTES and structure.clean_end is not False:
        return
    try:
        import simplejpeg
    except ImportError:  # pragma: no cover - a dependency, but the decode is only a second guard
        return
    try:
        simplejpeg.decode_jpeg(data, fastdct=True, fastupsample=True, min_width=1, min_height=1)
    except ValueError as exc:
        if any(word in str(exc).lower() for word in _DAMAGED_JPEG):
            raise CorruptImageError(name, f"damaged JPEG ({exc})") from None


def open_source(source: SourceLike | Source, name: str | None = None, *, max_pixels: int = MAX_PIXELS) -> Source:
    """Read and probe ``source``; raise an input error that names it when it is not usable.

    ``max_pixels`` refuses larger images from their header, before anything is decoded.
    """
    if isinstance(source, Source):
        return source
    if isinstance(source, np.ndarray):
        return _from_array(source, name or "<array>", max_pixels)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, label = bytes(source), name or "<bytes>"
    elif hasattr(source, "read"):
        label = name or str(getattr(source, "name", "<stream>"))
        data = _read_stream(source, label)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(os.fspath(source))
        label = name or str(source)
        if not str(source):
            raise ImageNotFoundError("<empty path>", "an empty path was given: pass the image's path")
        data = _read_path(path, label)
    else:
        raise InvalidSourceError(
            name or f"<{type(source).__name__}>", f"not an image source: {ACCEPTED}; got {type(source).__name__}"
        )
    if not data:
        raise EmptyImageError(label, "empty (0 bytes)")
    return Source(label, data, None, probe(data, label, max_pixels=max_pixels), max_pixels)


def display_path(path: str | os.PathLike[str] | bytes) -> str:
    """A path, or a message naming one, as shown to people: bytes of a name that are not
    UTF-8 (a CP949 name from a Windows machine, carried as lone surrogates) become U+FFFD,
    the replacement character. Never raises; use it for what is printed, never as a key
    or to open the file (the path itself does that)."""
    raw = os.fspath(path)
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "replace")
    try:
        return raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in raw)


#: What :func:`open_source` takes, for messages.
ACCEPTED = "pass a path, bytes, a binary file object (opened with 'rb') or a numpy array"


def _read_path(path: Path, label: str) -> bytes:
    """A file's bytes; anything the file system says (missing, a folder, a FIFO, no permission,
    a name too long) is an input error naming the path, never a bare ``OSError``."""
    try:
        if not path.exists():
            raise ImageNotFoundError(label, "no such file")
        if path.is_dir():
            raise ImageNotFoundError(label, "a folder, not a file (unified-ocr batch reads folders)")
        if not path.is_file():
            raise ImageNotFoundError(label, "not a regular file (a FIFO, socket or device cannot be read as an image)")
        return path.read_bytes()
    except OSError as exc:
        raise ImageNotFoundError(label, f"cannot be read ({exc.strerror or exc})") from None


def _read_stream(stream: Any, label: str) -> bytes:
    """All of a file object's bytes; a closed or text-mode file is a clear input error."""
    try:
        data = stream.read()
    except ValueError as exc:  # "I/O operation on closed file"
        raise InvalidSourceError(label, f"the file object cannot be read ({exc}); {ACCEPTED}") from None
    except OSError as exc:
        raise ImageNotFoundError(label, f"cannot be read ({exc.strerror or exc})") from None
    if isinstance(data, str):
        raise InvalidSourceError(label, f"the file is open in text mode; {ACCEPTED}")
    if not isinstance(data, (bytes, bytearray)):
        raise InvalidSourceError(label, f"its read() gave {type(data).__name__}, not bytes; {ACCEPTED}")
    return bytes(data)


def probe(data: bytes, name: str = "<bytes>", *, max_pixels: int = MAX_PIXELS) -> ImageInfo:
    """Header facts of encoded image bytes, without decoding the pixels.

    A document that only an engine reads (:mod:`.documents`: DOCX, PPTX, XLSX, HEIC) is named by
    its format, with one page of 0 x 0: nothing here can measure it.
    """
    document = document_format(data)
    if document is not None:
        return ImageInfo(document, 0, 0)
    if data[:5] == b"%PDF-":
        sizes = pdf.page_sizes(data, name)
        if not sizes:
            raise EmptyImageError(name, "the PDF has no pages")
        return ImageInfo("pdf", *sizes[0], pages=len(sizes))
    try:
        with _pillow(data, name) as img:
            fmt = _FORMATS.get(img.format or "")
            if fmt is None:
                raise UnsupportedImageError(name, f"{img.format} images are not supported")
            orientation = _orientation(img, fmt)
            alpha = img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info
            gray = img.mode in ("1", "L", "I;16", "I;16B", "I;16L", "I") and not alpha
            pages = int(getattr(img, "n_frames", 1)) if fmt in ("tiff", "gif", "webp") else 1
            info = ImageInfo(fmt, img.width, img.height, orientation, pages, alpha, gray)
            tile = getattr(img, "tile", None)
            scan_start = tile[0][2] if tile else 0
    except (OSError, SyntaxError, ValueError, IndexError, EOFError) as exc:
        raise CorruptImageError(name, f"damaged or truncated image ({exc})") from None
    if info.width <= 0 or info.height <= 0:
        raise EmptyImageError(name, "the image has no pixels")
    if info.pixels > max_pixels:
        raise UnsupportedImageError(
            name, f"{info.width}x{info.height} is over the {max_pixels:,} pixel limit (a decompression bomb guard)"
        )
    _check_complete(data, info.format, scan_start, name)
    return info


def _orientation(img: Image.Image, fmt: str) -> int:
    """EXIF orientation from the header. A PNG's eXIf chunk counts only before the pixel data:
    Pillow would decode the whole image to look for one after it."""
    if fmt == "png":
        exif = Image.Exif()
        raw = img.info.get("exif")
        if raw:
            exif.load(raw)
    else:
        exif = img.getexif()
    value = exif.get(0x0112, 1)
    return int(value) if isinstance(value, int) and 1 <= value <= 8 else 1


def _check_complete(data: bytes, fmt: str, scan_start: int, name: str) -> None:
    """Catch truncated files from their last bytes; decoders would silently fill the gap."""
    if fmt == "jpeg" and data.rfind(b"\xff\xd9") <= scan_start:
        raise CorruptImageError(name, "truncated JPEG (no end-of-image marker after the image data)")
    if fmt == "png" and not _png_complete(data):
        raise CorruptImageError(name, "truncated PNG (its chunks end before the IEND chunk)")


def _png_complete(data: bytes) -> bool:
    """Whether the PNG's chunks reach an IEND chunk: walked by their lengths, so bytes after
    the image (appended by some tools) are allowed and a cut file is caught."""
    pos = 8  # past the signature
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        if data[pos + 4 : pos + 8] == b"IEND":
            return True
        pos += 12 + length  # length, type, data, CRC
    return False


def _from_array(array: np.ndarray, name: str, max_pixels: int = MAX_PIXELS) -> Source:
    if array.size == 0:
        raise EmptyImageError(name, "the array has no pixels")
    if array.ndim >= 2 and array.shape[0] * array.shape[1] > max_pixels:
        raise UnsupportedImageError(
            name, f"{array.shape[1]}x{array.shape[0]} is over the {max_pixels:,} pixel limit (raise max_pixels to accept it)"
        )
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
        return _on_white(array[:, :, :3], array[:, :, 3])
    return array


def _on_white(bgr: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Composite onto white: transparent pixels often hide black, which would swallow black text."""
    a = alpha.astype(np.float32)[:, :, None] / 255.0
    return (bgr.astype(np.float32) * a + 255.0 * (1.0 - a)).round().astype(np.uint8)


@contextmanager
def _pillow(data: bytes, name: str) -> Iterator[Image.Image]:
    try:
        with warnings.catch_warnings():
            # Pillow's own warnings only: the filters are the process's, and a blanket "ignore" here
            # would also swallow a warning another thread gives meanwhile (an engine's script warning)
            warnings.filterwarnings("ignore", module=r"PIL(\.|$)")
            with _open_unguarded(io.BytesIO(data)) as img:
                yield img
    except UnidentifiedImageError:
        raise UnsupportedImageError(name, "not an image (the content is not JPEG, PNG, TIFF, BMP, WebP, GIF or PDF)") from None


def _open_unguarded(fp: io.BytesIO) -> Image.Image:
    """``Image.open`` for the formats read here, without Pillow's decompression-bomb check.

    That check reads the process-wide ``Image.MAX_IMAGE_PIXELS``, which belongs to the
    user's program; here the caller's ``max_pixels`` guards instead (see :func:`probe`),
    so Pillow's readers are called directly, as ``Image.open`` would call them.
    """
    Image.init()  # registers every reader; a no-op after the first call
    prefix = fp.read(16)
    for fmt in _PILLOW_READERS:
        factory, accept = Image.OPEN[fmt]
        verdict = accept(prefix) if accept else True
        if not verdict or isinstance(verdict, str):  # a string is Pillow's reason for not trying
            continue
        fp.seek(0)
        try:
            return factory(fp, "")
        except (SyntaxError, IndexError, TypeError, struct.error):
            continue
    fp.seek(0)
    try:
        return Image.open(fp)  # another format: named, to be refused by name (its size is never used)
    except Image.DecompressionBombError:
        raise UnidentifiedImageError("an image of another format, too large to identify") from None


def _pillow_to_bgr8(img: Image.Image) -> np.ndarray:
    """Any Pillow mode as 8-bit BGR: 16- and 32-bit scaled, CMYK converted, alpha on white."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(img)
        if img.mode == "F":
            lo, hi = float(arr.min()), float(arr.max())
            gray = ((arr - lo) / (hi - lo or 1.0) * 255).round().astype(np.uint8)
        else:
            arr = arr.astype(np.int64)
            gray = (arr >> 8 if arr.max() > 255 else arr).clip(0, 255).astype(np.uint8)
        return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info:
        rgba = np.asarray(img.convert("RGBA"))
        return _on_white(rgba[:, :, 2::-1], rgba[:, :, 3])
    return cv2.cvtColor(np.asarray(img.convert("RGB")), cv2.COLOR_RGB2BGR)
