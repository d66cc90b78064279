"""Turned text through the offline engine: every quad starts at its text's own top-left.

The sample receipt is turned a quarter, half and three quarters, in its pixels or through
an EXIF orientation tag, and read for real. Expected quads are the upright reading's, moved
by the same turn; crops of turned lines must come out as the upright crops do.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import cv2
import numpy as np
import pytest
from PIL import Image

import unified_ocr
from unified_ocr import Line, OcrResult, Quad
from unified_ocr.geometry import angle_gap

from ..conftest import SAMPLE

pytestmark = pytest.mark.slow

Move = Callable[[float, float], tuple[float, float]]


@pytest.fixture(scope="module")
def upright(sample_reading: OcrResult) -> OcrResult:
    """The upright reading every turned one is held against: the run's one reading of the sample."""
    return sample_reading


def turn(width: int, height: int, quarter_turns: int) -> tuple[int, Move]:
    """cv2's rotate code for ``quarter_turns`` clockwise, and where a point of the upright page goes."""
    if quarter_turns == 1:
        return cv2.ROTATE_90_CLOCKWISE, lambda x, y: (height - y, x)
    if quarter_turns == 2:
        return cv2.ROTATE_180, lambda x, y: (width - x, height - y)
    return cv2.ROTATE_90_COUNTERCLOCKWISE, lambda x, y: (y, width - x)


def moved(quad: Quad, move: Move) -> Quad:
    return Quad([move(x, y) for x, y in quad.points])


def lines_by_text(result: OcrResult) -> dict[str, Line]:
    return {line.text: line for line in result.pages[0].lines}


def assert_same_reading(got: OcrResult, upright: OcrResult, move: Move, angle: float) -> None:
    """Lines read alike start where the moved upright lines start, and read at ``angle``."""
    ref, found = lines_by_text(upright), lines_by_text(got)
    common = [text for text in ref if text in found and len(text) >= 4]
    assert len(common) >= 0.6 * len([t for t in ref if len(t) >= 4]), (list(ref), list(found))
    for text in common:
        expected, line = moved(ref[text].quad, move), found[text]
        assert angle_gap(line.quad.angle, angle) < 10, (text, line.quad.angle)
        (x, y), (ex, ey) = line.quad.points[0], expected.points[0]
        assert abs(x - ex) + abs(y - ey) < 0.8 * expected.height, (text, line.quad.points, expected.points)
        assert line.quad.iou(expected) > 0.6
        expected_words = {w.text: moved(w.quad, move) for w in ref[text].words}
        for word in line.words:  # words too: first point at the text's start, the word where it is
            if word.text in expected_words and len(word.text) >= 3:
                want = expected_words[word.text]
                assert angle_gap(word.quad.angle, angle) < 10, (word.text, word.quad.angle)
                assert word.quad.iou(want) > 0.4, (word.text, word.quad.points, want.points)
    # reading order starts at the text's top: the shop's name before the total, the total before the thanks
    order = [line.text for line in got.pages[0].lines]
    assert order.index("UNIFIED MART") < order.index("TOTAL 12,400") < order.index("Thank you for shopping")


def crop_matches(crop: np.ndarray, reference: np.ndarray) -> float:
    """Normalised correlation of two grey crops brought to the reference's size, blurred so
    that the pixel or two by which two detections of one line differ does not count."""
    a, b = (cv2.GaussianBlur(cv2.cvtColor(c, cv2.COLOR_BGR2GRAY), (0, 0), 3).astype(np.float64)
            for c in (cv2.resize(crop, reference.shape[1::-1]), reference))  # fmt: skip
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


@pytest.mark.parametrize("quarter_turns", [1, 2, 3])
def test_turned_pixels_give_quads_from_the_texts_top_left(upright, quarter_turns: int) -> None:
    image = cv2.imread(str(SAMPLE))
    height, width = image.shape[:2]
    code, move = turn(width, height, quarter_turns)
    result = unified_ocr.recognize(cv2.rotate(image, code), cache=False)
    assert_same_reading(result, upright, move, 90.0 * quarter_turns)

    # a crop of a turned line is upright, as the upright line's crop is
    line = lines_by_text(result)["Thank you for shopping"]
    reference = unified_ocr.crop(image, lines_by_text(upright)["Thank you for shopping"].quad)
    crop = unified_ocr.crop(cv2.rotate(image, code), line.quad)
    assert crop.shape[1] > 3 * crop.shape[0]  # wider than tall: along the text
    assert crop_matches(crop, reference) > 0.85
    assert crop_matches(cv2.rotate(crop, cv2.ROTATE_180), reference) < crop_matches(crop, reference) - 0.1


def test_the_upright_page_reads_left_to_right(upright) -> None:
    assert_same_reading(upright, upright, lambda x, y: (x, y), 0.0)


#: For each EXIF orientation, how the stored pixels are turned from the displayed ones
#: (the inverse of what a viewer applies), with PIL's transpose methods.
STORED_FROM_DISPLAYED = {
    1: [],
    2: [Image.Transpose.FLIP_LEFT_RIGHT],
    3: [Image.Transpose.ROTATE_180],
    4: [Image.Transpose.FLIP_TOP_BOTTOM],
    5: [Image.Transpose.TRANSPOSE],
    6: [Image.Transpose.ROTATE_90],  # displayed = stored turned 90° clockwise
    7: [Image.Transpose.TRANSVERSE],
    8: [Image.Transpose.ROTATE_270],
}


def jpeg_with_orientation(image: Image.Image, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=95, exif=exif.tobytes())
    return buf.getvalue()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_reads_as_displayed(upright, orientation: int) -> None:
    """The stored pixels are turned or mirrored; displayed, the page is upright."""
    displayed = Image.open(SAMPLE).convert("RGB")
    stored = displayed
    for method in STORED_FROM_DISPLAYED[orientation]:
        stored = stored.transpose(method)
    data = jpeg_with_orientation(stored, orientation)
    assert Image.open(io.BytesIO(data)).getexif()[0x0112] == orientation
    result = unified_ocr.recognize(data, cache=False)
    assert (result.pages[0].width, result.pages[0].height) == displayed.size
    assert_same_reading(result, upright, lambda x, y: (x, y), 0.0)


@pytest.mark.parametrize(("orientation", "quarter_turns"), [(6, 1), (3, 2), (8, 3)])
def test_an_exif_turn_of_an_upright_photo_turns_its_text(upright, orientation: int, quarter_turns: int) -> None:
    """Upright pixels tagged as turned are displayed turned: so is the text, and so are its quads."""
    stored = Image.open(SAMPLE).convert("RGB")
    width, height = stored.size
    result = unified_ocr.recognize(jpeg_with_orientation(stored, orientation), cache=False)
    _, move = turn(width, height, quarter_turns)
    assert_same_reading(result, upright, move, 90.0 * quarter_turns)
