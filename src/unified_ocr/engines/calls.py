"""What running an engine cost, counted beside the result and never stored inside it.

How many requests a recognition took, how many bytes went out and how long it ran describe
one run, not the text found: a cached result replayed next week must not claim last week's
seconds, and two runs of the same image must give equal results. So engines report each
request as they make it (:class:`~unified_ocr.engines.http.HttpClient` does this for every
web-service engine, retries included), whoever runs the engine counts them with
:func:`metered`, and the figures travel as a :class:`CallRecord` beside the result (in a
batch :class:`~unified_ocr.batch.runner.Outcome`, and to a comparison).

>>> with metered() as run:
...     note_request()
...     with metered() as retry_of_one_image:
...         note_request()
...         note_request()
>>> (retry_of_one_image.requests, run.requests)
(2, 3)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import attrs


@attrs.define
class Meter:
    """What one :func:`metered` block has counted so far."""

    requests: int = 0
    bytes_sent: int = 0
    upload_sizes: list[tuple[int, int]] = attrs.field(factory=list)
    billed_pages: int | None = None  # what the service said it billed, when it says (see note_billed)

    def add(self, other: Meter) -> None:
        self.requests += other.requests
        self.bytes_sent += other.bytes_sent
        self.upload_sizes.extend(other.upload_sizes)
        if other.billed_pages is not None:
            self.billed_pages = (self.billed_pages or 0) + other.billed_pages

    def record(self, seconds: float, cached: bool = False) -> CallRecord:
        """The figures as a record (of a failed call too: what it cost before it failed)."""
        return CallRecord(self.requests, round(seconds, 4), cached, self.bytes_sent, tuple(self.upload_sizes), self.billed_pages)


_current: ContextVar[Meter | None] = ContextVar("unified_ocr_meter", default=None)


def note_request() -> None:
    """Count one request to a service (each retry is one more); does nothing outside :func:`metered`."""
    meter = _current.get()
    if meter is not None:
        meter.requests += 1


def note_billed(pages: int) -> None:
    """Count the pages a service says it billed for an answer (a vendor that bills by the page,
    where one call may hold several); does nothing outside :func:`metered`."""
    meter = _current.get()
    if meter is not None:
        meter.billed_pages = (meter.billed_pages or 0) + pages


@contextmanager
def metered() -> Iterator[Meter]:
    """Count what is sent in this block, on this thread. A block inside another counts
    afresh, and adds its figures to the outer one when it ends (failing or not)."""
    outer = _current.get()
    meter = Meter()
    token = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(token)
        if outer is not None:
            outer.add(meter)


_slots: ContextVar[threading.Semaphore | None] = ContextVar("unified_ocr_call_slots", default=None)


@contextmanager
def calls_limited(slots: threading.Semaphore | None) -> Iterator[None]:
    """In this block, on this thread, each request to a service holds one of ``slots`` while it
    is on the wire (``None``: no limit). A batch shares one semaphore among its workers, so that
    the calls in flight stay within its concurrency while more workers read, prepare and parse
    images around them: a call slot never waits for an image to be read."""
    token = _slots.set(slots)
    try:
        yield
    finally:
        _slots.reset(token)


@contextmanager
def call_slot() -> Iterator[None]:
    """Hold one of the block's call slots (see :func:`calls_limited`) for one request."""
    slots = _slots.get()
    if slots is None:
        yield
        return
    with slots:
        yield


@attrs.frozen(slots=True)
class CallRecord:
    """The figures of one recognition: what it cost, not what it found."""

    attempts: int = 0  # calls made to the engine, retries included; 0 when answered from the cache
    seconds: float = 0.0  # wall time, from reading the source to the mapped result
    cached: bool = False  # answered from the result cache, no call made
    bytes_sent: int = 0  # image bytes sent, each retry counted (0 for pixels handed to an in-process engine)
    upload_sizes: tuple[tuple[int, int], ...] = ()  # (width, height) of each page as the engine saw it
    billed_pages: int | None = None  # pages the service said it billed; None when it does not say
