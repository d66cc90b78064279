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


def test_small_images_are_padded_not_enlarged_past_max_upscale() -> None:
    from unified_ocr_rapidocr.engine import DETECTION_SIDE, bounded_upscale

    line = np.full((60, 240, 3), (200, 220, 240), np.uint8)
    padded = bounded_upscale(line, 2.0)
    assert padded.shape == (DETECTION_SIDE // 2, DETECTION_SIDE // 2, 3)
    assert (padded[:60, :240] == line).all() and (padded[-1, -1] == (200, 220, 240)).all()  # the image where it was, its border colour around
    assert bounded_upscale(line, 0) is line  # RapidOCR's own enlargement
    page = np.full((800, 600, 3), 255, np.uint8)
    assert bounded_upscale(page, 2.0) is page  # large enough: untouched
    gray = bounded_upscale(np.full((30, 500), 17, np.uint8), 4.0)
    assert gray.shape == (184, 500) and gray.dtype == np.uint8 and gray[-1, 0] == 17
    with pytest.raises(unified_ocr.ConfigError):
        choose_engine("p", Config.from_dict({"engines": {"p": {"backend": "rapidocr", "max_upscale": -1}}}))


def test_a_text_line_image_is_read_whole_in_its_own_frame() -> None:
    """A 60 px tall line: before max_upscale it was enlarged twelve times and read in pieces."""
    pixels = np.full((60, 300, 3), 255, np.uint8)
    cv2.putText(pixels, "Invoice 2026-0042", (10, 42), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2)
    result = unified_ocr.recognize(pixels, cache=False)
    assert result.text == "Invoice 2026-0042"
    page = result.pages[0]
    assert (page.width, page.height) == (300, 60)
    for word in page.words:
        left, top, right, bottom = word.quad.bbox()
        assert -3 <= left and right <= 303 and -3 <= top and bottom <= 63, word


def test_a_bare_rapidocr_built_with_the_engines_parameters_reads_what_the_engine_reads(sample_result) -> None:
    """The overhead benchmark (benchmarks/offline_overhead.py) times RapidOCR built this way
    against the engine: it must be the same reading, or the figure compares two setups."""
    from rapidocr import RapidOCR

    from unified_ocr_rapidocr.engine import RapidOcrOptions, rapidocr_params
    from unified_ocr_rapidocr.spaces import favour_spaces

    params = rapidocr_params(RapidOcrOptions())
    assert params["Global.text_score"] == 0.5 and params["Det.limit_side_len"] == 736
    assert rapidocr_params(RapidOcrOptions(text_score=0.7, use_angle_cls=False))["Global.use_cls"] is False
    bare = RapidOCR(params=params)
    assert favour_spaces(bare)  # decoding as the engine does
    out = bare(str(SAMPLE), return_word_box=True)
    assert sorted(" ".join(out.txts).split()) == sorted(sample_result.text.split())
