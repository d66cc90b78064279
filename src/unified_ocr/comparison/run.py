"""Running every engine of a comparison over the same images, through the batch runner.

With an output folder each engine runs as a ``batch`` into ``DIR/runs/<profile>-<hash>/``
(the hash of its options, so changed options start afresh): its own journal, results and
lock, so an interrupted comparison resumes and a finished one is read back with no call. An
image that failed for good (a refusal that would come again) is not tried again on a rerun;
one that failed transiently is. Without one (the Python API with no ``out``), each runs through
:func:`~unified_ocr.batch.recognize_many`; the result cache still answers what was read before.
Either way one engine failing on an image is a :class:`Reading` with an error, never the end.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
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
    """Every engine's reading of every image (in the images' order), and the calls each made in this run."""
    readings: dict[str, list[Reading]] = {}
    calls: dict[str, int] = {}
    for choice in choices:
        if out is not None:
            readings[choice.label], calls[choice.label] = _read_into(out / RUNS / run_folder(choice), images, choice, config,
                                                                     batch_options, stream)  # fmt: skip
        else:
            outcomes = list(recognize_many(images, choice, config, ordered=True, **batch_options))
            readings[choice.label] = [
                Reading(o.source if not o.ok else images[k], choice.label, o.result,
                        None if o.ok else type(o.error).__name__, None if o.ok else str(o.error), o.seconds, o.attempts, o.cached)
                for k, o in enumerate(outcomes)
            ]  # fmt: skip
            calls[choice.label] = sum(o.attempts for o in outcomes)
    return readings, calls


def _read_into(folder: Path, images: Sequence[str], choice: EngineChoice, config: ConfigLike,
               batch_options: dict[str, Any], stream: IO[str] | None) -> tuple[list[Reading], int]:  # fmt: skip
    """One engine as a resumable batch into ``folder``; its readings rebuilt from the journal."""
    stream = stream if stream is not None else sys.stderr
    print(f"{choice.label}: reading {len(images)} image(s) into {folder}", file=stream)
    report = run_batch(images, folder, choice, config, stream=stream, retry_failed=False, **batch_options)
    for line in report.lines:
        print(f"  {line}", file=stream)
    if report.aborted is not None:
        print(f"  {choice.label}: stopped early: {report.aborted}", file=stream)
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
    return readings, int(report.summary.get("calls", 0))


def run_folder(choice: EngineChoice) -> str:
    """``<profile>-<8 hex digits of the engine's fingerprint>``: a profile whose options change
    (another model, another language) gets a run of its own instead of the old run's results."""
    fingerprint = json.dumps(choice.engine.fingerprint(choice.options), sort_keys=True, default=str)
    return f"{safe_name(choice.label)}-{hashlib.sha256(fingerprint.encode()).hexdigest()[:8]}"


def safe_name(label: str) -> str:
    """A profile name as a folder name: anything but letters, digits, ``-`` and ``_`` becomes ``_``."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in label) or "engine"
