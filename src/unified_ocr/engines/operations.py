"""Long-running operations a service has accepted but whose result is not collected yet.

Some services answer a request with "accepted, ask here later" and bill it then. A run that
is interrupted between the two (Ctrl-C, a deadline, a storm that outlasts the retries) must
not pay for the same request again: the next run should ask the same place for the result.
So an engine that submits such an operation notes where to ask in the :class:`OperationStore`
of the run, keyed by what it sent, and forgets it once the operation has ended; before it
submits, it looks there first.

The store is the run's, not the engine's: whoever runs the engine names the folder with
:func:`operations_kept_in` (the batch runner keeps it beside its result cache), and an
engine reads :func:`pending_operations`, which is ``None`` when nobody keeps one. A record is
one small JSON file, written whole (a temporary file renamed over it), so that a run killed
mid-write leaves the old record or the new one, never half of one. Records hold no secret:
an engine must not store a credential, and a URL is kept only when it carries none.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

__all__ = ["OperationStore", "operations_kept_in", "pending_operations"]


class OperationStore:
    """Accepted operations not yet collected, one JSON file each, keyed by the request that made them."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"OperationStore({str(self.folder)!r})"

    def _path(self, key: str) -> Path:
        return self.folder / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:40] + ".json")

    def get(self, key: str) -> dict[str, Any] | None:
        """The record kept for ``key``, or ``None`` (none, or one that cannot be read: submit again)."""
        try:
            record = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) and record.get("key") == key else None

    def put(self, key: str, record: dict[str, Any]) -> None:
        """Keep ``record`` for ``key``, replacing any earlier one whole."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(key)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({**record, "key": key}, f)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def drop(self, key: str) -> None:
        """Forget ``key``: its operation has ended (its result collected, or failed for good)."""
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def __len__(self) -> int:
        return sum(1 for _ in self.folder.glob("*.json")) if self.folder.is_dir() else 0


_current: ContextVar[OperationStore | None] = ContextVar("unified_ocr_operations", default=None)


def pending_operations() -> OperationStore | None:
    """The store of the run this thread is working for, or ``None`` when none keeps one."""
    return _current.get()


@contextlib.contextmanager
def operations_kept_in(folder: str | os.PathLike[str] | None) -> Iterator[OperationStore | None]:
    """Engines called in this block keep their pending operations in ``folder`` (``None``: nowhere)."""
    store = OperationStore(folder) if folder is not None else None
    token = _current.set(store)
    try:
        yield store
    finally:
        _current.reset(token)
