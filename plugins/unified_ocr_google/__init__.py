"""Google Cloud Vision for unified-ocr: the ``google`` engine and its emulator.

Registered through the ``unified_ocr`` entry-point group like any third-party engine. The
parser also reads saved answers: the HTTP body, one response, a list of them, and
``files:annotate`` / ``asyncBatchAnnotateFiles`` output.
"""

from __future__ import annotations

from unified_ocr import hookimpl
from unified_ocr.emulator import Emulator
from unified_ocr.engines.base import Engine

from .emulator import GoogleEmulator
from .engine import GoogleEngine, GoogleOptions
from .parse import parse

__all__ = ["GoogleEmulator", "GoogleEngine", "GoogleOptions", "parse"]


@hookimpl
def register_engines() -> list[type[Engine]]:
    """The ``google`` engine."""
    return [GoogleEngine]


@hookimpl
def register_emulators() -> list[type[Emulator]]:
    """The Cloud Vision images:annotate API on loopback."""
    return [GoogleEmulator]
