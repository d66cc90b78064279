"""Building a dataset: labelled pages in, crops (or pages) and indexes out, resumable.

The folder holds the format's files, ``manifest.jsonl`` (a line per crop: its file, source
and sha256, page, quad, level, label, engines and confidences, split), ``sources.jsonl``
(a line per source done, with what was dropped and why) and ``summary.json``. Each source
is written whole before its manifest lines and its ``sources.jsonl`` line; a run that is
run again skips the sources done and rebuilds every index from the manifest (every time it
opens a folder that holds a dataset: whatever a kill left past the last source done is
undone, so no label line or LMDB sample is ever there twice), so a killed run resumed gives
the same dataset as one that was never stopped. One build at a time writes into a folder
(:mod:`.lock`). File names come from counters per split, never from OCR text, and nothing
is written outside the folder.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import attrs

from ..errors import ConfigError, UnifiedOcrError
from ..files import json_text, write_text_atomic
from . import crops
from .build_options import BuildOptions
from .lock import dataset_lock
from .records import CropRecord, Region, Tally
from .samples import SourceSamples, samples_of
from .splits import parse_split
from .writers import DatasetWriter, PageImage, Sample

MANIFEST = "manifest.jsonl"
SOURCES = "sources.jsonl"
SETTINGS = "dataset.json"
SUMMARY = "summary.json"


@attrs.frozen(slots=True)
class LabelledSource:
    """An image (or PDF, or multi-page TIFF) and its labelled regions, every page's."""

    path: str
    regions: tuple[Region, ...]
    dropped: dict[str, int] = attrs.field(factory=dict)  # regions dropped before (engines that did not agree)


def read_manifest(out: str | Path) -> Iterator[CropRecord]:
    """The crops of the dataset in ``out``, as :class:`CropRecord`\\ s, in writing order: the
    stream to filter, count or re-split a dataset by (``manifest.jsonl``, a line per crop)."""
    for row in _read_lines(Path(out) / MANIFEST):
        yield CropRecord.from_dict(row)


def _read_lines(path: Path) -> list[dict[str, Any]]:
    """A JSON-lines file's entries; a torn last line (a kill mid-write) is dropped."""
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


class DatasetBuilder:
    """Writes labelled sources into ``out`` in format ``writer``; ``with`` it, or ``close()`` it."""

    def __init__(self, out: Path, writer: type[DatasetWriter], options: BuildOptions, labels: str = "") -> None:
        self.out = out
        self.options = options
        self.shares = parse_split(options.split)
        self.held = ExitStack()
        self.held.enter_context(dataset_lock(out))  # a second build on the folder stops here, naming the first
        try:
            self._open(writer, options.identity(writer.name, labels))
        except BaseException:
            self.held.close()
            raise

    def _open(self, writer: type[DatasetWriter], identity: dict[str, Any]) -> None:
        out = self.out
        self.root = out.resolve()
        settings = out / SETTINGS
        resumed = settings.is_file()
        if resumed:
            before = json.loads(settings.read_text(encoding="utf-8"))
            if before != identity:
                changed = sorted(k for k in set(before) | set(identity) if before.get(k) != identity.get(k))
                raise ConfigError(f"{out} holds a dataset built with other settings ({', '.join(changed)}); "
                                  "resume it with the same command, or give another --out")  # fmt: skip
        else:
            settings.write_text(json.dumps(identity, indent=1, default=str), encoding="utf-8")  # ASCII: escapes any name
        self.writer = writer(out)
        self.writer.splits = tuple(name for name, _ in self.shares)
        done = list({d["source"]: d for d in _read_lines(out / SOURCES) if "source" in d}.values())
        self.done = {d["source"] for d in done}
        records = []
        crop_files: set[str] = set()
        for r in map(CropRecord.from_dict, _read_lines(out / MANIFEST)):
            if r.source not in self.done:  # a source killed mid-way is done again
                continue
            if r.crop_sha256:  # a crop's file is its own: a second line naming it is one too many
                if r.file in crop_files:
                    continue
                crop_files.add(r.file)
            records.append(r)
        self.tally = Tally()
        for d in done:
            for reason, n in d.get("dropped", {}).items():
                self.tally.drop(reason, n)
        self.counters: dict[str, int] = {}
        for r in records:
            self.tally.kept[r.split] += 1
            self.counters[r.split] = max(self.counters.get(r.split, 0), r.index)
        # what was written is not kept in memory (a run of a million crops): counters, and a short
        # digest per crop to write an exact duplicate once
        self.seen = {bytes.fromhex(r.crop_sha256[:32]) for r in records if r.crop_sha256}
        # the indexes say what the manifest says (a kill may have left more), and appends never follow a torn line
        self.writer.rebuild(records)
        if resumed:
            _rewrite_lines(out / MANIFEST, [r.to_dict() for r in records])
            _rewrite_lines(out / SOURCES, done)
        self.added = 0
        self.folders: set[Path] = set()

    def __enter__(self) -> DatasetBuilder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self.held:  # the lock is let go last, whatever happens here
            self.writer.close()
            summary = {**self.tally.to_dict(), "sources": len(self.done), "added_this_run": self.added}
            write_text_atomic(self.out / SUMMARY, json_text(summary, indent=1))

    def file(self, relative: str) -> Path:
        """A file of the dataset, its folder made; refuses a path that would leave the folder (a
        writer's mistake: names come from counters, never from a label)."""
        parts = Path(relative).parts
        if not parts or Path(relative).is_absolute() or ".." in parts:
            raise ValueError(f"{relative!r} is outside the dataset folder {self.root}")
        path = self.root.joinpath(*parts)
        if path.parent not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        return path

    def add(self, source: LabelledSource) -> Tally:
        """Write one source's crops (or pages); what was dropped, and why, in the returned tally."""
        if source.path in self.done:
            return Tally()  # written by an earlier run: nothing new, nothing counted twice
        return self.commit(samples_of(source.regions, source.path, self.options, self.writer.kind, self.writer.breaks, source.dropped))

    def commit(self, prepared: SourceSamples) -> Tally:
        """Write what :func:`~.samples.samples_of` made of a source (here or on a worker): the files,
        the format's index, then the manifest and the source's line. Duplicates are written once."""
        tally = Tally()
        if prepared.path in self.done:
            return tally
        tally.dropped.update(prepared.dropped)
        tally.notes.update(prepared.notes)
        ext = crops.FORMATS[self.options.image_format]
        split, path, sha = prepared.split, prepared.path, prepared.sha256
        records: list[CropRecord] = []
        samples = []
        for cut in prepared.cuts:
            key = bytes.fromhex(cut.digest[:32])
            if key in self.seen:
                tally.drop("duplicate")
                continue
            self.seen.add(key)
            index = self._next(split)
            file = self.writer.crop_file(split, index, ext)
            self.file(file).write_bytes(cut.data)
            r = cut.region
            samples.append(Sample(CropRecord(file, path, sha, r.page, r.quad, r.level, cut.label, split, r.engines, r.confidences,
                                             cut.digest, index), cut.data))  # fmt: skip
        if samples:
            self.writer.add(samples)
            records += [s.record for s in samples]
        for page in prepared.pages:
            index = self._next(split)
            file = self.writer.image_file(split, index, ext)
            self.file(file).write_bytes(page.data)
            self.writer.add_page(PageImage(file, split, index, page.data, page.width, page.height,
                                           tuple((r.quad, label) for r, label in page.labelled)))  # fmt: skip
            records += [CropRecord(file, path, sha, page.page, r.quad, r.level, label, split, r.engines, r.confidences, "", index)
                        for r, label in page.labelled]  # fmt: skip
        _append_lines(self.out / MANIFEST, [r.to_dict() for r in records])
        _append_lines(self.out / SOURCES, [{"source": path, "sha256": sha, "split": split, "kept": len(records),
                                            "dropped": dict(tally.dropped)}])  # fmt: skip
        self.done.add(path)
        self.added += len(records)
        self.tally.dropped.update(tally.dropped)
        self.tally.notes.update(tally.notes)
        for record in records:
            self.tally.kept[record.split] += 1
        return tally

    def _next(self, split: str) -> int:
        self.counters[split] = self.counters.get(split, 0) + 1
        return self.counters[split]


