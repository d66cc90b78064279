"""AWS Textract for unified-ocr: the ``textract`` engine and its emulator.

Registered through the ``unified_ocr`` entry-point group like any third-party engine. The
parser also reads saved answers: synchronous ``DetectDocumentText`` and ``AnalyzeDocument``
answers and the asynchronous ``GetDocumentTextDetection`` / ``GetDocumentAnalysis`` ones.
"""

from __future__ import annotations

from unified_ocr import hookimpl
from unified_ocr.emulator import Emulator
from unified_ocr.engines.base import Engine

from .emulator import TextractEmulator
from .engine import TextractEngine, TextractOptions
from .parse import parse

__all__ = ["TextractEmulator", "TextractEngine", "TextractOptions", "parse"]


@hookimpl
def register_engines() -> list[type[Engine]]:
    """The ``textract`` engine."""
    return [TextractEngine]


@hookimpl
def register_emulators() -> list[type[Emulator]]:
    """The Textract synchronous API on loopback."""
    return [TextractEmulator]
