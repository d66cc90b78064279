"""The datasets read back the way each trainer reads them (their loaders' steps, written out
here so that the tests need none of the training frameworks)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
from PIL import Image


def dtrb_lmdb(folder: Path) -> list[tuple[np.ndarray, str]]:
    """deep-text-recognition-benchmark's LmdbDataset: num-samples, then image-%09d / label-%09d
    from 1, the image decoded by PIL from the stored bytes and converted to RGB."""
    import lmdb

    env = lmdb.open(str(folder), max_readers=32, readonly=True, lock=False, readahead=False, meminit=False)
    out = []
    with env.begin(write=False) as txn:
        n = int(txn.get(b"num-samples"))
        for index in range(1, n + 1):
            label = txn.get(f"label-{index:09d}".encode()).decode("utf-8")
            image = Image.open(io.BytesIO(txn.get(f"image-{index:09d}".encode()))).convert("RGB")
            out.append((np.asarray(image), label))
    env.close()
    return out


def dtrb_gt(folder: Path) -> list[tuple[Path, str]]:
    """create_lmdb_dataset.py's input: ``imagePath, label = line.strip('\\n').split('\\t')``."""
    out = []
    for line in (folder / "gt.txt").read_text(encoding="utf-8").splitlines(keepends=True):
        path, label = line.strip("\n").split("\t")
        out.append((folder / path, label))
    return out


def paddle_lines(data_dir: Path, label_file: Path) -> list[tuple[Path, str]]:
    """PaddleOCR's SimpleDataSet: each line stripped of its newline and split on the delimiter (a tab)."""
    out = []
    for line in label_file.read_text(encoding="utf-8").splitlines(keepends=True):
        substr = line.strip("\n").split("\t")
        assert len(substr) == 2, f"a line SimpleDataSet cannot read: {line!r}"
        out.append((data_dir / substr[0], substr[1]))
    return out


def mmocr(path: Path, task: str) -> list[dict]:
    """MMOCR 1.x's BaseDataset annotation file: metainfo and data_list, as its schema has them."""
    document = json.loads(path.read_text(encoding="utf-8"))
    assert set(document) == {"metainfo", "data_list"}
    assert document["metainfo"]["task_name"] == task
    for entry in document["data_list"]:
        assert isinstance(entry["img_path"], str) and isinstance(entry["instances"], list)
        for instance in entry["instances"]:
            if task == "textrecog":
                assert set(instance) == {"text"}
            else:
                assert len(instance["polygon"]) == 8 and len(instance["bbox"]) == 4 and instance["bbox_label"] == 0
                assert isinstance(instance["ignore"], bool)
    return document["data_list"]
