"""The dataset formats, one writer class each; found by name through the plugin registry
(``register_dataset_writers``), the built-in ones registered the same way."""

from __future__ import annotations

from .base import DatasetWriter, JsonIndexWriter, PageImage, Sample
from .detection import IcdarWriter, MmocrDetWriter, PaddleDetWriter
from .recognition import DoctrRecWriter, DtrbWriter, HfImageFolderWriter, MmocrRecWriter, PaddleRecWriter

BUILT_IN: tuple[type[DatasetWriter], ...] = (
    DtrbWriter, PaddleRecWriter, PaddleDetWriter, MmocrRecWriter, MmocrDetWriter, DoctrRecWriter, HfImageFolderWriter, IcdarWriter,
)  # fmt: skip

__all__ = ["BUILT_IN", "DatasetWriter", "JsonIndexWriter", "PageImage", "Sample"]
