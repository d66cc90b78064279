"""Google's error answers as the project's typed errors, in one place for the parser, the engine and the emulator.

Google says what went wrong twice over: as an HTTP status with a body
``{"error": {"code": HTTP_STATUS, "message", "status": "PERMISSION_DENIED", "details": [...]}}``,
and, for one image of a batch that failed while the request as a whole succeeded, inside an
HTTP 200 as ``responses[i].error = {"code": GRPC_CODE, "message"}`` (``code`` 3, "Bad image
data.", is an image the service cannot read). The canonical status name (``status``, or the
gRPC code's name when only the number is given) decides the error type, refined by what
``details`` and the message say: an invalid API key is an ``INVALID_ARGUMENT`` with reason
``API_KEY_INVALID``, a daily quota and a per-minute rate limit are both ``RESOURCE_EXHAUSTED``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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

VENDOR = "google"

#: google.rpc.Code: the number a per-image error carries, and its name.
GRPC_CODES: dict[int, str] = {
    1: "CANCELLED", 2: "UNKNOWN", 3: "INVALID_ARGUMENT", 4: "DEADLINE_EXCEEDED", 5: "NOT_FOUND",
    6: "ALREADY_EXISTS", 7: "PERMISSION_DENIED", 8: "RESOURCE_EXHAUSTED", 9: "FAILED_PRECONDITION",
    10: "ABORTED", 11: "OUT_OF_RANGE", 12: "UNIMPLEMENTED", 13: "INTERNAL", 14: "UNAVAILABLE",
    15: "DATA_LOSS", 16: "UNAUTHENTICATED",
}  # fmt: skip

#: The HTTP status Google answers each canonical status with (google.rpc.Code's mapping).
HTTP_STATUS: dict[str, int] = {
    "CANCELLED": 499, "UNKNOWN": 500, "INVALID_ARGUMENT": 400, "DEADLINE_EXCEEDED": 504, "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409, "PERMISSION_DENIED": 403, "RESOURCE_EXHAUSTED": 429, "FAILED_PRECONDITION": 400,
    "ABORTED": 409, "OUT_OF_RANGE": 400, "UNIMPLEMENTED": 501, "INTERNAL": 500, "UNAVAILABLE": 503,
    "DATA_LOSS": 500, "UNAUTHENTICATED": 401,
}  # fmt: skip

#: What a bare HTTP status means when the body names no canonical status (a proxy's HTML page).
_BY_HTTP = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
            413: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 501: "UNIMPLEMENTED",
            502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}  # fmt: skip

_SERVICE = frozenset({"UNKNOWN", "INTERNAL", "UNAVAILABLE", "DEADLINE_EXCEEDED", "ABORTED", "DATA_LOSS"})
_AUTH_ADVICE = (
    "check the profile's api_key, or the OAuth credentials (credentials_file, or the application default "
    "credentials) and that the Cloud Vision API is enabled, with billing, in the project"
)


def status_name(code: Any, status: Any, http_status: int | None) -> str:
    """The canonical status: the body's ``status``, else the gRPC code's name, else the HTTP status's."""
    if isinstance(status, str) and status in HTTP_STATUS:
        return status
    if http_status is None and isinstance(code, int) and code in GRPC_CODES:
        return GRPC_CODES[code]
    number = http_status if http_status is not None else code
    if isinstance(number, int):
        return _BY_HTTP.get(number, "INTERNAL" if number >= 500 else "INVALID_ARGUMENT")
    return "UNKNOWN"


def _reasons(details: Any) -> list[str]:
    """``details[].reason`` (google.rpc.ErrorInfo) and quota violation texts, for refining the type."""
    found: list[str] = []
    for item in details if isinstance(details, list) else ():
        if not isinstance(item, Mapping):
            continue
        if isinstance(item.get("reason"), str):
            found.append(item["reason"])
        for violation in item.get("violations") or ():
            if isinstance(violation, Mapping):
                found.extend(str(v) for v in violation.values() if isinstance(v, str))
    return found


def provider_error(
    error: Any, *, http_status: int | None, per_image: bool = False, where: str = "", retry_after: float | None = None
) -> ProviderError:
    """The typed error for one ``error`` object of Google's (the body's, or one image's inside a 200).

    ``http_status`` is the response's status (``None`` for a per-image error, whose ``code`` is
    a gRPC code); ``per_image`` says the request was fine and only this image failed.
    """
    obj: Mapping[str, Any] = error if isinstance(error, Mapping) else {}
    name = status_name(obj.get("code"), obj.get("status"), http_status)
    message = obj.get("message")
    said = " ".join(message.split())[:300] if isinstance(message, str) else ""
    reasons = _reasons(obj.get("details"))
    lowered = (said + " " + " ".join(reasons)).lower()
    kind: type[ProviderError]
    if name == "INVALID_ARGUMENT" and ("api_key_invalid" in lowered or "api key not valid" in lowered):
        kind, advice = AuthenticationError, "the API key was refused: check the profile's api_key"
    elif name == "INVALID_ARGUMENT" and ("exceeds the limit" in lowered or "too large" in lowered or http_status == 413):
        kind, advice = RequestTooLargeError, "the request is over 20 MB or the image over 75 megapixels: set a smaller max_side"
    elif name in ("INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE") and per_image:
        kind, advice = ImageFailedError, "the service could not read this image"
    elif name in ("PERMISSION_DENIED", "UNAUTHENTICATED"):
        kind, advice = AuthenticationError, _AUTH_ADVICE
    elif name == "RESOURCE_EXHAUSTED":
        if "per day" in lowered or "perday" in lowered or "billing" in lowered:
            kind, advice = QuotaExceededError, "the project's quota is used up: wait for it to refill or raise it in the console"
        else:
            kind, advice = RateLimitError, "over the project's requests-per-minute quota; retried with backoff"
    elif name in _SERVICE:
        kind, advice = ServiceError, "Google failed on its side"
    else:
        kind, advice = InvalidRequestError, "the request was refused"
    label = f"{where}: " if where else ""
    text = f"{label}{said}: {advice}" if said else f"{label}{advice}"
    status = http_status if http_status is not None else (None if per_image else HTTP_STATUS.get(name))
    return kind(text, vendor=VENDOR, status=status, code=name, retry_after=retry_after)
