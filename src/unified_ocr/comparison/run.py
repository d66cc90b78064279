"""Running every engine of a comparison over the same images, through the batch runner.

With an output folder each engine runs as a ``batch`` into ``DIR/runs/<profile>-<hash>/``
(the hash of its options, so changed options start afresh): its own journal, results and
lock, so an interrupted comparison resumes and a finished one is read back with no call. An
image that failed because of the image itself (damaged, too large, unreadable by the
service) is not tried again on a rerun unless ``retry_failed`` is among the batch options;
one that failed because of the setup (a refused key, a used-up quota, a permission) or
transiently is, so a run with a wrong secret is put right by fixing it and running again. Without one (the Python API with no ``out``), each runs through
:func:`~unified_ocr.batch.recognize_many`; the result cache still answers what was read before.
Either way one engine failing on an image is a :class:`Reading` with an error, never the end.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import IO, Any

import attrs

from ..batch import recognize_many
from ..batch.folder import run_batch
from ..batch.journal import Journal
from ..config.choice import ConfigLike, EngineChoice, EngineLike, choose_engine
from ..errors import ConfigError
from ..model import OcrResult

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


def read_all(
    images: Sequence[str], choices: Sequence[EngineChoice], config: ConfigLike, *, out: Path | None,
    batch_options: dict[str, Any], stream: IO[str] | None = None,
) -> tuple[dict[str, list[Reading]], dict[str, int]]:  # fmt: skip
    """Every engine's reading of every image (in the images' order), and the calls each made in this run.

    The engines read side by side, a thread each (each with its own concurrency and rate
    limit): a comparison takes as long as its slowest engine, not as long as all of them
    together. Ctrl-C stops every one of them once its images in flight are done; each
    journal stays valid, so the same command resumes.
    """
    stream = stream if stream is not None else sys.stderr
    stop = threading.Event()
    several = len(choices) > 1
    if out is not None:
        for choice in choices:
            print(f"{choice.label}: reading {len(images)} image(s) into {out / RUNS / run_folder(choice)}", file=stream)

    def read(k: int, choice: EngineChoice) -> tuple[list[Reading], int, list[str]]:
        if out is not None:
            return _read_into(out / RUNS / run_folder(choice), images, choice, config, batch_options, stream,
                              position=k if several else None, stop=stop)  # fmt: skip
        outcomes = list(recognize_many(images, choice, config, ordered=True, stop=stop, **batch_options))
        readings = [
            Reading(o.source if not o.ok else images[n], choice.label, o.result,
                    None if o.ok else type(o.error).__name__, None if o.ok else str(o.error), o.seconds, o.attempts, o.cached)
            for n, o in enumerate(outcomes)
        ]  # fmt: skip
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
    readings: dict[str, list[Reading]] = {}
    calls: dict[str, int] = {}
    for choice, (read_, made, lines) in zip(choices, done):
        readings[choice.label], calls[choice.label] = read_, made
        for line in lines:
            print(line, file=stream)
    return readings, calls


def _read_into(folder: Path, images: Sequence[str], choice: EngineChoice, config: ConfigLike,
               batch_options: dict[str, Any], stream: IO[str], position: int | None,
               stop: threading.Event) -> tuple[list[Reading], int, list[str]]:  # fmt: skip
    """One engine as a resumable batch into ``folder``: its readings rebuilt from the journal,
    the calls it made, and its report's lines (said once every engine has ended)."""
    label = choice.label if position is not None else None
    options = {"retry_failed": False, **batch_options}
    report = run_batch(images, folder, choice, config, stream=stream, label=label, position=position, stop=stop, **options)
    lines = [f"{choice.label}:"] + [f"  {line}" for line in report.lines]
    if report.aborted is not None:
        lines.append(f"  {choice.label}: stopped early: {report.aborted}")
    entries = Journal(folder / "journal.jsonl").last_entries()
    readings = []
    for image in images:
        entry = entries.get(image)
        if entry is None:  # not reached: the run stopped early (an authentication failure)
            reason = str(report.aborted) if report.aborted else "not read"
            readings.append(Reading(image, choice.label, None, "NotRead", reason))
            continue
        result = None
        if entry.get("status") == "ok" and entry.get("result"):
            try:
                result = OcrResult.from_dict(json.loads((folder / entry["result"]).read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                readings.append(Reading(image, choice.label, None, "ResultUnreadable", f"{entry['result']}: {exc}"))
                continue
        error = entry.get("error") or {}
        readings.append(Reading(image, choice.label, result, error.get("type"), error.get("message"),
                                float(entry.get("seconds") or 0.0), int(entry.get("attempts") or 0), bool(entry.get("cached"))))  # fmt: skip
    return readings, int(report.summary.get("calls", 0)), lines


def run_folder(choice: EngineChoice) -> str:
    """``<profile>-<8 hex digits of the engine's fingerprint>``: a profile whose options change
    (another model, another language) gets a run of its own instead of the old run's results."""
    fingerprint = json.dumps(choice.engine.fingerprint(choice.options), sort_keys=True, default=str)
    return f"{safe_name(choice.label)}-{hashlib.sha256(fingerprint.encode()).hexdigest()[:8]}"


def safe_name(label: str) -> str:
    """A profile name as a folder name: anything but letters, digits, ``-`` and ``_`` becomes ``_``."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in label) or "engine"
