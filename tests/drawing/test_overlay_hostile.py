"""Overlays of hostile texts (issue 20): a bidi control must not reorder a label, and NUL or
ESC are drawn as their pictures, not lost."""

from __future__ import annotations

import numpy as np
import pytest

from unified_ocr import Line, Page, Quad, Word
from unified_ocr.drawing import draw_overlay, find_hangul_font
from unified_ocr.drawing.overlay import drawable, marks

FONT = find_hangul_font()


def drawn(text: str) -> np.ndarray:
    quad = Quad([(40, 60), (300, 60), (300, 90), (40, 90)])
    word = Word(text, quad, 0.9)
    page = Page(0, 400, 120, (Line(text, quad, (word,)),))
    return np.asarray(draw_overlay(np.full((120, 400, 3), 255, np.uint8), page, font=FONT))


def test_drawable_drops_bidi_controls_and_shows_control_characters() -> None:
    assert drawable("\u202eLATOT\u202c 12,400\u2066x\u2069") == "LATOT 12,400x"
    assert drawable("a\x00b\x1bc\nd\x7f") == "a\u2400b\u241bc\u240ad\u2421"
    page = Page(0, 10, 10, (Line("\u202eab\x00", Quad([(0, 0), (5, 0), (5, 5), (0, 5)]), ()),))
    assert [m.text for m in marks(page, "line")] == ["ab\u2400"]


@pytest.mark.skipif(FONT is None, reason="needs a font with Hangul: apt-get install fonts-nanum")
def test_a_bidi_control_does_not_reverse_the_label() -> None:
    assert np.array_equal(drawn("\u202eLATOT\u202c 12,400"), drawn("LATOT 12,400"))
    assert np.array_equal(drawn("\u2067AB\u2069 CD"), drawn("AB CD"))


@pytest.mark.skipif(FONT is None, reason="needs a font with Hangul: apt-get install fonts-nanum")
def test_nul_and_esc_are_drawn_as_their_pictures() -> None:
    assert np.array_equal(drawn("nul\x00esc\x1b[31m"), drawn("nul\u2400esc\u241b[31m"))
    assert not np.array_equal(drawn("nul\x00esc"), drawn("nulesc"))
