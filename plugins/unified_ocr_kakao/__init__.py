"""Kakao i Cloud General OCR for unified-ocr: the ``kakao`` engine and its emulator.

Registered through the ``unified_ocr`` entry-point group like any third-party engine. The
parser also reads answers of the older Kakao Vision OCR API.
"""

from __future__ import annotations

from unified_ocr import hookimpl
from unified_ocr.emulator import Emulator
from unified_ocr.engines.base import Engine

from .emulator import KakaoEmulator
from .engine import KakaoEngine, KakaoOptions
from .parse import parse

__all__ = ["KakaoEmulator", "KakaoEngine", "KakaoOptions", "parse"]


@hookimpl
def register_engines() -> list[type[Engine]]:
    """The ``kakao`` engine."""
    return [KakaoEngine]


@hookimpl
def register_emulators() -> list[type[Emulator]]:
    """The Kakao i Cloud General OCR API on loopback."""
    return [KakaoEmulator]
