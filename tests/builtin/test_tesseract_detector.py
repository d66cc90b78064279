"""Tesseract reading the lines the offline engine's detector finds (``layout = "detector"``) on
photos of Korean text: every row the detector finds comes back, Hangul rows too.

A detector's boxes are padded, and a receipt's rows sit closer than the padding, so a line's
strip held the cut-off edges of the rows above and below; Tesseract's single-line mode then
returned nothing for most Hangul rows (their syllables fill the em box, so the neighbours'
jamo reach furthest into the strip), and only the short Latin and digit rows stayed.
"""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
import pytest

import unified_ocr
from unified_ocr.drawing.fonts import open_font
from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.text import score_text
from unified_ocr_tesseract.strips import line_strip

from ..conftest import ROOT
from .tesseract_needs import DETECTOR, FONT, needs_font, needs_tesseract

EVAL = ROOT.parent / "shared" / "eval"

#: A shop receipt: item names on the left, amounts on the right, rows 1.25 glyph heights apart.
RECEIPT = [("이마트 성수점", ""), ("서울 성동구 뚝섬로 379", ""), ("2024-05-02 14:31", ""), ("상품명", "금액"),
           ("신라면 멀티팩", "4,480"), ("서울우유 1L", "2,950"), ("삼다수 2L", "1,200"), ("바나나 한송이", "3,990"),
           ("새우깡", "1,500"), ("합계", "14,120"), ("카드결제", "14,120"), ("감사합니다", "")]  # fmt: skip
HANGUL_WORDS = [w for left, right in RECEIPT for w in f"{left} {right}".split() if re.search("[가-힣]", w)]


def receipt_photo(angle: float = 3.0, scale: float = 1.0, size: int = 30, pitch: float = 1.25, seed: int = 0) -> np.ndarray:
    """The receipt printed on light paper, photographed: on a darker table, turned ``angle``
    degrees, blurred, with sensor noise, at ``scale`` of its size (BGR)."""
    from PIL import Image, ImageDraw

    assert FONT is not None
    font = open_font(FONT, size)
    width, step = 520, round(size * pitch)
    height = step * len(RECEIPT) + 80
    paper = Image.new("L", (width, height), 235)
    draw = ImageDraw.Draw(paper)
    for k, (left, right) in enumerate(RECEIPT):
        y = 40 + k * step
        draw.text((30, y), left, font=font, fill=40)
        if right:
            draw.text((width - 30 - draw.textlength(right, font=font), y), right, font=font, fill=40)
    table = np.full((height + 300, width + 300), 110, np.uint8)
    table[150 : 150 + height, 150 : 150 + width] = np.asarray(paper)
    turn = cv2.getRotationMatrix2D((table.shape[1] / 2, table.shape[0] / 2), angle, 1.0)
    photo = cv2.warpAffine(table, turn, table.shape[::-1], flags=cv2.INTER_CUBIC, borderValue=110)
    photo = cv2.GaussianBlur(photo, (0, 0), 1.0)
    photo = np.clip(photo + np.random.default_rng(seed).normal(0, 8, photo.shape), 0, 255).astype(np.uint8)
    if scale != 1.0:
        photo = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR)


def found_words(text: str) -> list[str]:
    """The receipt's Hangul words that the text holds (spacing aside)."""
    flat = re.sub(r"\s+", "", text)
    return [w for w in HANGUL_WORDS if w in flat]


# -- the strip: no Tesseract needed ----------------------------------------------------------------


@needs_font
def test_a_line_strip_keeps_its_own_row_and_paints_over_the_neighbours() -> None:
    """Three rows closer than the box's margin: the middle row's strip keeps its ink (its comma
    below the baseline too) and none of the rows above and below."""
    from PIL import Image, ImageDraw

    assert FONT is not None
    font = open_font(FONT, 30)
    page = Image.new("L", (400, 160), 235)
    draw = ImageDraw.Draw(page)
    for k, text in enumerate(["바나나 한송이", "합계 14,120", "카드결제 감사"]):
        draw.text((20, 20 + 36 * k), text, font=font, fill=30)
    pixels = np.asarray(page)
    left, top, right, bottom = draw.textbbox((20, 56), "합계 14,120", font=font)
    pad = 0.3 * (bottom - top)  # a detector's box is padded beyond the glyphs
    corners = np.array(
        [[left - pad, top - pad], [right + pad, top - pad], [right + pad, bottom + pad], [left - pad, bottom + pad]]
    )
    strip, to_page = line_strip(pixels, corners)
    ink = strip < 128
    rows = np.flatnonzero(ink.any(axis=1))
    # the ink left is one band: the row's own glyphs, with nothing at the strip's top and bottom edges
    assert rows.size and not ink[:2].any() and not ink[-2:].any()
    assert np.all(np.diff(rows) == 1)
    # all of the row's own ink is kept: the strip mapped back covers it
    ys, xs = np.nonzero(pixels[top:bottom, left:right] < 128)
    back = to_page.inverse().apply(np.stack([xs + left, ys + top], axis=1).astype(float))
    kept = strip[
        np.clip(back[:, 1].round().astype(int), 0, strip.shape[0] - 1),
        np.clip(back[:, 0].round().astype(int), 0, strip.shape[1] - 1),
    ]
    assert np.mean(kept < 160) > 0.9


# -- reading for real --------------------------------------------------------------------------


@pytest.mark.slow
@needs_tesseract
@needs_font
@pytest.mark.parametrize(("angle", "scale"), [(3.0, 1.0), (-4.0, 0.5)], ids=["turned-3deg", "turned-4deg-half-size"])
def test_the_hangul_rows_of_a_receipt_photo_come_back(tmp_path: Path, angle: float, scale: float) -> None:
    image = tmp_path / "receipt.png"
    cv2.imwrite(str(image), receipt_photo(angle=angle, scale=scale, seed=int(abs(angle))))
    result = unified_ocr.recognize(image, engine=DETECTOR, cache=False)
    found = found_words(result.text)
    # before the strips kept only their own row, 8 and 10 of these 17 words came back
    assert len(found) >= len(HANGUL_WORDS) - 2, (sorted(set(HANGUL_WORDS) - set(found)), result.text)
    digits = re.sub(r"[\s,.]", "", result.text)
    for amount in ("4480", "2950", "1200", "3990", "1500", "14120"):  # the amounts stay too
        assert amount in digits


@pytest.mark.slow
@needs_tesseract
@pytest.mark.skipif(not (EVAL / "korean-real").is_dir(), reason=f"needs the evaluation images at {EVAL}")
@pytest.mark.parametrize("name", ["paddleocr_korean_1", "rapidocr_korean"])
def test_the_phone_photos_read_with_the_detector(name: str) -> None:
    """Each line of the two phone photos comes back (CER 0.39 on each before, 0.28 and 0.09 after)."""
    truth = (EVAL / "korean-real" / "gt" / f"{name}.txt").read_text(encoding="utf-8")
    result = unified_ocr.recognize(EVAL / "korean-real" / "images" / f"{name}.jpg", engine=DETECTOR, cache=False)
    assert score_text(truth, result.text, Normalization(drop_whitespace=True)).cer <= 0.33
