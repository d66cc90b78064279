"""The Tesseract engine, run for real where Tesseract and its Korean data are installed."""

from __future__ import annotations

import concurrent.futures
import warnings
from pathlib import Path

import cv2
import pytest

import unified_ocr
from unified_ocr.batch import recognize_many
from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.text import score_text
from unified_ocr_tesseract import TesseractEngine, TesseractOptions, tessdata

from ..conftest import ROOT, SAMPLE, run_cli

EVAL = ROOT.parent / "shared" / "eval"
READY = TesseractEngine.unavailable_reason(TesseractOptions())
needs_tesseract = pytest.mark.skipif(
    READY is not None,
    reason=f"needs Tesseract with Korean: pip install 'unified-ocr[tesseract]' and apt-get install tesseract-ocr-kor ({READY})",
)
needs_eval = pytest.mark.skipif(not (EVAL / "korean-real").is_dir(), reason=f"needs the evaluation images at {EVAL}")


# -- finding the language data: no Tesseract needed ---------------------------------------------


def test_language_data_is_found_where_it_is_said_to_be(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "tessdata"
    folder.mkdir()
    (folder / "eng.traineddata").write_bytes(b"")
    assert tessdata.find(str(folder)) == folder
    monkeypatch.setenv("TESSDATA_PREFIX", str(folder))
    assert tessdata.candidates()[0] == folder and tessdata.find() is not None
    reason = tessdata.missing_reason("kor+eng", str(folder))
    assert reason is not None and "no kor language data" in reason and "apt-get install tesseract-ocr-kor" in reason
    assert "brew install tesseract-lang" in reason
    assert tessdata.missing_reason("eng", str(folder)) is None
    empty = tmp_path / "empty"
    empty.mkdir()
    reason = tessdata.missing_reason("kor", str(empty))
    assert reason is not None and reason.startswith("no Tesseract language data found") and str(empty) in reason


def test_a_script_model_is_found_beside_the_languages_or_in_the_script_folder(tmp_path) -> None:
    """Debian puts ``Hangul.traineddata`` beside ``kor``; tessdata releases put it in ``script/``."""
    folder = tmp_path / "tessdata"
    (folder / "script").mkdir(parents=True)
    (folder / "eng.traineddata").write_bytes(b"")
    reason = tessdata.missing_reason("Hangul", str(folder))
    assert reason is not None and "apt-get install tesseract-ocr-script-hang " in reason and "Hangul.traineddata" in reason
    (folder / "script" / "Hangul.traineddata").write_bytes(b"")
    assert tessdata.languages(folder) == {"eng", "script/Hangul"}
    assert tessdata.missing_reason("script/Hangul+eng", str(folder)) is None
    reason = tessdata.missing_reason("Hangul+eng", str(folder))  # there, but under another name
    assert reason is not None and 'lang = "script/Hangul+eng"' in reason and "install" not in reason
    (folder / "Hangul.traineddata").write_bytes(b"")
    assert tessdata.missing_reason("Hangul", str(folder)) is None


def test_a_missing_language_stops_before_any_image_with_exit_2(tmp_path) -> None:
    config = tmp_path / "unified-ocr.toml"
    config.write_text('[engines.thai]\nbackend = "tesseract"\nlang = "tha"\n', encoding="utf-8")
    proc = run_cli("recognize", str(tmp_path / "no-such-image.png"), "--engine", "thai", "--config", str(config))
    assert proc.returncode == 2, proc.stderr
    assert "tesseract" in proc.stderr and ("tesseract-ocr-tha" in proc.stderr or "pip install 'unified-ocr[tesseract]'" in proc.stderr)
    assert "no-such-image" not in proc.stderr  # refused before the image was looked at


# -- reading for real --------------------------------------------------------------------------


@needs_tesseract
@needs_eval
def test_the_korean_photo_is_read_by_the_command(tmp_path) -> None:
    image = EVAL / "korean-real" / "images" / "rapidocr_korean.jpg"
    proc = run_cli("recognize", str(image), "--engine", "tesseract", "--format", "text", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    truth = (EVAL / "korean-real" / "gt" / "rapidocr_korean.txt").read_text(encoding="utf-8")
    assert score_text(truth, proc.stdout, Normalization()).cer <= 0.15, proc.stdout


@needs_tesseract
@needs_eval
def test_words_have_quads_in_the_image_and_lines_keep_korean_spacing() -> None:
    image = EVAL / "korean-real" / "images" / "rapidocr_korean.jpg"
    result = unified_ocr.recognize(image, engine="tesseract", cache=False)
    page = result.pages[0]
    height, width = cv2.imread(str(image)).shape[:2]
    assert (page.width, page.height) == (width, height) and page.lines and page.blocks
    for line in page.lines:
        for word in line.words:
            x0, y0, x1, y1 = word.quad.bbox()
            assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
            assert word.confidence is not None and 0 <= word.confidence <= 1
            assert word.quad.iou(line.quad) > 0
    assert "차오양," in result.text and "차 오 양" not in result.text  # syllable-words joined as Tesseract spaced them


@needs_tesseract
@needs_eval
@pytest.mark.parametrize("turn", [1, 2, 3])
def test_a_turned_page_is_read_upright_and_its_quads_start_at_the_texts_top_left(turn: int) -> None:
    image = cv2.imread(str(EVAL / "synth-korean" / "images" / "synth_ko_00.png"))
    height, width = image.shape[:2]
    code = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}[turn]
    move = {1: lambda x, y: (height - y, x), 2: lambda x, y: (width - x, height - y), 3: lambda x, y: (y, width - x)}[turn]
    upright = unified_ocr.recognize(image, engine="tesseract", cache=False)
    turned = unified_ocr.recognize(cv2.rotate(image, code), engine="tesseract", cache=False)
    assert turned.meta["tesseract"]["turned"] == 90 * turn
    assert turned.text == upright.text
    first, expected = turned.pages[0].lines[0].quad, upright.pages[0].lines[0].quad
    (x, y), (ex, ey) = first.points[0], move(*expected.points[0])
    assert abs(x - ex) <= 3 and abs(y - ey) <= 3 and round(first.angle) % 360 == 90 * turn


@needs_tesseract
def test_threads_of_a_batch_each_read_their_own_page(tmp_path) -> None:
    """Four at once, each image twice: every reading equals the same image read alone."""
    sample = cv2.imread(str(SAMPLE))
    paths = []
    for k, code in enumerate([None, cv2.ROTATE_180, None, cv2.ROTATE_180]):
        path = tmp_path / f"page{k}.png"
        cv2.imwrite(str(path), sample if code is None else cv2.rotate(sample, code))
        paths.append(str(path))
    options = TesseractOptions(lang="eng", orientation=False)
    alone = {p: unified_ocr.recognize(p, engine=options, cache=False).text for p in paths}
    assert alone[paths[0]] != alone[paths[1]]  # the pages differ, so a mix-up would show
    outcomes = list(recognize_many(paths * 2, options, concurrency=4, cache=False))
    assert all(o.ok for o in outcomes) and len(outcomes) == 8
    assert all(o.result.text == alone[o.source] for o in outcomes)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:  # one engine shared by plain threads too
        engine = TesseractEngine(options)
        try:
            from unified_ocr.imaging.prepare import prepare
            from unified_ocr.imaging.sources import open_source

            uploads = [next(prepare(open_source(p), engine.limits)) for p in paths * 2]
            texts = list(pool.map(lambda u: engine.recognize(u).text, uploads))
        finally:
            engine.close()
    assert texts == [alone[p] for p in paths * 2]


def test_the_engine_is_listed_with_what_it_needs() -> None:
    proc = run_cli("engines", "--json")
    rows = {row["name"]: row for row in __import__("json").loads(proc.stdout)["engines"]}
    assert "tesseract" in rows and rows["tesseract"]["network"] is False
    assert rows["tesseract"]["usable"] == (READY is None)
    if READY is not None:
        assert "install" in rows["tesseract"]["reason"]
    assert Path(tessdata.__file__).is_file()


def test_language_tags_are_taken_as_tesseract_codes() -> None:
    assert TesseractOptions(lang="ko,en").lang == "kor+eng" and TesseractOptions(lang="kor+eng").lang == "kor+eng"
    assert TesseractEngine.reads(TesseractOptions(lang="ko")) == {"Hang"}
    assert TesseractEngine.reads(TesseractOptions(lang="Hangul")) == {"Hang", "Latn"}  # the script model reads Latin too
    assert TesseractEngine.reads(TesseractOptions(lang="script/Hangul")) == {"Hang", "Latn"}


HANGUL = tessdata.missing_reason("Hangul")


@needs_tesseract
@needs_eval
@pytest.mark.skipif(HANGUL is not None, reason=f"needs Tesseract's Hangul script model: apt-get install tesseract-ocr-script-hang ({HANGUL})")
def test_the_hangul_script_model_reads_korean_and_latin_with_no_warning() -> None:
    """``lang = "Hangul"``: a Korean page with Latin words in it, read as well as ``kor+eng`` reads it."""
    image = EVAL / "synth-korean" / "images" / "synth_ko_01.png"
    truth = " ".join(line.split(",", 8)[8].strip() for line in (EVAL / "synth-korean" / "gt_icdar" / "gt_synth_ko_01.txt")
                     .read_text(encoding="utf-8-sig").splitlines() if line.strip())  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ScriptWarning: what it reads is what it says it reads
        result = unified_ocr.recognize(image, engine=TesseractOptions(lang="Hangul"), cache=False)
    default = unified_ocr.recognize(image, engine="tesseract", cache=False)
    assert result.meta["tesseract"]["lang"] == "Hangul"
    assert score_text(truth, result.text, Normalization()).cer <= score_text(truth, default.text, Normalization()).cer + 0.02
    assert "OCR" in truth and any(c.isascii() and c.isalpha() for c in result.text)  # Latin read ("0R": weaker than eng's)


@needs_tesseract
@needs_eval
def test_the_detector_layout_reads_each_detected_line() -> None:
    """The other way measured: the offline engine's detector finds the lines, Tesseract reads each."""
    image = EVAL / "synth-korean" / "images" / "synth_ko_01.png"
    truth = " ".join(line.split(",", 8)[8].strip() for line in (EVAL / "synth-korean" / "gt_icdar" / "gt_synth_ko_01.txt")
                     .read_text(encoding="utf-8-sig").splitlines() if line.strip())  # fmt: skip
    result = unified_ocr.recognize(image, engine=TesseractOptions(layout="detector"), cache=False)
    assert score_text(truth, result.text, Normalization(drop_whitespace=True)).cer <= 0.1
    height, width = cv2.imread(str(image)).shape[:2]
    for word in result.words:
        x0, y0, x1, y1 = word.quad.bbox()
        assert -2 <= x0 < x1 <= width + 2 and -2 <= y0 < y1 <= height + 2  # mapped back from each line's strip


def test_a_missing_tesserocr_is_explained_with_exit_2(tmp_path) -> None:
    """As on an install without the 'tesseract' extra: engines says it, and a run stops before any image."""
    (tmp_path / "sitecustomize.py").write_text(
        "import importlib.util\n"
        "_find = importlib.util.find_spec\n"
        "importlib.util.find_spec = lambda name, *a: None if name == 'tesserocr' else _find(name, *a)\n"
    )
    proc = run_cli("engines", pythonpath=[tmp_path])
    assert proc.returncode == 0 and "pip install 'unified-ocr[tesseract]'" in proc.stdout
    proc = run_cli("recognize", str(tmp_path / "not-read.png"), "--engine", "tesseract", pythonpath=[tmp_path])
    assert proc.returncode == 2 and "tesserocr not installed; install the 'tesseract' extra" in proc.stderr
    assert "not-read" not in proc.stderr and "Traceback" not in proc.stderr
