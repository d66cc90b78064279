"""The Tesseract engine's orientation step cannot make a page read worse.

Orientation detection (OSD) alone turned clean upright Korean pages 90 degrees (confidence
about 7, script "Devanagari") and read them as garbage. A page is now turned only on agreeing
evidence (the offline detector's lines run across the turned page, a few lines read clearly
better turned, and OSD, when sure, does not say otherwise). Held here on a sample of the shared
pages at their size and at half, turned four ways, and on small upright Korean pages at 75 and
100 dpi; ``benchmarks/tesseract_orientation.py`` holds it on all of them.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

import unified_ocr
from unified_ocr.drawing.fonts import INSTALL_HINT, find_hangul_font, open_font
from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.text import score_text
from unified_ocr.evaluation.truth import read_truth
from unified_ocr_tesseract import TesseractEngine, TesseractOptions, tessdata
from unified_ocr_tesseract.engine import READS_ENOUGH
from unified_ocr_tesseract.orientation import (
    FAIR,
    FAIR_LINES,
    FAR,
    LITTLE_TEXT,
    MARGIN,
    OSD_SURE,
    PAGE_LINES,
    READABLE,
    SAME_TEXT,
    SAMPLE_LINES,
    WORD_CHARACTERS,
    WORD_MARGIN,
    WORD_READS,
    Reading,
    decide,
    one_word,
)

from ..conftest import ROOT
from ..imaging.photos import photograph

EVAL = ROOT.parent / "shared" / "eval"


def _missing() -> str | None:
    reason = TesseractEngine.unavailable_reason(TesseractOptions(layout="detector"))
    if reason:
        return reason
    folder = tessdata.find()
    if folder is None or "osd" not in tessdata.languages(folder):
        return "no orientation data (osd.traineddata)"
    return None


READY = _missing()
needs_tesseract = pytest.mark.skipif(
    READY is not None,
    reason="needs Tesseract with Korean and orientation data and the offline engine's detector: "
    f"pip install 'unified-ocr[tesseract,local]' and apt-get install tesseract-ocr-kor tesseract-ocr-osd ({READY})",
)
needs_eval = pytest.mark.skipif(not (EVAL / "korean-real").is_dir(), reason=f"needs the evaluation images at {EVAL}")
FONT = find_hangul_font()
needs_font = pytest.mark.skipif(FONT is None, reason=f"needs a font with Hangul: {INSTALL_HINT}")
TURN = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}

#: (image, truth): a photographed Korean receipt, a rendered Korean receipt, a scanned Latin receipt
SAMPLE = [("korean-real/images/rapidocr_korean.jpg", "korean-real/gt/rapidocr_korean.txt"),
          ("synth-korean/images/synth_ko_01.png", "synth-korean/gt_json/synth_ko_01.json"),
          ("sroie/images/001.jpg", "sroie/box/001.csv")]  # fmt: skip


# -- the decision: no Tesseract needed ---------------------------------------------------------


def box(x: float, y: float, w: float, h: float) -> np.ndarray:
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], dtype=np.float64)


ACROSS = [box(10, 10 + 40 * k, 300, 24) for k in range(5)]  # lines running across the page
DOWN = [box(10 + 40 * k, 10, 24, 300) for k in range(5)]  # lines running down it


def reading(scores: dict[int, float] | dict[int, tuple[float, int]]):  # noqa: ANN201
    """Lines read each way at these confidences (and characters: plenty, unless given)."""
    return lambda lines, turns: as_reading(scores[turns])


def as_reading(score: float | tuple[float, int]) -> Reading:
    return Reading(*score) if isinstance(score, tuple) else Reading(score, 100)


def no_osd() -> None:
    return None


def test_lines_across_the_page_are_not_turned_a_quarter_whatever_osd_says() -> None:
    """The issue's page: OSD sure-ish of 90 degrees, the lines run across: only 180 is weighed, and it reads worse."""
    found = decide(ACROSS, reading({0: 85.0, 2: 30.0}), lambda: (1, 7.0, "Devanagari"))
    assert found.turns == 0 and set(found.confidence) == {0, 2}


def test_a_turn_needs_clearly_higher_confidence() -> None:
    assert decide(ACROSS, reading({0: 60.0, 2: 60.0 + MARGIN - 1}), no_osd).turns == 0
    assert decide(ACROSS, reading({0: 40.0, 2: 40.0 + MARGIN + 1}), no_osd).turns == 2
    found = decide(DOWN, reading({0: 10.0, 1: 30.0, 3: 85.0}), no_osd)
    assert found.turns == 3 and found.to_meta()["turned"] == 270


