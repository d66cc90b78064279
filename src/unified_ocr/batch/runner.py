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

import heapq
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import attrs

from ..api import ConfigLike, EngineChoice, EngineLike, choose_engine, recognize_recorded
from ..cache import ResultCache
from ..engines.calls import CallRecord, calls_limited, metered
from ..engines.http import HttpEngine
from ..engines.operations import operations_kept_in
from ..engines.scope import EngineScope
from ..errors import AuthenticationError, ConfigError, OutputError, ProviderError, UnifiedOcrError
from ..imaging.sources import SourceLike, open_source
from ..model import OcrResult
from .journal import Journal
from .options import RunOptions

#: Authentication failures in a row that stop a batch.
AUTH_FAILURES_TO_STOP = 3
#: The folder, inside the result cache's, where engines keep operations accepted but not yet collected.
OPERATIONS_FOLDER = "operations"


def spare_workers(concurrency: int) -> int:
    """Workers beyond the calls in flight, for a web service: while ``concurrency`` calls are on
    the wire these read, probe and prepare the next images and parse the last answers, so that no
    call slot waits for that work (a worker per slot ran at 0.97 of the rate with them)."""
    return max(2, concurrency // 4)


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
    rounds: int = 1  # rounds it took: more than one when transient failures sent it back to the queue

    @property
    def gave_up(self) -> bool:
        """Failed with a transient error (a storm that did not clear in time), not for good."""
        return isinstance(self.error, ProviderError) and self.error.retryable

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


def recognize_one(source: SourceLike, choice: EngineChoice, dpi: float, cache_folder: str | None, scope: EngineScope,
                  slots: threading.Semaphore | None = None) -> Outcome:  # fmt: skip
    """The task run on a worker: never raises for an image's own failure (it is the outcome).
    With ``slots``, each request to the service holds one of them while on the wire."""
    started = time.perf_counter()
    name = str(source) if isinstance(source, (str, Path)) else "<bytes>"
    sha = None
    # an accepted long-running operation is kept beside the cache, so that a rerun collects it instead of paying again
    kept = os.path.join(cache_folder, OPERATIONS_FOLDER) if cache_folder is not None else None
    with metered() as meter, operations_kept_in(kept), calls_limited(slots):
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
    options: RunOptions | None = None,
    *,
    journal: Journal | str | Path | None = None,
    scope: EngineScope | None = None,
    ordered: bool = False,
    save: Callable[[Outcome], str | None] | None = None,
    stop: threading.Event | None = None,
    **run_options: Any,
) -> Iterator[Outcome]:
    """Recognise ``sources``, yielding an :class:`Outcome` per image as each finishes.

    ``options`` is the run's :class:`~.options.RunOptions` (concurrency, rate limit, retries,
    rounds, cache, dpi, executor); a caller may name them as keywords instead
    (``concurrency=8, cache=False``). ``rate_limit`` (calls per second) and ``retries`` override
    the profile's, for engines that have them. With a ``journal`` (a path or a
    :class:`~.journal.Journal`), sources it holds as done are skipped and every outcome is
    recorded as it arrives. The executor defaults to ``concurrency`` threads; for a web
    service, a few more, while the calls on the wire at once stay within ``concurrency``
    (the spare threads read the next images and parse the last answers, so that no call
    waits for them). With your own executor (a Dask ``Client.get_executor()``),
    ``concurrency`` bounds the images in flight and sources must be paths its workers can read.
    The engines live in ``scope`` (an :class:`~unified_ocr.engines.scope.EngineScope`);
    without one, the run opens its own and closes its engines when it ends. ``ordered``
    yields outcomes in the order of ``sources`` instead of as they finish.
    An image whose transient failures (rate limits, 5xx, dropped connections) outlast the
    engine's own retries goes back to the queue for up to ``rounds`` later rounds, the
    first ``round_wait`` seconds later and each wait twice the last, so that a storm which
    clears ends with every image done; the journal records every round (not with ``ordered``,
    which keeps each image in its place).
    ``save`` is called with each successful outcome before it is journaled (so that a journal
    line marked ``ok`` always has its result written) and returns where it put it. With
    ``retry_failed=False`` a journal's images that failed for good (not transiently) are
    skipped too, as the done ones are. Setting ``stop`` (from another thread: a run among
    others that the user interrupted) ends the run as Ctrl-C does, by raising
    :class:`KeyboardInterrupt` here, once the images in flight are done.
    """
    run = RunOptions.merged(options, **run_options)
    concurrency, dpi, round_wait = run.concurrency, run.dpi, run.round_wait
    choice = _with_overrides(choose_engine(engine, config), run.rate_limit, run.retries)
    own_scope = scope is None
    engines = scope if scope is not None else EngineScope()
    try:
        engines.get(choice)  # a missing extra or credential fails here, before any image
        folder = run.cache_folder
        log = Journal(journal) if isinstance(journal, (str, Path)) else journal
        done = (log.done() if run.retrying_failed(True) else log.settled()) if log is not None else set()
        own_pool = run.executor is None
        slots = threading.BoundedSemaphore(concurrency) if own_pool and issubclass(choice.engine, HttpEngine) else None
        workers = concurrency + spare_workers(concurrency) if slots is not None else concurrency
        pool = run.executor or ThreadPoolExecutor(max_workers=workers, thread_name_prefix="unified-ocr")
        task = (slots,) if slots is not None else ()  # a cluster's tasks are sent as they always were
        queue = _Queue(iter(s for s in sources if not (isinstance(s, (str, Path)) and str(s) in done)))
        later_rounds = 0 if ordered else run.rounds
        in_flight: list[Future[Outcome]] = []
        auth_failures = 0
        try:
            while True:
                if stop is not None and stop.is_set():
                    raise KeyboardInterrupt
                while len(in_flight) < workers * 2 and (item := queue.next_due()) is not None:
                    future = pool.submit(recognize_one, item.source, choice, dpi, folder, engines, *task)
                    in_flight.append(queue.submitted(future, item))
                if not in_flight:
                    if not queue.wait_for_round():
                        break
                    continue
                finished, in_flight = _wait_some(in_flight, ordered)
                for future, done_one in finished:
                    item = queue.finished(future)
                    outcome = item.joined(done_one)
                    if outcome.gave_up and item.round <= later_rounds:
                        if log is not None:
                            log.record(outcome, None, retrying=True)
                        queue.again(item, outcome, round_wait * 2 ** (item.round - 1))
                        continue
                    outcome, where = _saved(outcome, save)
                    auth_failures = _note(outcome, log, where, auth_failures)
                    yield outcome  # counted by the caller before the run may stop on it
                    _stop_if_hopeless(outcome, auth_failures)
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


