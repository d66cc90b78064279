"""OCRmyPDF with ``--ocr-engine unified``: the real ``ocrmypdf`` command on scanned PDFs, with
the offline engine and with the CLOVA emulator; the text layer read back with pypdfium2 must
be the engine's text, lie over the engine's words (turned pages included), and a second run
must make no call."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from rapidfuzz.distance import Levenshtein

import unified_ocr

from ..conftest import ROOT, SAMPLE

pytest.importorskip("ocrmypdf", reason='the OCRmyPDF plugin: pip install -e ".[ocrmypdf]"')
pdfium = pytest.importorskip("pypdfium2")
pikepdf = pytest.importorskip("pikepdf")
pytestmark = pytest.mark.slow


def scanned_pdf(path: Path, rotate_entry: bool = False) -> Path:
    """Two scanned pages from the sample: upright, and turned 90 degrees (the scan sideways).
    With ``rotate_entry`` the second page is instead upright content shown turned by its /Rotate."""
    page = Image.open(SAMPLE).convert("RGB")
    second = page if rotate_entry else page.rotate(90, expand=True)
    page.save(path, save_all=True, append_images=[second], resolution=150)
    if rotate_entry:
        with pikepdf.open(path, allow_overwriting_input=True) as pdf:
            pdf.pages[1].Rotate = 90
            pdf.save(path)
    return path


def ocrmypdf(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "ocrmypdf", *args], capture_output=True, text=True, env=full, cwd=ROOT, timeout=300)


def cached_results(folder: Path) -> list[unified_ocr.OcrResult]:
    """What the plugin recognised: the result cache's entries (one per page image)."""
    return [unified_ocr.OcrResult.from_dict(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.rglob("*.json"))]


def displayed(box: tuple[float, float, float, float], rotate: int, width: float, height: float) -> tuple[float, float, float, float]:
    """A box of PDF user space (left, bottom, right, top) as a share of the page as shown
    (left, top, right, bottom from its top-left), for the page's /Rotate."""
    left, bottom, right, top = box
    corners = [(left, bottom), (right, top)]
    if rotate == 90:
        pts = [(y / height, x / width) for x, y in corners]
    elif rotate == 180:
        pts = [((width - x) / width, y / height) for x, y in corners]
    elif rotate == 270:
        pts = [((height - y) / height, (width - x) / width) for x, y in corners]
    else:
        pts = [(x / width, (height - y) / height) for x, y in corners]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def text_layer(pdf_path: Path) -> list[tuple[str, list[tuple[str, tuple[float, float, float, float]]], bool]]:
    """Each page's extracted text, its words with their boxes (shares of the shown page), and
    whether the page is shown wider than tall."""
    out = []
    document = pdfium.PdfDocument(str(pdf_path))
    for page in document:
        rotate = page.get_rotation()
        left, bottom, right, top = page.get_mediabox()
        width, height = right - left, top - bottom
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        words, current, box = [], "", None
        for i in range(textpage.count_chars()):
            char = textpage.get_text_range(i, 1)
            if char.isspace():
                if current:
                    words.append((current, box))
                current, box = "", None
                continue
            b = displayed(textpage.get_charbox(i, loose=True), rotate, width, height)  # the advance and the font's height, not the ink
            box = b if box is None else (min(box[0], b[0]), min(box[1], b[1]), max(box[2], b[2]), max(box[3], b[3]))
            current += char
        if current:
            words.append((current, box))
        out.append((text, words, (height if rotate in (90, 270) else width) > (width if rotate in (90, 270) else height)))
    return out


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def check_layer(out_pdf: Path, results: list[unified_ocr.OcrResult], ordered: bool = True) -> None:
    """Each page: the text is the engine's (CER <= 0.02), and 95 % of the engine's words have
    a word of the text layer over them (IoU of boxes >= 0.5). ``ordered=False`` compares the
    words whatever their order: on a page shown turned by /Rotate, a text extractor orders the
    text by its place on the unturned page, not by the reading."""

    def flat(text: str) -> str:
        return " ".join(text.split() if ordered else sorted(text.split()))

    pages = text_layer(out_pdf)
    assert len(pages) == 2 and len(results) >= 2
    for text, words, wide in pages:  # the engine's reading of this page: the same shape, the nearest text
        same_shape = [r for r in results if (r.pages[0].width > r.pages[0].height) == wide]
        best = min(same_shape, key=lambda r: Levenshtein.normalized_distance(flat(text), flat(r.text)))
        page = best.pages[0]
        engine_text = page.text if ordered else " ".join(w.text for w in page.words)
        assert Levenshtein.normalized_distance(flat(text), flat(engine_text)) <= 0.02, (flat(text), engine_text)
        scores = []
        for word in page.words:
            x0, y0, x1, y1 = word.quad.bbox()
            mine = (x0 / page.width, y0 / page.height, x1 / page.width, y1 / page.height)
            scores.append(max((iou(mine, box) for _, box in words), default=0.0))
        good = sum(s >= 0.5 for s in scores) / len(scores)
        assert good >= 0.95, (good, sorted(scores)[:5])


def test_the_offline_engine_makes_a_searchable_pdf_with_the_text_over_the_words(tmp_path, private_cache) -> None:
    source = scanned_pdf(tmp_path / "scan.pdf")
    out = tmp_path / "out.pdf"
    proc = ocrmypdf("--ocr-engine", "unified", "--unified-profile", "rapidocr", "--output-type", "pdf", str(source), str(out))
    assert proc.returncode == 0, proc.stderr
    check_layer(out, cached_results(private_cache))


