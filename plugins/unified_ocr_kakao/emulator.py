"""An emulator of Kakao i Cloud General OCR, as the vendor document describes it.

It checks what the service checks and answers with its statuses and reasons, in a body
``{"code": REASON, "message": TEXT}`` (the document names the reasons but shows no error
body). The endpoint is any path under ``/ocr/`` (the console's API Endpoint URL is
``/ocr/services/general-ocr/SIGNATURE``); its last segment is the signature:

* a path outside ``/ocr/``: 404 ``NOT FOUND``; ``/ocr/`` with nothing after it: 400 ``Bad Request``;
* a signature ``invalid``: 400 ``INVALID_SIGNATURE`` (a wrong signature cannot be told from a
  right one here, so the word stands for it);
* a method other than POST: 405 ``Method Not Allowed``; a missing or wrong ``x-api-key``: 401;
  ``deployed=False``: 425 ``Domain not deployed``; a body that is not multipart: 415;
* the field ``image`` missing, empty or not an image: 400 ``NO_IMAGE``; over 8 MB: 413
  ``Request Entity Too Large``; not JPEG, PNG or PDF: 405 ``UNSUPPORTED_IMAGE_FORMAT``; a side
  over 4096 px (read from the header): 413 ``EXCEED_MAX_LEN``; a PDF over 30 pages: 413
  ``EXCEED_MAX_PAGES``; more than 100 words on a page: 405 ``TOO_MANY_BOXES``;
* rate limit and 5xx faults: 429 ``Too many Requests`` (with ``Retry-After``) and 503 ``INTERNAL ERROR``.

Answers come from the offline engine's words (not its lines: Kakao has none) as integer
``box`` + ``recognized_word``, one ``responses`` entry per page with ``page`` from 1; or,
with ``--replay DIR``, from recorded responses matched by image content.
"""

from __future__ import annotations

import io
import json
import math
from typing import Any

from PIL import Image
from werkzeug.wrappers import Request, Response

from unified_ocr import OcrResult
from unified_ocr.emulator import Emulator
from unified_ocr.errors import UnifiedOcrError, UnsupportedImageError
from unified_ocr.imaging.sources import open_source

MB = 1024 * 1024
MAX_BYTES = 8 * MB
MAX_SIDE = 4096
MAX_PAGES = 30
MAX_BOXES = 100
FORMATS = frozenset({"jpeg", "png", "pdf"})
#: A body this far over the limit is refused unread (multipart adds a few hundred bytes to the image).
_UNREAD_OVER = 4 * MAX_BYTES


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """Kakao's error answer: the status, and the reason with a human text."""
    body = json.dumps({"code": code, "message": message}, ensure_ascii=False)
    return Response(body, status=status, mimetype="application/json", headers=headers)


