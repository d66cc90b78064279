"""Upstage's error answers as typed errors.

No real Upstage error body is public (none was found in any recorded answer), so the shape
here is the one of Upstage's published API reference, which follows the OpenAI-style error
object its other APIs share::

    {"error": {"message": "Invalid API key.", "type": "invalid_request_error", "code": "invalid_api_key", "param": null}}

The emulator answers in exactly this shape. :func:`check` reads it leniently (a top-level
``message``/``detail`` or plain text are read too), and the code, then the type, then the HTTP
status decide the error type: a wrong key is an :class:`AuthenticationError`, never retried;
429 is retried, unless the code says the account's credit is used up.
"""

from __future__ import annotations

from typing import Any

import requests

from unified_ocr.engines.http import retry_after, status_error
from unified_ocr.errors import (
    AuthenticationError,
    InvalidRequestError,
    ProviderError,
    QuotaExceededError,
    RateLimitError,
    RequestTooLargeError,
    ServiceError,
)

VENDOR = "upstage"

#: Upstage's error codes: the error type and the advice to put in the message.
# fmt: off
CODES: dict[str, tuple[type[ProviderError], str]] = {
    "invalid_api_key": (AuthenticationError, "check the profile's api_key (sent as Authorization: Bearer)"),
    "unauthorized": (AuthenticationError, "check the profile's api_key (sent as Authorization: Bearer)"),
    "permission_denied": (AuthenticationError, "the key may not use this model: check the key's project in the console"),
    "insufficient_credit": (QuotaExceededError, "the account's credit is used up: add credit or a payment method in the console"),
    "too_many_requests": (RateLimitError, "over the account's request rate; retried with backoff"),
    "rate_limit_exceeded": (RateLimitError, "over the account's request rate; retried with backoff"),
    "file_too_large": (RequestTooLargeError, "the document is over 50 MB"),
    "too_many_pages": (RequestTooLargeError, "too many pages for one call: split the document"),
    "too_many_pixels": (RequestTooLargeError, "the image is over 100 megapixels: shrink it"),
    "unsupported_document_format": (InvalidRequestError, "send JPEG, PNG, BMP, PDF, TIFF or HEIC (Document Parse also DOCX, PPTX, XLSX)"),
    "invalid_document": (InvalidRequestError, "the document cannot be read: check that it is not damaged"),
    "invalid_model": (InvalidRequestError, "check the profile's model"),
    "invalid_request": (InvalidRequestError, "the request was refused"),
    "not_found": (InvalidRequestError, "nothing answers at this address (or no such request id): check the profile's url"),
    "internal_server_error": (ServiceError, "Upstage failed on its side"),
    "service_unavailable": (ServiceError, "Upstage is unavailable for now"),
}
TYPES: dict[str, tuple[type[ProviderError], str]] = {
    "authentication_error": CODES["invalid_api_key"],
    "permission_error": CODES["permission_denied"],
    "rate_limit_error": CODES["too_many_requests"],
    "server_error": CODES["internal_server_error"],
}
# fmt: on


def check(response: requests.Response) -> None:
    """Raise Upstage's error as a typed error; answers under 300 pass."""
    if response.status_code < 300:
        return
    try:
        body: Any = response.json()
    except ValueError:
        text = response.text.strip()
        body = {"error": {"message": text[:300]}} if text else {}
    raise error_from_body(body, status=response.status_code, retry_after=retry_after(response))


def error_from_body(body: Any, *, status: int | None, retry_after: float | None = None) -> ProviderError:
    """The typed error an Upstage error body stands for (also for one saved as an answer)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = body if isinstance(body, dict) else {}
    code = _text(error.get("code"))
    kind_name = _text(error.get("type"))
    message = _text(error.get("message")) or _text(error.get("detail"))
    if code in CODES:
        kind, advice = CODES[code]
    elif kind_name in TYPES:
        kind, advice = TYPES[kind_name]
    elif status is not None:
        kind, advice = status_error(status, vendor="Upstage", credential="api_key")
    else:
        kind, advice = InvalidRequestError, "the request was refused"
    text = ": ".join(part for part in (code, message, advice) if part)
    return kind(text, vendor=VENDOR, status=status, code=code or kind_name, retry_after=retry_after)


def _text(value: Any) -> str | None:
    """A short string, or ``None``; numbers (a code given as 401) become text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int)):
        text = str(value).strip()
        return text[:300] or None
    return None
