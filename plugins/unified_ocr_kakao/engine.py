"""Kakao i Cloud General OCR: one image per request, posted as multipart field ``image`` with ``x-api-key``.

The service answers only word boxes (``responses[].results[].box/recognized_word``), with
no confidence and no page size. It says what went wrong by HTTP status plus a reason
(``EXCEED_MAX_LEN``, ``TOO_MANY_BOXES``, ...) whose body shape the vendor does not
document, so :func:`check` looks for the reason's text wherever the body may carry it;
the reason, not only the status, decides the error type (405 is a bad method, an
unsupported format, or too many text regions).
"""

from __future__ import annotations

import re
from typing import Any

import attrs
import requests

from unified_ocr import Limits, OcrResult, Secret, Upload
from unified_ocr.engines.http import HttpEngine, HttpOptions, retry_after, status_error
from unified_ocr.errors import (
    AuthenticationError,
    ImageFailedError,
    InvalidRequestError,
    ProviderError,
    RateLimitError,
    RequestTooLargeError,
    ServiceError,
)
from unified_ocr.secrets import redact_url, url_repr

from .parse import VENDOR, parse

URL_ENV = "KAKAO_OCR_ENDPOINT"
KEY_ENV = "KAKAO_OCR_API_KEY"
MB = 1024 * 1024
MAX_BYTES = 8 * MB
MAX_SIDE = 4096  # the vendor's sample code resizes to this; larger images get EXCEED_MAX_LEN
MAX_BOXES = 100
MAX_PAGES = 30

Reason = tuple[str, type[ProviderError], str]

#: Per status, the vendor's reasons (from its document): the error type and the advice to give.
#: The specific reasons come first; the last one of a status is what that status means alone.
# fmt: off
REASONS: dict[int, tuple[Reason, ...]] = {
    400: (
        ("INVALID_SIGNATURE", InvalidRequestError, "the endpoint's signature (its last path segment) is wrong: copy the API Endpoint URL from the console"),
        ("NO_IMAGE", ImageFailedError, "the service found no image it could read in the 'image' field"),
        ("Bad Request", InvalidRequestError, "the request address is wrong: check the profile's endpoint"),
    ),
    401: (("Authentication failed", AuthenticationError, "the x-api-key header is missing or wrong: check the profile's api_key"),),
    404: (("NOT FOUND", InvalidRequestError, "nothing answers at this address: check the profile's endpoint"),),
    405: (
        ("TOO_MANY_BOXES", RequestTooLargeError, f"more than {MAX_BOXES} text regions; crop the image into parts and send them one by one"),
        ("UNSUPPORTED_IMAGE_FORMAT", InvalidRequestError, "send JPEG or PNG"),
        ("Method Not Allowed", InvalidRequestError, "the endpoint takes POST only: check the profile's endpoint"),
    ),
    413: (
        ("EXCEED_MAX_LEN", RequestTooLargeError, f"the image is too many pixels on a side: keep max_side at {MAX_SIDE} or lower"),
        ("EXCEED_MAX_PAGES", RequestTooLargeError, f"a PDF may have at most {MAX_PAGES} pages"),
        ("Request Entity Too Large", RequestTooLargeError, f"the request is over {MAX_BYTES // MB} MB"),
    ),
    415: (("Unsupported content type", InvalidRequestError, "the body must be multipart/form-data"),),
    425: (
        ("Domain not deployed", InvalidRequestError, "the OCR domain is not deployed yet: deploy it in the console"),
        ("Domain not found", InvalidRequestError, "the OCR domain was deleted or never existed: check the profile's endpoint"),
    ),
    429: (("Too many Requests", RateLimitError, "over the domain's request limit; retried with backoff"),),
    503: (("INTERNAL ERROR", ServiceError, "Kakao failed on its side"),),
}
# fmt: on

#: A text short and plain enough to be a reason the document does not list (not an HTML page).
_LOOKS_LIKE_A_REASON = re.compile(r"[A-Za-z0-9_ .\-]{1,60}")
#: Body keys that may carry the reason or the vendor's message.
_TEXT_KEYS = ("code", "message", "msg", "error", "reason", "detail", "error_code", "errorCode")


def _url(_instance: Any, attribute: attrs.Attribute, value: str | None) -> None:
    """An http(s) URL with no spaces; the message never shows a credential the value holds."""
    if value is not None and not re.fullmatch(r"https?://\S+", value):
        got = repr(redact_url(value)) if "://" in value else "a value with no scheme"
        raise ValueError(f"'{attribute.name}' must match regex 'https?://\\S+' (an http(s) URL with no spaces), got {got}")


