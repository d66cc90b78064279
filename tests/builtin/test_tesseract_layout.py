"""The Tesseract engine's default ``layout = "auto"``: a photographed page is read line by line
(the offline detector's lines), a clean page by Tesseract's own layout; and the detector looks
at a long receipt at the size its lines need, not enlarged to 736 pixels across."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
import pytest

import unified_ocr
from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.text import score_text
from unified_ocr_tesseract import TesseractEngine, TesseractOptions
from unified_ocr_tesseract.detection import LARGEST_SIDE, find_lines
from unified_ocr_tesseract.kind import UNEVEN_GROUND, ground_spread, photographed

from ..conftest import ROOT
from .test_tesseract_detector import FONT, RECEIPT, needs_font, receipt_photo

READY = TesseractEngine.unavailable_reason(TesseractOptions(layout="detector"))
needs_tesseract = pytest.mark.skipif(READY is not None, reason=f"needs Tesseract with Korean and the local extra ({READY})")
TRUTH = "\n".join(f"{left} {right}".strip() for left, right in RECEIPT)


def clean_receipt() -> np.ndarray:
    """The receipt rendered on white paper filling the image, as a scan is (BGR)."""
    from PIL import Image, ImageDraw

    from unified_ocr.drawing.fonts import open_font

    assert FONT is not None
    font = open_font(FONT, 28)
    page = Image.new("L", (520, 40 * len(RECEIPT) + 60), 255)
    draw = ImageDraw.Draw(page)
    for k, (left, right) in enumerate(RECEIPT):
        draw.text((30, 30 + 40 * k), left, font=font, fill=20)
        if right:
            draw.text((490 - draw.textlength(right, font=font), 30 + 40 * k), right, font=font, fill=20)
    return cv2.cvtColor(np.asarray(page), cv2.COLOR_GRAY2BGR)


@pytest.fixture(scope="module")
def photo_and_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("layout")
    cv2.imwrite(str(folder / "photo.png"), receipt_photo(angle=4.0, seed=3))
    cv2.imwrite(str(folder / "page.png"), clean_receipt())
    return folder / "photo.png", folder / "page.png"


@needs_font
def test_a_photo_has_an_uneven_ground_and_a_clean_page_an_even_one() -> None:
    photo, page = receipt_photo(angle=4.0, seed=3), clean_receipt()
    assert ground_spread(page) < 0.05 < UNEVEN_GROUND < ground_spread(photo)
    assert photographed(photo) and not photographed(page)
    # a light gradient across a clean page, as a phone's flash leaves, is a photo too
    lit = (page * np.linspace(0.65, 1.0, page.shape[1])[None, :, None]).astype(np.uint8)
    assert photographed(lit)


def test_a_long_receipt_is_looked_at_no_larger_than_its_lines_need() -> None:
    """RapidOCR's detector enlarged a 208 x 1618 strip to 736 x 5725 pixels; the copy it is given
    now is at most 1024 pixels long when the rows found on it are high enough."""
    sizes: list[tuple[int, int]] = []

    class Found:
        boxes = np.array([[[10, 40], [900, 40], [900, 70], [10, 70]]], dtype=np.float64)  # rows 30 px high

    def detector(image: np.ndarray, **_: object) -> Found:
        sizes.append(image.shape[:2])
        return Found()

    boxes = find_lines(detector, np.full((208, 1618, 3), 255, np.uint8))
    assert sizes == [(132, 1024)]
    assert np.allclose(boxes[0][1], np.array([900, 40]) * 1618 / 1024, rtol=0.01)
    # rows only 6 px high on the copy: looked at again larger, never beyond the largest side
    Found.boxes = np.array([[[10, 40], [900, 40], [900, 46], [10, 46]]], dtype=np.float64)
    sizes.clear()
    find_lines(detector, np.full((3000, 2000, 3), 255, np.uint8))
    assert len(sizes) == 2 and max(sizes[1]) <= LARGEST_SIDE and max(sizes[1]) > max(sizes[0])


@pytest.mark.slow
@needs_tesseract
@needs_font
def test_the_photo_is_read_line_by_line_and_the_clean_page_by_page(photo_and_page: tuple[Path, Path]) -> None:
    photo, page = photo_and_page
    by_lines = unified_ocr.recognize(photo, engine="tesseract", cache=False)
    flattened = unified_ocr.recognize(photo, engine=TesseractOptions(flatten=True), cache=False)
    read_page = unified_ocr.recognize(page, engine="tesseract", cache=False)
    # the photo as it comes has an uneven ground: read line by line; the clean page as a page
    assert by_lines.meta["tesseract"]["layout"] == "detector"
    assert read_page.meta["tesseract"]["layout"] == "tesseract"
    # and the photo, not the clean page, is found and flattened first (flatten = "photos", the default)
    assert by_lines.meta["tesseract"]["flattened"] and not read_page.meta["tesseract"]["flattened"]
    # Hangul lines, read well: Tesseract's page layout reads this photo at CER 0.18, its lines at 0.02
    hangul = [line.text for line in by_lines.pages[0].lines if re.search("[가-힣]{2}", line.text)]
    assert len(hangul) >= 9, by_lines.text
    for result in (by_lines, flattened):
        assert score_text(TRUTH, result.text, Normalization()).cer <= 0.08, result.text
    assert score_text(TRUTH, read_page.text, Normalization()).cer <= 0.05, read_page.text
    # a word is what the line's text spaces as one (Korean comes a syllable at a time: the pieces
    # read with no blank between are joined), in both modes
    for result in (by_lines, read_page):
        for line in result.pages[0].lines:
            assert " ".join(word.text for word in line.words) == line.text
        assert any(re.fullmatch("[가-힣]{3,}", word.text) for word in result.pages[0].words), result.text
    # every word's quad lies inside the photo, read as it comes or flattened first
    pixels = cv2.imread(str(photo))
    assert pixels is not None
    # a photo turned a quarter: the flattening levels its rows within 45 degrees, leaving it on its
    # side, and the orientation step, on its lines' reading, turns it the quarter back by whole
    # pixels; it then reads exactly as it does upright
    sideways = unified_ocr.recognize(cv2.rotate(pixels, cv2.ROTATE_90_CLOCKWISE), engine="tesseract", cache=False)
    meta = sideways.meta["tesseract"]
    assert abs(meta["levelled"]) < 5 and meta["turned"] == 90, meta
    assert sideways.text == by_lines.text
    height, width = pixels.shape[:2]
    for result in (by_lines, flattened):
        for line in result.pages[0].lines:
            for word in line.words:
                x0, y0, x1, y1 = word.quad.bbox()
                assert -2 <= x0 <= x1 <= width + 2 and -2 <= y0 <= y1 <= height + 2


EVAL = ROOT.parent / "shared" / "eval" / "korean-real"


@pytest.mark.slow
@needs_tesseract
@pytest.mark.skipif(not (EVAL / "images" / "paddleocr_korean_1.jpg").is_file(), reason=f"needs the evaluation images at {EVAL}")
def test_a_drawing_with_lines_under_it_reads_as_one_column_upright_and_turned() -> None:
    """Tesseract's block layout reads the drawing as text (CER 0.34); as one column it reads the
    lines alone (0.18), and so does the page turned a quarter, read upright again."""
    truth = (EVAL / "gt" / "paddleocr_korean_1.txt").read_text(encoding="utf-8")
    pixels = cv2.imread(str(EVAL / "images" / "paddleocr_korean_1.jpg"))
    assert pixels is not None
    upright = unified_ocr.recognize(pixels, engine="tesseract", cache=False)
    turned = unified_ocr.recognize(cv2.rotate(pixels, cv2.ROTATE_90_CLOCKWISE), engine="tesseract", cache=False)
    assert upright.meta["tesseract"]["layout"] == turned.meta["tesseract"]["layout"] == "column"
    assert turned.meta["tesseract"]["turned"] == 90
    assert score_text(truth, upright.text, Normalization()).cer <= 0.25
    assert score_text(truth, turned.text, Normalization()).cer <= score_text(truth, upright.text, Normalization()).cer + 0.02


def table_page() -> np.ndarray:
    """A clean page: a title in 110-pixel type, two lines of body text, and a table of 15 cells
    in 20-pixel type (as the recorded Textract sample page has; Tesseract's one-block layout read
    its body lines alone, confidently)."""
    from PIL import Image, ImageDraw

    from unified_ocr.drawing.fonts import open_font

    assert FONT is not None
    page = Image.new("RGB", (1200, 1400), "white")
    draw = ImageDraw.Draw(page)
    draw.text((120, 80), "Monthly Report", font=open_font(FONT, 110), fill="black")
    draw.text((120, 300), "Name of package: unified", font=open_font(FONT, 34), fill="black")
    draw.text((120, 350), "Date: 2026-12-06", font=open_font(FONT, 34), fill="black")
    small = open_font(FONT, 20)
    for n in range(15):
        x, y = 110 + (n % 5) * 196, 450 + (n // 5) * 80
        draw.rectangle([x, y, x + 196, y + 80], outline="black", width=2)
        draw.text((x + 10, y + 10), f"Cell {n + 1}", font=small, fill="black")
    return cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)


@pytest.mark.slow
@needs_tesseract
@needs_font
def test_a_clean_page_whose_layout_reading_misses_the_detectors_lines_is_read_line_by_line() -> None:
    """Read by Tesseract's layout, the page came back as its two body lines; its words lay on
    few of the detector's lines, so it is read line by line too, and that reading kept: the title
    and the cells come back, at its size, at half, and turned any quarter."""
    page = table_page()
    upright = unified_ocr.recognize(page, engine="tesseract", cache=False)
    assert upright.meta["tesseract"]["layout"] == "detector", upright.meta["tesseract"]
    assert "Monthly Report" in upright.text and "Date: 2026-12-06" in upright.text
    assert sum(re.search(rf"\bcell {n}\b", upright.text, re.IGNORECASE) is not None for n in range(1, 16)) >= 13, upright.text
    for code in (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE):
        assert unified_ocr.recognize(cv2.rotate(page, code), engine="tesseract", cache=False).text == upright.text
    half = unified_ocr.recognize(cv2.resize(page, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA), engine="tesseract", cache=False)
    assert "Monthly Report" in half.text and sum(f"Cell {n}" in half.text for n in range(1, 16)) >= 8, half.text
    # the layout asked for is the layout used: no second reading
    asked = unified_ocr.recognize(page, engine=TesseractOptions(layout="tesseract"), cache=False)
    assert asked.meta["tesseract"]["layout"] == "tesseract" and "Cell" not in asked.text
