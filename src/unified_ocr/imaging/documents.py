"""Documents sent as they are: office files and HEIC photos, recognised by their bytes.

Some services read formats that unified-ocr cannot decode (a DOCX, PPTX or XLSX rendered by
the service itself; a HEIC photo). Such a source is never decoded, resized or cropped here:
it is recognised from its bytes (an office file is a ZIP whose ``[Content_Types].xml`` names
its main part; HEIC is an ISO base media file whose ``ftyp`` box carries a HEIF brand),
checked against the engine's :class:`~unified_ocr.imaging.upload.Limits` (its ``formats`` and
``max_bytes``) before any call, and sent unchanged with its format named. Its pages and their
sizes are the engine's answer's, since nothing here can measure them.

Consumers that need pixels (overlays, crops, datasets) get :func:`no_pixels`, a typed error
saying why, instead of a decoder's failure.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

from ..errors import UnsupportedImageError
from .upload import DOCUMENT_FORMATS, Limits

__all__ = ["DOCUMENT_FORMATS", "DOCUMENT_SUFFIXES", "check", "document_format", "no_pixels"]

#: File endings of such documents, for walking folders.
DOCUMENT_SUFFIXES = frozenset({".docx", ".pptx", ".xlsx", ".heic", ".heif"})

#: The main part's content type (lower case, as compared) -> format: documents, templates, shows, macro-enabled files.
_OFFICE_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "docx",
    "application/vnd.ms-word.document.macroenabled.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml": "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml": "pptx",
    "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml": "pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml": "xlsx",
}
#: Without a content type that says, the main part's usual name.
_OFFICE_PARTS = {"word/document.xml": "docx", "ppt/presentation.xml": "pptx", "xl/workbook.xml": "xlsx"}
#: ``[Content_Types].xml`` is a few kilobytes; a larger one is not read (a ZIP bomb guard).
_MAX_TYPES_BYTES = 1 << 20
#: ``ftyp`` brands of HEIF images coded with HEVC, and the generic HEIF brands (which AVIF shares).
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})

NAMES = {"docx": "DOCX", "pptx": "PPTX", "xlsx": "XLSX", "heic": "HEIC"}


def document_format(data: bytes) -> str | None:
    """``"docx"``, ``"pptx"``, ``"xlsx"`` or ``"heic"`` when the bytes are one, else ``None``.

    Only the container's directory and one small part are read: nothing is decompressed
    beyond ``[Content_Types].xml``, so a ZIP bomb costs nothing here.
    """
    if data[:4] == b"PK\x03\x04":
        return _office(data)
    if data[4:8] == b"ftyp":
        return _heic(data)
    return None


def _office(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            types = ""
            if "[Content_Types].xml" in names and archive.getinfo("[Content_Types].xml").file_size <= _MAX_TYPES_BYTES:
                types = archive.read("[Content_Types].xml").decode("utf-8", "replace").lower()
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, EOFError):
        return None  # a damaged or encrypted ZIP: not a document this can name
    for content_type, fmt in _OFFICE_TYPES.items():
        if f'contenttype="{content_type}"' in types.replace("'", '"'):
            return fmt
    return next((fmt for part, fmt in _OFFICE_PARTS.items() if part in names), None)


def _heic(data: bytes) -> str | None:
    size = int.from_bytes(data[:4], "big")
    if size < 16 or size > len(data) or size % 4:
        return None
    brands = {data[8:12]} | {data[k : k + 4] for k in range(16, size, 4)}
    if brands & _HEIC_BRANDS or (brands & _HEIF_BRANDS and not brands & _AVIF_BRANDS):
        return "heic"
    return None


def check(
    name: str, fmt: str, size: int, limits: Limits, *, engine: str | None = None, takers: Mapping[str, str] | None = None
) -> None:
    """Refuse, before any call, a document ``limits`` do not take: its format (naming ``takers``,
    the engines that do, each with the setting it needs, when known) or its size, which cannot be
    shrunk as an image's can. Both are input errors: the file, not the service, must change."""
    label = NAMES.get(fmt, fmt.upper())
    who = f"engine {engine!r}" if engine else "the engine"
    if fmt not in limits.formats:
        if takers is None:
            others = ""
        elif takers:
            who += " with these settings" if engine in takers else ""
            others = "; engines that take it: " + ", ".join(f"{n} ({need})" if need else n for n, need in takers.items())
        else:
            others = "; no installed engine takes it"
        raise UnsupportedImageError(
            name, f"a document in {label} format, which unified-ocr sends only as it is and never renders; {who} does not take {label}{others}"
        )
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise UnsupportedImageError(
            name, f"the {label} document is {size:,} bytes, over the {limits.max_bytes:,} bytes {who} takes; it is sent "
            "as it is and cannot be shrunk: split it, or save it smaller"
        )


def no_pixels(name: str, fmt: str, purpose: str = "its pixels") -> UnsupportedImageError:
    """The error for a consumer that needs the pixels of a document only an engine can read."""
    label = NAMES.get(fmt, fmt.upper())
    return UnsupportedImageError(
        name, f"a document in {label} format is sent to engines as it is and unified-ocr cannot decode it, so {purpose} cannot be had: "
        "convert it to an image or PDF first"
    )
