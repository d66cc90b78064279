"""NAVER CLOVA OCR: General (``/general``), Template (``/infer``) and Document OCR (``/document/KIND``).

One image per request, posted to the profile's invoke URL with ``X-OCR-SECRET``, as
multipart (``message`` + ``file``, the default) or JSON (base64 ``data``, or a ``url``).
CLOVA answers errors as ``{"code", "message", "path", "timestamp"}``; the code, not only
the HTTP status, decides what kind of error it is and whether a retry may help (its rate
limit arrives as HTTP 400 with code 0025).
"""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from typing import Any, Literal

import attrs
import requests

from unified_ocr import Limits, OcrResult, Secret, Upload
from unified_ocr.engines.base import RUNTIME
from unified_ocr.engines.http import HttpEngine, HttpOptions, retry_after, status_error
from unified_ocr.errors import (
    AuthenticationError,
    InvalidRequestError,
    ProviderError,
    QuotaExceededError,
    RateLimitError,
    ServiceError,
)
from unified_ocr.secrets import redact_url, url_repr

from .parse import parse

VENDOR = "clova"
URL_ENV = "CLOVA_OCR_INVOKE_URL"
SECRET_ENV = "CLOVA_OCR_SECRET"
MB = 1024 * 1024

#: CLOVA's error codes: the error type and the advice to put in the message.
ERROR_CODES: dict[str, tuple[type[ProviderError], str]] = {
    "0001": (InvalidRequestError, "check the profile's invoke_url"),
    "0002": (AuthenticationError, "check the profile's secret (X-OCR-SECRET)"),
    "0011": (InvalidRequestError, "the request body was refused"),
    "0021": (InvalidRequestError, "use version V2 or V1"),
    "0022": (InvalidRequestError, "the invoke URL's domain was refused"),
    "0023": (QuotaExceededError, "the domain's call allowance is used up"),
    "0025": (RateLimitError, "too many calls at once; retried with backoff"),
    "0028": (InvalidRequestError, "table detection is off for this domain: turn it on, or set enable_table_detection = false"),
    "0500": (ServiceError, "CLOVA failed on its side"),
    "0501": (ServiceError, "CLOVA's OCR failed on its side"),
    "1021": (InvalidRequestError, "the template is not released: release it in the template builder"),
    "1022": (InvalidRequestError, "the template cannot be used: check template_ids and the release"),
}

Api = Literal["auto", "general", "template", "document"]


def _url(_instance: Any, attribute: attrs.Attribute, value: str | None) -> None:
    if value is not None and not value.startswith(("http://", "https://")):
        got = repr(redact_url(value)) if "://" in value else "a value with no scheme"  # never a credential it holds
        raise ValueError(f"expected an http(s) URL, got {got}")


@attrs.frozen(slots=True)
class ClovaOptions(HttpOptions):
    """Settings of a ``backend = "clova"`` profile (timeouts, retries and rate limit: see HttpOptions)."""

    URL_FIELD = "invoke_url"
    URL_ENV = URL_ENV
    KEY_FIELD = "secret"
    KEY_ENV = SECRET_ENV

    invoke_url: str | None = attrs.field(default=None, validator=_url, repr=url_repr)  # else $CLOVA_OCR_INVOKE_URL
    secret: Secret | None = None  # else $CLOVA_OCR_SECRET
    api: Api = "auto"  # "auto" reads the URL: .../general, .../infer, .../document/KIND
    version: Literal["V2", "V1"] = "V2"
    transport: Literal["multipart", "json"] = attrs.field(default="multipart", metadata=RUNTIME)
    lang: tuple[str, ...] = ()  # e.g. ["ko", "ja"]; sent as "ko,ja"; empty: the domain's setting
    enable_table_detection: bool = False
    template_ids: tuple[int, ...] = ()
    max_side: int | None = None  # shrink larger images before sending (CLOVA sets no pixel limit)

    @property
    def kind(self) -> str:
        """general, template or document, from ``api`` or the invoke URL's last path part."""
        if self.api != "auto":
            return self.api
        path = (self.url or "").rstrip("/").split("?")[0]
        if path.endswith("/infer"):
            return "template"
        if "/document/" in path:
            return "document"
        return "general"


