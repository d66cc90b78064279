"""Overlays: a result drawn over its image (``unified-ocr draw``). Imports only the model,
geometry, errors and imaging; Pillow draws."""

from __future__ import annotations

from .fonts import find_font_for, find_hangul_font, glyphless, has_hangul
from .overlay import LEVELS, draw_overlay, marks

__all__ = ["LEVELS", "draw_overlay", "find_font_for", "find_hangul_font", "glyphless", "has_hangul", "marks"]