def _wait_some(in_flight: list[Future[Outcome]], ordered: bool) -> tuple[list[tuple[Future[Outcome], Outcome]], list[Future[Outcome]]]:
    """The outcomes ready now (in order: the finished ones at the head of the queue) and the rest."""
    if ordered:
        in_flight[0].result()  # wait for the oldest
        ready = next((i for i, f in enumerate(in_flight) if not f.done()), len(in_flight))
        return [(f, f.result()) for f in in_flight[:ready]], in_flight[ready:]
    finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
    return [(f, f.result()) for f in in_flight if f in finished], [f for f in in_flight if f not in finished]


@attrs.frozen(slots=True)
class _Item:
    """A source in the queue: its round, and what its earlier rounds cost."""

    source: SourceLike
    round: int = 1
    spent: CallRecord = CallRecord()

    def joined(self, outcome: Outcome) -> Outcome:
        """The outcome of this round, its record counting every round's calls and bytes."""
        if self.round == 1:
            return outcome
        r, s = outcome.record, self.spent
        record = attrs.evolve(r, attempts=r.attempts + s.attempts, bytes_sent=r.bytes_sent + s.bytes_sent,
                              seconds=round(r.seconds + s.seconds, 4))  # fmt: skip
        return attrs.evolve(outcome, record=record, rounds=self.round)


class _Queue:
    """The sources not yet sent, and the ones sent back for a later round (due at a time)."""

    def __init__(self, sources: Iterator[SourceLike]) -> None:
        self._sources: Iterator[SourceLike] | None = sources
        self._later: list[tuple[float, int, _Item]] = []  # a heap by due time
        self._sent: dict[Future[Outcome], _Item] = {}
        self._count = 0

    def next_due(self) -> _Item | None:
        """A source sent back whose time has come, else the next new one, else ``None``."""
        if self._later and self._later[0][0] <= time.monotonic():
            return heapq.heappop(self._later)[2]
        if self._sources is not None:
            source = next(self._sources, _END)
            if source is not _END:
                return _Item(source)
            self._sources = None
        return None

    def submitted(self, future: Future[Outcome], item: _Item) -> Future[Outcome]:
        self._sent[future] = item
        return future

    def finished(self, future: Future[Outcome]) -> _Item:
        return self._sent.pop(future)

    def again(self, item: _Item, outcome: Outcome, wait: float) -> None:
        self._count += 1
        later = _Item(item.source, item.round + 1, outcome.record)
        heapq.heappush(self._later, (time.monotonic() + wait, self._count, later))

    def wait_for_round(self) -> bool:
        """Nothing in flight: sleep until the next round is due; ``False`` when nothing is left at all."""
        if not self._later:
            return False
        time.sleep(max(0.0, self._later[0][0] - time.monotonic()))
        return True


_END: Any = object()


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
    """Record the outcome; return the authentication failures in a row, this one counted."""
    if log is not None:
        log.record(outcome, where)
    return auth_failures + 1 if isinstance(outcome.error, AuthenticationError) else 0


def _stop_if_hopeless(outcome: Outcome, auth_failures: int) -> None:
    """After an outcome was handed on: stop the run when every further image would fail too."""
    if isinstance(outcome.error, ConfigError):  # the setup is wrong (a credential no header can carry)
        raise outcome.error
    if auth_failures >= AUTH_FAILURES_TO_STOP:
        raise BatchAbortedError(
            f"stopped after {auth_failures} authentication failures in a row ({outcome.error}); "
            "check the profile's credentials, then run the same command again to resume"
        )


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