def test_a_page_turned_by_its_rotate_entry_gets_its_text_over_the_words(tmp_path, private_cache) -> None:
    source = scanned_pdf(tmp_path / "rotated.pdf", rotate_entry=True)
    out = tmp_path / "out.pdf"
    proc = ocrmypdf("--ocr-engine", "unified", "--unified-profile", "rapidocr", "--output-type", "pdf", str(source), str(out))
    assert proc.returncode == 0, proc.stderr
    assert pdfium.PdfDocument(str(out))[1].get_rotation() == 90
    check_layer(out, cached_results(private_cache), ordered=False)


def test_the_clova_emulator_profile_and_a_second_run_makes_no_call(tmp_path, private_cache) -> None:
    from unified_ocr_clova import ClovaEmulator

    source = scanned_pdf(tmp_path / "scan.pdf")
    with ClovaEmulator(key="ocrmypdf-key") as emulator:
        config = tmp_path / "unified-ocr.toml"
        config.write_text(f'[engines.scans]\nbackend = "clova"\ninvoke_url = "{emulator.url}/general"\n'
                          f'secret = {{ env = "OCRMYPDF_CLOVA" }}\nrate_limit = 20\n', encoding="utf-8")  # fmt: skip
        args = ["--ocr-engine", "unified", "--unified-profile", "scans", "--unified-config", str(config), "--output-type", "pdf"]
        env = {"OCRMYPDF_CLOVA": "ocrmypdf-key"}
        proc = ocrmypdf(*args, str(source), str(tmp_path / "out.pdf"), env=env)
        assert proc.returncode == 0, proc.stderr
        assert emulator.stats["requests"] == 2
        check_layer(tmp_path / "out.pdf", [r for r in cached_results(private_cache) if r.engine == "clova"])
        proc = ocrmypdf(*args, str(source), str(tmp_path / "again.pdf"), env=env)
        assert proc.returncode == 0, proc.stderr
        assert emulator.stats["requests"] == 2  # every page answered from the result cache
        assert [page[0] for page in text_layer(tmp_path / "again.pdf")] == [page[0] for page in text_layer(tmp_path / "out.pdf")]


def test_a_missing_profile_or_credential_stops_before_the_first_page(tmp_path, private_cache) -> None:
    source = scanned_pdf(tmp_path / "scan.pdf")
    proc = ocrmypdf("--ocr-engine", "unified", "--unified-profile", "nope", "--output-type", "pdf", str(source), str(tmp_path / "o.pdf"))
    assert proc.returncode == 1 or proc.returncode == 2
    assert "unknown engine 'nope'" in proc.stderr and not (tmp_path / "o.pdf").exists()
    config = tmp_path / "unified-ocr.toml"
    config.write_text('[engines.scans]\nbackend = "clova"\ninvoke_url = "http://127.0.0.1:9/general"\nsecret = { env = "NOT_SET_ANYWHERE" }\n')
    proc = ocrmypdf("--ocr-engine", "unified", "--unified-profile", "scans", "--unified-config", str(config), "--output-type", "pdf",
                    str(source), str(tmp_path / "o.pdf"), env={"NOT_SET_ANYWHERE": ""})  # fmt: skip
    assert proc.returncode in (1, 2) and "NOT_SET_ANYWHERE" in proc.stderr and "cannot run here" in proc.stderr
    assert not (tmp_path / "o.pdf").exists() and not list(private_cache.rglob("*.json"))  # no page was recognised


def test_a_page_that_keeps_failing_fails_the_run_with_the_vendors_error_and_the_rest_stays_cached(tmp_path, private_cache) -> None:
    from unified_ocr.emulator import Faults
    from unified_ocr_clova import ClovaEmulator

    one = tmp_path / "one.pdf"
    Image.open(SAMPLE).convert("RGB").save(one, resolution=150)
    two = scanned_pdf(tmp_path / "two.pdf")
    with ClovaEmulator(key="k") as emulator:
        config = tmp_path / "unified-ocr.toml"
        config.write_text(f'[engines.scans]\nbackend = "clova"\ninvoke_url = "{emulator.url}/general"\nsecret = {{ env = "OCRMYPDF_CLOVA" }}\n'
                          'retries = 1\nbackoff = 0.05\n', encoding="utf-8")  # fmt: skip
        args = ["--ocr-engine", "unified", "--unified-profile", "scans", "--unified-config", str(config), "--output-type", "pdf"]
        assert ocrmypdf(*args, str(one), str(tmp_path / "one-out.pdf"), env={"OCRMYPDF_CLOVA": "k"}).returncode == 0
        assert emulator.stats["requests"] == 1
        emulator.faults = Faults(error_rate=1.0)  # the service fails from now on
        proc = ocrmypdf(*args, str(two), str(tmp_path / "two-out.pdf"), env={"OCRMYPDF_CLOVA": "k"})
        assert proc.returncode != 0 and not (tmp_path / "two-out.pdf").exists()
        assert "ServiceError" in proc.stderr or "CLOVA" in proc.stderr, proc.stderr[-2000:]
        assert emulator.stats["requests"] == 1 + 2  # the first page from the cache; the second tried twice (one retry)
