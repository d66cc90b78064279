"""Upstage Document OCR and Document Parse: one document per request, multipart ``document``, Bearer key.

``POST {endpoint}/v1/document-digitization`` with ``model=ocr`` (Document OCR, the default)
or ``model=document-parse`` (Document Parse), ``Authorization: Bearer <api_key>``. The older
Document OCR address ``/v1/document-ai/ocr`` (no ``model`` field) is the profile option
``path = "document-ai/ocr"``. Errors are read by :mod:`.errors`; answers by :mod:`.parse`.

Limits are checked before anything is sent: 50 MB, 100 megapixels, pages per call (Document OCR
30, Document Parse 100: the core splits a longer PDF into runs of pages), formats (HEIC for both,
DOCX, PPTX and XLSX for Document Parse: sent as they are, their pages Upstage's). What Upstage
billed (``numBilledPages``, or ``usage.pages`` for Document Parse) goes into the run's record
beside the result, never into the result.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any, Literal

import attrs

from unified_ocr import Limits, OcrResult, Secret, Upload
from unified_ocr.engines.base import RUNTIME
from unified_ocr.engines.calls import note_billed
from unified_ocr.engines.http import HttpClient, HttpEngine, HttpOptions, http_address, rate_limit_validator
from unified_ocr.errors import RequestTooLargeError
from unified_ocr.secrets import url_repr

from .answer import billed_pages
from .asynchronous import recognize_async
from .errors import VENDOR, check
from .parse import parse

URL_ENV = "UPSTAGE_ENDPOINT"
KEY_ENV = "UPSTAGE_API_KEY"  # the variable Upstage's own samples and libraries read
DEFAULT_ENDPOINT = "https://api.upstage.ai"
MB = 1024 * 1024
MAX_BYTES = 50 * MB
MAX_PIXELS = 100_000_000
#: The default longest side: a 4:3 photo this long stays within Upstage's 100 megapixels.
MAX_SIDE: int | None = 11_500
MAX_PAGES = {"ocr": 30, "document-parse": 100}
#: What both APIs read: images and PDFs the core fits, and HEIC, sent as it is.
FORMATS = frozenset({"jpeg", "png", "bmp", "pdf", "tiff", "heic"})
#: What Document Parse reads besides: office documents, sent as they are (Upstage renders them).
OFFICE = frozenset({"docx", "pptx", "xlsx"})
_OPENXML = "application/vnd.openxmlformats-officedocument"
MIME = {"jpeg": "image/jpeg", "png": "image/png", "bmp": "image/bmp", "pdf": "application/pdf", "tiff": "image/tiff",
        "heic": "image/heic", "docx": f"{_OPENXML}.wordprocessingml.document",
        "pptx": f"{_OPENXML}.presentationml.presentation", "xlsx": f"{_OPENXML}.spreadsheetml.sheet"}  # fmt: skip
#: Upstage's default request rates: the synchronous APIs, and Document Parse's asynchronous one.
DEFAULT_RATE = 3.0
DEFAULT_ASYNC_RATE = 6.0
#: Pages the asynchronous Document Parse API takes in one request.
MAX_ASYNC_PAGES = 1000

Path = Literal["document-digitization", "document-ai/ocr"]
OcrMode = Literal["auto", "force"]
Asynchronous = Literal["auto", "always", "never"]






def _model(_instance: Any, _attribute: Any, value: str) -> None:
    if not re.fullmatch(r"(ocr|document-parse)(-[A-Za-z0-9.]+)*", value):
        raise ValueError(
            f"model must be 'ocr' or 'document-parse' (or a dated version such as 'document-parse-250116'), got {value[:60]!r}"
        )

_ADDRESS = http_address(DEFAULT_ENDPOINT, "api_key")


@attrs.frozen(slots=True)
class UpstageOptions(HttpOptions):
    """Settings of a ``backend = "upstage"`` profile (timeouts and retries: see HttpOptions)."""

    URL_FIELD = "endpoint"
    URL_ENV = URL_ENV
    KEY_FIELD = "api_key"
    KEY_ENV = KEY_ENV

    endpoint: str | None = attrs.field(default=None, validator=_ADDRESS, repr=url_repr)  # else $UPSTAGE_ENDPOINT, else Upstage's
    api_key: Secret | None = None  # sent as Authorization: Bearer; else $UPSTAGE_API_KEY
    model: str = attrs.field(default="ocr", validator=_model)  # "ocr" (Document OCR) or "document-parse"
    path: Path = "document-digitization"  # "document-ai/ocr": the older Document OCR address
    ocr: OcrMode = "auto"  # Document Parse: "force" reads every page as an image
    # larger images are shrunk first: 11,500 keeps a 4:3 photo within Upstage's 100 megapixels
    max_side: int | None = attrs.field(default=MAX_SIDE, validator=attrs.validators.optional(attrs.validators.ge(1)))
    rate_limit: float | None = attrs.field(default=DEFAULT_RATE, metadata=RUNTIME, validator=rate_limit_validator)
    # Document Parse: "auto" sends documents over 100 pages to the asynchronous API; "always", "never"
    asynchronous: Asynchronous = attrs.field(default="auto", metadata=RUNTIME)
    async_rate_limit: float | None = attrs.field(default=DEFAULT_ASYNC_RATE, metadata=RUNTIME, validator=rate_limit_validator)
    poll_interval: float = attrs.field(default=2.0, metadata=RUNTIME, validator=attrs.validators.ge(0))  # seconds between polls
    deadline: float = attrs.field(
        default=900.0, metadata=RUNTIME, validator=attrs.validators.gt(0)
    )  # seconds an accepted request may take

    def __attrs_post_init__(self) -> None:
        super(UpstageOptions, self).__attrs_post_init__()
        if self.path == "document-ai/ocr" and self.api != "ocr":
            raise ValueError(
                "path 'document-ai/ocr' is Document OCR's older address; Document Parse uses 'document-digitization'"
            )

    @property
    def url(self) -> str | None:
        return self.endpoint or os.environ.get(URL_ENV) or DEFAULT_ENDPOINT

    @property
    def api(self) -> Literal["ocr", "document-parse"]:
        """Which API the model belongs to."""
        return "document-parse" if self.model.startswith("document-parse") else "ocr"


class UpstageEngine(HttpEngine[UpstageOptions]):
    name = "upstage"
    Options = UpstageOptions
    description = "Upstage Document OCR (words, confidences) and Document Parse (elements, tables) (Bearer key)"
    scripts = frozenset({"Hang", "Latn"})
    document_formats = {"heic": "", **{fmt: 'model = "document-parse"' for fmt in sorted(OFFICE)}}

    check = staticmethod(check)  # the vendor's error answers as typed errors

    def __init__(self, options: UpstageOptions | None = None) -> None:
        super().__init__(options)
        opts = self.options
        # the asynchronous API has a rate limit of its own; polls and downloads wait their turn under it
        self.async_http = HttpClient(self.name, policy=self.http.policy, timeout=opts.timeout, connect_timeout=opts.connect_timeout,
                                     check=self.check, rate_limit=opts.async_rate_limit)  # fmt: skip

    @property
    def limits(self) -> Limits:
        """50 MB; JPEG, PNG, BMP, TIFF, PDF and HEIC, and for Document Parse DOCX, PPTX and XLSX
        (HEIC and office files sent as they are); 30 pages a call for Document OCR, 100 for
        Document Parse, or 1,000 through its asynchronous API (the core splits longer files into
        runs); EXIF applied before sending (whether Upstage applies it is not documented)."""
        opts = self.options
        pages = MAX_PAGES[opts.api]
        if opts.api == "document-parse" and opts.asynchronous != "never":
            pages = MAX_ASYNC_PAGES
        formats = FORMATS | OFFICE if opts.api == "document-parse" else FORMATS
        return Limits(max_side=opts.max_side, max_bytes=MAX_BYTES, formats=formats, max_pages=pages, honours_exif=False)

    def close(self) -> None:
        super().close()
        self.async_http.close()

    @classmethod
    def parse(cls, raw: Any) -> OcrResult:
        return parse(raw)

    def form(self) -> dict[str, str]:
        """The multipart fields besides the document."""
        opts = self.options
        if opts.path == "document-ai/ocr":
            return {}
        fields = {"model": opts.model}
        if opts.api == "document-parse":
            fields["ocr"] = opts.ocr
        return fields

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.options.credential.reveal()}"}

    def address(self) -> str:
        url = self.options.url
        assert url is not None
        return f"{url.rstrip('/')}/v1/{self.options.path}"

    def recognize(self, upload: Upload) -> OcrResult:
        self.refuse_too_large(upload)
        ext = "jpg" if upload.format == "jpeg" else upload.format
        document = (
            f"document.{ext}",
            upload.data,
            MIME.get(upload.format, "application/octet-stream"),
        )  # never the user's file name
        opts = self.options
        if opts.api == "document-parse" and (
            opts.asynchronous == "always" or (opts.asynchronous == "auto" and len(upload.pages) > MAX_PAGES["document-parse"])
        ):
            raw: Any = recognize_async(self, upload, document)
        else:
            raw, _ = self.http.post_json(self.address(), headers=self.headers(), data=self.form(), files={"document": document})
        billed = billed_pages(raw)
        if billed is not None:
            note_billed(billed)  # into the run's record beside the result, for the cost
        return self.read_answer(raw, upload)

    def read_answer(self, raw: Any, upload: Upload) -> OcrResult:
        """Upstage's answer (either API's, or the asynchronous one's pages joined), read from itself alone."""
        return parse(raw)

    def refuse_too_large(self, upload: Upload) -> None:
        """What the core's fitting cannot promise, checked before the upload: 50 MB (for a caller
        that built its own upload) and 100 megapixels a page."""
        if len(upload.data) > MAX_BYTES:
            raise RequestTooLargeError(
                f"{upload.source}: {len(upload.data) / MB:.1f} MB is over Upstage's 50 MB: send fewer pages or a smaller image",
                vendor=VENDOR,
            )
        for page in upload.pages:
            width, height = page.size
            if upload.format != "pdf" and width * height > MAX_PIXELS:
                side = int(math.sqrt(MAX_PIXELS * max(width, height) / max(1, min(width, height))))
                raise RequestTooLargeError(
                    f"{upload.source}: {width}x{height} is {width * height / 1e6:.0f} megapixels, over Upstage's 100: "
                    f"set max_side = {side} (or lower) in the profile",
                    vendor=VENDOR,
                )
