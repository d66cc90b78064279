"""The offline default engine, run for real on the bundled sample with the network shut."""

from __future__ import annotations

import io
import socket

import cv2
import numpy as np
import pytest
from PIL import Image

import unified_ocr
from unified_ocr.api import choose_engine
from unified_ocr.config import Config

from ..conftest import SAMPLE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample_result() -> unified_ocr.OcrResult:
    return unified_ocr.recognize(SAMPLE)


def test_the_sample_is_read_line_by_line(sample_result) -> None:
    lines = [line.text for line in sample_result.pages[0].lines]
    for expected in ("UNIFIED MART", "12 Harbour Road, Busan", "Green tea 2 3,000", "Kimchi 500g 1 6,900", "TOTAL 12,400", "Thank you for shopping"):
        assert expected in lines
    assert lines.index("UNIFIED MART") < lines.index("TOTAL 12,400") < lines.index("Thank you for shopping")
    assert sample_result.engine == "rapidocr"
    assert sample_result.text == "\n".join(lines)


def test_words_carry_quads_in_the_image_and_confidences(sample_result) -> None:
    page = sample_result.pages[0]
    assert (page.width, page.height) == (540, 470)
    assert len(page.words) >= len(page.lines) + 10  # multi-word lines are split
    for line in page.lines:
        assert " ".join(w.text for w in line.words).replace(" ", "") == line.text.replace(" ", "")
        assert 0 < line.confidence <= 1
        for word in line.words:
            x0, y0, x1, y1 = word.quad.bbox()
            assert -2 <= x0 < x1 <= 542 and -2 <= y0 < y1 <= 472
            assert 0 < word.confidence <= 1
            assert word.quad.iou(line.quad) > 0  # the word lies on its line
    total = next(line for line in page.lines if line.text == "TOTAL 12,400")
    x0, y0, x1, y1 = total.quad.bbox()
    assert 30 <= x0 <= 50 and 315 <= y0 <= 340 and x1 > 400  # where make_sample.py drew it (y = 327), with its amount


def test_no_network_is_touched(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the offline engine tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    choice = choose_engine("rapidocr", Config())
    engine = choice.engine(choice.options)  # a fresh instance: model loading is checked too
    from unified_ocr.imaging.prepare import prepare
    from unified_ocr.imaging.sources import open_source

    source = open_source(SAMPLE)
    result = engine.recognize(next(prepare(source, engine.limits)))
    assert "TOTAL" in result.text


def test_exif_rotated_photo_comes_back_in_the_displayed_frame(sample_result) -> None:
    upright = cv2.imread(str(SAMPLE))
    stored = cv2.rotate(upright, cv2.ROTATE_90_COUNTERCLOCKWISE)  # orientation 6: turn 90° clockwise to display
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    Image.fromarray(cv2.cvtColor(stored, cv2.COLOR_BGR2RGB)).save(buf, "JPEG", quality=95, exif=exif.tobytes())
    result = unified_ocr.recognize(buf.getvalue())
    page = result.pages[0]
    assert (page.width, page.height) == (540, 470)
    expected = next(line for line in sample_result.pages[0].lines if line.text == "TOTAL 12,400").quad
    got = next(line for line in page.lines if line.text == "TOTAL 12,400").quad
    assert got.iou(expected) > 0.8


def test_array_input_and_a_blank_image() -> None:
    blank = np.full((200, 300), 255, np.uint8)
    result = unified_ocr.recognize(blank)
    assert result.pages[0].lines == () and result.text == ""
    assert (result.pages[0].width, result.pages[0].height) == (300, 200)
