"""Tesseract 5 as an offline engine, through tesserocr: the offline path for Korean.

Needs the ``tesseract`` extra (``pip install 'unified-ocr[tesseract]'``, which brings the
Tesseract library in the tesserocr wheel) and the language data of the system
(``apt-get install tesseract-ocr-kor``, ``brew install tesseract-lang``). Registered
through the ``unified_ocr`` entry-point group like any third-party engine.
"""

from __future__ import annotations

from unified_ocr import hookimpl

from .engine import TesseractEngine, TesseractOptions

__all__ = ["TesseractEngine", "TesseractOptions"]


@hookimpl
def register_engines() -> list[type[TesseractEngine]]:
    """The ``tesseract`` engine."""
    return [TesseractEngine]
