"""What the Tesseract engine's tests need, and the skip that says how to install it where it is missing."""

from __future__ import annotations

import pytest

from unified_ocr.drawing.fonts import INSTALL_HINT, find_hangul_font
from unified_ocr_tesseract import TesseractEngine, TesseractOptions

#: The engine reading the offline detector's lines: Tesseract with Korean and the ``local`` extra.
DETECTOR = TesseractOptions(layout="detector")
READY = TesseractEngine.unavailable_reason(DETECTOR)
needs_tesseract = pytest.mark.skipif(
    READY is not None,
    reason="needs Tesseract with Korean and the offline engine's detector: pip install 'unified-ocr[tesseract,local]' "
    f"and apt-get install tesseract-ocr-kor ({READY})",
)
FONT = find_hangul_font()
needs_font = pytest.mark.skipif(FONT is None, reason=f"needs a font with Hangul: {INSTALL_HINT}")
