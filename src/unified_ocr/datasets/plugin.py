"""The built-in dataset formats, provided through the ``register_dataset_writers`` hook like
any third party's (registered under the ``unified_ocr`` entry-point group in ``pyproject.toml``)."""

from __future__ import annotations

import pluggy

from .writers import BUILT_IN, DatasetWriter

hookimpl = pluggy.HookimplMarker("unified_ocr")  # the project's hook marker (engines.hookspecs.PROJECT)


@hookimpl
def register_dataset_writers() -> list[type[DatasetWriter]]:
    """dtrb, paddleocr-rec, paddleocr-det, mmocr-rec, mmocr-det, doctr-rec, hf-imagefolder, icdar."""
    return list(BUILT_IN)
