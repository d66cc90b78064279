"""Fit a source to an engine's input limits, and remember how to map results back.

When the original bytes already fit, they pass through untouched: no decode, no
re-encode. Otherwise each page is decoded once (EXIF orientation applied, transparency on
white), shrunk with ``INTER_AREA`` to the engine's largest side, and encoded in a format the
engine takes: JPEG for photos (the source was lossy already), PNG for lossless sources such
as scans and line art, stepping JPEG quality down until the byte limit holds. Every
:class:`Upload` carries, per page, the transform from the frame the engine sees back to the
source page as displayed; :func:`map_back` applies it to a whole result.

An engine whose limits ask for it (``flatten_photos``: offline engines that read phone
photos poorly as they come) gets each page decoded and flattened (:mod:`.flatten`: the page
found, its perspective undone, its rows laid flat, its light evened), with the transform
from the flattened page back to the photo; a scan passes that step unchanged.

A document only an engine reads (DOCX, PPTX, XLSX, HEIC: :mod:`.documents`) is none of this:
checked against the limits, then sent as it is, and the engine's pages kept as they come.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import attrs
import cv2
import numpy as np

from ..errors import RecognitionError, UnsupportedImageError
from ..geometry import Transform
from ..model import OcrResult, Page
from . import documents, pdf
from .flatten import flatten
from .sources import Source, display_path, orient, verify_jpeg
from .upload import Limits, Upload, UploadPage

#: JPEG qualities tried, in order, until the byte limit holds.
JPEG_QUALITIES = (92, 85, 75, 60, 45)
#: Further shrinking, as a share of the longest side, when no quality fits the byte limit.
_SHRINK_STEPS = (1.0, 0.75, 0.5, 0.35, 0.25)
#: Formats whose pixels have been through lossy compression already; re-encoded as JPEG.
_LOSSY = frozenset({"jpeg", "webp"})


def fits(source: Source, limits: Limits) -> bool:
    """Whether ``source``'s bytes can be sent exactly as they are."""
    info = source.info
    if source.data is None or info is None or info.format not in limits.formats:
        return False
    if limits.max_pages is not None and info.pages > limits.max_pages:
        return False
    if limits.max_bytes is not None and len(source.data) > limits.max_bytes:
        return False
    if info.format == "pdf":  # the engine renders the pages itself
        return True
    if limits.max_side is not None and max(info.width, info.height) > limits.max_side:
        return False
    return info.orientation == 1 or limits.honours_exif


def _passes_through(source: Source, limits: Limits) -> bool:
    """Whether the bytes go as they are: they fit, and no flattening waits for their pixels
    (a PDF the engine renders itself has none to flatten here)."""
    flattened = limits.flatten_photos and source.info is not None and source.info.format != "pdf"
    return fits(source, limits) and not flattened


def prepare(source: Source, limits: Limits, *, dpi: float = pdf.DEFAULT_DPI) -> Iterator[Upload]:
    """The uploads for ``source`` under ``limits``, one request each, lazily (one page in memory).

    The original bytes when they fit; a PDF over the page limit split into runs of pages
    when the engine takes PDF; otherwise one image per page, fitted to the limits. An upload
    names its source as shown to people (:func:`~.sources.display_path`): an engine may send
    the name to its vendor, and a file name that is not UTF-8 must not end the request.
    """
    name = display_path(source.name)
    if source.document:
        yield document_upload(source, limits)
        return
    if _passes_through(source, limits):
        assert source.data is not None and source.info is not None
        if source.info.format == "jpeg":  # sent as it is: a cut file must not reach a paid call
            verify_jpeg(source.data, source.name)
        sizes = source.page_sizes(dpi)
        pages = tuple(UploadPage(i, s, Transform.identity(*s)) for i, s in enumerate(sizes))
        yield Upload(source.data, source.info.format, name, pages)
        return
    fmt = source.info.format if source.info else "array"
    if fmt == "pdf" and "pdf" in limits.formats and limits.max_pages:
        yield from _split_pdf(source, limits, dpi)
        return
    sizes = source.page_sizes(dpi)
    for index in range(source.pages):
        shrink = limits.max_side is not None and max(sizes[index]) > limits.max_side
        # shrink first, then turn the smaller image
        stored = source.decode(index, dpi, oriented=False, gray_ok=True, to_shrink=shrink)
        yield fit_pixels(stored, limits, name, index, lossy=fmt in _LOSSY, orientation=source.orientation)


