"""What an engine receives: the limits it declares and the uploads the core prepares under them.

Data only. :mod:`unified_ocr.imaging.prepare` makes uploads from sources; an engine reads
them. Each :class:`UploadPage` carries the transform from the frame the engine sees back
to the source page as displayed, so that an engine never deals with the user's frame.
"""

from __future__ import annotations

import attrs
import cv2
import numpy as np

from ..geometry import Transform

#: Formats an engine may list in :attr:`Limits.formats` to take a document as it is: unified-ocr
#: cannot decode them, so such an upload is the source's bytes unchanged, its pages and their
#: sizes whatever the engine answers (see :mod:`unified_ocr.imaging.documents`).
DOCUMENT_FORMATS = frozenset({"docx", "pptx", "xlsx", "heic"})


@attrs.frozen(slots=True)
class Limits:
    """What an engine accepts in one request."""

    max_side: int | None = None  # longest side in pixels
    max_bytes: int | None = None
    formats: frozenset[str] = frozenset({"jpeg", "png"})  # and any of DOCUMENT_FORMATS it takes as they are
    max_pages: int | None = 1  # pages of a PDF or TIFF in one request
    honours_exif: bool = False  # the engine applies EXIF orientation itself
    takes_pixels: bool = False  # an in-process engine: decoded pixels need no re-encoding
    #: find the page in a photo, undo its perspective, lay its rows flat and even its light
    #: (:mod:`unified_ocr.imaging.flatten`) before the engine sees it; a scan passes unchanged
    flatten_photos: bool = False


@attrs.frozen(slots=True)
class UploadPage:
    """One page of an upload: where it sits in the source and how to map it back."""

    index: int  # the page's index in the source
    size: tuple[int, int]  # (width, height) of the page as the engine sees it
    transform: Transform  # that frame -> the source page as displayed
    #: the core found a photographed page here and flattened it (:attr:`Limits.flatten_photos`): what
    #: the engine sees looks like a scan but is a photo (small, soft text), if it reads the two apart
    flattened: bool = False


@attrs.frozen(slots=True)
class Upload:
    """What an engine receives in one request: bytes in an accepted format, or pixels."""

    data: bytes = attrs.field(repr=False)
    format: str  # "jpeg", "png", "pdf", ... or "pixels" for in-process engines
    source: str  # the source's name, for messages
    pages: tuple[UploadPage, ...]
    pixels: np.ndarray | None = attrs.field(default=None, repr=False, eq=False)

    @property
    def is_document(self) -> bool:
        """A document sent as it is (:data:`DOCUMENT_FORMATS`): one page of size 0 x 0 stands for
        however many the engine finds, and its answer's pages are kept as they come."""
        return self.format in DOCUMENT_FORMATS

    @property
    def size(self) -> tuple[int, int]:
        """The (first) page's size as the engine sees it."""
        return self.pages[0].size

    @property
    def transform(self) -> Transform:
        return self.pages[0].transform

    def decode(self) -> np.ndarray:
        """8-bit BGR pixels of the (first) page, decoding only when not already at hand."""
        if self.pixels is not None:
            return self.pixels if self.pixels.ndim == 3 else cv2.cvtColor(self.pixels, cv2.COLOR_GRAY2BGR)
        from .sources import open_source  # bytes passed through as they came: decode like any source

        return open_source(self.data, self.source).decode()
