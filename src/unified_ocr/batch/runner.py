"""Many images through one engine setup: concurrent, rate-limited, retried, cached, resumable.

:func:`recognize_many` keeps a bounded number of images in flight on any
``concurrent.futures.Executor`` (threads by default; a Dask ``distributed`` client's
executor carries it past one machine), so memory stays flat however many sources there
are. Each image goes through :func:`~unified_ocr.api.recognize` with the result cache, so
an image already done with the same setup costs no call. A :class:`~.journal.Journal`
records every finished image; a second run skips what it holds as done. A run of
authentication failures stops the batch instead of burning through every image.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import attrs

from ..api import ConfigLike, EngineChoice, EngineLike, choose_engine, recognize_recorded
from ..engines.calls import CallRecord, metered
from ..engines.scope import EngineScope
from ..errors import AuthenticationError, ConfigError, OutputError, UnifiedOcrError
from ..imaging.pdf import DEFAULT_DPI
from ..imaging.sources import SourceLike, open_source
from ..model import OcrResult
from .cache import ResultCache
from .journal import Journal

#: Authentication failures in a row that stop a batch.
AUTH_FAILURES_TO_STOP = 3


class BatchAbortedError(UnifiedOcrError):
    """The batch stopped early (a run of authentication failures); what finished is kept."""


@attrs.frozen(slots=True)
class Outcome:
    """One finished image: its result or its error, and beside it the record of what it cost."""

    source: str
    result: OcrResult | None
    error: BaseException | None
    sha256: str | None = None
    record: CallRecord = CallRecord()

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def attempts(self) -> int:
        """Calls made to the engine, retries included (0 when answered from the cache, or for a bad image)."""
        return self.record.attempts

    @property
    def seconds(self) -> float:
        return self.record.seconds

    @property
    def cached(self) -> bool:
        return self.record.cached

    def __iter__(self) -> Iterator[Any]:
        """Unpacks as ``(source, result_or_error)``."""
        yield self.source
        yield self.result if self.error is None else self.error


def recognize_one(source: SourceLike, choice: EngineChoice, dpi: float, cache_folder: str | None, scope: EngineScope) -> Outcome:
    """The task run on a worker: never raises for an image's own failure (it is the outcome)."""
    started = time.perf_counter()
    name = str(source) if isinstance(source, (str, Path)) else "<bytes>"
    sha = None
    with metered() as meter:
        try:
            src = open_source(source)
            name, sha = src.name, src.sha256()
            cache = ResultCache(cache_folder) if cache_folder is not None else None
            result, record = recognize_recorded(src, choice, dpi=dpi, cache=cache, scope=scope)
        except UnifiedOcrError as exc:
            failed = exc
        else:
            return Outcome(name, result, None, sha, record)
    return Outcome(name, None, failed, sha, meter.record(time.perf_counter() - started))  # what it cost before it failed


