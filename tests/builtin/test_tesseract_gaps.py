"""What single-line reading of the detector's strips leaves out: the gaps between the pieces of a
row (a receipt's lone faint count, which the offline detector does not box, comes back; an
empty gap adds nothing), and a strip read as nothing (read again as a block, its middle line kept)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from unified_ocr import Line, Quad, Transform, Word
from unified_ocr.drawing.fonts import open_font
from unified_ocr_tesseract import TesseractEngine
from unified_ocr_tesseract.engine import _middle_line
from unified_ocr_tesseract.gaps import inked, kept

from .tesseract_needs import DETECTOR, FONT, needs_font, needs_tesseract


def word(text: str, confidence: float) -> Word:
    return Word(text, Quad.from_bbox(0, 0, 10, 10), confidence)


def test_only_sure_letters_digits_and_syllables_are_kept() -> None:
    line = Line.from_words([word("3", 0.96), word("|", 0.95), word("ㅣ", 0.9), word("7", 0.5), word("원", 0.9)])
    found = kept(line)
    assert found is not None and found.text == "3 원"
    assert kept(Line.from_words([word("—", 0.99), word("1", 0.4)])) is None


def test_a_strip_of_paper_and_noise_holds_no_ink_and_a_faint_digit_does() -> None:
    rng = np.random.default_rng(0)
    paper = np.clip(rng.normal(225, 4, (40, 80)), 0, 255).astype(np.uint8)  # a photo's noise
    assert not inked(paper)
    digit = paper.copy()
    digit[10:30, 38:41] = 190  # a faint thin stroke: a "1" printed by a worn head
    assert inked(digit)


def receipt_row(cells: list[tuple[str, int]], size: int = 26, ink: int = 150, seed: int = 0) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One receipt row, its cells' left edges given, printed faint on noisy paper (BGR), and each
    cell's box as a detector pads it (a third of the text's height around its ink)."""
    from PIL import Image, ImageDraw

    assert FONT is not None
    font = open_font(FONT, size)
    image = Image.new("L", (560, 3 * size), 232)
    draw = ImageDraw.Draw(image)
    boxes = {}
    for text, x in cells:
        draw.text((x, size), text, font=font, fill=ink)
        x0, y0, x1, y1 = draw.textbbox((x, size), text, font=font)
        pad = (y1 - y0) / 3
        boxes[text] = np.array([[x0 - pad, y0 - pad], [x1 + pad, y0 - pad], [x1 + pad, y1 + pad], [x0 - pad, y1 + pad]], np.float64)
    pixels = np.clip(np.asarray(image, np.float64) + np.random.default_rng(seed).normal(0, 4, (3 * size, 560)), 0, 255).astype(np.uint8)
    return np.repeat(pixels[:, :, None], 3, axis=2), boxes


@needs_tesseract
@needs_font
def test_a_lone_count_the_detector_left_out_between_price_and_amount_is_read() -> None:
    pixels, boxes = receipt_row([("3,600", 200), ("3", 330), ("10,800", 430)])
    engine = TesseractEngine(DETECTOR)
    whole = Transform.identity(pixels.shape[1], pixels.shape[0])
    lines, _ = engine._read_detected(pixels, [boxes["3,600"], boxes["10,800"]], whole)  # the detector's boxes: no "3"
    assert [line.text for line in lines] == ["3,600 3 10,800"]
    count = lines[0].words[1]
    x0, _, x1, _ = count.quad.bbox()
    assert 325 <= x0 and x1 <= 350  # where the "3" is printed, in the image's pixels


@needs_tesseract
@needs_font
def test_an_empty_gap_in_a_row_adds_nothing() -> None:
    pixels, boxes = receipt_row([("합계", 30), ("14,120", 430)])
    engine = TesseractEngine(DETECTOR)
    whole = Transform.identity(pixels.shape[1], pixels.shape[0])
    lines, _ = engine._read_detected(pixels, list(boxes.values()), whole)
    assert [line.text for line in lines] == ["합계 14,120"]


DATA = Path(__file__).parent / "data"


def test_of_a_block_s_lines_the_sure_one_across_the_strip_s_middle_is_kept() -> None:
    def line(text: str, top: float, confidence: float) -> Line:
        return Line.from_words([Word(text, Quad.from_bbox(0, top, 100, top + 20), confidence)])

    fragment, row, below = line("ee Se", 0, 0.9), line("대표 강하늘", 20, 0.8), line("서울", 42, 0.9)
    strip = Transform.identity(100, 60)
    assert _middle_line([fragment, row, below], strip, 60) == [row]
    assert _middle_line([fragment, line("대표 강하늘", 20, 0.3), below], strip, 60) == []  # texture reads at 0.3
    assert _middle_line([fragment, below], strip, 60) == []


@needs_tesseract
def test_a_strip_single_line_mode_reads_as_nothing_is_read_as_a_block() -> None:
    # a faded thermal row whose strip keeps the rows' fragments above and below (joined to its
    # own ink): Tesseract's single-line mode returns nothing for it
    region = cv2.cvtColor(cv2.imread(str(DATA / "thermal-row-with-fragments.png"), cv2.IMREAD_GRAYSCALE), cv2.COLOR_GRAY2BGR)
    corners = np.array([[42.11, 40.88], [331.04, 48.96], [329.02, 91.39], [40.09, 83.31]])
    engine = TesseractEngine(DETECTOR)
    (row,) = engine._read_strip(region, corners)
    assert row.text.startswith("대표 강하늘 TEL 02-655")
    assert 35 <= row.quad.bbox()[1] and row.quad.bbox()[3] <= 100  # on the region, where the row is