class KakaoEmulator(Emulator):
    name = "kakao"
    description = "Kakao i Cloud General OCR (POST /ocr/.../SIGNATURE, multipart field 'image', x-api-key)"
    default_key = "emulator-key"

    def __init__(self, *, deployed: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deployed = deployed
        #: the image bytes of the last request that got as far as reading them (for tests)
        self.last_upload: bytes | None = None

    def rate_limited(self) -> Response:
        rate = self.faults.rate_limit or 1.0
        wait = str(max(1, math.ceil(1.0 / rate)))  # when the next request is served
        return error(429, "Too many Requests", "The request limit of this domain was exceeded.", {"Retry-After": wait})

    def server_error(self) -> Response:
        return error(503, "INTERNAL ERROR", "An unexpected error occurred on the server.")

    def handle(self, request: Request) -> Response:
        refused = self._refuse_request(request)
        if refused is not None:
            return refused
        upload = request.files.get("image")
        data = upload.read() if upload is not None else b""
        self.last_upload = data
        if not data:
            return error(400, "NO_IMAGE", "The request has no image in the multipart field 'image'.")
        if len(data) > MAX_BYTES:
            return error(
                413, "Request Entity Too Large", f"The image is {len(data):,} bytes; at most {MAX_BYTES // MB} MB are taken."
            )
        refused = self._refuse_image(data)
        if refused is not None:
            return refused
        recorded = self.recorded(data)
        if recorded is not None:
            # escaped: a recorded answer may hold a lone surrogate, legal JSON that UTF-8 cannot carry
            return Response(json.dumps(recorded), status=200, mimetype="application/json")
        try:
            result = self.recognize(data)
        except UnifiedOcrError as exc:
            return error(400, "NO_IMAGE", f"The image cannot be read: {exc}")
        crowded = max((len(page.words) for page in result.pages), default=0)
        if crowded > MAX_BOXES:
            return error(405, "TOO_MANY_BOXES", f"{crowded} text regions were found on a page; at most {MAX_BOXES} are returned.")
        return Response(json.dumps(_answer(result), ensure_ascii=False), status=200, mimetype="application/json")

    def _refuse_request(self, request: Request) -> Response | None:
        """The checks made before the body is read: address, method, key, domain, content type."""
        path = request.path
        if not path.startswith("/ocr/"):
            return error(404, "NOT FOUND", f"No API at {path}.")
        if path.rstrip("/") == "/ocr":
            return error(400, "Bad Request", "The request address has no signature.")
        if path.rstrip("/").rsplit("/", 1)[-1] == "invalid":
            return error(400, "INVALID_SIGNATURE", "The signature of the endpoint is not valid.")
        if request.method != "POST":
            return error(405, "Method Not Allowed", f"{request.method} is not allowed; use POST.")
        if request.headers.get("x-api-key") != self.key:
            return error(401, "Authentication failed", "The x-api-key header is missing or not valid.")
        if not self.deployed:
            return error(425, "Domain not deployed", "The OCR domain is not deployed yet.")
        if request.mimetype != "multipart/form-data":
            return error(
                415, "Unsupported content type", f"Content-Type {request.mimetype or 'none'} is not multipart/form-data."
            )
        if (request.content_length or 0) > _UNREAD_OVER:
            return error(413, "Request Entity Too Large", f"The request is over {MAX_BYTES // MB} MB.")
        return None

    def _refuse_image(self, data: bytes) -> Response | None:
        """Format, pixel and page limits, read from the header: nothing is decoded."""
        try:
            info = open_source(data, "image", max_pixels=2**62).info  # the side check below is the guard
        except UnsupportedImageError as exc:
            if _image_format(data) is None:  # no image at all, rather than an image of another format
                return error(400, "NO_IMAGE", "The image data cannot be recognised.")
            return error(405, "UNSUPPORTED_IMAGE_FORMAT", f"Unsupported image: {exc.problem}.")
        except UnifiedOcrError as exc:
            return error(400, "NO_IMAGE", f"The image cannot be read: {exc}")
        assert info is not None
        if info.format not in FORMATS:
            return error(405, "UNSUPPORTED_IMAGE_FORMAT", f"{info.format.upper()} is not supported; send JPEG, PNG or PDF.")
        if info.format == "pdf" and info.pages > MAX_PAGES:
            return error(413, "EXCEED_MAX_PAGES", f"The PDF has {info.pages} pages; at most {MAX_PAGES} are read.")
        if info.format != "pdf" and max(info.width, info.height) > MAX_SIDE:
            return error(413, "EXCEED_MAX_LEN", f"The image is {info.width}x{info.height} px; at most {MAX_SIDE} px a side.")
        return None


def _image_format(data: bytes) -> str | None:
    """Pillow's name for the format of ``data``, or ``None`` when it is no image Pillow knows."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.format
    except (OSError, ValueError, SyntaxError):
        return None


def _answer(result: OcrResult) -> dict[str, Any]:
    """The offline engine's words as General OCR results: integer boxes, one entry per page."""
    responses = []
    for page in result.pages:
        results = [
            {"box": [[round(x), round(y)] for x, y in word.quad.points], "recognized_word": [word.text]} for word in page.words
        ]
        responses.append({"page": page.index + 1, "results": results})
    return {"responses": responses}
