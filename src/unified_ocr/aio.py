"""The API for an event loop: ``await arecognize(...)`` and ``async for outcome in arecognize_many(...)``.

Both run the sync path (:func:`~unified_ocr.api.recognize`, :func:`~unified_ocr.batch.recognize_many`)
in threads, so the options, limits, cache, journal, retries, rate limits and typed errors are
the very same, and an engine that speaks HTTP waits on its socket in a thread, never on the
loop. Threads, not an async HTTP client, because measured they cost nothing that matters
(``benchmarks/async_bench.py``: 200 calls against a 200 ms emulator with 16 in flight take
1.06-1.09 times the ideal 2.6 s, as long as the same requests sent with aiohttp, and the loop
is held up 30 ms at worst on two cores) while an async transport would mean a second copy of
every vendor engine.

Bounded: at most ``concurrency`` images are being read at once, per event loop and
``concurrency`` value for :func:`arecognize`, per run for :func:`arecognize_many`. A thread
lives as long as its image: none is kept idle, none outlives its work. Cancelling the
awaiting task (a client that hung up, a timeout) cancels every image not yet sent, which then
never starts; an image already sent finishes in its thread, its answer dropped (a request on
the wire cannot be called back), and its thread ends with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
from collections.abc import AsyncIterator, Callable, Generator, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast

import attrs

from .api import ConfigLike, EngineLike, recognize
from .batch.journal import Journal
from .batch.options import RunOptions
from .batch.runner import Outcome, recognize_many
from .cache import ResultCache
from .engines.registry import Registry
from .engines.scope import EngineScope
from .errors import ConfigError
from .imaging.pdf import DEFAULT_DPI
from .imaging.sources import MAX_PIXELS, Source, SourceLike
from .model import OcrResult

__all__ = ["arecognize", "arecognize_many"]

T = TypeVar("T")

#: images in flight at once when a call names no ``concurrency`` (a run's default)
DEFAULT_CONCURRENCY = RunOptions().concurrency
THREAD_NAME = "unified-ocr-async"

_lanes: dict[tuple[asyncio.AbstractEventLoop, int], asyncio.Semaphore] = {}
_lanes_lock = threading.Lock()


async def arecognize(
    source: SourceLike | Source,
    engine: EngineLike = None,
    config: ConfigLike = None,
    *,
    dpi: float = DEFAULT_DPI,
    max_pixels: int = MAX_PIXELS,
    cache: ResultCache | bool | None = None,
    registry: Registry | None = None,
    scope: EngineScope | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    lang: str | None = None,
) -> OcrResult:
    """:func:`unified_ocr.recognize` for a running event loop (FastAPI, aiohttp): the same
    arguments, result and errors, the loop free while the engine works.

    Calls on one loop that give the same ``concurrency`` share its bound: at most that many
    images are read at once, the others wait their turn (``asyncio.gather`` over 200 images
    with ``concurrency=16`` keeps 16 in flight). Cancelled while waiting its turn, an image is
    never read; cancelled while it is read, the call returns at once and the engine's answer
    is dropped when it comes.
    """
    if concurrency < 1:
        raise ConfigError(f"concurrency must be at least 1, not {concurrency}")
    lane = _lane(asyncio.get_running_loop(), concurrency)
    await lane.acquire()  # cancelled here, nothing has started
    return await _in_thread(lane, recognize, source, engine, config, dpi=dpi, max_pixels=max_pixels, cache=cache,
                            registry=registry, scope=scope, lang=lang)  # fmt: skip


async def arecognize_many(
    sources: Iterable[SourceLike],
    engine: EngineLike = None,
    config: ConfigLike = None,
    options: RunOptions | None = None,
    *,
    journal: Journal | str | Path | None = None,
    scope: EngineScope | None = None,
    ordered: bool = False,
    save: Callable[[Outcome], str | None] | None = None,
    **run_options: Any,
) -> AsyncIterator[Outcome]:
    """:func:`unified_ocr.recognize_many` for a running event loop: the same arguments and
    :class:`~unified_ocr.batch.Outcome` per image (journal, cache, rounds, rate limit, a run
    stopped by repeated authentication failures), yielded as each finishes.

    The run goes on in threads of its own: ``concurrency`` images read at once, and at most
    ``concurrency`` outcomes waiting for the loop to take them, so a slow consumer holds the
    run back instead of piling results up. Leaving the ``async for`` early, or cancelling the
    task, cancels every image not yet sent (with the run's own threads; an ``executor`` of
    yours is left running what it was given) and ends the threads once the images already
    sent are answered; the journal records what finished.
    """
    run = RunOptions.merged(options, **run_options)
    own_pool = run.executor is None
    pool = ThreadPoolExecutor(max_workers=run.concurrency, thread_name_prefix=THREAD_NAME) if own_pool else run.executor
    own_scope = scope is None
    engines = scope if scope is not None else EngineScope()  # closed only once the threads using it are done
    loop = asyncio.get_running_loop()
    handed: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    room = threading.Semaphore(run.concurrency)  # outcomes the loop may hold before the run waits for it
    stop = threading.Event()

    def hand(kind: str, value: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody is waiting
            loop.call_soon_threadsafe(handed.put_nowait, (kind, value))

    def drive() -> None:
        try:
            run_ = attrs.evolve(run, executor=pool)
            run_many = recognize_many(sources, engine, config, run_, journal=journal, scope=engines, ordered=ordered,
                                      save=save, stop=stop)  # fmt: skip
            with contextlib.closing(cast("Generator[Outcome, None, None]", run_many)) as outcomes:
                for outcome in outcomes:
                    room.acquire()
                    if stop.is_set():
                        return
                    hand("outcome", outcome)
        except BaseException as exc:  # the run's own error (a setup refused, a run aborted), raised in the loop
            if not stop.is_set():
                hand("error", exc)
            return
        finally:
            if own_pool:
                pool.shutdown(wait=True, cancel_futures=True)  # type: ignore[union-attr]
            if own_scope:
                engines.close()
        hand("end", None)

    threading.Thread(target=contextvars.copy_context().run, args=(drive,), name=f"{THREAD_NAME}-run").start()
    try:
        while True:
            kind, value = await handed.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            room.release()
            yield value
    finally:
        stop.set()
        if own_pool:
            pool.shutdown(wait=False, cancel_futures=True)  # type: ignore[union-attr]  # images not yet sent never start
        room.release()  # a run waiting for room wakes, sees the stop and ends


def _lane(loop: asyncio.AbstractEventLoop, concurrency: int) -> asyncio.Semaphore:
    """The bound shared by this loop's calls of one ``concurrency``; lanes of closed loops are dropped."""
    with _lanes_lock:
        lane = _lanes.get((loop, concurrency))
        if lane is None:
            for key in [key for key in _lanes if key[0].is_closed()]:
                del _lanes[key]
            lane = _lanes[(loop, concurrency)] = asyncio.Semaphore(concurrency)
        return lane


async def _in_thread(lane: asyncio.Semaphore, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a thread of its own (with the caller's context variables), its
    place in ``lane`` given back when the thread ends, not when the caller stops waiting: the
    bound holds for threads at work, cancelled callers or not."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[T] = loop.create_future()
    context = contextvars.copy_context()

    def settle(value: Any, error: BaseException | None) -> None:  # on the loop
        lane.release()
        if done.cancelled():
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(value)

    def work() -> None:
        value, error = None, None
        try:
            value = context.run(fn, *args, **kwargs)
        except BaseException as exc:  # handed to the caller as raised: the same typed errors
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody is waiting
            loop.call_soon_threadsafe(settle, value, error)

    try:
        threading.Thread(target=work, name=THREAD_NAME).start()
    except BaseException:
        lane.release()
        raise
    return await done
