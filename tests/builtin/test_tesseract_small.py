"""Small photos: the Tesseract engine enlarges an image whose text is a few pixels high before
reading it, and maps every quad back to the image as sent.

A receipt photo shrunk to fit 200 x 260 pixels has rows 6 to 10 pixels high; read as it came,
the engine found a tenth of its characters or less (``benchmarks/tesseract_small.py``).
"""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest

import unified_ocr
from unified_ocr.drawing.fonts import open_font
from unified_ocr_tesseract import TesseractEngine, TesseractOptions
from unified_ocr_tesseract.small import MAX_FACTOR, MIN_FACTOR, STEP, enlargement

from .tesseract_needs import FONT, needs_font, needs_tesseract

DEFAULT = TesseractOptions()

ROWS = ["하나마트 역삼점", "서울 강남구 역삼로 180", "2025-03-14 18:22", "신라면 4,480", "서울우유 2,950", "삼다수 1,200",
        "바나나 3,990", "합계 12,620", "카드결제 12,620", "감사합니다"]  # fmt: skip


def receipt(angle: float, fit: tuple[int, int]) -> tuple[np.ndarray, list[np.ndarray]]:
    """A receipt photographed on a table, turned ``angle`` degrees and shrunk to fit ``fit``; and
    each row's ink box (four corners) on the shrunk photo."""
    from PIL import Image, ImageDraw

    assert FONT is not None
    font = open_font(FONT, 34)
    width, step = 560, 50
    height = step * len(ROWS) + 80
    paper = Image.new("L", (width, height), 232)
    draw = ImageDraw.Draw(paper)
    boxes = []
    for k, text in enumerate(ROWS):
        draw.text((34, 40 + k * step), text, font=font, fill=35)
        boxes.append(draw.textbbox((34, 40 + k * step), text, font=font))
    table = np.full((height + 240, width + 240), 105, np.uint8)
    table[120 : 120 + height, 120 : 120 + width] = np.asarray(paper)
    turn = cv2.getRotationMatrix2D((table.shape[1] / 2, table.shape[0] / 2), angle, 1.0)
    photo = cv2.warpAffine(table, turn, table.shape[::-1], flags=cv2.INTER_CUBIC, borderValue=105)
    photo = np.clip(cv2.GaussianBlur(photo, (0, 0), 1.2) + np.random.default_rng(1).normal(0, 6, photo.shape), 0, 255)
    factor = min(fit[0] / photo.shape[1], fit[1] / photo.shape[0])
    small = cv2.resize(photo.astype(np.uint8), None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    quads = []
    for x0, y0, x1, y1 in boxes:
        corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64) + 120
        quads.append((corners @ turn[:, :2].T + turn[:, 2]) * factor)
    return cv2.cvtColor(small, cv2.COLOR_GRAY2BGR), quads


@needs_tesseract
@needs_font
def test_only_small_text_is_enlarged() -> None:
    """A receipt shrunk to 200 x 260 is enlarged several times; the same receipt at a size where
    its rows are 30 pixels high, and a large image, are not."""
    engine = TesseractEngine(DEFAULT)
    try:
        detector = engine._line_detector
        small, _ = receipt(4.0, (200, 260))
        assert 3.0 <= enlargement(detector, small) <= MAX_FACTOR
        readable, _ = receipt(4.0, (560, 560))  # small too, but its rows are already about 30 pixels high
        assert enlargement(detector, readable) < MIN_FACTOR
        large, _ = receipt(4.0, (900, 1100))
        assert enlargement(detector, large) == 1.0
    finally:
        engine.close()


@needs_tesseract
@needs_font
def test_a_small_page_is_enlarged_as_much_turned_as_upright() -> None:
    """Measured on the image as given, a receipt turned a quarter (its rows running down, which
    the detector boxes otherwise) was enlarged otherwise than upright, and read otherwise once
    turned back; the lines are measured the way they run across, in steps of STEP."""
    engine = TesseractEngine(DEFAULT)
    try:
        detector = engine._line_detector
        small, _ = receipt(4.0, (200, 260))
        upright = enlargement(detector, small)
        assert upright >= MIN_FACTOR and upright % STEP == 0
        for code in (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE):
            assert enlargement(detector, cv2.rotate(small, code)) == upright
    finally:
        engine.close()


