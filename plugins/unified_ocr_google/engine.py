"""Google Cloud Vision: ``POST {endpoint}/v1/images:annotate``, one image a request, base64 in JSON
(PDF and TIFF: ``files:annotate``, up to 5 pages a request, placed by ``context.pageNumber``).

Authentication is an API key, sent as ``X-Goog-Api-Key`` (never as ``key=`` in the URL, which
proxies, logs and error messages keep), or OAuth 2 credentials resolved the way Google's own
libraries resolve them (:mod:`unified_ocr_google.auth`). The answer says what went wrong both
as an HTTP error body and, for an image the service could not read, inside an HTTP 200
(``responses[0].error``); :func:`check` raises both as typed errors inside the retry loop, so
a per-image ``INTERNAL`` is retried like a 503.
"""

from __future__ import annotations

import base64
import math
import re
import threading
from typing import Any, Literal

import attrs
import requests

from unified_ocr import Limits, OcrResult, Secret, Upload
from unified_ocr.engines.base import RUNTIME
from unified_ocr.engines.http import HttpEngine, HttpOptions, http_address, rate_limit_validator, retry_after
from unified_ocr.errors import RequestTooLargeError
from unified_ocr.secrets import url_repr

from .auth import Credentials, auth_missing
from .errors import VENDOR, provider_error
from .parse import LineMode, parse

URL_ENV = "GOOGLE_VISION_ENDPOINT"
KEY_ENV = "GOOGLE_VISION_API_KEY"
DEFAULT_ENDPOINT = "https://vision.googleapis.com"
MB = 1024 * 1024
#: The request, base64 image included, may be 20 MB; the JSON around the image takes well under 4 KB.
MAX_REQUEST = 20 * MB
ENVELOPE = 4096
MAX_IMAGE_BYTES = (MAX_REQUEST - ENVELOPE) // 4 * 3
MAX_PIXELS = 75_000_000
#: The default longest side: a 4:3 photo this long is Google's 75 megapixels.
MAX_SIDE: int | None = 10_000
#: 1,800 requests a minute: the project quota Google grants by default.
DEFAULT_RATE = 30.0
#: What images:annotate takes inline; PDF and TIFF go to files:annotate, at most 5 pages a call.
FORMATS = frozenset({"jpeg", "png", "gif", "bmp", "webp"})
FILE_TYPES = {"pdf": "application/pdf", "tiff": "image/tiff"}
MAX_FILE_PAGES = 5

Feature = Literal["DOCUMENT_TEXT_DETECTION", "TEXT_DETECTION"]
Auth = Literal["auto", "api_key", "oauth"]





_ADDRESS = http_address(DEFAULT_ENDPOINT, "api_key")


@attrs.frozen(slots=True)
class GoogleOptions(HttpOptions):
    """Settings of a ``backend = "google"`` profile (timeouts and retries: see HttpOptions)."""

    URL_FIELD = "endpoint"
    URL_ENV = URL_ENV
    KEY_FIELD = "api_key"
    KEY_ENV = KEY_ENV

    endpoint: str | None = attrs.field(default=None, validator=_ADDRESS, repr=url_repr)  # else $GOOGLE_VISION_ENDPOINT, else Google's
    api_key: Secret | None = None  # sent as X-Goog-Api-Key; else $GOOGLE_VISION_API_KEY
    auth: Auth = attrs.field(default="auto", metadata=RUNTIME)  # auto: the API key when one is set, else OAuth
    credentials_file: str | None = attrs.field(default=None, metadata=RUNTIME)  # a service-account (or ADC) JSON file for OAuth
    quota_project: str | None = attrs.field(default=None, metadata=RUNTIME)  # sent as x-goog-user-project
    feature: Feature = "DOCUMENT_TEXT_DETECTION"
    lang: tuple[str, ...] = ()  # imageContext.languageHints, e.g. ["ja", "en"]; empty: Google detects
    lines: LineMode = "visual"  # visual: the page's visual lines (as every engine); vendor: Google's own lines and blocks
    # larger images are shrunk first: 10,000 keeps a 4:3 photo within Google's 75 megapixels
    max_side: int | None = attrs.field(default=MAX_SIDE, validator=attrs.validators.optional(attrs.validators.ge(1)))
    rate_limit: float | None = attrs.field(default=DEFAULT_RATE, metadata=RUNTIME,
                                           validator=rate_limit_validator)  # fmt: skip

    @property
    def url(self) -> str | None:
        return getattr(self, self.URL_FIELD) or super(GoogleOptions, self).url or DEFAULT_ENDPOINT

    @property
    def uses_key(self) -> bool:
        """Whether requests carry the API key (else OAuth credentials)."""
        if self.auth != "auto":
            return self.auth == "api_key"
        return self.credential.missing_reason() is None


def check(response: requests.Response) -> None:
    """Raise Google's error, from an error body or from an image's (or a file's page's) error inside a 200."""
    status = response.status_code
    if status < 300:
        if b'"error"' not in response.content:  # cheap: the usual answer has no error anywhere
            return
        try:
            body = response.json()
        except ValueError:
            return  # decode_json says what is wrong with it
        for where, item in _answers(body):
            if isinstance(item.get("error"), dict):
                raise provider_error(item["error"], http_status=None, per_image=True, where=where)
        return
    error: Any = None
    try:
        body = response.json()
        error = body.get("error") if isinstance(body, dict) else None
    except ValueError:
        pass
    if not isinstance(error, dict):  # not Google's body (a proxy's page): the status says it all
        error = {"message": response.reason or ""}
    raise provider_error(error, http_status=status, retry_after=_retry_after(response, error))


