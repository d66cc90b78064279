"""The batch journal: one JSON line per finished image, so that a run can stop anywhere and resume.

Each line is written whole, flushed and synced before the next image is counted as done,
so a run killed at any moment leaves a journal that is valid up to its last line (a line
cut off by the kill is dropped when the journal is next opened). The last line for a source
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
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from .. import errors
from ..files import json_text

log = logging.getLogger("unified_ocr.batch")


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
        f.flush()
        os.fsync(f.fileno())
        return entry

    def _open(self) -> IO[str]:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._drop_torn_line()
            self._file = self.path.open("a", encoding="utf-8")
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
        if self._file is not None:
            self._file.close()
            self._file = None
