"""NAVER CLOVA OCR for unified-ocr: the ``clova`` engine and its emulator.

Registered through the ``unified_ocr`` entry-point group like any third-party engine.
"""

from __future__ import annotations

from unified_ocr import hookimpl
from unified_ocr.emulator import Emulator
from unified_ocr.engines.base import Engine

from .emulator import ClovaEmulator
from .engine import ClovaEngine, ClovaOptions
from .parse import parse, receipt_items

__all__ = ["ClovaEmulator", "ClovaEngine", "ClovaOptions", "parse", "receipt_items"]


@hookimpl
def register_engines() -> list[type[Engine]]:
    """The ``clova`` engine."""
    return [ClovaEngine]


@hookimpl
def register_emulators() -> list[type[Emulator]]:
    """The CLOVA OCR API on loopback."""
    return [ClovaEmulator]
