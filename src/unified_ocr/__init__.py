"""unified-ocr: one API and one result model over many OCR services.

::

    import unified_ocr

    result = unified_ocr.recognize("receipt.jpg")                   # the offline default engine
    result = unified_ocr.recognize("receipt.jpg", engine="clova")   # a profile or engine name
    print(result.text)
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from . import _moved
from .aio import arecognize, arecognize_many
from .api import choose_engine, export, load_result, parse, recognize
from .batch import recognize_many
from .batch.options import RunOptions
from .comparison import Comparison, compare
from .config import Config, Secret, load_config
from .engines import Engine, EngineOptions, Limits, Upload, UploadPage, hookimpl
from .errors import (
    AuthenticationError,
    BadResponseError,
    ConfigError,
    CorruptImageError,
    EmptyImageError,
    EngineUnavailableError,
    ImageFailedError,
    ImageNotFoundError,
    InputError,
    InvalidQuadError,
    InvalidRequestError,
    InvalidResultError,
    InvalidSourceError,
    MalformedDocumentError,
    NetworkError,
    OutputError,
    ProviderError,
    QuotaExceededError,
    RateLimitError,
    RecognitionError,
    RequestTooLargeError,
    ServiceError,
    TruthError,
    UnifiedOcrError,
    UnknownEngineError,
    UnsupportedImageError,
)
from .geometry import Quad, Transform
from .imaging import ImageInfo, Source, crop, crop_many, map_back, open_source, prepare
from .model import Block, Cell, Field, Line, OcrResult, Page, Table, Word

_moved.install()

try:
    __version__ = version("unified-ocr")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "AuthenticationError", "BadResponseError", "Block", "Cell", "Config", "ConfigError", "CorruptImageError", "EmptyImageError", "Engine", "EngineOptions",
    "EngineUnavailableError", "Field", "ImageFailedError", "ImageInfo", "ImageNotFoundError", "InputError",
    "InvalidQuadError", "InvalidRequestError", "InvalidResultError", "InvalidSourceError", "MalformedDocumentError", "NetworkError", "OutputError", "QuotaExceededError", "RateLimitError",
    "RequestTooLargeError", "ServiceError",
    "Limits", "Line", "OcrResult", "Page", "ProviderError", "Quad", "RecognitionError", "Secret", "Source",
    "Table", "Transform", "TruthError", "Comparison", "compare", "UnifiedOcrError", "UnknownEngineError", "UnsupportedImageError", "Upload",
    "UploadPage", "Word", "choose_engine", "crop", "crop_many", "export", "hookimpl", "load_config", "load_result",
    "map_back", "open_source", "parse", "prepare", "recognize", "recognize_many", "RunOptions", "dataset", "DatasetReport",
    "arecognize", "arecognize_many",
]  # fmt: skip


def __getattr__(name: str) -> object:
    """``dataset`` and ``DatasetReport`` load on first use: cutting crops needs OpenCV, reading needs none."""
    if name in ("dataset", "DatasetReport"):
        from .datasets import job

        return getattr(job, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