def test_no_turn_where_no_way_reads_as_text() -> None:
    """A receipt photo at half size read at 15 as it is and 23 upside down: neither is text, and
    it was turned (its reading went from CER 0.92 to 0.99). A turn is taken only to lines reading
    at least READABLE, or, on a scan, FAIR where they read FAR better than the other way on
    FAIR_LINES or more: forms scanned at half size read their lines 37.5 the right way up against
    24.1, and stayed upside down; a photo's small print reads too unsteadily for it."""
    found = decide(ACROSS, reading({0: 15.0, 2: 23.0}), no_osd)
    assert found.turns == 0 and found.reason == "no way reads as text"
    assert decide(ACROSS, reading({0: 24.1, 2: 37.5}), no_osd, scan=True).turns == 2
    # a receipt photo of 130 x 97 pixels read its lines 26.5 upright and 37.7 upside down
    assert decide(ACROSS, reading({0: 26.5, 2: 37.7}), no_osd).reason == "no way reads as text"
    assert decide(ACROSS, reading({0: FAIR + MARGIN - FAR + 1, 2: FAIR + MARGIN}), no_osd, scan=True).reason == "no way reads as text"
    assert decide(ACROSS, reading({0: READABLE - MARGIN - 1, 2: READABLE}), no_osd).turns == 2
    assert decide(DOWN, reading({0: 0.0, 1: FAIR - 1, 3: FAIR - 1 - 2 * FAR}), no_osd, scan=True).turns == 0
    assert decide(DOWN, reading({0: 0.0, 1: FAIR, 3: FAIR - FAR}), no_osd, scan=True).turns == 1
    # one word read at 30 upside down against 10 as it is: a guess (word crops upright were turned so)
    assert decide(ACROSS[: FAIR_LINES - 1], reading({0: FAIR - FAR, 2: FAIR}), no_osd, scan=True).reason == "no way reads as text"
    assert decide(ACROSS[:1], reading({0: READABLE - 2 * FAR, 2: READABLE}), no_osd).turns == 2


def test_a_turn_is_checked_on_the_pages_lines_not_on_tesseracts_reading_of_the_page() -> None:
    """A form turned a quarter: its longest lines read 85.7 turned back and 31.3 the other way,
    while Tesseract's own layout read the whole page about 30 either way (30.6 as it was, 29.7
    turned back), so the page check never passed and the form stayed on its side. The check
    reads the page's lines (up to PAGE_LINES, the longest), never the page as a whole."""
    seen: list[int] = []

    def form(lines: list[np.ndarray], turns: int) -> float:
        seen.append(len(lines))
        return as_reading({0: 5.0, 1: 85.7, 3: 31.3}[turns] if lines else {0: 30.6, 1: 29.7}[turns])

    found = decide(DOWN * 8, form, no_osd, as_is=30.6)
    assert found.turns == 1 and found.page == {1: 85.7, 3: 31.3}
    assert max(seen) == PAGE_LINES and min(seen) == SAMPLE_LINES  # the sample, then the page's lines: never the page itself


def test_a_turn_the_sample_proposes_and_the_pages_lines_do_not_bear_out_is_not_taken() -> None:
    def longest_say_90_the_rest_do_not(lines: list[np.ndarray], turns: int) -> Reading:
        if len(lines) <= SAMPLE_LINES:
            return as_reading({1: 80.0, 3: 20.0}[turns])
        return as_reading({1: 45.0, 3: 45.0 - MARGIN + 1}[turns])

    found = decide(DOWN * 8, longest_say_90_the_rest_do_not, no_osd)
    assert found.turns == 0 and found.page == {1: 45.0, 3: 45.0 - MARGIN + 1}
    assert decide(DOWN, reading({0: 10.0, 1: 60.0, 3: 60.0 - MARGIN + 1}), no_osd).turns == 0
    assert decide(DOWN, reading({0: 50.0, 1: 80.0, 3: 20.0}), no_osd).turns == 1  # five lines: the sample is the page's lines


