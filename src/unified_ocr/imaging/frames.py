"""What is kept of an upload once it is sent: its frame, as JSON, without its bytes.

A service's answer is in the frame of the upload (resized, turned upright, one run of a PDF's
pages); the result cache keeps each upload's frame beside the answer, so that a result can be
rebuilt from the answer later (a parser of a new revision) and mapped back exactly as after
the call, with no image at hand and no call made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..geometry import Transform
from .upload import Upload, UploadPage


def upload_frame(upload: Upload) -> dict[str, Any]:
    """``upload``'s format and pages (index in the source, size as sent, transform back) as JSON."""
    return {"format": upload.format, "pages": [_page(page) for page in upload.pages]}


def unsent_upload(frame: Mapping[str, Any], source: str) -> Upload:
    """The upload :func:`upload_frame` describes, without its bytes (``data`` is ``b""``).

    A frame that is not one (damaged by hand) raises ``ValueError``, ``KeyError`` or ``TypeError``.
    """
    pages = tuple(
        UploadPage(int(p["index"]), (int(p["size"][0]), int(p["size"][1])), _transform(p["transform"])) for p in frame["pages"]
    )
    if not pages:
        raise ValueError("an upload frame with no pages")
    return Upload(b"", str(frame["format"]), source, pages)


def _page(page: UploadPage) -> dict[str, Any]:
    t = page.transform
    transform = {"matrix": list(t.matrix), "source_size": list(t.source_size), "target_size": list(t.target_size)}
    return {"index": page.index, "size": list(page.size), "transform": transform}


def _transform(value: Mapping[str, Any]) -> Transform:
    return Transform([float(v) for v in value["matrix"]], value["source_size"], value["target_size"])
