"""Azure's error answers as typed errors: HTTP error bodies and operations that ended ``failed``.

Azure says what went wrong as ``{"error": {"code", "message", "innererror": {"code", "message"},
"details": [...]}}``, the same object whether it comes as the body of an HTTP error or inside
a polling answer whose ``status`` is ``failed``. The inner code is the precise one
(``InvalidContentLength``, ``InvalidContent``, ``ModelNotFound``), so it decides the type
before the outer code (``InvalidRequest``) and the HTTP status do. The gateway in front of the
service answers some errors with a bare number as the code (``"401"``, ``"429"``).

A failed operation keeps its ``details[]`` on the error (``exc.details``, each ``{code,
message, target}``) and in its message, since they say which part of the document failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_ocr.engines.http import status_error
from unified_ocr.errors import (
    AuthenticationError,
    ImageFailedError,
    InvalidRequestError,
    ProviderError,
    QuotaExceededError,
    RateLimitError,
    RequestTooLargeError,
    ServiceError,
)

from .values import VENDOR

Kind = tuple[type[ProviderError], str]

#: Azure's error codes (inner and outer), each with the error type and the advice to give.
# fmt: off
CODES: dict[str, Kind] = {
    "InvalidContentLength": (RequestTooLargeError, "the document is over the tier's size limit (500 MB on S0, 4 MB on F0): set tier = \"F0\" if the resource is free, or send a smaller file"),
    "InvalidContentDimensions": (InvalidRequestError, "the image must be 50 x 50 to 10,000 x 10,000 pixels: a smaller one is refused, a larger one shrunk to max_side"),
    "InvalidContentPageCount": (RequestTooLargeError, "the document has more pages than the tier reads (2,000 on S0, 2 on F0)"),
    "InvalidContent": (ImageFailedError, "the document is corrupt or of a format Azure does not read (JPEG, PNG, BMP, TIFF, HEIF, PDF)"),
    "UnsupportedContent": (ImageFailedError, "the content is not a document Azure reads"),
    "InvalidContentSourceFormat": (InvalidRequestError, "the request gives no document in a form Azure takes (base64Source, urlSource or the bytes)"),
    "ContentSourceNotAccessible": (InvalidRequestError, "Azure could not fetch the document's URL"),
    "ModelNotFound": (InvalidRequestError, "no such model on this resource: set model = \"prebuilt-read\" or \"prebuilt-layout\""),
    "InvalidParameter": (InvalidRequestError, "a request parameter was refused"),
    "InvalidArgument": (InvalidRequestError, "a request parameter was refused"),
    "UnsupportedMediaType": (InvalidRequestError, "the content type was refused"),
    "InvalidRequest": (InvalidRequestError, "the request was refused"),
    "Unauthorized": (AuthenticationError, "the key or token was refused: check the profile's key, and that the endpoint is this resource's"),
    "PermissionDenied": (AuthenticationError, "the identity lacks the role 'Cognitive Services User' on the resource"),
    "401": (AuthenticationError, "the key or token was refused: check the profile's key, and that the endpoint is this resource's"),
    "403": (AuthenticationError, "access to the resource was refused"),
    "404": (InvalidRequestError, "nothing answers at this address: check the profile's endpoint and api_version"),
    "NotFound": (InvalidRequestError, "nothing answers at this address: check the profile's endpoint and api_version"),
    "ResourceNotFound": (InvalidRequestError, "the operation or resource is gone (results are kept 24 hours): submit again"),
    "429": (RateLimitError, "over the tier's request rate; retried after the wait Azure asks for"),
    "TooManyRequests": (RateLimitError, "over the tier's request rate; retried after the wait Azure asks for"),
    "InternalServerError": (ServiceError, "Azure failed on its side"),
    "ServiceUnavailable": (ServiceError, "Azure is unavailable for now"),
    "Timeout": (ServiceError, "Azure took too long on its side"),
    "OperationTimeout": (ServiceError, "Azure took too long on its side"),
}
# fmt: on


def error_object(body: Any) -> Mapping[str, Any] | None:
    """The ``error`` object of an answer, or ``None`` when it has none of the right shape."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"]
    return None


def error_from(
    error: Mapping[str, Any] | None,
    *,
    status: int | None,
    retry_after: float | None = None,
    operation: bool = False,
) -> ProviderError:
    """The typed error for an ``error`` object (``None``: the status alone), with every code and
    message Azure gave; ``operation`` says it ended an accepted operation."""
    error = error or {}
    code = _str(error.get("code"))
    inner: Mapping[str, Any] = error["innererror"] if isinstance(error.get("innererror"), dict) else {}
    inner_code = _str(inner.get("code"))
    message = _str(error.get("message"))
    inner_message = _str(inner.get("message"))
    kind, advice = _kind(inner_code, code, status, message)
    details = (
        [_detail(d) for d in error.get("details", []) or [] if isinstance(d, dict)]
        if isinstance(error.get("details"), list)
        else []
    )
    said = [m for m in (message, inner_message if inner_message != message else None) if m]
    told = "; ".join(f"{d['code'] or 'detail'}: {d['message']}" for d in details[:5] if d["message"] or d["code"])
    prefix = "the operation failed: " if operation else ""
    text = prefix + ": ".join(part for part in (*said, f"details: {told}" if told else "", advice) if part)
    exc = kind(text[:2000], vendor=VENDOR, status=status, code=inner_code or code, retry_after=retry_after)
    exc.details = details  # type: ignore[attr-defined]  # kept for the caller: which part failed
    return exc


def _kind(inner: str | None, code: str | None, status: int | None, message: str | None) -> Kind:
    if status == 403 or code == "403":
        if message and "quota" in message.lower():
            return QuotaExceededError, "the tier's call allowance is used up: wait for the next period or move to S0"
    for candidate in (inner, code):
        if candidate in CODES:
            return CODES[candidate]
    if status is None:  # a failed operation with a code not listed: it was accepted, so the image is what failed
        return ImageFailedError, "Azure could not analyze this document"
    return status_error(status, vendor="Azure", credential="key")


def _detail(detail: Mapping[str, Any]) -> dict[str, str | None]:
    return {"code": _str(detail.get("code")), "message": _str(detail.get("message")), "target": _str(detail.get("target"))}


def _str(value: Any) -> str | None:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        text = str(value).strip()
        return text[:500] or None
    return None


class OperationTimeoutError(ServiceError):
    """An accepted operation did not end within the profile's ``deadline``.

    Retryable: the operation is kept in the run's store of pending operations, so the next
    round or run polls it again instead of paying for a new one."""
