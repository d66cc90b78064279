"""Textract's error answers as the project's typed errors, in one place for the parser, the engine and the emulator.

AWS's JSON 1.1 protocol says what went wrong in the body, ``{"__type": "...", "message": "..."}``
(``__type`` sometimes prefixed with the service's namespace, ``com.amazonaws.textract#``), and
in the ``x-amzn-ErrorType`` header (sometimes followed by ``:`` and a URL). The type name, not the
HTTP status, decides the error: Textract answers throttling with HTTP 400 as often as with 429 or
500, and a bad signature comes from AWS's front door (403 ``InvalidSignatureException``) before
Textract sees the request. Retryable: throttling, provisioned throughput and the service's own
failures; never the credentials, the parameters or the document.
"""

from __future__ import annotations

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

VENDOR = "textract"

_CREDENTIALS = "check the AWS credentials (profile, environment or instance role) and the region; retrying will not help"

# fmt: off
#: Error type name -> (typed error, advice). Textract's own, then those of AWS's front door (signing, credentials).
TYPES: dict[str, tuple[type[ProviderError], str]] = {
    "ThrottlingException": (RateLimitError, "Textract is throttling this account; retried with backoff"),
    "ProvisionedThroughputExceededException": (RateLimitError, "over the account's provisioned transactions per second; retried with backoff"),
    "LimitExceededException": (RateLimitError, "over a Textract service limit (concurrent jobs); retried with backoff"),
    "InternalServerError": (ServiceError, "Textract failed on its side"),
    "ServiceUnavailableException": (ServiceError, "Textract is unavailable for now"),
    "InvalidParameterException": (InvalidRequestError, "the request was refused as invalid: check the feature types and the document"),
    "UnsupportedDocumentException": (InvalidRequestError, "send JPEG, PNG, TIFF or a one-page PDF"),
    "BadDocumentException": (ImageFailedError, "Textract cannot read this document (damaged, or not what its format says)"),
    "DocumentTooLargeException": (RequestTooLargeError, "the document is over 10 MB (synchronous) or 10,000 px a side"),
    "InvalidS3ObjectException": (InvalidRequestError, "the S3 object cannot be read: check the bucket, the key and the region"),
    "InvalidJobIdException": (InvalidRequestError, "no such job: start the document again"),
    "InvalidKMSKeyException": (InvalidRequestError, "the KMS key cannot be used"),
    "IdempotentParameterMismatchException": (InvalidRequestError, "a client request token was reused for another document"),
    "HumanLoopQuotaExceededException": (QuotaExceededError, "the human review quota is used up"),
    "AccessDeniedException": (AuthenticationError, "the credentials may not call Textract (IAM permission textract:*); " + _CREDENTIALS),
    "UnrecognizedClientException": (AuthenticationError, "the access key is not known to AWS; " + _CREDENTIALS),
    "InvalidClientTokenId": (AuthenticationError, "the access key is not known to AWS; " + _CREDENTIALS),
    "InvalidSignatureException": (AuthenticationError, "the request signature does not match: the secret key is wrong; " + _CREDENTIALS),
    "SignatureDoesNotMatch": (AuthenticationError, "the request signature does not match: the secret key is wrong; " + _CREDENTIALS),
    "IncompleteSignatureException": (AuthenticationError, "the request was not fully signed; " + _CREDENTIALS),
    "MissingAuthenticationTokenException": (AuthenticationError, "the request was not signed; " + _CREDENTIALS),
    "ExpiredTokenException": (AuthenticationError, "the session token has expired: refresh the credentials"),
    # S3, for the asynchronous API's documents (XML error codes)
    "AccessDenied": (AuthenticationError, "the credentials may not write to the bucket (s3:PutObject); " + _CREDENTIALS),
    "InvalidAccessKeyId": (AuthenticationError, "the access key is not known to AWS; " + _CREDENTIALS),
    "NoSuchBucket": (InvalidRequestError, "the bucket does not exist: check s3_bucket and the region"),
    "SlowDown": (RateLimitError, "S3 is throttling this bucket; retried with backoff"),
    "InternalError": (ServiceError, "S3 failed on its side"),
    "ServiceUnavailable": (ServiceError, "S3 is unavailable for now"),
    "EntityTooLarge": (RequestTooLargeError, "the document is over S3's single-upload limit"),
}
# fmt: on


def type_name(value: Any) -> str | None:
    """The bare error type of ``__type`` or ``x-amzn-ErrorType``: no namespace, no trailing URL."""
    if not isinstance(value, str) or not value.strip():
        return None
    name = value.strip().split(":", 1)[0]
    return name.rsplit("#", 1)[-1] or None


def provider_error(
    kind: str | None, message: str | None, *, status: int | None, retry_after: float | None = None
) -> ProviderError:
    """The typed error for an error answer of type ``kind`` (``None`` when the body named none)."""
    said = (message or "").strip()[:300]
    if kind in TYPES:
        cls, advice = TYPES[kind]
    elif status is not None:
        cls, advice = status_error(status, vendor="Textract", credential="AWS credentials")
    else:
        cls, advice = InvalidRequestError, "the request was refused"
    if kind and kind.endswith("Throttling"):  # the front door's "Throttling" (no "Exception")
        cls, advice = RateLimitError, "throttled; retried with backoff"
    text = ": ".join(part for part in (said, advice) if part)
    return cls(text, vendor=VENDOR, status=status, code=kind, retry_after=retry_after)


def error_body(raw: Any) -> tuple[str, str] | None:
    """``(type, message)`` when ``raw`` is an AWS JSON error body, else ``None``."""
    if not isinstance(raw, dict) or "__type" not in raw or "Blocks" in raw:
        return None
    message = raw.get("message", raw.get("Message", ""))
    return type_name(raw["__type"]) or "", message if isinstance(message, str) else ""