def test_an_upside_down_photo_is_turned_on_its_lines() -> None:
    """An upside-down receipt photo: its lines read far better turned (67 against 25), while
    Tesseract's own layout reads the photo poorly either way up (24 and 27.5)."""

    def photo(lines: list[np.ndarray], turns: int) -> Reading:
        return as_reading({0: 25.0, 2: 67.0}[turns] if lines else {0: 24.0, 2: 27.5}[turns])

    found = decide(ACROSS * 8, photo, no_osd)
    assert found.turns == 2 and found.page == {0: 25.0, 2: 67.0}


def test_little_text_is_not_turned_to_a_few_confident_marks() -> None:
    """An upright photographed word crop (58 x 26 pixels, "PACIFIC" under a cut-off word) read its
    line 26 characters at 29.3 as it was and 7 characters at 58.3 upside down (Korean's model reads
    upside-down Latin as a few confident marks), was turned, and read worse. Little text turned
    back that reads the word stays turned: fewer characters at more confidence, a Hangul word
    read as 3 syllables against 9 marks, a few characters fewer at little more confidence."""
    word = ACROSS[:1]
    found = decide(word, reading({0: (29.3, 26), 2: (58.3, 7)}), no_osd)
    assert found.turns == 0 and found.reason == "little text, and turned it reads a few marks of it"
    assert found.to_meta()["characters"] == {"0": 26, "180": 7}
    for back, upside_down in [((93.0, 6), (63.6, 5)), ((45.0, 7), (15.0, 9)), ((97.0, 3), (7.0, 9)), ((50.1, 11), (44.9, 17))]:
        assert decide(word, reading({0: upside_down, 2: back}), no_osd).turns == 2, back
    # enough text, or as much of it read counting each character at its confidence: confidence decides
    assert decide(word, reading({0: (29.3, 2 * LITTLE_TEXT + 2), 2: (58.3, LITTLE_TEXT)}), no_osd).turns == 2
    assert decide(word, reading({0: (29.3, 26), 2: (58.3, 14)}), no_osd).turns == 2
    assert decide(word, reading({0: (20.0, 26), 2: (58.3, int(SAME_TEXT * 26))}), no_osd).turns == 2
    assert decide(word, reading({0: (29.3, 26), 2: (58.3, 12)}), no_osd).turns == 0
    found = decide(DOWN[:1], reading({0: (0.0, 0), 1: (58.3, 7), 3: (29.3, 26)}), no_osd)
    assert found.turns == 0 and found.characters == {1: 7, 3: 26}


def test_sure_osd_that_disagrees_keeps_the_page_as_it_is() -> None:
    assert decide(DOWN, reading({0: 10.0, 1: 85.0, 3: 30.0}), lambda: (3, OSD_SURE + 1, "Latin")).turns == 0
    assert decide(DOWN, reading({0: 10.0, 1: 85.0, 3: 30.0}), lambda: (3, OSD_SURE - 1, "Latin")).turns == 1


def test_too_few_lines_or_lines_both_ways_stay_as_they_are() -> None:
    always = reading({0: 0.0, 1: 99.0, 2: 99.0, 3: 99.0})
    assert decide([], always, no_osd).turns == 0 and decide([box(0, 0, 30, 24)], always, no_osd).turns == 0
    assert decide(ACROSS[:3] + DOWN[:3], always, no_osd).turns == 0


def test_a_short_word_with_no_line_is_weighed_every_way_and_turned_only_on_a_far_better_reading() -> None:
    """A word of two Hangul syllables cut out (17 x 30 pixels) is no line: turned any way it was
    left so and read as garbage. Its frame is read four ways; it is turned only where one way
    reads well and far better than every other way and than the page as read as it is (an
    upright word read at 43 as its frame, rightly at 90 as the page, read 87 upside down)."""
    frame = one_word(30, 17)
    assert frame is not None and one_word(53, 18) is None and one_word(400, 300) is None

    def word(scores: dict[int, tuple[float, int]], as_is: tuple[float, int] | None = None) -> int:
        return decide([], reading(scores), no_osd, word=frame, read_as_is=None if as_is is None else Reading(*as_is)).turns

    back = {0: (60.0, 3), 1: (96.0, 2), 2: (31.0, 4), 3: (21.0, 3)}
    assert word(back) == 1 and word({**back, 0: (16.0, 3), 1: (55.0, 2), 2: (96.0, 2)}) == 2
    assert decide([], reading(back), no_osd).turns == 0  # not a word: too few lines to tell
    assert word(back, as_is=(90.0, 2)) == 0  # the page read well as it is
    assert word({**back, 1: (WORD_READS - 1, 2), 0: (10.0, 3), 2: (10.0, 3), 3: (10.0, 3)}) == 0  # no way reads well
    assert word({**back, 3: (96.0 - WORD_MARGIN + 1, 3)}) == 0  # another way reads nearly as well
    assert word({**back, 1: (96.0, WORD_CHARACTERS - 1)}) == 0  # one mark
    assert word({**back, 0: (60.0, 9)}) == 0  # a few marks of what reads as it is
    assert decide([], reading(back), lambda: (3, OSD_SURE + 1, "Hangul"), word=frame).turns == 0