@attrs.frozen(slots=True)
class KakaoOptions(HttpOptions):
    """Settings of a ``backend = "kakao"`` profile (timeouts, retries and rate limit: see HttpOptions)."""

    URL_FIELD = "endpoint"
    URL_ENV = URL_ENV
    KEY_FIELD = "api_key"
    KEY_ENV = KEY_ENV

    endpoint: str | None = attrs.field(default=None, validator=_url, repr=url_repr)  # the API Endpoint URL; else $KAKAO_OCR_ENDPOINT
    api_key: Secret | None = None  # sent as x-api-key; else $KAKAO_OCR_API_KEY
    max_side: int = attrs.field(default=MAX_SIDE, validator=attrs.validators.ge(1))  # larger images are shrunk first


def check(response: requests.Response) -> None:
    """Raise Kakao's error as a typed error, read from the status and the reason in the body."""
    status = response.status_code
    if status < 300:
        return
    texts = _body_texts(response)
    reason = _match(status, texts)
    code: str | None
    if reason is not None:
        code, kind, advice = reason
    else:  # a reason the document does not list: keep the vendor's own, when it looks like one
        code = texts[0] if texts and _LOOKS_LIKE_A_REASON.fullmatch(texts[0]) else None
        kind, advice = _fallback(status)
    said = next((t[:200] for t in texts if _norm(t) != _norm(code or "")), None)
    message = ": ".join(part for part in (code, said, advice) if part)
    raise kind(message, vendor=VENDOR, status=status, code=code, retry_after=retry_after(response))


class KakaoEngine(HttpEngine[KakaoOptions]):
    name = "kakao"
    Options = KakaoOptions
    description = "Kakao i Cloud General OCR (x-api-key); words only, no confidence"
    scripts = frozenset({"Hang", "Latn"})

    check = staticmethod(check)  # the vendor's error answers as typed errors

    @property
    def limits(self) -> Limits:
        """8 MB, ``max_side`` pixels, JPEG or PNG; EXIF is applied before sending.

        No PDF although the service takes it: its answer gives no page size, so boxes on pages
        it rendered itself (at a DPI it does not say) could not be mapped back onto the page.
        unified-ocr renders PDF pages itself and sends them one by one, in a frame it knows.
        """
        return Limits(
            max_side=self.options.max_side,
            max_bytes=MAX_BYTES,
            formats=frozenset({"jpeg", "png"}),
            max_pages=1,
            honours_exif=False,
        )

    @classmethod
    def parse(cls, raw: Any) -> OcrResult:
        return parse(raw)

    def recognize(self, upload: Upload) -> OcrResult:
        opts = self.options
        assert opts.url is not None
        ext = "jpg" if upload.format == "jpeg" else upload.format
        image = (f"image.{ext}", upload.data, f"image/{upload.format}")  # never the user's file name
        headers = {"x-api-key": opts.credential.reveal()}
        raw, _ = self.http.post_json(opts.url, headers=headers, files={"image": image})
        return self.read_answer(raw, upload)

    def read_answer(self, raw: Any, upload: Upload) -> OcrResult:
        """Kakao's answer is read from itself alone: a kept one reads again."""
        return parse(raw)


def _body_texts(response: requests.Response) -> list[str]:
    """The strings that may hold the reason: known keys of a JSON body (and of objects in it), else its text."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return [text[:500]] if text else []
    if isinstance(body, str):
        return [body.strip()] if body.strip() else []
    if not isinstance(body, dict):
        return []
    objects = [body, *(v for v in body.values() if isinstance(v, dict))]
    found = [str(obj[k]).strip() for obj in objects for k in _TEXT_KEYS if isinstance(obj.get(k), (str, int))]
    if not found:  # keys the document does not name: any text at the top level
        found = [v.strip() for v in body.values() if isinstance(v, str)]
    return [t for t in found if t]


def _norm(text: str) -> str:
    """Upper case, with ``_``, ``-`` and runs of spaces as one space: ``Too many Requests`` ~ ``TOO_MANY_REQUESTS``."""
    return re.sub(r"[\s_\-]+", " ", text).strip().upper()


def _match(status: int, texts: list[str]) -> Reason | None:
    """The status's first reason named in the body; a bare status means its generic reason."""
    reasons = REASONS.get(status, ())
    joined = " | ".join(_norm(t) for t in texts)
    for reason in reasons:
        if _norm(reason[0]) in joined:
            return reason
    return reasons[-1] if reasons and not texts else None


def _fallback(status: int) -> tuple[type[ProviderError], str]:
    """A status or reason the document does not list: the status's generic reason, else its class."""
    if status in REASONS:
        return REASONS[status][-1][1:]  # the status says enough
    return status_error(status, vendor="Kakao", credential="api_key")
