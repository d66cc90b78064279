"""The errors unified-ocr raises, one tree under :class:`UnifiedOcrError`.

Errors are raised, never hidden inside results. Each message says what went wrong
and, where there is one, what to do next. No error ever carries a secret's value.
"""

from __future__ import annotations


class UnifiedOcrError(Exception):
    """Root of every error unified-ocr raises on purpose."""

    def __reduce__(self) -> tuple:
        # Errors cross process boundaries (a Dask worker's failure reaches the driver);
        # rebuild them from their state, since their constructors take other arguments.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[UnifiedOcrError], args: tuple, state: dict) -> UnifiedOcrError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


# -- configuration: the user's setup is wrong; nothing was sent -------------------------


class ConfigError(UnifiedOcrError):
    """A configuration file, profile, option or secret reference is wrong."""


class UnknownEngineError(ConfigError):
    """An engine or profile name matches nothing that is installed or configured."""

    def __init__(self, name: str, known: list[str], profiles: list[str] | None = None, kind: str = "engine") -> None:
        self.name = name
        self.known = sorted(known)
        self.profiles = sorted(profiles or [])
        self.kind = kind  # what was looked up: an engine, an emulator, an exporter...
        parts = [f"unknown {kind} {name!r}; installed {kind}s: {', '.join(self.known) or 'none'}"]
        if self.profiles:
            parts.append(f"configured profiles: {', '.join(self.profiles)}")
        super().__init__("; ".join(parts))


class EngineUnavailableError(ConfigError):
    """The engine is known but cannot run here (a missing extra, missing credentials)."""

    def __init__(self, engine: str, reason: str) -> None:
        self.engine = engine
        self.reason = reason
        super().__init__(f"engine {engine!r} cannot run: {reason}")


# -- input: the image itself is wrong; raised before any network call -------------------


class InputError(UnifiedOcrError):
    """An input image cannot be used; the message names the source."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class InvalidSourceError(InputError, TypeError):
    """What was passed is not a kind of image source at all (``None``, a number, a list, a text-mode file)."""


class ImageNotFoundError(InputError):
    """The path does not exist or is not a readable file."""


class EmptyImageError(InputError):
    """The file or buffer holds zero bytes, or the array has no pixels."""


class UnsupportedImageError(InputError):
    """The bytes are not an image format unified-ocr can read."""


class CorruptImageError(InputError):
    """The bytes start like an image but cannot be decoded (truncated, damaged)."""


class InvalidQuadError(UnifiedOcrError, ValueError):
    """A quad cannot be cropped: zero area, points that are not numbers, or wholly outside the image."""


class InvalidResultError(UnifiedOcrError, ValueError):
    """A saved result file is missing, unreadable, not JSON, or not a unified-ocr result."""


class MalformedDocumentError(InvalidResultError):
    """An hOCR, ALTO or PAGE-XML document cannot be read back as a result: not well-formed
    XML, not that format, or a value of the wrong shape. The message names the document
    (its path when it was read from a file) and the line."""


class TruthError(UnifiedOcrError, ValueError):
    """A ground-truth file cannot be read as truth; the message names the file and, where it
    applies, the line. The comparison reports it by name for its image and goes on."""


class OutputError(UnifiedOcrError):
    """A result could not be written where it was to go (a full disk, no permission); the
    recognition itself succeeded, and a rerun answers it from the result cache."""


# -- recognition: the engine failed -------------------------------------------------------


class RecognitionError(UnifiedOcrError):
    """An engine failed to recognise an image."""


class ProviderError(RecognitionError):
    """A remote OCR service answered with an error, or could not be reached.

    Carries the vendor, the HTTP status and the vendor's own code and message, so that
    retry decisions can read the body and not only the status. ``retryable`` says whether
    the same request may succeed later; ``retry_after`` is the server's own advice, in seconds.
    """

    retryable: bool = False
    attempts: int = 1  # tries made before giving up, set by the retry policy

    def __init__(
        self,
        message: str,
        *,
        vendor: str,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.vendor = vendor
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after
        where = ", ".join(part for part in (f"HTTP {status}" if status is not None else "", f"code {code}" if code else "") if part)
        super().__init__(f"{vendor}: {message}" + (f" ({where})" if where else ""))


class AuthenticationError(ProviderError):
    """The key or secret was refused. Check the credentials; retrying will not help."""


class RateLimitError(ProviderError):
    """Too many requests for now; the same request succeeds after a wait."""

    retryable = True


class QuotaExceededError(ProviderError):
    """The account's call allowance is used up; wait for the next period or raise the quota."""


class RequestTooLargeError(ProviderError):
    """The upload is over the service's byte, pixel or page limit."""


class InvalidRequestError(ProviderError):
    """The service refused the request as malformed or unsupported (format, version, URL, template)."""


class ServiceError(ProviderError):
    """The service failed on its side (HTTP 5xx); usually passes."""

    retryable = True


class NetworkError(ProviderError):
    """The request did not complete: refused or dropped connection, or a timeout."""

    retryable = True


class BadResponseError(ProviderError):
    """The service answered with a body of the wrong shape; the message says what was expected."""

    retryable = True


class ImageFailedError(ProviderError):
    """The service processed the request but could not recognise this image."""