def diagonal(x: float, y: float, length: float, height: float, degrees: float) -> np.ndarray:
    """A box ``length`` long leaning ``degrees`` from level (a watermark set across the page)."""
    a = np.radians(degrees)
    along, across = np.array([np.cos(a), -np.sin(a)]), np.array([np.sin(a), np.cos(a)])
    start = np.array([x, y])
    return np.array([start, start + length * along, start + length * along + height * across, start + height * across])


def test_a_diagonal_watermark_says_nothing_of_the_turn() -> None:
    """A page of short lines turned a quarter, with a long "Confidential" set at 40 degrees across
    it: counted as running across, the watermark made the lines "run both ways" and the turned
    page stayed turned. A diagonal line counts neither way; a skewed line still counts."""
    watermark = diagonal(50, 600, 700, 80, 40)
    lines = [box(10 + 40 * k, 10, 24, 120) for k in range(8)]
    found = decide([*lines, watermark], reading({0: 20.0, 1: 80.0, 3: 25.0}), no_osd, as_is=20.0)
    assert found.turns == 1 and found.across == 0.0
    skewed = [diagonal(10, 100 + 40 * k, 300, 24, 20) for k in range(5)]
    assert decide(skewed, reading({0: 20.0, 2: 80.0}), no_osd, as_is=20.0).across == 1.0


def test_without_the_detector_only_sure_osd_and_a_better_reading_turn_it() -> None:
    assert decide(None, reading({0: 20.0, 2: 80.0}), no_osd).turns == 0
    assert decide(None, reading({0: 20.0, 2: 80.0}), lambda: (2, 1.0, "Korean")).turns == 0
    assert decide(None, reading({0: 20.0, 2: 80.0}), lambda: (2, OSD_SURE, "Korean")).turns == 2
    assert decide(None, reading({0: 70.0, 2: 72.0}), lambda: (2, OSD_SURE, "Korean")).turns == 0


# -- reading for real --------------------------------------------------------------------------


def read(pixels: np.ndarray, orientation: bool = True) -> tuple[str, int]:
    result = unified_ocr.recognize(pixels, engine=TesseractOptions(orientation=orientation), cache=False)
    return result.text, int(result.meta["tesseract"]["turned"])


def cer(truth: str, text: str) -> float:
    return score_text(truth, text, Normalization()).cer


def sample(image: str, truth: str, scale: float) -> tuple[np.ndarray, str]:
    pixels = cv2.imread(str(EVAL / image), cv2.IMREAD_COLOR)
    if scale != 1:
        pixels = cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return pixels, "\n".join(page.text for page in read_truth(EVAL / truth).pages)


@pytest.mark.slow
@needs_tesseract
@needs_eval
@pytest.mark.parametrize("scale", [1.0, 0.5])
@pytest.mark.parametrize(("image", "truth"), SAMPLE, ids=[Path(i).parent.parent.name for i, _ in SAMPLE])
def test_no_page_reads_worse_with_orientation_on(image: str, truth: str, scale: float) -> None:
    pixels, text = sample(image, truth, scale)
    on, turned = read(pixels)
    off, _ = read(pixels, orientation=False)
    assert turned == 0 and cer(text, on) <= cer(text, off)


@pytest.mark.slow
@needs_tesseract
@needs_eval
@pytest.mark.parametrize(("image", "truth"), SAMPLE[:2], ids=[Path(i).parent.parent.name for i, _ in SAMPLE[:2]])
def test_a_page_turned_any_quarter_reads_as_it_does_upright(image: str, truth: str) -> None:
    """Turned back by whole pixels, and a photo flattened only once it is upright, a turned page
    reads exactly as it does upright: flattening the turned photo and turning that resampled it
    and measured its rows' angle on other pixels (a receipt photo read 0.09 CER worse upside down)."""
    pixels, _ = sample(image, truth, 1.0)
    upright, _ = read(pixels)
    for degrees, code in TURN.items():
        on, turned = read(cv2.rotate(pixels, code))
        assert turned == degrees and on == upright, (degrees, on)


