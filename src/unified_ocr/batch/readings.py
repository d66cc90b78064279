"""Reading one set of images with several engines side by side: the step compare and dataset share.

::

    engines = choose_engines(["rapidocr", "clova"], config)      # each checked before any call
    readings = read_set(images, engines, config, RunOptions(), out=Path("cmp"))
    readings.of("clova")[3].result                                 # the 4th image, as clova read it

With an output folder each engine runs as a ``batch`` into ``DIR/runs/<profile>-<hash>/``
(the hash of its options, so changed options start afresh): its own journal, results, lock,
scope, rate limit and cache, so an interrupted set resumes and a finished one is read back
with no call. The images earlier runs finished come from each journal, read once; the ones
this run reads come from the run itself, never read back from the files it just wrote. An
image that failed because of the image itself (damaged, too large, unreadable by the service)
is not tried again on a rerun unless ``retry_failed``; one that failed because of the setup
(a refused key, a used-up quota, a permission) or transiently is, so a run with a wrong secret
is put right by fixing it and running again. Without a folder (the Python API with no
``out``), each engine runs through :func:`~.runner.recognize_many`; the result cache still
answers what was read before. Either way one engine failing on an image is a
:class:`Reading` with an error, never the end.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import IO, Any

import attrs

from ..config.choice import ConfigLike, EngineChoice, EngineLike, choose_engine
from ..errors import ConfigError
from ..model import OcrResult
from .folder import run_batch
from .options import RunOptions
from .runner import Outcome, recognize_many

#: The folder, inside a job's output folder, that holds one batch run per engine.
RUNS = "runs"


@attrs.frozen(slots=True)
class Reading:
    """One engine's reading of one image: the result or why there is none, and what it cost."""

    source: str
    engine: str  # the profile or engine name
    result: OcrResult | None
    error_type: str | None = None
    error: str | None = None
    seconds: float = 0.0
    attempts: int = 0  # calls made for it (retries included); 0 when the cache answered
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.result is not None

    @classmethod
    def of(cls, outcome: Outcome, engine: str) -> Reading:
        """From the runner's outcome: the result without the vendor's raw answer (a set of ten
        thousand images is held in memory; the raw answers stay in the cache)."""
        error = outcome.error
        result = attrs.evolve(outcome.result, raw=None) if outcome.result is not None else None
        return cls(outcome.source, engine, result, None if error is None else type(error).__name__,
                   None if error is None else str(error), round(outcome.seconds, 4), outcome.attempts, outcome.cached)  # fmt: skip

    @classmethod
    def from_journal(cls, entry: dict[str, Any], engine: str, folder: Path) -> Reading:
        """From an earlier run's journal line (and its result file, for an image done)."""
        source, result = entry["source"], None
        if entry.get("status") == "ok" and entry.get("result"):
            try:
                result = OcrResult.from_dict(json.loads((folder / entry["result"]).read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                return cls(source, engine, None, "ResultUnreadable", f"{entry['result']}: {exc}")
        error = entry.get("error") or {}
        return cls(source, engine, result, error.get("type"), error.get("message"), float(entry.get("seconds") or 0.0),
                   int(entry.get("attempts") or 0), bool(entry.get("cached")))  # fmt: skip


@attrs.frozen(slots=True)
class Readings:
    """Every engine's reading of every image, in the images' order, and the calls each made in this run."""

    images: list[str]
    by_engine: dict[str, list[Reading]]
    calls: dict[str, int]

    def of(self, engine: str) -> list[Reading]:
        return self.by_engine[engine]

    def __iter__(self) -> Iterator[tuple[str, dict[str, Reading]]]:
        """``(image, {engine: reading})`` per image, in order."""
        for k, image in enumerate(self.images):
            yield image, {engine: readings[k] for engine, readings in self.by_engine.items()}


def choose_engines(engines: Sequence[EngineLike], config: ConfigLike) -> list[EngineChoice]:
    """Resolve every engine and check each can run here, before any image is read or call made."""
    if not engines:
        raise ConfigError("name the engines to compare: --engine A --engine B (profiles or installed engines)")
    choices = [choose_engine(e, config) for e in engines]
    labels = [c.label for c in choices]
    twice = sorted({label for label in labels if labels.count(label) > 1})
    if twice:
        raise ConfigError(f"an engine is named twice: {', '.join(twice)}; each must be compared once")
    for choice in choices:
        reason = choice.engine.unavailable_reason(choice.options)
        if reason:
            raise ConfigError(f"engine {choice.label!r} cannot run here: {reason}")
    return choices


def read_set(
    images: Sequence[str], choices: Sequence[EngineChoice], config: ConfigLike, options: RunOptions | None = None, *,
    out: Path | None = None, stream: IO[str] | None = None,
) -> Readings:  # fmt: skip
    """Every engine's reading of every image (``images`` expanded already, once, by the caller).

    The engines read side by side, a thread each (each with its own concurrency, rate limit
    and engine scope): a set takes as long as its slowest engine, not as long as all of them
    together. Ctrl-C stops every one of them once its images in flight are done; each journal
    stays valid, so the same command resumes. Each engine's report lines are said on
    ``stream`` once every engine has ended.
    """
    run = options if options is not None else RunOptions()
    stream = stream if stream is not None else sys.stderr
    stop = threading.Event()
    several = len(choices) > 1
    if out is not None:
        for choice in choices:
            print(f"{choice.label}: reading {len(images)} image(s) into {out / RUNS / run_folder(choice)}", file=stream)

    def read(k: int, choice: EngineChoice) -> tuple[list[Reading], int, list[str]]:
        if out is not None:
            return _read_into(out / RUNS / run_folder(choice), images, choice, config, run, stream,
                              position=k if several else None, stop=stop)  # fmt: skip
        outcomes = list(recognize_many(images, choice, config, run, ordered=True, stop=stop))
        readings = [Reading.of(attrs.evolve(o, source=images[n]) if o.ok else o, choice.label) for n, o in enumerate(outcomes)]
        return readings, sum(o.attempts for o in outcomes), []

    with ThreadPoolExecutor(max_workers=max(1, len(choices)), thread_name_prefix="unified-ocr-engine") as pool:
        futures = [pool.submit(read, k, choice) for k, choice in enumerate(choices)]
        try:
            while wait(futures, timeout=0.2).not_done:  # awake now and then: Ctrl-C is seen at once, not when all end
                pass
            done = [future.result() for future in futures]
        except BaseException:
            stop.set()  # Ctrl-C, or one engine's run failed outright: the others end their images in flight and stop
            raise
    by_engine: dict[str, list[Reading]] = {}
    calls: dict[str, int] = {}
    for choice, (readings, made, lines) in zip(choices, done):
        by_engine[choice.label], calls[choice.label] = readings, made
        for line in lines:
            print(line, file=stream)
    return Readings(list(images), by_engine, calls)


def _read_into(folder: Path, images: Sequence[str], choice: EngineChoice, config: ConfigLike, run: RunOptions,
               stream: IO[str], position: int | None, stop: threading.Event) -> tuple[list[Reading], int, list[str]]:  # fmt: skip
    """One engine as a resumable batch into ``folder``: its readings (this run's from its outcomes,
    earlier runs' from the journal), the calls it made, and its report's lines."""
    label = choice.label if position is not None else None
    run = attrs.evolve(run, retry_failed=run.retrying_failed(False))  # an image that cannot be read is not paid for twice
    this_run: dict[str, Reading] = {}
    report = run_batch(images, folder, choice, config, run, stream=stream, label=label, position=position, stop=stop,
                       on_outcome=lambda o: this_run.__setitem__(o.source, Reading.of(o, choice.label)))  # fmt: skip
    lines = [f"{choice.label}:"] + [f"  {line}" for line in report.lines]
    if report.aborted is not None:
        lines.append(f"  {choice.label}: stopped early: {report.aborted}")
    readings = []
    for image in images:
        if image in this_run:
            readings.append(this_run[image])
        elif image in report.earlier:
            readings.append(Reading.from_journal(report.earlier[image], choice.label, folder))
        else:  # not reached: the run stopped early (an authentication failure, an interrupt)
            reason = str(report.aborted) if report.aborted else "not read"
            readings.append(Reading(image, choice.label, None, "NotRead", reason))
    return readings, int(report.summary.get("calls", 0)), lines


def run_folder(choice: EngineChoice) -> str:
    """``<profile>-<8 hex digits of the engine's fingerprint>``: a profile whose options change
    (another model, another language) gets a run of its own instead of the old run's results."""
    fingerprint = json.dumps(choice.engine.fingerprint(choice.options), sort_keys=True, default=str)
    return f"{safe_name(choice.label)}-{hashlib.sha256(fingerprint.encode()).hexdigest()[:8]}"


def safe_name(label: str) -> str:
    """A profile name as a folder name: anything but letters, digits, ``-`` and ``_`` becomes ``_``."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in label) or "engine"
