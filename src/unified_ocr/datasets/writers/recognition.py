"""Recognition formats: crops and their labels, laid out as each trainer reads them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...errors import ConfigError
from ...files import json_text
from ..records import CropRecord
from .base import DatasetWriter, JsonIndexWriter, Sample, append_text, write_atomic

#: LMDB's map size, as deep-text-recognition-benchmark's create_lmdb_dataset.py sets it: an
#: upper bound on the file, which the system keeps sparse.
MAP_SIZE = 1 << 40
#: Bytes written through one opening of an LMDB before it is closed and opened again: the pages
#: it maps count in the process's memory until then (a million crops would hold gigabytes).
REOPEN_AFTER = 8 << 20


class DtrbWriter(DatasetWriter):
    """deep-text-recognition-benchmark: an LMDB per split at ``DIR/<split>/`` with
    ``image-%09d``/``label-%09d`` from 1 and ``num-samples``, as its ``create_lmdb_dataset.py``
    writes it; beside it in the same folder the crops and a ``gt.txt`` (``file<TAB>label``),
    the form that script reads. The folder stays a leaf, as the trainer's dataset walk needs."""

    name = "dtrb"
    description = "deep-text-recognition-benchmark: LMDB per split at DIR/<split>/, plus gt.txt and the crops"
    breaks = "\t\n\r"

    def __init__(self, out: Path) -> None:
        super().__init__(out)
        self.envs: dict[str, Any] = {}
        self.written: dict[str, int] = {}

    @classmethod
    def unavailable_reason(cls) -> str | None:
        import importlib.util

        return None if importlib.util.find_spec("lmdb") else 'the dtrb format writes LMDB: pip install "unified-ocr[datasets]"'

    def env(self, split: str) -> Any:
        if split not in self.envs:
            import lmdb

            (self.out / split).mkdir(parents=True, exist_ok=True)
            self.envs[split] = lmdb.open(str(self.out / split), map_size=MAP_SIZE)
        return self.envs[split]

    def crop_file(self, split: str, index: int, ext: str) -> str:
        return f"{split}/word_{index:09d}{ext}"

    def add(self, samples: Sequence[Sample]) -> None:
        by_split: dict[str, list[Sample]] = {}
        for sample in samples:
            by_split.setdefault(sample.record.split, []).append(sample)
        for split, group in by_split.items():
            with self.env(split).begin(write=True) as txn:  # a page's crops and the new count, together or not at all
                held = int(txn.get(b"num-samples") or 0)
                for s in group:
                    if s.record.index != held + 1:  # pragma: no cover - the builder counts from what the LMDB holds
                        raise ValueError(f"{self.out / split}: sample {s.record.index} would follow sample {held}")
                    txn.put(f"image-{s.record.index:09d}".encode(), s.data)
                    txn.put(f"label-{s.record.index:09d}".encode(), s.record.label.encode("utf-8"))
                    held = s.record.index
                txn.put(b"num-samples", str(held).encode())
            self.written[split] = self.written.get(split, 0) + sum(len(s.data) for s in group)
            if self.written[split] > REOPEN_AFTER:
                self.envs.pop(split).close()
                self.written[split] = 0
            append_text(self.out / split / "gt.txt", "".join(f"{Path(s.record.file).name}\t{s.record.label}\n" for s in group))

    def rebuild(self, records: Sequence[CropRecord]) -> None:
        """Each split's LMDB made to hold exactly the manifest's samples, in one transaction: the
        ones a kill left past the manifest deleted, any missing or other one put back from its
        crop file, and ``num-samples`` their count; then ``gt.txt`` rewritten."""
        for split, group in self.rebuilt_splits(records, lambda split: (self.out / split).is_dir()).items():
            if [r.index for r in group] != list(range(1, len(group) + 1)):
                raise ConfigError(f"{self.out}: the manifest's {split} samples are not numbered 1 to {len(group)}; "
                                  "the folder was changed by hand: build into a new --out")  # fmt: skip
            with self.env(split).begin(write=True) as txn:
                for r in group:
                    key = f"{r.index:09d}".encode()
                    label = r.label.encode("utf-8")
                    if txn.get(b"label-" + key) != label or txn.get(b"image-" + key) is None:
                        txn.put(b"image-" + key, self._crop(r))
                        txn.put(b"label-" + key, label)
                for prefix in (b"image-", b"label-"):  # what a kill left past the last sample kept
                    cursor = txn.cursor()
                    found = cursor.set_range(prefix + f"{len(group) + 1:09d}".encode())
                    while found and cursor.key().startswith(prefix):
                        found = cursor.delete()
                txn.put(b"num-samples", str(len(group)).encode())
            write_atomic(self.out / split / "gt.txt", "".join(f"{Path(r.file).name}\t{r.label}\n" for r in group))

    def _crop(self, record: CropRecord) -> bytes:
        try:
            return (self.out / record.file).read_bytes()
        except OSError as exc:
            raise ConfigError(f"{self.out / record.file}: the manifest's crop cannot be read ({exc.strerror or exc}); "
                              "build into a new --out") from None  # fmt: skip

    def close(self) -> None:
        for env in self.envs.values():
            env.close()
        self.envs = {}


