"""Azure AI Document Intelligence for unified-ocr: the ``azure`` engine and its emulator.

Registered through the ``unified_ocr`` entry-point group like any third-party engine. The
parser also reads saved answers of Form Recognizer 2.x, Computer Vision Read 3.x and Image
Analysis 4.0.
"""

from __future__ import annotations

from unified_ocr import hookimpl
from unified_ocr.emulator import Emulator
from unified_ocr.engines.base import Engine

from .emulator import AzureEmulator
from .engine import AzureEngine, AzureOptions
from .failures import OperationTimeoutError
from .parse import parse

__all__ = ["AzureEmulator", "AzureEngine", "AzureOptions", "OperationTimeoutError", "parse"]


@hookimpl
def register_engines() -> list[type[Engine]]:
    """The ``azure`` engine."""
    return [AzureEngine]


@hookimpl
def register_emulators() -> list[type[Emulator]]:
    """The Document Intelligence API on loopback, asynchronous operations included."""
    return [AzureEmulator]
