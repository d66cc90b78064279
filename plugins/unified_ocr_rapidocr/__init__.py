"""The offline default engine: RapidOCR 3 with the PP-OCRv6 models bundled in its wheel.

Registered through the ``unified_ocr`` entry-point group like any third-party engine.
"""

from __future__ import annotations

from unified_ocr import hookimpl

from .engine import RapidOcrEngine, RapidOcrOptions, text_detector

__all__ = ["RapidOcrEngine", "RapidOcrOptions", "text_detector"]


@hookimpl
def register_engines() -> list[type[RapidOcrEngine]]:
    """The ``rapidocr`` engine."""
    return [RapidOcrEngine]
