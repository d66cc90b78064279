"""One build at a time in a dataset folder.

Two builds writing into one folder would both count from the same place, so the manifest,
the label files and the LMDB would each get every row twice over (and DTRB's ``num-samples``
the sum). A build holds the folder lock ``batch`` holds on its ``--out`` (an OS file lock,
let go when its process ends however it ends); a second build is refused at once with a
:class:`~unified_ocr.batch.folder.FolderInUseError` naming the holder. The same thread may
take it again (the command holds it from before the engines read, its builder inside): that
is counted, not taken twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ..batch.folder import HOLDER, FolderInUseError, hold_folder

_held = threading.local()


@contextmanager
def dataset_lock(out: str | Path) -> Iterator[None]:
    """Hold ``out``'s lock (the folder is made if need be) while the block runs."""
    counts: dict[str, int] = _held.__dict__.setdefault("counts", {})
    key = str(Path(out).resolve())
    if counts.get(key):
        counts[key] += 1
        try:
            yield
        finally:
            counts[key] -= 1
        return
    with _hold(Path(out)):
        counts[key] = 1
        try:
            yield
        finally:
            del counts[key]


@contextmanager
def _hold(out: Path) -> Iterator[None]:
    """The folder lock; refused while the holder has yet to write who it is (it had only just
    taken the lock: two builds started together), asked again for up to a second, so that the
    refusal names it."""
    for wait in (0.05, 0.1, 0.2, 0.3, 0.4, None):
        with ExitStack() as stack:
            try:
                stack.enter_context(hold_folder(out, inner="", resumes="then run the same command again: it goes on from where it is"))
            except FolderInUseError:
                if wait is None or (out / HOLDER).is_file():
                    raise
                time.sleep(wait)
                continue
            yield
            return


__all__ = ["FolderInUseError", "dataset_lock"]