def _answers(body: Any) -> list[tuple[str, dict[str, Any]]]:
    """Each image's answer, and each file's with each of its pages', with its path."""
    found: list[tuple[str, dict[str, Any]]] = []
    items = body.get("responses") if isinstance(body, dict) else None
    for i, item in enumerate(items if isinstance(items, list) else ()):
        if isinstance(item, dict):
            found.append((f"responses[{i}]", item))
            inner = item.get("responses")
            found.extend((f"responses[{i}].responses[{k}]", page) for k, page in enumerate(inner if isinstance(inner, list) else ())
                         if isinstance(page, dict))  # fmt: skip
    return found


def _retry_after(response: requests.Response, error: dict[str, Any]) -> float | None:
    """``Retry-After``, else google.rpc.RetryInfo's ``retryDelay`` ("30s")."""
    header = retry_after(response)
    if header is not None:
        return header
    for item in error.get("details") or ():
        delay = item.get("retryDelay") if isinstance(item, dict) else None
        if isinstance(delay, str) and re.fullmatch(r"\d+(\.\d+)?s", delay):
            return float(delay[:-1])
    return None


class GoogleEngine(HttpEngine[GoogleOptions]):
    name = "google"
    Options = GoogleOptions
    description = "Google Cloud Vision text detection (API key or OAuth); words, lines, blocks, confidences"
    scripts = None  # Google reads most scripts, Hangul and Latin among them

    check = staticmethod(check)  # the vendor's error answers as typed errors

    def __init__(self, options: GoogleOptions | None = None) -> None:
        super().__init__(options)
        self._credentials: Credentials | None = None
        self._credentials_lock = threading.Lock()

    @classmethod
    def unavailable_reason(cls, options: Any = None) -> str | None:
        """An API key, or OAuth with google-auth installed and any credentials file given readable.

        Application default credentials are only looked for at the first call: finding them
        may ask the metadata server, which is not for a settings check to do.
        """
        opts = options if isinstance(options, GoogleOptions) else GoogleOptions()
        if opts.uses_key:
            return super().unavailable_reason(opts)
        if opts.auth == "api_key" or (opts.api_key is not None and opts.auth == "auto"):
            return super().unavailable_reason(opts)  # a key was named but cannot be read: say so
        return auth_missing(opts.credentials_file, explicit=opts.auth == "oauth")

    @property
    def limits(self) -> Limits:
        """20 MB a request with the file in base64 (so about 15 MB of it); JPEG/PNG/GIF/BMP/WebP
        through images:annotate, PDF and TIFF through files:annotate, 5 pages a call (the core
        splits longer files into runs of pages). Google applies EXIF orientation itself and
        answers in the displayed frame."""
        return Limits(
            max_side=self.options.max_side,
            max_bytes=MAX_IMAGE_BYTES,
            formats=FORMATS | FILE_TYPES.keys(),
            max_pages=MAX_FILE_PAGES,
            honours_exif=True,
        )

    @classmethod
    def parse(cls, raw: Any) -> OcrResult:
        return parse(raw)

    def request(self, upload: Upload) -> dict[str, Any]:
        """The images:annotate body for an image, the files:annotate body for a PDF or TIFF."""
        opts = self.options
        content = base64.b64encode(upload.data).decode("ascii")
        entry: dict[str, Any] = {"features": [{"type": opts.feature}]}
        if upload.format in FILE_TYPES:
            entry["inputConfig"] = {"content": content, "mimeType": FILE_TYPES[upload.format]}
            entry["pages"] = list(range(1, len(upload.pages) + 1))
        else:
            entry["image"] = {"content": content}
        if opts.lang:
            entry["imageContext"] = {"languageHints": list(opts.lang)}
        return {"requests": [entry]}

    def headers(self) -> dict[str, str]:
        opts = self.options
        headers: dict[str, str] = {}
        quota_project = opts.quota_project
        if opts.uses_key:
            headers["X-Goog-Api-Key"] = opts.credential.reveal()
        else:
            with self._credentials_lock:  # one set of credentials, one token fetch, for all threads
                if self._credentials is None:
                    self._credentials = Credentials(opts.credentials_file)
            headers["Authorization"] = f"Bearer {self._credentials.token()}"
            quota_project = quota_project or self._credentials.quota_project
        if quota_project:
            headers["x-goog-user-project"] = quota_project
        return headers

    def recognize(self, upload: Upload) -> OcrResult:
        width, height = upload.size
        if upload.format != "pdf" and width * height > MAX_PIXELS:  # a PDF page has no pixels until Google renders it
            side = int(math.sqrt(MAX_PIXELS * max(width, height) / max(1, min(width, height))))
            raise RequestTooLargeError(
                f"{upload.source}: {width}x{height} is {width * height / 1e6:.0f} megapixels, over Google's 75: "
                f"set max_side = {side} (or lower) in the profile",
                vendor=VENDOR,
            )
        body = self.request(upload)
        entry = body["requests"][0]
        size = len((entry.get("image") or entry["inputConfig"])["content"]) + ENVELOPE
        if size > MAX_REQUEST:  # the core keeps uploads under the limit; a caller building its own may not
            raise RequestTooLargeError(f"{upload.source}: the request would be {size / MB:.1f} MB, over Google's 20 MB",
                                       vendor=VENDOR)  # fmt: skip
        assert self.options.url is not None
        method = "files:annotate" if "inputConfig" in entry else "images:annotate"
        url = f"{self.options.url.rstrip('/')}/v1/{method}"
        raw, _ = self.http.post_json(url, headers=self.headers(), json=body)
        return self.read_answer(raw, upload)

    def read_answer(self, raw: Any, upload: Upload) -> OcrResult:
        """Google's answer read with the profile's ``lines``; the answer gives the pages' sizes."""
        return parse(raw, lines=self.options.lines)
