"""Tiny real documents for tests: office files written part by part with the standard library
(or openpyxl), and a HEIC-shaped file whose ``ftyp`` box names a HEIF brand."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="{target}"/></Relationships>')  # fmt: skip
_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/{target}" ContentType="application/vnd.openxmlformats-officedocument.{kind}.main+xml"/>'
          '</Types>')  # fmt: skip


def _package(target: str, kind: str, main: str, padding: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _TYPES.format(target=target, kind=kind))
        archive.writestr("_rels/.rels", _RELS.format(target=target))
        archive.writestr(target, main)
        if padding:  # stored, not compressed: a file this many bytes larger
            archive.writestr("word/media/padding.bin", b"\0" * padding, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def docx(text: str = "Hello, document", *, padding: int = 0) -> bytes:
    """A one-paragraph Word document (``padding`` bytes of stored media make it larger)."""
    main = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            f'<w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p></w:body></w:document>')  # fmt: skip
    return _package("word/document.xml", "wordprocessingml.document", main, padding)


def pptx() -> bytes:
    main = '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>'
    return _package("ppt/presentation.xml", "presentationml.presentation", main)


def xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "total"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = b"ftyp" + major + b"\0\0\0\0" + b"".join(compatible)
    return (len(body) + 4).to_bytes(4, "big") + body


def heic() -> bytes:
    """The first boxes of a HEIC photo: enough to be recognised by its bytes, not to be decoded."""
    meta = b"\0\0\0\x0cmeta\0\0\0\0"
    return _ftyp(b"heic", b"mif1", b"heic") + meta


def avif() -> bytes:
    """An AVIF header: a HEIF container too, but not HEIC."""
    return _ftyp(b"avif", b"mif1", b"avif", b"miaf") + b"\0\0\0\x0cmeta\0\0\0\0"
