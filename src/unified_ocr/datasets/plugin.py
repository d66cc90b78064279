"""The built-in dataset formats, provided through the ``register_dataset_writers`` hook like
any third party's (registered under the ``unified_ocr`` entry-point group in ``pyproject.toml``)."""

from __future__ import annotations

import pluggy

from ..evaluation.plugin import register_metrics, register_normalizers, register_truth_readers
from .writers import BUILT_IN, DatasetWriter

# The built-in truth formats, metrics and normalisers (unified_ocr.evaluation.plugin) come
# through this module's entry point until that module has one of its own.
__all__ = ["register_dataset_writers", "register_metrics", "register_normalizers", "register_truth_readers"]

hookimpl = pluggy.HookimplMarker("unified_ocr")  # the project's hook marker (engines.hookspecs.PROJECT)


@hookimpl
def register_dataset_writers() -> list[type[DatasetWriter]]:
    """dtrb, paddleocr-rec, paddleocr-det, mmocr-rec, mmocr-det, doctr-rec, hf-imagefolder, icdar."""
    return list(BUILT_IN)