def recognize_many(
    sources: Iterable[SourceLike],
    engine: EngineLike = None,
    config: ConfigLike = None,
    *,
    concurrency: int = 4,
    rate_limit: float | None = None,
    retries: int | None = None,
    cache: ResultCache | str | Path | bool | None = True,
    journal: Journal | str | Path | None = None,
    executor: Executor | None = None,
    scope: EngineScope | None = None,
    dpi: float = DEFAULT_DPI,
    ordered: bool = False,
    save: Callable[[Outcome], str | None] | None = None,
) -> Iterator[Outcome]:
    """Recognise ``sources``, yielding an :class:`Outcome` per image as each finishes.

    ``rate_limit`` (calls per second) and ``retries`` override the profile's, for engines
    that have them. With a ``journal`` (a path or a :class:`~.journal.Journal`), sources it
    holds as done are skipped and every outcome is recorded as it arrives. ``executor``
    defaults to ``concurrency`` threads; with your own (a Dask ``Client.get_executor()``),
    ``concurrency`` bounds the images in flight and sources must be paths its workers can read.
    The engines live in ``scope`` (an :class:`~unified_ocr.engines.scope.EngineScope`);
    without one, the run opens its own and closes its engines when it ends. ``ordered``
    yields outcomes in the order of ``sources`` instead of as they finish.
    ``save`` is called with each successful outcome before it is journaled (so that a journal
    line marked ``ok`` always has its result written) and returns where it put it.
    """
    choice = _with_overrides(choose_engine(engine, config), rate_limit, retries)
    own_scope = scope is None
    engines = scope if scope is not None else EngineScope()
    try:
        engines.get(choice)  # a missing extra or credential fails here, before any image
        store = ResultCache() if cache is True else ResultCache(cache) if isinstance(cache, (str, Path)) else cache or None
        folder = str(store.folder) if store is not None else None
        log = Journal(journal) if isinstance(journal, (str, Path)) else journal
        done = log.done() if log is not None else set()
        own_pool = executor is None
        pool = executor or ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="unified-ocr")
        in_flight: list[Future[Outcome]] = []
        auth_failures = 0
        try:
            todo = (s for s in sources if not (isinstance(s, (str, Path)) and str(s) in done))
            for source in todo:
                while len(in_flight) >= concurrency * 2:
                    finished, in_flight = _wait_some(in_flight, ordered)
                    for done_one in finished:
                        outcome, where = _saved(done_one, save)
                        auth_failures = _note(outcome, log, where, auth_failures)
                        yield outcome
                in_flight.append(pool.submit(recognize_one, source, choice, dpi, folder, engines))
            while in_flight:
                finished, in_flight = _wait_some(in_flight, ordered)
                for done_one in finished:
                    outcome, where = _saved(done_one, save)
                    auth_failures = _note(outcome, log, where, auth_failures)
                    yield outcome
        except BatchAbortedError:
            for future in in_flight:
                future.cancel()
            raise
        finally:
            if own_pool:
                pool.shutdown(wait=True, cancel_futures=True)
            if log is not None and log is not journal:
                log.close()
    finally:
        if own_scope:
            engines.close()


def _wait_some(in_flight: list[Future[Outcome]], ordered: bool) -> tuple[list[Outcome], list[Future[Outcome]]]:
    """The outcomes ready now (in order: the finished ones at the head of the queue) and the rest."""
    if ordered:
        in_flight[0].result()  # wait for the oldest
        ready = next((i for i, f in enumerate(in_flight) if not f.done()), len(in_flight))
        return [f.result() for f in in_flight[:ready]], in_flight[ready:]
    finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
    return [f.result() for f in in_flight if f in finished], [f for f in in_flight if f not in finished]


def _saved(outcome: Outcome, save: Callable[[Outcome], str | None] | None) -> tuple[Outcome, str | None]:
    """The outcome after ``save``: a result that cannot be written makes it a failed outcome, not a crash."""
    if save is None or not outcome.ok:
        return outcome, None
    try:
        return outcome, save(outcome)
    except OSError as exc:
        error = OutputError(f"{outcome.source}: the result cannot be written ({exc.strerror or exc}: {exc.filename}); "
                            "free the space or fix the permission, then run again (the result cache answers it)")  # fmt: skip
        return attrs.evolve(outcome, error=error), None


def _note(outcome: Outcome, log: Journal | None, where: str | None, auth_failures: int) -> int:
    """Record the outcome; count authentication failures in a row and stop at the limit."""
    if log is not None:
        log.record(outcome, where)
    if isinstance(outcome.error, ConfigError):  # the setup is wrong (a credential no header can carry): every image would fail
        raise outcome.error
    if isinstance(outcome.error, AuthenticationError):
        auth_failures += 1
        if auth_failures >= AUTH_FAILURES_TO_STOP:
            raise BatchAbortedError(
                f"stopped after {auth_failures} authentication failures in a row ({outcome.error}); "
                "check the profile's credentials, then run the same command again to resume"
            )
        return auth_failures
    return 0


def _with_overrides(choice: EngineChoice, rate_limit: float | None, retries: int | None) -> EngineChoice:
    """The profile's options with the batch's rate limit and retries, where the engine has them."""
    fields = {f.name for f in attrs.fields(type(choice.options))}
    changes: dict[str, Any] = {}
    if rate_limit is not None and "rate_limit" in fields:
        changes["rate_limit"] = rate_limit
    if retries is not None and "retries" in fields:
        changes["retries"] = retries
    if not changes:
        return choice
    try:
        return attrs.evolve(choice, options=attrs.evolve(choice.options, **changes))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{choice.label}: {exc}") from None
