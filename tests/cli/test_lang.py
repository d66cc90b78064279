"""``--lang``: the command picks the engine that reads the language, or says in one line what to install."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw

from unified_ocr.cli import cli
from unified_ocr.drawing.fonts import find_hangul_font, open_font
from unified_ocr.engines.registry import default_registry

from ..conftest import SAMPLE, run_cli

FONT = find_hangul_font()
installed = default_registry().engines
tesseract_runs = "tesseract" in installed and installed["tesseract"].cls.unavailable_reason() is None


def korean_page(path: Path, lines: tuple[str, ...] = ("행복마트 강남점", "아메리카노 4,500", "합계 4,500")) -> Path:
    """A small Korean receipt, drawn with an installed Hangul font."""
    if FONT is None:
        pytest.skip("no font that draws Hangul is installed")
    image = Image.new("L", (360, 40 + 44 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    font = open_font(FONT, 26)
    for k, line in enumerate(lines):
        draw.text((20, 20 + 44 * k), line, font=font, fill=0)
    image.save(path)
    return path


def test_an_engine_that_reads_no_hangul_is_refused_before_any_image(tmp_path) -> None:
    proc = run_cli("recognize", str(tmp_path / "missing.png"), "--engine", "rapidocr", "--lang", "ko")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: engine 'rapidocr' reads no Hangul, which lang 'ko' needs")


def test_without_an_engine_that_reads_korean_the_one_line_says_what_to_install(tmp_path) -> None:
    hide = tmp_path / "hide"
    hide.mkdir()  # Tesseract's binding as if never installed: the import system finds no module of that name
    (hide / "sitecustomize.py").write_text("import sys\nsys.modules['tesserocr'] = None\n", encoding="utf-8")
    proc = run_cli("recognize", str(SAMPLE), "--lang", "ko", "--format", "text", pythonpath=[hide])
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Hangul" in proc.stderr
    assert "pip install 'unified-ocr[tesseract]'" in proc.stderr, proc.stderr


@pytest.mark.skipif(not tesseract_runs, reason="Tesseract with Korean data is not installed here")
def test_recognize_and_batch_read_korean_with_the_engine_that_reads_it(tmp_path) -> None:
    page = korean_page(tmp_path / "receipt.png")
    runner = CliRunner()
    done = runner.invoke(cli, ["recognize", str(page), "--lang", "ko", "--no-cache"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert result["engine"] == "tesseract" and result["meta"]["lang"] == "ko"
    assert "합계" in "".join(line["text"] for line in result["pages"][0]["lines"]).replace(" ", "")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.png").write_bytes(page.read_bytes())
    korean_page(folder / "b.png", ("우리슈퍼 본점", "컵라면 1,200"))
    done = runner.invoke(cli, ["batch", str(folder), "--lang", "ko", "--out", str(tmp_path / "out"), "--no-cache"])
    assert done.exit_code == 0, done.output
    saved = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((tmp_path / "out" / "results").glob("*.json"))]
    assert len(saved) == 2 and {r["engine"] for r in saved} == {"tesseract"}
    texts = sorted("".join(line["text"] for line in r["pages"][0]["lines"]).replace(" ", "") for r in saved)
    assert "행복" in texts[0] + texts[1] and "우리슈퍼" in texts[0] + texts[1], texts