def korean_page(dpi: float) -> np.ndarray:
    """A clean page of Korean sentences in 10-point type at ``dpi`` (the size of the issue's statute page)."""
    from PIL import Image, ImageDraw

    assert FONT is not None
    size = round(10 / 72 * dpi * 1.1)
    font = open_font(FONT, size)
    rows = ["제1조(목적) 이 법은 국민의 권리와 의무에 관한 사항을 정함을 목적으로 한다.",
            "제2조(정의) 이 법에서 사용하는 용어의 뜻은 다음과 같다.",
            "1. \"사업자\"란 물품을 제조하거나 판매하는 자를 말한다.",
            "2. \"소비자\"란 사업자가 제공하는 물품을 사용하는 자를 말한다.",
            "제3조(적용 범위) 이 법은 대한민국 안에서 이루어지는 거래에 적용한다."]  # fmt: skip
    width = round(8.27 * dpi * 0.8)
    page = Image.new("L", (width, round(size * 2.0) * (len(rows) + 2)), 255)
    draw = ImageDraw.Draw(page)
    for k, row in enumerate(rows):
        draw.text((round(0.06 * width), round(size * 2.0) * (k + 1)), row, font=font, fill=0)
    return cv2.cvtColor(np.asarray(page), cv2.COLOR_GRAY2BGR)


@pytest.mark.slow
@needs_tesseract
@needs_font
def test_a_photographed_page_turned_any_quarter_reads_exactly_as_upright() -> None:
    """A Korean page photographed askew on a table: flattened after it was turned, it was warped
    once more and read differently at every turn; now the photo is turned upright by whole pixels
    and flattened then, as the upright one is."""
    photo = photograph(korean_page(150), [], -7.0, size=(1100, 900), seed=1).pixels
    upright, _ = read(photo)
    assert "국민의 권리와 의무" in upright
    for degrees, code in TURN.items():
        on, _ = read(cv2.rotate(photo, code))
        assert on == upright, degrees


@pytest.mark.slow
@needs_tesseract
@needs_font
@pytest.mark.parametrize("dpi", [75, 100])
def test_small_upright_korean_pages_are_not_turned(dpi: float) -> None:
    pixels = korean_page(dpi)
    on, turned = read(pixels)
    off, _ = read(pixels, orientation=False)
    assert turned == 0 and on == off


@pytest.mark.slow
@needs_tesseract
@needs_font
def test_a_page_read_well_as_it_is_as_one_word_is_still_looked_at() -> None:
    """A form turned a quarter and enlarged was read by Tesseract's layout as one word, its number,
    8 characters at confidence 92, and taken to read well as it was: it stayed on its side. A
    reading that confident says the page is upright only when it read READS_ENOUGH characters."""
    engine = TesseractEngine(TesseractOptions())
    page = cv2.rotate(korean_page(150), cv2.ROTATE_90_CLOCKWISE)
    assert engine.orientation(page, Reading(92.0, READS_ENOUGH)).reason == "reads well as it is"
    found = engine.orientation(page, Reading(92.0, 8))
    assert found.turns == 1, found.to_meta()


#: A photographed word crop, 58 x 26 pixels: "PACIFIC" under a word cut off by the crop (see data/PROVENANCE.md).
WORD_CROP = Path(__file__).parent / "data" / "mmocr-rec-toy-1223729.jpg"


@pytest.mark.slow
@needs_tesseract
def test_an_upright_word_crop_is_not_turned_to_a_few_confident_marks() -> None:
    """Upright, the crop read "WANED / PACIFIC"; its line read 7 characters at 58.3 upside down
    against 26 at 29.3 as it was, was turned, and read Korean marks (CER 1.57 against 0.86)."""
    pixels = cv2.imread(str(WORD_CROP), cv2.IMREAD_COLOR)
    result = unified_ocr.recognize(pixels, engine=TesseractOptions(), cache=False)
    off, _ = read(pixels, orientation=False)
    assert result.meta["tesseract"]["turned"] == 0, result.meta["tesseract"]["orientation"]
    assert result.text == off and cer("PACIFIC", result.text) < 1


