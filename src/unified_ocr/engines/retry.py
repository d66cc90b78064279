"""Retrying transient provider failures with bounded, jittered exponential backoff.

Which failures are transient is the error's own business (``ProviderError.retryable``:
rate limits, 5xx, dropped connections, timeouts, garbled bodies); how long to wait is the
policy's, except that a server's ``Retry-After`` is honoured when it asks for longer.
Built on ``tenacity``.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import TypeVar

import attrs
import tenacity

from ..errors import ProviderError

T = TypeVar("T")
log = logging.getLogger("unified_ocr.retry")


def is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, ProviderError) and exc.retryable


@attrs.frozen(slots=True)
class RetryPolicy:
    """How often and how patiently to try again. ``retries`` counts the tries after the first."""

    retries: int = attrs.field(default=3, validator=attrs.validators.ge(0))
    backoff: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))  # first wait, seconds
    max_backoff: float = attrs.field(default=30.0, validator=attrs.validators.ge(0))
    jitter: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))  # up to this many seconds added at random
    max_retry_after: float = 120.0  # a server asking for a longer wait than this gets no more

    def wait_before(self, attempt: int, exc: BaseException | None) -> float:
        """Seconds to wait after failed try number ``attempt`` (1-based); exposed for tests."""
        seconds = min(self.max_backoff, self.backoff * 2 ** (attempt - 1)) + random.uniform(0, self.jitter)
        advised = getattr(exc, "retry_after", None)
        if advised:
            seconds = max(seconds, min(float(advised), self.max_retry_after))
        return seconds

    def call(self, fn: Callable[[], T], *, sleep: Callable[[float], None] = tenacity.nap.sleep) -> tuple[T, int]:
        """Run ``fn`` until it succeeds or fails for good; returns its value and the tries made.

        The last error is raised as it is, with ``attempts`` set on it.
        """

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return self.wait_before(state.attempt_number, exc)

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.info("try %d failed (%s); trying again in %.2f s", state.attempt_number, exc, state.upcoming_sleep)

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.retries + 1),
            wait=wait,
            retry=tenacity.retry_if_exception(is_retryable),
            before_sleep=before_sleep,
            sleep=sleep,
            reraise=True,
        )
        attempts = 0

        def counted() -> T:
            nonlocal attempts
            attempts += 1
            return fn()

        try:
            return retrying(counted), attempts
        except ProviderError as exc:
            exc.attempts = attempts
            raise
