"""PDF pages through PDFium (``pypdfium2``): count and size them, render them, split them.

A PDF has no pixels of its own. unified-ocr gives each page the pixel frame of its
rendering at a chosen DPI (default :data:`DEFAULT_DPI`); results on a PDF are in that frame,
whether the engine rendered the page itself or was sent the rendering.

PDFium is not thread-safe, and a batch reads PDFs from several threads at once: every call
into it here runs under one process-wide lock, from opening a document to closing it.
Rendering a page is fast next to an OCR call, so the lock costs little.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..errors import CorruptImageError, UnsupportedImageError

DEFAULT_DPI = 200
_POINTS_PER_INCH = 72

#: Held around every use of PDFium in this process.
PDFIUM_LOCK = threading.RLock()


@contextmanager
def _document(data: bytes, name: str) -> Iterator[Any]:  # yields a pdfium.PdfDocument
    """The open document, under the lock; any PDFium failure inside is a typed error naming the file."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise CorruptImageError(name, _why(data, exc)) from None
        try:
            yield doc
        except pdfium.PdfiumError as exc:
            raise CorruptImageError(name, f"damaged PDF: a page cannot be read ({_reason(exc)})") from None
        finally:
            doc.close()


def _why(data: bytes, exc: Exception) -> str:
    """Why PDFium could not open ``data``, from the document itself where PDFium's own word is stale.

    PDFium keeps its last error in a global: after an encrypted file, a later failure can
    still say "Incorrect password", and some failures say "Success". The file tells.
    """
    if b"/Encrypt" in data:
        return "encrypted PDF: it needs a password; save a copy without one"
    if b"%%EOF" not in data[-2048:]:
        return "damaged or truncated PDF (no end-of-file marker)"
    return f"damaged PDF ({_reason(exc)})"


def _reason(exc: Exception) -> str:
    text = str(exc)
    return "PDFium cannot read it" if "password" in text.lower() or "Success" in text else text


def page_sizes(data: bytes, name: str, dpi: float = DEFAULT_DPI) -> list[tuple[int, int]]:
    """Each page's (width, height) in pixels at ``dpi``, without rendering."""
    with _document(data, name) as doc:
        sizes = []
        for i in range(len(doc)):
            w, h = doc.get_page_size(i)
            sizes.append((max(1, round(w * dpi / _POINTS_PER_INCH)), max(1, round(h * dpi / _POINTS_PER_INCH))))
        return sizes


def render(data: bytes, name: str, index: int, dpi: float = DEFAULT_DPI, *, max_pixels: int | None = None) -> np.ndarray:
    """Page ``index`` as 8-bit BGR pixels at ``dpi`` (white background, rotation applied).

    A page that would render over ``max_pixels`` is refused before rendering.
    """
    with _document(data, name) as doc:
        w, h = (v * dpi / _POINTS_PER_INCH for v in doc.get_page_size(index))
        if max_pixels is not None and w * h > max_pixels:
            raise UnsupportedImageError(name, f"page {index} at {dpi:g} dpi would be {w:.0f}x{h:.0f}, over the {max_pixels:,} pixel limit")
        page = doc[index]
        try:
            bitmap = page.render(scale=dpi / _POINTS_PER_INCH, rev_byteorder=False)
            return np.ascontiguousarray(bitmap.to_numpy()[:, :, :3])
        finally:
            page.close()


def subset(data: bytes, name: str, pages: Sequence[int]) -> bytes:
    """A new PDF holding only ``pages`` of ``data``, for engines with a page limit per request."""
    import pypdfium2 as pdfium

    with _document(data, name) as src:
        out = pdfium.PdfDocument.new()
        try:
            out.import_pages(src, list(pages))
            buf = io.BytesIO()
            out.save(buf)
            return buf.getvalue()
        finally:
            out.close()
