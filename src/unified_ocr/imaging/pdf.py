"""PDF pages through PDFium (``pypdfium2``): count and size them, render them, split them.

A PDF has no pixels of its own. unified-ocr gives each page the pixel frame of its
rendering at a chosen DPI (default :data:`DEFAULT_DPI`); results on a PDF are in that frame,
whether the engine rendered the page itself or was sent the rendering.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import CorruptImageError, UnsupportedImageError

DEFAULT_DPI = 200
_POINTS_PER_INCH = 72


def _open(data: bytes, name: str):  # -> pdfium.PdfDocument
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise CorruptImageError(name, f"damaged or encrypted PDF ({exc})") from None


def page_sizes(data: bytes, name: str, dpi: float = DEFAULT_DPI) -> list[tuple[int, int]]:
    """Each page's (width, height) in pixels at ``dpi``, without rendering."""
    doc = _open(data, name)
    try:
        sizes = []
        for i in range(len(doc)):
            w, h = doc.get_page_size(i)
            sizes.append((max(1, round(w * dpi / _POINTS_PER_INCH)), max(1, round(h * dpi / _POINTS_PER_INCH))))
        return sizes
    finally:
        doc.close()


def render(data: bytes, name: str, index: int, dpi: float = DEFAULT_DPI, *, max_pixels: int | None = None) -> np.ndarray:
    """Page ``index`` as 8-bit BGR pixels at ``dpi`` (white background, rotation applied).

    A page that would render over ``max_pixels`` is refused before rendering.
    """
    doc = _open(data, name)
    try:
        w, h = (v * dpi / _POINTS_PER_INCH for v in doc.get_page_size(index))
        if max_pixels is not None and w * h > max_pixels:
            raise UnsupportedImageError(name, f"page {index} at {dpi:g} dpi would be {w:.0f}x{h:.0f}, over the {max_pixels:,} pixel limit")
        page = doc[index]
        bitmap = page.render(scale=dpi / _POINTS_PER_INCH, rev_byteorder=False)
        return np.ascontiguousarray(bitmap.to_numpy()[:, :, :3])
    finally:
        doc.close()


def subset(data: bytes, name: str, pages: Sequence[int]) -> bytes:
    """A new PDF holding only ``pages`` of ``data``, for engines with a page limit per request."""
    import io

    import pypdfium2 as pdfium

    src = _open(data, name)
    out = pdfium.PdfDocument.new()
    try:
        out.import_pages(src, list(pages))
        buf = io.BytesIO()
        out.save(buf)
        return buf.getvalue()
    finally:
        out.close()
        src.close()