def check(response: requests.Response) -> None:
    """Raise CLOVA's error as a typed error; 200 answers pass."""
    if response.status_code < 300:
        return
    code = message = None
    try:
        body = response.json()
        if isinstance(body, dict):
            code = str(body.get("code")) if body.get("code") is not None else None
            message = body.get("message")
    except ValueError:
        pass
    status = response.status_code
    kind, advice = ERROR_CODES[code] if code in ERROR_CODES else status_error(status, vendor="CLOVA", credential="secret")
    text = f"{message}: {advice}" if message else advice
    raise kind(text, vendor=VENDOR, status=status, code=code, retry_after=retry_after(response))


class ClovaEngine(HttpEngine[ClovaOptions]):
    name = "clova"
    Options = ClovaOptions
    description = "NAVER CLOVA OCR: General, Template and Document OCR (X-OCR-SECRET)"
    scripts = frozenset({"Hang", "Latn", "Hani", "Hira", "Kana"})

    check = staticmethod(check)  # the vendor's error answers as typed errors

    @property
    def limits(self) -> Limits:
        """General 50 MB and 10 PDF pages; Template 20 MB and 5 pages; CLOVA applies EXIF itself."""
        kind = self.options.kind
        return Limits(
            max_side=self.options.max_side,
            max_bytes=(20 if kind == "template" else 50) * MB,
            formats=frozenset({"jpeg", "png", "pdf", "tiff"}),
            max_pages={"general": 10, "template": 5}.get(kind, 1),
            honours_exif=True,
        )

    @classmethod
    def parse(cls, raw: Any) -> OcrResult:
        return parse(raw)

    def message(self, image: dict[str, Any]) -> dict[str, Any]:
        """The request body, without the image bytes (those go in ``file`` or ``data``)."""
        opts = self.options
        if opts.template_ids:
            image["templateIds"] = list(opts.template_ids)
        body: dict[str, Any] = {
            "version": opts.version,
            "requestId": str(uuid.uuid4()),
            "timestamp": int(time.time() * 1000),
            "images": [image],
        }
        if opts.lang:
            body["lang"] = ",".join(opts.lang)
        if opts.enable_table_detection:
            body["enableTableDetection"] = True
        return body

    def _send(self, image: dict[str, Any], data: bytes | None) -> Any:
        """CLOVA's answer (decoded JSON) to one image."""
        opts = self.options
        assert opts.url is not None
        headers = {"X-OCR-SECRET": opts.credential.reveal()}
        if opts.transport == "multipart" and data is not None:
            form = {"message": json.dumps(self.message(image), ensure_ascii=False)}
            raw, _ = self.http.post_json(opts.url, headers=headers, data=form, files={"file": (image["name"], data)})
        else:
            if data is not None:
                image["data"] = base64.b64encode(data).decode("ascii")
            raw, _ = self.http.post_json(opts.url, headers=headers, json=self.message(image))
        return raw

    def recognize(self, upload: Upload) -> OcrResult:
        fmt = {"jpeg": "jpg"}.get(upload.format, upload.format)
        return self.read_answer(self._send({"format": fmt, "name": _safe_name(upload.source, fmt)}, upload.data), upload)

    def read_answer(self, raw: Any, upload: Upload) -> OcrResult:
        """CLOVA's answer is read from itself alone (its pages say their sizes): a kept one reads again."""
        return parse(raw)

    def recognize_url(self, url: str) -> OcrResult:
        """CLOVA fetches a public URL itself (JSON transport)."""
        path = url.split("?")[0].lower()
        fmt = next((f for f in ("png", "pdf", "tiff", "tif", "jpeg") if path.endswith("." + f)), "jpg")
        return parse(self._send({"format": "tiff" if fmt == "tif" else fmt, "name": "image", "url": url}, None))



def _safe_name(source: str, fmt: str) -> str:
    """An image name for the request: the file's stem, never a path (it is echoed back). A name
    whose bytes are not UTF-8 (a CP949 file name arrives surrogate-escaped) is sent with U+FFFD
    in their place: the request must be UTF-8, and the echo must not read as a bad answer."""
    stem = os.path.splitext(os.path.basename(source))[0] if not source.startswith("<") else "image"
    stem = stem.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return (stem or "image")[:100]

