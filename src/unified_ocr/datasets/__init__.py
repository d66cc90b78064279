"""Datasets: word and line crops with labels people can trust, in the formats recognition
(and detection) trainers read.

The pieces, in the order data flows: :mod:`.labels` (regions from engines, with consensus,
or from ground truth), :mod:`.filters` (what a label must be), :mod:`.splits` (by image,
never by crop), :mod:`.crops` (rectified, padded, encoded), :mod:`.writers` (one class per
format, registered through the ``register_dataset_writers`` hook) and :mod:`.build` (the
resumable run, its manifest and summary). ``unified-ocr dataset`` puts them together with
the batch runner (labels from engines) or compare's truth readers (labels from files).
"""

from __future__ import annotations

from .build import BuildOptions, DatasetBuilder, LabelledSource, build_dataset, read_manifest
from .filters import Filters, read_charset
from .labels import from_results, from_truth
from .records import CropRecord, Region, Tally
from .splits import parse_split, split_of
from .writers import DatasetWriter

__all__ = [
    "BuildOptions", "CropRecord", "DatasetBuilder", "DatasetWriter", "Filters", "LabelledSource", "Region", "Tally",
    "build_dataset", "from_results", "from_truth", "parse_split", "read_charset", "read_manifest", "split_of",
]  # fmt: skip