def _append_lines(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    from .writers.base import append_text

    append_text(path, "".join(json_text(row) + "\n" for row in rows))


def _rewrite_lines(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    from .writers.base import write_atomic

    write_atomic(path, "".join(json_text(row) + "\n" for row in rows))


def build_dataset(sources: Iterable[LabelledSource], out: str | Path, writer: type[DatasetWriter], options: BuildOptions | None = None,
                  *, labels: str = "", executor: Executor | None = None, window: int = 16,
                  on_source: Callable[[LabelledSource, Tally | Exception], None] | None = None) -> Tally:  # fmt: skip
    """Write ``sources`` into ``out`` and return the whole tally.

    With an ``executor`` (a process pool, or a Dask cluster's ``client.get_executor()``) the
    crops are cut and encoded on its workers, up to ``window`` sources ahead, and this process
    alone writes, in the order of ``sources``: the dataset is the same as without one. A source
    that cannot be read is reported to ``on_source`` (raised when there is none); the others go on.
    """
    options = options or BuildOptions()
    with DatasetBuilder(Path(out), writer, options, labels) as builder:
        todo = (s for s in sources if s.path not in builder.done)
        if executor is None:
            pending: Iterator[tuple[LabelledSource, Any]] = ((s, s) for s in todo)
        else:
            pending = _ahead(todo, lambda s: executor.submit(samples_of, s.regions, s.path, options, writer.kind, writer.breaks, s.dropped), window)
        for source, job in pending:
            try:
                outcome: Tally | Exception = builder.add(job) if job is source else builder.commit(job.result())
            except (UnifiedOcrError, OSError) as exc:
                if on_source is None:
                    raise
                outcome = exc
            if on_source is not None:
                on_source(source, outcome)
        return builder.tally


def _ahead(items: Iterator[LabelledSource], submit: Callable[[LabelledSource], Future], window: int) -> Iterator[tuple[LabelledSource, Future]]:
    """``(item, future)`` in the items' order, with up to ``window`` submitted ahead."""
    queue: deque[tuple[LabelledSource, Future]] = deque()
    for item in items:
        queue.append((item, submit(item)))
        if len(queue) >= window:
            yield queue.popleft()
    while queue:
        yield queue.popleft()


__all__ = ["BuildOptions", "DatasetBuilder", "LabelledSource", "build_dataset", "read_manifest"]