def upload_count(source: Source, limits: Limits) -> int:
    """How many requests :func:`prepare` would make of ``source``, from its header alone
    (nothing decoded): what a dry run counts."""
    if source.document:
        document_upload(source, limits)  # refused here as it would be there
        return 1
    if _passes_through(source, limits):
        return 1
    fmt = source.info.format if source.info else "array"
    if fmt == "pdf" and "pdf" in limits.formats and limits.max_pages:
        return -(-source.pages // limits.max_pages)
    return source.pages


def document_upload(source: Source, limits: Limits, *, engine: str | None = None, takers: Mapping[str, str] | None = None) -> Upload:
    """A document's bytes unchanged, once ``limits`` take its format and size (else an input
    error: see :func:`.documents.check`): one page of 0 x 0 that stands for whatever the engine finds."""
    assert source.document is not None and source.data is not None
    documents.check(source.name, source.document, len(source.data), limits, engine=engine, takers=takers)
    return Upload(source.data, source.document, display_path(source.name), (UploadPage(0, (0, 0), Transform.identity(0, 0)),))


def fit_pixels(
    pixels: np.ndarray, limits: Limits, name: str, index: int = 0, *, lossy: bool = False, orientation: int = 1
) -> Upload:
    """One decoded page fitted to ``limits``: shrunk to the largest side, turned upright
    (EXIF ``orientation``), flattened when the engine asks (:mod:`.flatten`: on the page as
    displayed, at its full size, before shrinking), encoded under the byte cap."""
    flat_back: Transform | None = None  # the flattened page -> the page as displayed
    if limits.flatten_photos:
        flat = flatten(orient(pixels, orientation))
        if not flat.unchanged:
            pixels, orientation, flat_back = flat.pixels, 1, flat.transform
    h, w = pixels.shape[:2]
    dw, dh = (h, w) if orientation >= 5 else (w, h)  # the page as displayed (or flattened)
    longest = max(w, h)
    side = min(longest, limits.max_side or longest)
    for step in _SHRINK_STEPS:
        target = max(1, round(side * step))
        if target < longest:
            ratio = target / longest
            size = (max(1, round(w * ratio)), max(1, round(h * ratio)))
            small = orient(cv2.resize(pixels, size, interpolation=cv2.INTER_AREA), orientation)
        else:
            small = orient(pixels, orientation)
        sh, sw = small.shape[:2]
        back = Transform.scale((sw, sh), (dw, dh))
        page = UploadPage(index, (sw, sh), back) if flat_back is None else UploadPage(index, (sw, sh), back.then(flat_back), flattened=True)
        if limits.takes_pixels:
            return Upload(b"", "pixels", name, (page,), _bgr(small))
        encoded = _encode(small, limits, lossy, name)
        if encoded is not None:
            return Upload(encoded[1], encoded[0], name, (page,), small)
    raise UnsupportedImageError(
        name, f"cannot be encoded within the engine's limits ({limits.max_bytes:,} bytes, formats {sorted(limits.formats)})"
    )


def _bgr(pixels: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(pixels, cv2.COLOR_GRAY2BGR) if pixels.ndim == 2 else pixels


def _encode(pixels: np.ndarray, limits: Limits, lossy: bool, name: str) -> tuple[str, bytes] | None:
    """PNG first for lossless sources (text edges stay sharp), JPEG first for photos."""
    order = ("jpeg", "png") if lossy else ("png", "jpeg")
    for fmt in order:
        if fmt not in limits.formats:
            continue
        if fmt == "png":
            ok, buf = cv2.imencode(".png", pixels, [cv2.IMWRITE_PNG_COMPRESSION, 3])
            if ok and (limits.max_bytes is None or buf.nbytes <= limits.max_bytes):
                return "png", buf.tobytes()
        else:
            for quality in JPEG_QUALITIES:
                ok, buf = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, quality])
                if ok and (limits.max_bytes is None or buf.nbytes <= limits.max_bytes):
                    return "jpeg", buf.tobytes()
    if not {"png", "jpeg"} & limits.formats:
        raise UnsupportedImageError(name, f"the engine takes only {sorted(limits.formats)}, which unified-ocr cannot write")
    return None


def _split_pdf(source: Source, limits: Limits, dpi: float) -> Iterator[Upload]:
    """Runs of at most ``max_pages`` pages as PDFs of their own; a run over the byte cap is rendered."""
    assert source.data is not None and limits.max_pages
    sizes = source.page_sizes(dpi)
    for start in range(0, len(sizes), limits.max_pages):
        run = list(range(start, min(start + limits.max_pages, len(sizes))))
        data = pdf.subset(source.data, source.name, run)
        if limits.max_bytes is None or len(data) <= limits.max_bytes:
            pages = tuple(UploadPage(i, sizes[i], Transform.identity(*sizes[i])) for i in run)
            yield Upload(data, "pdf", display_path(source.name), pages)
        else:
            for i in run:
                yield fit_pixels(source.decode(i, dpi), limits, display_path(source.name), i)


def map_back(result: OcrResult, upload: Upload) -> OcrResult:
    """``result`` (pages indexed within the upload) in the source's pages, as displayed.

    An engine that renders pages itself (a PDF) may report them at its own size: that frame
    is scaled onto the upload page's before the page's transform applies. A page reported
    with no size (0) is taken to be in the upload page's frame. A document sent as it is has no
    frame here: its pages are the engine's, indexes and sizes (normalised, or the engine's pixels).
    """
    if upload.is_document:
        return result
    pages: list[Page] = []
    for page in result.pages:
        if not 0 <= page.index < len(upload.pages):
            raise RecognitionError(f"{upload.source}: {result.engine} returned page {page.index} of a {len(upload.pages)}-page upload")
        slot = upload.pages[page.index]
        transform = slot.transform
        if (page.width, page.height) != slot.size and page.width > 0 and page.height > 0:
            transform = Transform.scale((page.width, page.height), slot.size).then(transform)
        mapped = page if transform.is_identity else page.mapped(transform)
        # the index in the source; the size as displayed (engines that do not report it leave 0)
        pages.append(attrs.evolve(mapped, index=slot.index, width=transform.target_size[0], height=transform.target_size[1]))
    return attrs.evolve(result, pages=tuple(pages))
