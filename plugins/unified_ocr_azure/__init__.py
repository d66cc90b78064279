"""Azure AI Document Intelligence for unified-ocr: the ``azure`` engine and its emulator.

Registered through the ``unified_ocr`` entry-point group like any third-party engine. The
parser also reads saved answers of Form Recognizer 2.x, Computer Vision Read 3.x and Image
Analysis 4.0.
"""

from __future__ import annotations

from .parse import parse

__all__ = ["parse"]
