"""A batch run into an output folder, resumable: what ``unified-ocr batch --out DIR`` does.

::

    DIR/results/NAME.HASH.json   one result per image that succeeded (written before its journal line)
    DIR/journal.jsonl            one line per finished image; a second run skips what it holds as done
    DIR/summary.json             the counts of the last run
    DIR/.unified-ocr.lock        held while a run writes here: a second run on the folder is refused

One run at a time writes into a folder: two would both pay for every image and interleave
their journals. The lock is an OS file lock (through ``filelock``), so it is released when
the holding process ends, however it ends; who holds it is written beside it, for the message.

Results are named after the image's stem and the first 12 hex digits of its content hash,
never after anything the engine read, so that same-named images of different folders do
not collide and a name is always safe on disk (a stem that is not UTF-8 is written with
U+FFFD for its undecodable bytes; the hash tells such names apart).

A rerun skips what is done and what failed because of the image itself (the journal's
cause ``image``), unless ``retry_failed``; failures the user can put right (credentials,
quota, permission) and transient ones are tried again.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import attrs
from filelock import FileLock, Timeout

from ..config.choice import ConfigLike, EngineLike
from ..engines.scope import EngineScope
from ..errors import ConfigError
from ..files import json_text, write_bytes_atomic, write_text_atomic
from ..imaging.sources import IMAGE_SUFFIXES, display_path
from .inputs import expand_inputs
from .journal import Journal
from .options import RunOptions
from .progress import BatchProgress
from .runner import BatchAbortedError, Outcome, recognize_many

RESULTS = "results"
JOURNAL = "journal.jsonl"
SUMMARY = "summary.json"
LOCK = ".unified-ocr.lock"
HOLDER = ".unified-ocr.holder.json"


class FolderInUseError(ConfigError):
    """Another run is writing into the output folder."""


@attrs.frozen(slots=True)
class BatchReport:
    """How a run into a folder ended: the summary written to ``summary.json``, its lines for a
    person, and the reason it stopped early, if it did."""

    summary: dict[str, Any]
    lines: list[str]
    aborted: BatchAbortedError | None = None
    #: the journal's entries, as earlier runs left them, of the images this run skipped
    earlier: dict[str, dict[str, Any]] = attrs.field(factory=dict)

    @property
    def ok(self) -> bool:
        return self.aborted is None and not self.summary["failed"]


def result_name(outcome: Outcome) -> str:
    """``STEM.HASH12.json`` for a successful outcome."""
    assert outcome.sha256 is not None
    return f"{display_path(Path(outcome.source).stem) or 'image'}.{outcome.sha256[:12]}.json"


def run_batch(
    inputs: Iterable[str | Path],
    out: str | os.PathLike[str],
    engine: EngineLike = None,
    config: ConfigLike = None,
    options: RunOptions | None = None,
    *,
    stream: IO[str] | None = None,
    exports: Sequence[Any] = (),
    label: str | None = None,
    position: int | None = None,
    stop: threading.Event | None = None,
    scope: EngineScope | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    **run_options: Any,
) -> BatchReport:
    """Recognise the images of ``inputs`` (files, folders, lists of paths) into folder ``out``.

    ``options`` is the run's :class:`~.options.RunOptions` (or name them as keywords:
    ``concurrency=8, cache=False``). Progress goes to ``stream`` (stderr by default: a bar on
    a terminal, a line per image otherwise). Running it again with the same folder skips what
    is done and retries what failed (with ``retry_failed=False`` only those that failed
    transiently). An interrupt (Ctrl-C) leaves the journal valid up to the last finished image;
    so does setting ``stop``. ``label`` and ``position`` tell this run's progress apart from
    others' running beside it. The engine comes from ``scope`` when given (a caller that checked
    it before the run keeps the one it built: the offline engine's models load once), else from
    a scope of the run's own. ``on_outcome`` sees each outcome once it is journaled (the
    readings of a comparison are made from them, not read back from the files just written);
    what earlier runs did is in the report's ``earlier``.
    """
    run = RunOptions.merged(options, **run_options)
    inputs = list(inputs)
    paths = list(expand_inputs(inputs))  # walked once: checked, counted and run from the same list
    if not paths:
        raise ConfigError(
            f"no images in {', '.join(map(str, inputs)) or 'the inputs'}: folders are searched for "
            f"{' '.join(sorted(IMAGE_SUFFIXES))}; a list (.txt, .lst) names one path per line"
        )
    folder = Path(out)
    with hold_folder(folder):
        results = folder / RESULTS
        journal = Journal(folder / JOURNAL)
        done = journal.done() if run.retrying_failed(True) else journal.settled()
        dropped = journal.dropped  # a kill mid-write leaves a torn line; it is dropped, and said
        succeeded = journal.done()
        counts = Counter("done" if path in succeeded else "failed" if path in done else "to do" for path in paths)
        progress = BatchProgress(counts["to do"], skipped=counts["done"], skipped_failed=counts["failed"], stream=stream,
                                 label=label, position=position)  # fmt: skip

        def save(outcome: Outcome) -> str:
            assert outcome.result is not None
            name = result_name(outcome)
            for exporter in exports:  # beside the JSON, and before the journal line: a done image has all its files
                for ending, content in exporter.outputs(outcome.result):  # a file per page or table, for some formats
                    target = results / (name.removesuffix(".json") + ending)
                    if isinstance(content, bytes):
                        write_bytes_atomic(target, content)
                    else:
                        write_text_atomic(target, content)
            write_text_atomic(results / name, json_text(outcome.result.to_dict()))
            return f"{RESULTS}/{name}"

        aborted = None
        try:
            for outcome in recognize_many(paths, engine, config, run, journal=journal, save=save, stop=stop, scope=scope):
                progress.add(outcome)
                if on_outcome is not None:
                    on_outcome(outcome)
        except BatchAbortedError as exc:
            aborted = exc
        except KeyboardInterrupt:
            _write_summary(folder, {**progress.summary(), "interrupted": True})
            raise
        finally:
            progress.close()
            journal.close()
        summary = {**progress.summary(), "journal_lines_dropped": dropped, "interrupted": False}
        lines = progress.summary_lines()
        unwritten = _write_summary(folder, summary)
        if unwritten:
            lines.append(unwritten)
        if dropped:
            lines.append(f"journal: {dropped} damaged or torn line(s) dropped; those images were done again")
        earlier = {path: journal.earlier()[path] for path in paths if path in done}
        return BatchReport(summary, lines, aborted, earlier)


@contextmanager
def hold_folder(folder: Path, inner: str = RESULTS, resumes: str = "it resumes from the same journal") -> Iterator[None]:
    """Hold the folder's lock for the run; refuse at once, naming the holder, when another run has it.
    Other jobs writing into an output folder take it too (``inner``: the subfolder made first, ``""`` for
    none; ``resumes``: what waiting gives)."""
    try:
        (folder / inner).mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(folder / LOCK), timeout=0)
        lock.acquire()
    except Timeout:
        raise FolderInUseError(
            f"{folder}: another run is writing into this folder ({_holder(folder)}); "
            f"wait for it to end ({resumes}), or give another --out"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{folder}: cannot write results here ({exc.strerror or exc}); give another --out") from None
    try:
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        write_text_atomic(folder / HOLDER, json_text(holder))
        yield
    finally:
        (folder / HOLDER).unlink(missing_ok=True)
        lock.release()


def _write_summary(folder: Path, summary: dict[str, Any]) -> str | None:
    """Write ``summary.json``; on a full disk or a lost permission, say so instead of ending in a
    traceback after the work is done (the journal already holds every image's state)."""
    try:
        write_text_atomic(folder / SUMMARY, json_text(summary, indent=2))
    except OSError as exc:
        return f"{folder / SUMMARY}: cannot be written ({exc.strerror or exc}); the journal holds every image's state"
    return None


def _holder(folder: Path) -> str:
    try:
        holder = json.loads((folder / HOLDER).read_text(encoding="utf-8"))
        return f"process {holder['pid']} on {holder['host']}, since {holder['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that has not said who it is yet"
