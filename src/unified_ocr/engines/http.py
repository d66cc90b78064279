"""Posting to a vendor's HTTP API: sessions, timeouts, retries, and errors that carry no secret.

Each vendor plugin says how to read its error bodies (``check``); everything else about a
call is shared: one ``requests`` session per thread (connection reuse without sharing a
session across threads; its connections acknowledge answers at once, see
:mod:`~.connections`), connect and read timeouts, transport failures turned into
:class:`~.errors.NetworkError`, and the :class:`~.retry.RetryPolicy` around it all.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

import attrs
import requests

from ..errors import (
    AuthenticationError,
    BadResponseError,
    ConfigError,
    InvalidRequestError,
    NetworkError,
    ProviderError,
    RateLimitError,
    RequestTooLargeError,
    ServiceError,
)
from ..secrets import Secret, redact_url, redact_urls_in, url_secrets
from .base import RUNTIME, Engine, EngineOptions
from .calls import call_slot, note_request
from .connections import new_session
from .ratelimit import MIN_RATE, RateLimiter
from .responses import writable
from .retry import RetryPolicy

#: reads a response and raises the vendor's typed error when it is one
Check = Callable[[requests.Response], None]


class HttpClient:
    """POSTs for one vendor, retried by ``policy``; headers are never logged or raised."""

    def __init__(
        self,
        vendor: str,
        *,
        policy: RetryPolicy,
        timeout: float,
        connect_timeout: float,
        check: Check,
        rate_limit: float | None = None,
    ) -> None:
        self.vendor = vendor
        self.policy = policy
        self.timeout = (connect_timeout, timeout)
        self.check = check
        self.limiter = RateLimiter(rate_limit) if rate_limit else None  # every try waits its turn
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = new_session()
        return session

    def post_json(self, url: str, *, headers: Mapping[str, str], **body: Any) -> tuple[Any, int]:
        """POST (``data=``, ``json=`` or ``files=``) and return the decoded JSON answer and the tries made."""
        return self.request("POST", url, headers=headers, read=lambda response: decode_json(response, self.vendor), **body)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        read: Callable[[requests.Response], Any] | None = None,
        counted: bool = True,
        **body: Any,
    ) -> tuple[Any, int]:
        """Any method, under the same policy as :meth:`post_json`; returns what ``read`` makes of the
        checked response (the response itself without ``read``) and the tries made. ``read`` runs
        inside each try, so a body it refuses as a :class:`BadResponseError` is tried again. For
        protocols that need the status or the headers (a long-running operation's 202 and its
        ``Operation-Location``), not only the JSON. ``counted=False`` leaves the request out of the
        run's figures (a poll for a result, which the vendor does not bill); it still waits its
        turn under the rate limit."""

        _check_headers(headers, self.vendor)  # before any try: a bad header is the setup's fault, never retried
        # header values (credentials) and the URL's userinfo and query values never reach a message
        hidden = [v for v in headers.values() if len(v) >= 4] + url_secrets(url)

        def once() -> Any:
            with call_slot():  # a batch's slot, held while on the wire only (not in backoff waits)
                if self.limiter is not None:
                    self.limiter.acquire()
                if counted:
                    note_request()  # counted as made, whether or not it gets an answer
                response = self._send(method, url, headers, hidden, body)
            try:
                self.check(response)
            except ProviderError as exc:
                _make_writable(exc)  # an error answer is vendor text too
                raise
            return read(response) if read is not None else response

        return self.policy.call(once)

    def _send(self, method: str, url: str, headers: Mapping[str, str], hidden: list[str], body: dict[str, Any]) -> requests.Response:
        """One request, its transport failures as typed errors that quote no secret."""
        try:
            return self.session.request(method, url, headers=dict(headers), timeout=self.timeout, **body)
        except requests.Timeout as exc:
            raise NetworkError(f"no answer within {self.timeout[1]:g} s ({type(exc).__name__})", vendor=self.vendor) from None
        except requests.exceptions.InvalidHeader:
            raise ConfigError(f"{self.vendor}: a request header was refused as invalid; check the profile's credential") from None
        except requests.RequestException as exc:
            raise NetworkError(f"request failed: {_scrub(_describe(exc), hidden)}", vendor=self.vendor) from None

    def close(self) -> None:
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()


def _check_headers(headers: Mapping[str, str], vendor: str) -> None:
    """Refuse header values no HTTP request can carry, naming the header but never its value."""
    for name, value in headers.items():
        if value != value.strip() or any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ConfigError(
                f"{vendor}: the {name} header holds a line break, a control character or surrounding spaces; "
                "fix the credential it comes from"
            )


def _make_writable(exc: ProviderError) -> None:
    """Replace lone surrogates in the vendor's words an error carries (its message and code), so
    that the journal, the summary and the terminal can write it; results get the same in the API."""
    message, n = writable(exc.message)
    code, m = writable(exc.code)
    if n or m:
        exc.message, exc.code = message, code
        exc.args = tuple(writable(arg)[0] for arg in exc.args)


def _scrub(text: str, hidden: list[str]) -> str:
    """``text`` with every URL redacted and each of ``hidden`` replaced by ``***``."""
    return redact_urls_in(text, hidden=hidden)


def decode_json(response: requests.Response, vendor: str) -> Any:
    """The body as JSON; a garbled one is a (retryable) bad response, quoting its start."""
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        start = response.text[:80].replace("\n", " ")
        raise BadResponseError(f"the answer is not JSON: {start!r}", vendor=vendor, status=response.status_code) from None


def _describe(exc: requests.RequestException) -> str:
    """The failure without request details (headers, bodies), which could hold a secret."""
    reason = exc.args[0] if exc.args else exc
    text = str(getattr(reason, "reason", reason))
    return f"{type(exc).__name__}: {text[:200]}"


def status_error(status: int, *, vendor: str, credential: str) -> tuple[type[ProviderError], str]:
    """What an HTTP status means when the vendor's body says nothing more: the error type
    and the advice to give. ``vendor`` is the name to show, ``credential`` the profile key
    that holds the secret."""
    if status in (401, 403):
        return AuthenticationError, f"check the profile's {credential}"
    if status == 413:
        return RequestTooLargeError, f"the upload is over {vendor}'s limit"
    if status == 429:
        return RateLimitError, "too many calls at once"
    if status >= 500:
        return ServiceError, f"{vendor} failed on its side"
    return InvalidRequestError, "the request was refused"


def retry_after(response: requests.Response) -> float | None:
    """``Retry-After`` in seconds, when the server gave it as a number."""
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _check_rate(_instance: Any, _attribute: Any, value: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= MIN_RATE):
        raise ValueError(f"rate_limit is calls per second, a number of at least {MIN_RATE:g}; got {value!r}")


def rate_limit_validator(instance: Any, attribute: Any, value: float | None) -> None:
    """The validator of a ``rate_limit`` option (calls a second, or ``None`` for no limit), for an
    engine that declares the field again with a default of its own (a vendor's published quota)."""
    if value is not None:
        _check_rate(instance, attribute, value)


def http_address(example: str, credential: str) -> Callable[[Any, attrs.Attribute, str | None], None]:
    """The validator of an address option: an http(s) URL with no spaces, query or fragment.

    A credential belongs in its own option (``credential``, read by reference), never in a
    URL that is logged, cached and reported; and the message never shows a credential the
    refused value holds. ``example`` is what a right value looks like.
    """

    def check(_instance: Any, attribute: attrs.Attribute, value: str | None) -> None:
        if value is not None and not re.fullmatch(r"https?://[^\s?#]+", value):
            got = repr(redact_url(value)) if "://" in value else "a value with no scheme"
            raise ValueError(
                f"'{attribute.name}' must be an http(s) address with no spaces, query or fragment "
                f"(such as {example}; the credential goes in {credential}), got {got}"
            )

    return check


@attrs.frozen(slots=True)
class HttpOptions(EngineOptions):
    """Options every HTTP engine has: where to post, the credential, and how patiently.

    A subclass names its URL and credential fields and their environment fallbacks in the
    class variables, and adds its own fields (all with defaults).
    """

    URL_FIELD: ClassVar[str] = "url"
    URL_ENV: ClassVar[str] = ""
    KEY_FIELD: ClassVar[str] = "key"
    KEY_ENV: ClassVar[str] = ""

    timeout: float = attrs.field(default=60.0, metadata=RUNTIME)  # seconds to wait for an answer
    connect_timeout: float = attrs.field(default=10.0, metadata=RUNTIME)
    retries: int = attrs.field(default=3, metadata=RUNTIME)  # tries after the first, for transient failures
    backoff: float = attrs.field(default=0.5, metadata=RUNTIME)  # first wait in seconds; doubles each try, with jitter
    max_backoff: float = attrs.field(default=30.0, metadata=RUNTIME)
    rate_limit: float | None = attrs.field(default=None, metadata=RUNTIME, validator=rate_limit_validator)  # calls/s, retries included

    def __attrs_post_init__(self) -> None:
        given = getattr(self, self.KEY_FIELD, None)
        if given is not None and not isinstance(given, Secret):  # a plain string would reach the header unchecked, or fail far away
            raise ConfigError(
                f"{type(self).__name__}.{self.KEY_FIELD} takes a Secret, not {type(given).__name__}: "
                f"Secret(env=\"NAME\"), Secret(file=\"PATH\"), or Secret(value=...) for a value held in code"
            )

    @property
    def url(self) -> str | None:
        return getattr(self, self.URL_FIELD) or os.environ.get(self.URL_ENV) or None

    @property
    def credential(self) -> Secret:
        return getattr(self, self.KEY_FIELD) or Secret(env=self.KEY_ENV)


HttpOptionsT = TypeVar("HttpOptionsT", bound=HttpOptions)


class HttpEngine(Engine[HttpOptionsT]):
    """An engine that posts to a vendor's HTTP API through an :class:`HttpClient`.

    Subclasses set ``Options`` (an :class:`HttpOptions`) and implement ``check`` (the
    vendor's error bodies as typed errors) and ``recognize``.
    """

    Options: ClassVar[type[EngineOptions]] = HttpOptions
    needs_network = True

    def __init__(self, options: HttpOptionsT | None = None) -> None:
        super().__init__(options)
        opts = self.options
        policy = RetryPolicy(retries=opts.retries, backoff=opts.backoff, max_backoff=opts.max_backoff)
        self.http = HttpClient(self.name, policy=policy, timeout=opts.timeout, connect_timeout=opts.connect_timeout,
                               check=self.check, rate_limit=opts.rate_limit)  # fmt: skip

    @staticmethod
    def check(response: requests.Response) -> None:
        """Raise the vendor's typed error for an error answer; let a good one pass."""
        raise NotImplementedError

    @classmethod
    def unavailable_reason(cls, options: EngineOptions | None = None) -> str | None:
        """The base checks (dependencies, secrets, required settings), then the URL and the credential."""
        reason = super().unavailable_reason(options)
        if reason:
            return reason
        opts = options if isinstance(options, HttpOptions) else cls.Options()
        assert isinstance(opts, HttpOptions)
        if not opts.url:
            return f"missing settings: {opts.URL_FIELD} (in the profile, or ${opts.URL_ENV})"
        missing = opts.credential.missing_reason()
        if missing:
            return f"missing credentials: {opts.KEY_FIELD} from {missing}"
        return None

    def close(self) -> None:
        self.http.close()