class PaddleRecWriter(DatasetWriter):
    """PaddleOCR recognition: ``DIR/rec_gt_<split>.txt`` with ``path<TAB>label``, paths
    relative to DIR (its ``SimpleDataSet`` with ``data_dir: DIR``)."""

    name = "paddleocr-rec"
    description = "PaddleOCR recognition: DIR/rec_gt_<split>.txt (path<TAB>label) and DIR/images/<split>/"
    breaks = "\t\n\r"

    def line(self, record: CropRecord) -> str:
        return f"{record.file}\t{record.label}\n"

    def add(self, samples: Sequence[Sample]) -> None:
        by_split: dict[str, str] = {}
        for s in samples:
            by_split[s.record.split] = by_split.get(s.record.split, "") + self.line(s.record)
        for split, text in by_split.items():
            append_text(self.out / f"rec_gt_{split}.txt", text)

    def rebuild(self, records: Sequence[CropRecord]) -> None:
        for split, group in self.rebuilt_splits(records, lambda split: (self.out / f"rec_gt_{split}.txt").is_file()).items():
            write_atomic(self.out / f"rec_gt_{split}.txt", "".join(map(self.line, group)))


class MmocrRecWriter(JsonIndexWriter):
    """MMOCR 1.x text recognition: ``DIR/textrecog_<split>.json`` (``metainfo`` and
    ``data_list`` of ``img_path`` and ``instances[{text}]``), ``img_path`` relative to DIR."""

    name = "mmocr-rec"
    description = "MMOCR 1.x: DIR/textrecog_<split>.json and DIR/images/<split>/"

    def entry(self, sample: Sample) -> Any:
        return {"img_path": sample.record.file, "instances": [{"text": sample.record.label}]}

    def document(self, split: str, entries: list[Any]) -> Any:
        return {"metainfo": {"dataset_type": "TextRecogDataset", "task_name": "textrecog"}, "data_list": entries}

    def path(self, split: str) -> Path:
        return self.out / f"textrecog_{split}.json"


class DoctrRecWriter(JsonIndexWriter):
    """docTR recognition: per split ``DIR/<split>/labels.json`` ({file name: label}) and the crops
    in ``DIR/<split>/images/`` (its ``RecognitionDataset(img_folder, labels_path)``)."""

    name = "doctr-rec"
    description = "docTR: DIR/<split>/labels.json {file: label} and DIR/<split>/images/"

    def crop_file(self, split: str, index: int, ext: str) -> str:
        return f"{split}/images/{index:09d}{ext}"

    def entry(self, sample: Sample) -> Any:
        return (Path(sample.record.file).name, sample.record.label)

    def document(self, split: str, entries: list[Any]) -> Any:
        return dict(entries)

    def path(self, split: str) -> Path:
        return self.out / split / "labels.json"


class HfImageFolderWriter(DatasetWriter):
    """Hugging Face ``imagefolder``: per split ``DIR/<split>/`` with the crops and a
    ``metadata.jsonl`` of ``file_name`` and ``text`` (``load_dataset("imagefolder", data_dir=DIR)``)."""

    name = "hf-imagefolder"
    description = "Hugging Face imagefolder: DIR/<split>/ with the crops and metadata.jsonl (file_name, text)"

    def crop_file(self, split: str, index: int, ext: str) -> str:
        return f"{split}/{index:09d}{ext}"

    def line(self, record: CropRecord) -> str:
        return json_text({"file_name": Path(record.file).name, "text": record.label}) + "\n"

    def add(self, samples: Sequence[Sample]) -> None:
        by_split: dict[str, str] = {}
        for s in samples:
            by_split[s.record.split] = by_split.get(s.record.split, "") + self.line(s.record)
        for split, text in by_split.items():
            append_text(self.out / split / "metadata.jsonl", text)

    def rebuild(self, records: Sequence[CropRecord]) -> None:
        for split, group in self.rebuilt_splits(records, lambda split: (self.out / split / "metadata.jsonl").is_file()).items():
            write_atomic(self.out / split / "metadata.jsonl", "".join(map(self.line, group)))
