"""What a dataset format is: where its files go, how a batch of one image's samples is
added, and how its index is rebuilt from the manifest when a run resumes.

A writer is written to once per source page, with everything of that page, so that a kill
between pages leaves whole pages only: text indexes get one append (one ``write``), an LMDB
one transaction, and JSON indexes are rewritten whole (atomically) every few seconds and at
the end. The manifest is written after the writers; a resumed run rebuilds every index from
it, every split's (a split whose every sample went with the kill is emptied), so a page
half-written when the run was killed is written again, in the same places, and never twice.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs

from ...files import json_text, replace_surrogates, write_bytes_atomic, write_text_atomic
from ...geometry import Quad
from ..records import CropRecord


@attrs.frozen(slots=True)
class Sample:
    """A crop, encoded, with its record (recognition formats)."""

    record: CropRecord
    data: bytes


@attrs.frozen(slots=True)
class PageImage:
    """A whole source page, encoded, with its regions (detection formats); a region labelled
    ``###`` is do not care (an unreadable or untrusted word: trainers ignore it)."""

    file: str  # where the writer puts it, relative to the dataset folder
    split: str
    index: int  # 1-based place in its split
    data: bytes
    width: int
    height: int
    regions: tuple[tuple[Quad, str], ...]


def append_text(path: Path, text: str) -> None:
    """One append of whole lines (one system call: a kill never leaves half a line)."""
    if not text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, replace_surrogates(text).encode("utf-8"))
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write to a temporary file beside ``path`` and move it over: readers see the old file or the new."""
    if isinstance(data, str):
        write_text_atomic(path, data)
    else:
        write_bytes_atomic(path, data)


class DatasetWriter:
    """One dataset format. Subclasses set the class variables and the methods of their kind."""

    name: ClassVar[str]
    description: ClassVar[str]
    kind: ClassVar[str] = "rec"  # "rec": crops and labels; "det": whole pages and their quads
    #: characters the format's label files cannot hold: a label with one is dropped (``label-breaks-format``)
    breaks: ClassVar[str] = ""

    #: the dataset's split names, set by the builder before :meth:`rebuild`
    splits: tuple[str, ...] = ()

    def __init__(self, out: Path) -> None:
        self.out = out

    def rebuilt_splits(self, records: Sequence[CropRecord], exists: Callable[[str], bool]) -> dict[str, list[CropRecord]]:
        """The records by split, for every split that has records or whose index ``exists``: the
        splits a rebuild must write, an emptied one included."""
        by_split: dict[str, list[CropRecord]] = {split: [] for split in self.splits if exists(split)}
        for record in records:
            by_split.setdefault(record.split, []).append(record)
        return by_split

    @classmethod
    def unavailable_reason(cls) -> str | None:
        """Why this format cannot be written here (a missing extra), said before any work; else ``None``."""
        return None

    # where files go
    def crop_file(self, split: str, index: int, ext: str) -> str:
        return f"images/{split}/{index:09d}{ext}"

    def image_file(self, split: str, index: int, ext: str) -> str:
        return f"images/{split}/{index:09d}{ext}"

    # writing
    def add(self, samples: Sequence[Sample]) -> None:
        """The crops of one source page (their files are written already)."""

    def add_page(self, page: PageImage) -> None:
        """A whole page with its regions (its file is written already)."""

    def rebuild(self, records: Sequence[CropRecord]) -> None:
        """Make the index say exactly what the manifest says (a resumed run), in every split."""

    def close(self) -> None:
        """Write what is kept in memory (JSON indexes)."""


class JsonIndexWriter(DatasetWriter):
    """A format whose index is one JSON document per split: kept in memory, rewritten whole
    every ``every`` seconds and at the end, so an interrupted run leaves a readable index."""

    every: ClassVar[float] = 5.0

    def __init__(self, out: Path) -> None:
        super().__init__(out)
        self.entries: dict[str, list[Any]] = {}
        self.written = 0.0

    def entry(self, sample: Sample) -> Any:
        raise NotImplementedError

    def document(self, split: str, entries: list[Any]) -> Any:
        raise NotImplementedError

    def path(self, split: str) -> Path:
        raise NotImplementedError

    def add(self, samples: Sequence[Sample]) -> None:
        for sample in samples:
            self.entries.setdefault(sample.record.split, []).append(self.entry(sample))
        if time.monotonic() - self.written > self.every:
            self.flush()

    def rebuild(self, records: Sequence[CropRecord]) -> None:
        by_split = self.rebuilt_splits(records, lambda split: self.path(split).is_file())
        self.entries = {split: [self.entry(Sample(r, b"")) for r in group] for split, group in by_split.items()}
        self.flush()

    def flush(self) -> None:
        for split, entries in self.entries.items():
            write_atomic(self.path(split), json_text(self.document(split, entries), indent=1))
        self.written = time.monotonic()

    def close(self) -> None:
        self.flush()
