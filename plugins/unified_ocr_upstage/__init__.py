"""Upstage Document OCR and Document Parse for unified-ocr: the ``upstage`` engine and its emulator.

Registered through the ``unified_ocr`` entry-point group like any third-party engine. The
parser reads both APIs' answers (Document OCR words, Document Parse elements and tables).
"""

from __future__ import annotations

from unified_ocr import hookimpl
from unified_ocr.emulator import Emulator
from unified_ocr.engines.base import Engine

from .emulator import UpstageEmulator
from .engine import UpstageEngine, UpstageOptions
from .parse import parse

__all__ = ["UpstageEmulator", "UpstageEngine", "UpstageOptions", "parse"]


@hookimpl
def register_engines() -> list[type[Engine]]:
    """The ``upstage`` engine."""
    return [UpstageEngine]


@hookimpl
def register_emulators() -> list[type[Emulator]]:
    """Upstage's Document OCR and Document Parse APIs on loopback."""
    return [UpstageEmulator]
