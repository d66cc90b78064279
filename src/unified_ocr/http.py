"""Posting to a vendor's HTTP API: sessions, timeouts, retries, and errors that carry no secret.

Each vendor plugin says how to read its error bodies (``check``); everything else about a
call is shared: one ``requests`` session per thread (connection reuse without sharing a
session across threads), connect and read timeouts, transport failures turned into
:class:`~.errors.NetworkError`, and the :class:`~.retry.RetryPolicy` around it all.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

import requests

from .errors import BadResponseError, NetworkError
from .ratelimit import RateLimiter
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
            session = self._local.session = requests.Session()
        return session

    def post_json(self, url: str, *, headers: Mapping[str, str], **body: Any) -> tuple[Any, int]:
        """POST (``data=``, ``json=`` or ``files=``) and return the decoded JSON answer and the tries made."""

        def once() -> Any:
            if self.limiter is not None:
                self.limiter.acquire()
            try:
                response = self.session.post(url, headers=dict(headers), timeout=self.timeout, **body)
            except requests.Timeout as exc:
                raise NetworkError(f"no answer within {self.timeout[1]:g} s ({type(exc).__name__})", vendor=self.vendor) from None
            except requests.RequestException as exc:
                raise NetworkError(f"request failed: {_describe(exc)}", vendor=self.vendor) from None
            self.check(response)
            return decode_json(response, self.vendor)

        return self.policy.call(once)

    def close(self) -> None:
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()


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


def retry_after(response: requests.Response) -> float | None:
    """``Retry-After`` in seconds, when the server gave it as a number."""
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