class Lopsided:
    """A detector that finds a page's rows a little otherwise upside down, as the real one does
    (a receipt at half size: 13.0 pixels upright, 12.0 upside down): 5 % of the image's height
    where its top half is the darker, 4.35 % where not; each row across 80 % of its width."""

    def __call__(self, image: np.ndarray, **kwargs: object) -> object:
        h, w = image.shape[:2]
        row = h * (0.05 if image[: h // 2].mean() < image[h // 2 :].mean() else 0.0435)
        boxes = [np.array([[0.1 * w, y], [0.9 * w, y], [0.9 * w, y + row], [0.1 * w, y + row]]) for y in np.arange(10) * 2 * row]
        return type("Found", (), {"boxes": boxes})()


def test_a_page_upside_down_is_measured_on_the_same_images_as_upright() -> None:
    """Measured as it came, the page below was enlarged 3 times upright and 3.5 upside down
    (rows of 13 and 11.3 pixels), and read otherwise once turned back. Each look is now taken on
    the page and on it turned a half turn together: the same images, the same factor."""
    page = np.full((260, 200, 3), 230, np.uint8)
    page[:60] = 180  # darker at the top: upright
    lopsided = Lopsided()
    one_way = [STEP * round(40 / (0.05 * 260) / STEP), STEP * round(40 / (0.0435 * 260) / STEP)]
    assert one_way == [3.0, 3.5]  # what each way alone would say
    assert enlargement(lopsided, page) == enlargement(lopsided, cv2.rotate(page, cv2.ROTATE_180)) >= MIN_FACTOR


def tiny_form() -> np.ndarray:
    """A form of 9-pixel print, 377 x 500: five blocks of six rows, left and right in turn. At half
    size the detector boxes blocks of it whole, 20 to 31 pixels high."""
    from PIL import Image, ImageDraw

    assert FONT is not None
    font = open_font(FONT, 9)
    page = Image.new("L", (377, 500), 245)
    draw = ImageDraw.Draw(page)
    labels = "계약 번호 담당자 서명 주소 전화 날짜 금액 합계 비고 확인 승인 제출 검토 수량 단가".split()
    rng = np.random.default_rng(0)
    top, step = 20, 12
    for block in range(5):
        for row in range(6):
            draw.text((20 if block % 2 == 0 else 200, top + row * step), " ".join(rng.choice(labels, 3)), font=font, fill=30)
        top += 6 * step + 22
    return cv2.cvtColor(np.asarray(page), cv2.COLOR_GRAY2BGR)


@needs_tesseract
@needs_font
def test_a_page_of_tiny_print_is_enlarged_whatever_its_blocks_look_like_at_a_glance() -> None:
    """At half size the detector boxed this form's blocks whole, as rows over 27 pixels high, on
    the page turned a quarter or a half but not upright: turned, it was read as it came; upright,
    enlarged 3 times. The lines found at full size (14 pixels) now have the last word."""
    engine = TesseractEngine(DEFAULT)
    try:
        detector = engine._line_detector
        form = tiny_form()
        upright = enlargement(detector, form)
        assert upright >= 2.5
        for code in (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE):
            assert enlargement(detector, cv2.rotate(form, code)) == upright
    finally:
        engine.close()


class Counting:
    """The real detector, counting the pixels it is run on (its cost)."""

    def __init__(self, detector: object) -> None:
        self.detector, self.pixels = detector, 0

    def __call__(self, image: np.ndarray, **kwargs: object) -> object:
        self.pixels += image.shape[0] * image.shape[1]
        return self.detector(image, **kwargs)  # type: ignore[operator]


@needs_tesseract
@needs_font
def test_an_upright_small_page_is_not_looked_at_turned() -> None:
    """Each look is a run of the detector: a small page whose lines clearly run across is
    measured as it is (the copy turned a quarter is looked at only at a glance, at half the
    size, where the detector boxes paragraphs), one turned a quarter also turned."""
    engine = TesseractEngine(DEFAULT)
    try:
        small, _ = receipt(3.0, (200, 260))
        upright = Counting(engine._line_detector)
        factor = enlargement(upright, small)
        on_its_side = Counting(engine._line_detector)
        assert enlargement(on_its_side, cv2.rotate(small, cv2.ROTATE_90_CLOCKWISE)) == factor
        assert upright.pixels < 0.6 * on_its_side.pixels
    finally:
        engine.close()


@pytest.mark.slow
@needs_tesseract
@needs_font
def test_a_receipt_shrunk_to_200_by_260_reads_and_its_quads_land_on_its_rows() -> None:
    small, quads = receipt(-5.0, (200, 260))
    result = unified_ocr.recognize(small, engine=DEFAULT, cache=False)
    assert result.meta["tesseract"]["enlarged"] >= 3.0
    page = result.pages[0]
    assert (page.width, page.height) == (small.shape[1], small.shape[0])
    flat = re.sub(r"\s+", "", result.text)
    found = [row for row in ROWS if row.split()[0] in flat]
    assert len(found) >= 7, result.text  # read as it came: 1 of the 10 rows
    landed = 0
    for line in page.lines:
        first = line.text.split()[0] if line.text.split() else ""
        rows = [k for k, row in enumerate(ROWS) if first and first == row.split()[0]]
        if not rows:
            continue
        centre = np.asarray(line.quad.points, np.float64).mean(axis=0)
        box = quads[rows[0]].astype(np.float32)
        # the line's centre lies on its row in the shrunk photo (within a pixel or two)
        assert cv2.pointPolygonTest(box, (float(centre[0]), float(centre[1])), True) >= -2.0, (line.text, centre, box)
        landed += 1
    assert landed >= 5