def word_crop(word: str, size: int, photo: bool) -> np.ndarray:
    """``word`` cut out tight in ``size``-pixel type, dark on white or on a ground that darkens across it (a photo)."""
    from PIL import Image, ImageDraw

    assert FONT is not None
    font = open_font(FONT, size)
    x0, y0, x1, y1 = font.getbbox(word)
    pad = max(2, size // 6)
    w, h = x1 - x0 + 2 * pad, y1 - y0 + 2 * pad
    if photo:
        ramp = np.linspace(150, 220, w)[None, :, None] + np.linspace(-15, 15, h)[:, None, None]
        page = Image.fromarray(np.clip(np.repeat(ramp, 3, axis=2), 0, 255).astype(np.uint8))
    else:
        page = Image.new("RGB", (w, h), (255, 255, 255))
    ImageDraw.Draw(page).text((pad - x0, pad - y0), word, font=font, fill=(40, 30, 20))
    return cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)


@pytest.mark.slow
@needs_tesseract
@needs_font
@pytest.mark.parametrize(("word", "size", "photo"), [("PACIFIC", 20, True), ("HOTEL", 16, False), ("주차장", 20, True), ("정류장", 16, True)])
def test_a_word_crop_upside_down_is_still_turned_back(word: str, size: int, photo: bool) -> None:
    """Little text is still turned where it reads the word turned: a Hangul word upside down reads
    as more marks than its syllables, a Latin word as about as many."""
    pixels = word_crop(word, size, photo)
    upright, _ = read(pixels)
    on, turned = read(cv2.rotate(pixels, cv2.ROTATE_180))
    assert upright == word and turned == 180 and on == upright


def rough(pixels: np.ndarray) -> np.ndarray:
    """``pixels`` blurred a little and saved as a JPEG of quality 60, as crops cut from a photo come."""
    ok, data = cv2.imencode(".jpg", cv2.GaussianBlur(pixels, (3, 3), 0.8), [cv2.IMWRITE_JPEG_QUALITY, 60])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


@pytest.mark.slow
@needs_tesseract
@needs_font
@pytest.mark.parametrize(("word", "size", "photo"), [("RECEIPT", 14, False), ("COFFEE", 12, False), ("EXIT", 14, True), ("카드결제", 14, True), ("정류장", 16, True)])
def test_a_word_crop_turned_a_quarter_is_taken_as_one_line_and_turned_back(word: str, size: int, photo: bool) -> None:
    """On a small word crop turned a quarter the detector may find no line at all (these did not
    turn back, one way or both, before): the crop, a strip, is then its own line, and read each
    way as any page's lines are. Upright, it stays as it is."""
    pixels = rough(word_crop(word, size, photo))
    upright, turned = read(pixels)
    assert turned == 0 and upright.replace("\n", "") in word and len(upright) >= 2
    for turn in (90, 270):
        on, turned = read(cv2.rotate(pixels, TURN[turn]))
        assert (turned, on) == (turn, upright), turn


@pytest.mark.slow
@needs_tesseract
@needs_font
@pytest.mark.parametrize(("word", "size", "photo"), [("주차", 14, False), ("주차", 18, True), ("OPEN", 11, True)])
def test_a_short_word_crop_turned_any_way_is_turned_back(word: str, size: int, photo: bool) -> None:
    """A short word cut out is about as high as it is long: its box is no line, and turned any
    way it was read as garbage and left so. Its frame is now read every way (upright, it stays)."""
    pixels = word_crop(word, size, photo)
    if photo:
        pixels = rough(pixels)
    upright, turned = read(pixels)
    assert (turned, upright) == (0, word)
    for turn in (90, 180, 270):
        assert read(cv2.rotate(pixels, TURN[turn])) == (upright, turn), turn


@pytest.mark.slow
@needs_tesseract
@needs_eval
def test_a_tiny_strip_with_no_line_found_is_enlarged_as_it_is_upright() -> None:
    """A 9 x 26 word crop (the shared ``rec-crops`` "ATTACK" at half size): the detector finds its
    line upright only, so it was enlarged 4 times upright and not at all turned a quarter or
    upside down, and read nothing so. A strip that thin is its own line (``small._strip``)."""
    pixels = cv2.imread(str(EVAL / "rec-crops/images/1240078.jpg"), cv2.IMREAD_COLOR)
    pixels = cv2.resize(pixels, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    for turn in (0, 90, 180, 270):
        result = unified_ocr.recognize(cv2.rotate(pixels, TURN[turn]) if turn else pixels, engine=TesseractOptions(), cache=False)
        assert (result.text, result.meta["tesseract"]["enlarged"]) == ("ATTACK", 4.0), turn
