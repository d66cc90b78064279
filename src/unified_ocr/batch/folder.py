"""A batch run into an output folder, resumable: what ``unified-ocr batch --out DIR`` does.

::

    DIR/results/NAME.HASH.json   one result per image that succeeded (written before its journal line)
    DIR/journal.jsonl            one line per finished image; a second run skips what it holds as done
    DIR/summary.json             the counts of the last run

Results are named after the image's stem and the first 12 hex digits of its content hash,
never after anything the engine read, so that same-named images of different folders do
not collide and a name is always safe on disk.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import attrs

from ..config.choice import ConfigLike, EngineLike
from ..imaging.pdf import DEFAULT_DPI
from .cache import ResultCache
from .files import write_text_atomic
from .inputs import expand_inputs
from .journal import Journal
from .progress import BatchProgress
from .runner import BatchAbortedError, Outcome, recognize_many

RESULTS = "results"
JOURNAL = "journal.jsonl"
SUMMARY = "summary.json"


@attrs.frozen(slots=True)
class BatchReport:
    """How a run into a folder ended: the summary written to ``summary.json``, its lines for a
    person, and the reason it stopped early, if it did."""

    summary: dict[str, Any]
    lines: list[str]
    aborted: BatchAbortedError | None = None

    @property
    def ok(self) -> bool:
        return self.aborted is None and not self.summary["failed"]


def result_name(outcome: Outcome) -> str:
    """``STEM.HASH12.json`` for a successful outcome."""
    assert outcome.sha256 is not None
    return f"{Path(outcome.source).stem or 'image'}.{outcome.sha256[:12]}.json"


def run_batch(
    inputs: Iterable[str | Path],
    out: str | os.PathLike[str],
    engine: EngineLike = None,
    config: ConfigLike = None,
    *,
    concurrency: int = 4,
    rate_limit: float | None = None,
    retries: int | None = None,
    cache: ResultCache | bool = True,
    dpi: float = DEFAULT_DPI,
    stream: IO[str] | None = None,
) -> BatchReport:
    """Recognise the images of ``inputs`` (files, folders, lists of paths) into folder ``out``.

    Progress goes to ``stream`` (stderr by default: a bar on a terminal, a line per image
    otherwise). Running it again with the same folder skips what is done and retries what
    failed. An interrupt (Ctrl-C) leaves the journal valid up to the last finished image.
    """
    inputs = list(inputs)  # walked twice: once to count, once to run
    folder = Path(out)
    results = folder / RESULTS
    results.mkdir(parents=True, exist_ok=True)
    journal = Journal(folder / JOURNAL)
    done = journal.done()
    dropped = journal.dropped  # a kill mid-write leaves a torn line; it is dropped, and said
    total = sum(1 for path in expand_inputs(inputs) if path not in done)
    progress = BatchProgress(total, skipped=len(done), stream=stream)

    def save(outcome: Outcome) -> str:
        assert outcome.result is not None
        name = result_name(outcome)
        write_text_atomic(results / name, json.dumps(outcome.result.to_dict(), ensure_ascii=False))
        return f"{RESULTS}/{name}"

    aborted = None
    try:
        for outcome in recognize_many(expand_inputs(inputs), engine, config, concurrency=concurrency, rate_limit=rate_limit,
                                      retries=retries, cache=cache, journal=journal, dpi=dpi, save=save):  # fmt: skip
            progress.add(outcome)
    except BatchAbortedError as exc:
        aborted = exc
    finally:
        progress.close()
        journal.close()
    summary = {**progress.summary(), "journal_lines_dropped": dropped}
    write_text_atomic(folder / SUMMARY, json.dumps(summary, indent=2))
    lines = progress.summary_lines()
    if dropped:
        lines.append(f"journal: {dropped} damaged or torn line(s) dropped; those images were done again")
    return BatchReport(summary, lines, aborted)
