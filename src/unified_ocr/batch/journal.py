"""The batch journal: one JSON line per finished image, so that a run can stop anywhere and resume.

Each line is written whole and handed to the operating system before the next image is
counted as done, so a run killed at any moment (Ctrl-C, a kill, a crash) loses no line and
leaves a journal that is valid up to its last line (a line cut off mid-write is dropped when
the journal is next opened). Lines reach the disk itself through a background thread that
syncs whatever has been written each time it is free (one ``fsync`` for all the lines that
arrived during the last one), so the run never waits for the disk: a sync took 4-15 ms, as
long as the run took per image at 80 images a second. A power cut or a crash of the system
loses at most the lines of the last sync or two, never more than :data:`MAX_UNSYNCED`
(:meth:`Journal.record` waits for the disk beyond that): those images are sent again on
resume. :meth:`Journal.close` syncs the rest. The last line for a source
decides its state: ``ok`` is skipped on resume, ``error`` and ``retrying`` are tried again. Lines never hold a
secret: only the source, its hash, the status, the error's type, message and cause, and counts.

A failure's ``cause`` says whether running again as it is could help:

* ``image``: the image itself (empty, damaged, not an image, over the service's limits, or
  the service could not read it). The same image fails the same way, so a comparison's
  rerun leaves it *settled* (``--retry-failed`` tries it again).
* ``setup``: something the user fixes (a refused key, a used-up quota, a file that cannot
  be read for want of permission, a result that cannot be written), or ``transient``: a
  storm that outlasted every round. Both are tried again on the next run, once fixed.

Sources are keyed as the run was given them. A path that is not UTF-8 keeps its
undecodable bytes as lone surrogates; lines are written by
:func:`~unified_ocr.files.json_text`, which escapes them (``"\\udcbf"``), so the line
is valid UTF-8 and reads back as the same key: such an image is skipped on resume like any other.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from .. import errors
from ..files import json_text

log = logging.getLogger("unified_ocr.batch")

#: Lines written but not yet on disk at most: a power cut loses no more (resume sends those images again).
MAX_UNSYNCED = 16


class Finished(Protocol):
    """What the journal records of a finished image (a batch ``Outcome``)."""

    @property
    def source(self) -> str: ...
    @property
    def sha256(self) -> str | None: ...
    @property
    def error(self) -> BaseException | None: ...
    @property
    def attempts(self) -> int: ...
    @property
    def seconds(self) -> float: ...
    @property
    def cached(self) -> bool: ...
    @property
    def rounds(self) -> int: ...


def _decode(raw: bytes) -> dict[str, Any] | None:
    """One journal line as an entry, or ``None`` when it is torn, not UTF-8, not JSON or not an entry."""
    if not raw.endswith(b"\n"):
        return None
    try:
        entry = json.loads(raw.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError is a ValueError
        return None
    return entry if isinstance(entry, dict) and "source" in entry else None


#: Failures caused by the image itself: the same image fails the same way however often it is sent.
IMAGE_FAILURES: tuple[type[BaseException], ...] = (
    errors.EmptyImageError, errors.UnsupportedImageError, errors.CorruptImageError, errors.InvalidSourceError,
    errors.RequestTooLargeError, errors.ImageFailedError,
)  # fmt: skip


def cause_of(error: BaseException) -> str:
    """``image``, ``transient`` or ``setup`` (see the module's docstring). A file that cannot be
    read (missing, no permission) is ``setup``: the user can put it right."""
    if isinstance(error, IMAGE_FAILURES):
        return "image"
    return "transient" if getattr(error, "retryable", False) else "setup"


def _settled(error: Any) -> bool:
    """Whether a journaled error was caused by the image itself. Entries written before errors
    carried a cause are judged by their type's name (an unknown type is not settled)."""
    if not isinstance(error, dict):
        return False
    if "cause" in error:
        return error["cause"] == "image"
    kind = getattr(errors, str(error.get("type")), None)
    return isinstance(kind, type) and issubclass(kind, IMAGE_FAILURES)


class Journal:
    """An append-only JSONL file of outcomes."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._file: IO[str] | None = None
        self.dropped = 0  # lines the last read could not use
        self._done: set[str] | None = None  # read once, then kept up to date by record()
        self._failed: set[str] | None = None  # failed because of the image itself; read and kept with _done
        self._earlier: dict[str, dict[str, Any]] | None = None  # the last entry of each source, as the first read found it
        self._syncer: _Syncer | None = None

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every complete, readable line. A torn last line (the run was killed mid-write, maybe
        inside a multi-byte character) or a damaged line is dropped and counted in ``dropped``;
        one bad line never makes the journal unreadable."""
        self.dropped = 0
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            for raw in f:
                entry = _decode(raw)
                if entry is None:
                    self.dropped += 1
                    continue
                yield entry
        if self.dropped:
            log.warning("%s: dropped %d damaged or torn line(s); their images will be done again", self.path, self.dropped)

    def last_entries(self) -> dict[str, dict[str, Any]]:
        """The last entry of each source."""
        return {entry["source"]: entry for entry in self.entries()}

    def done(self) -> set[str]:
        """Sources whose last entry is ``ok``: a resumed run skips them.

        The file is read on the first call (of this or :meth:`settled`) only; what this journal
        records afterwards keeps the sets current, so the run that counts and the run that skips
        read it once.
        """
        return set(self._state()[0])

    def settled(self) -> set[str]:
        """Sources done, or failed because of the image itself (cause ``image``: it would fail
        the same way again). A comparison rerun skips both; a failure the user can put right
        (credentials, quota, permission) or a transient one is not settled, and is tried again."""
        done, failed = self._state()
        return done | failed

    def earlier(self) -> dict[str, dict[str, Any]]:
        """The last entry of each source as the file held it before this journal recorded
        anything: what earlier runs did, from the same one read as :meth:`done`."""
        self._state()
        assert self._earlier is not None
        return self._earlier

    def _state(self) -> tuple[set[str], set[str]]:
        """The sources done and those settled as failed, from one read of the file."""
        if self._done is None or self._failed is None or self._earlier is None:
            self._done, self._failed, self._earlier = set(), set(), self.last_entries()
            for source, entry in self._earlier.items():
                if entry.get("status") == "ok":
                    self._done.add(source)
                elif entry.get("status") == "error" and _settled(entry.get("error")):
                    self._failed.add(source)
        return self._done, self._failed

    def record(self, outcome: Finished, result_path: str | None = None, *, retrying: bool = False) -> dict[str, Any]:
        """Append the outcome; ``retrying``: a transient failure sent back for a later round
        (status ``retrying``: done again on resume, like ``error``)."""
        error = outcome.error
        entry = {
            "source": outcome.source,
            "sha256": outcome.sha256,
            "status": "ok" if error is None else "retrying" if retrying else "error",
            "error": None if error is None else {"type": type(error).__name__, "message": str(error),
                                                 "retryable": bool(getattr(error, "retryable", False)), "cause": cause_of(error)},
            "attempts": outcome.attempts,
            "seconds": round(outcome.seconds, 4),
            "cached": outcome.cached,
            "round": outcome.rounds,
            "result": result_path,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        if self._done is not None and self._failed is not None:
            (self._done.add if error is None else self._done.discard)(outcome.source)
            (self._failed.add if entry["status"] == "error" and _settled(entry["error"]) else self._failed.discard)(outcome.source)
        f = self._open()
        f.write(json_text(entry) + "\n")
        f.flush()  # in the operating system now: a kill of this process cannot lose it
        assert self._syncer is not None
        self._syncer.written()
        return entry

    @property
    def unsynced(self) -> int:
        """Lines written that are not yet known to be on disk (what a power cut could lose now)."""
        return self._syncer.unsynced if self._syncer is not None else 0

    def sync(self) -> None:
        """Wait until every line written so far is on disk (a caller that must not lose even the
        last few lines to a power cut, before it reports them elsewhere)."""
        if self._syncer is not None:
            self._syncer.wait_synced()

    def _open(self) -> IO[str]:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._drop_torn_line()
            self._file = self.path.open("a", encoding="utf-8")
            self._syncer = _Syncer(self._file.fileno(), self.path)
        return self._file

    def _drop_torn_line(self) -> None:
        """Cut a last line that a kill left without its newline, so the next line starts clean."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        data = self.path.read_bytes()
        if not data.endswith(b"\n"):
            with self.path.open("r+b") as f:
                f.truncate(data.rfind(b"\n") + 1)

    def close(self) -> None:
        """Sync every line written, then close; a failed sync is raised here if no record() raised it."""
        if self._file is not None:
            syncer, self._syncer = self._syncer, None
            try:
                if syncer is not None:
                    syncer.close()
            finally:
                self._file.close()
                self._file = None


class _Syncer:
    """Syncs a journal's file to disk in a thread of its own: each ``fsync`` covers every line
    written before it began, so however fast lines come the disk is asked once per sync time."""

    def __init__(self, fd: int, path: Path) -> None:
        self._fd = fd
        self._changed = threading.Condition()
        self._written = 0  # lines handed to the operating system
        self._synced = 0  # of those, lines known to be on disk
        self._closing = False
        self._error: OSError | None = None  # the sync that failed; no sync is tried after it
        self._reported = False
        self._thread = threading.Thread(target=self._run, name=f"unified-ocr-journal-sync {path.name}", daemon=True)
        self._thread.start()

    @property
    def unsynced(self) -> int:
        with self._changed:
            return self._written - self._synced

    def written(self) -> None:
        """One more line was flushed: sync it soon; wait while :data:`MAX_UNSYNCED` lines are not
        on disk. A sync that failed is raised here, and by every later line: the disk is not to be trusted."""
        with self._changed:
            self._written += 1
            self._changed.notify_all()
            while self._written - self._synced > MAX_UNSYNCED and self._error is None:
                self._changed.wait()
            if self._error is not None:
                self._reported = True
                raise self._error

    def wait_synced(self) -> None:
        """Wait until every line written so far is on disk; raise a failed sync."""
        with self._changed:
            while self._synced < self._written and self._error is None:
                self._changed.wait()
            if self._error is not None:
                self._reported = True
                raise self._error

    def close(self) -> None:
        """Wait until every line written is on disk, and end the thread; a failed sync that no
        line has said yet is raised here."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._thread.join()
        if self._error is not None and not self._reported:
            self._reported = True
            raise self._error

    def _run(self) -> None:
        while True:
            with self._changed:
                while self._synced == self._written and not self._closing:
                    self._changed.wait()
                if self._synced == self._written:  # closing, and nothing left to sync
                    return
                target = self._written
            try:
                os.fsync(self._fd)
            except OSError as exc:  # a disk that fails: said by the next record() or close()
                with self._changed:
                    self._error = exc
                    self._changed.notify_all()
                return
            with self._changed:
                self._synced = target
                self._changed.notify_all()
