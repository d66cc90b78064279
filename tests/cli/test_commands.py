"""The command as a user runs it: output, exit codes, and errors without tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

import unified_ocr

from ..conftest import ROOT, SAMPLE, cli_here, run_cli
from ..imaging.test_sources import jpeg_bytes


def test_version_and_help() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0 and unified_ocr.__version__ in proc.stdout
    proc = run_cli("--help")
    assert proc.returncode == 0
    assert "recognize" in proc.stdout and "engines" in proc.stdout
    proc = run_cli("recognize", "--help")
    assert "--engine" in proc.stdout and "--format" in proc.stdout and "UNIFIED_OCR_CONFIG" in proc.stdout


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("unified-ocr")
    assert script.exists() or shutil.which("unified-ocr"), "the unified-ocr command is not installed"


@pytest.mark.slow
def test_bad_inputs_exit_1_name_the_file_and_the_good_image_still_runs(tmp_path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    text = tmp_path / "notes.jpg"
    text.write_text("not an image at all\n")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(jpeg_bytes(200, 100)[:-700])
    missing = tmp_path / "missing.jpg"
    proc = run_cli("recognize", str(missing), str(empty), str(text), str(cut), str(SAMPLE))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    for path, problem in ((missing, "no such file"), (empty, "empty"), (text, "not an image"), (cut, "truncated JPEG")):
        assert f"error: {path}: " in proc.stderr and problem in proc.stderr
    assert "4 of 5 image(s) failed" in proc.stderr
    (good,) = [json.loads(line) for line in proc.stdout.splitlines()]  # JSON Lines, one per good image
    assert good["meta"]["source"] == str(SAMPLE)


@pytest.mark.slow
def test_json_and_text_output_to_stdout_file_and_folder(tmp_path) -> None:
    proc = run_cli("recognize", str(SAMPLE), "--format", "text")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "UNIFIED MART" and "Thank you for shopping" in proc.stdout

    out_file = tmp_path / "one.json"
    proc = run_cli("recognize", str(SAMPLE), "--out", str(out_file))
    assert proc.returncode == 0, proc.stderr
    result = unified_ocr.load_result(out_file)
    assert "TOTAL" in result.text and result.pages[0].words[0].quad is not None

    copy = tmp_path / "in" / "sample-receipt.png"
    copy.parent.mkdir()
    shutil.copy(SAMPLE, copy)
    out_dir = tmp_path / "out"
    proc = run_cli("recognize", str(SAMPLE), str(copy), "--format", "text", "--out", str(out_dir))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out_dir.iterdir()) == ["sample-receipt-1.txt", "sample-receipt.txt"]
    assert (out_dir / "sample-receipt-1.txt").read_text().startswith("UNIFIED MART")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('[engines.fast]\nbackend = "rapidocr"\ntext_score = "high"\n', "profile 'fast': key 'text_score': expected a number"),
        ('[engines.fast]\nbackend = "rapidocr"\ntypo_key = 1\n', "profile 'fast': key 'typo_key': not an option"),
        ('[engines.fast]\nbackend = "clova-typo"\n', "profile 'fast': key 'backend': unknown engine 'clova-typo'"),
    ],
)
def test_bad_config_exits_2_naming_file_profile_and_key(tmp_path, body, expected) -> None:
    config = tmp_path / "my.toml"
    config.write_text(body)
    proc = cli_here("recognize", str(SAMPLE), "--engine", "fast", "--config", str(config))  # stops before any image: no model
    assert proc.returncode == 2
    assert f"error: {config}: {expected}" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_config_from_env_and_cwd_are_used(tmp_path, monkeypatch) -> None:
    config = tmp_path / "unified-ocr.toml"
    config.write_text('default = "fast"\n[engines.fast]\nbackend = "rapidocr"\nmax_side_len = "big"\n')
    proc = cli_here("recognize", str(SAMPLE), env={"UNIFIED_OCR_CONFIG": str(config)})
    assert proc.returncode == 2 and "profile 'fast': key 'max_side_len'" in proc.stderr
    monkeypatch.chdir(tmp_path)
    proc = cli_here("recognize", str(SAMPLE))
    assert proc.returncode == 2 and "profile 'fast': key 'max_side_len'" in proc.stderr
    monkeypatch.chdir(ROOT)
    proc = cli_here("recognize", str(SAMPLE), "--config", str(tmp_path / "absent.toml"))
    assert proc.returncode == 2 and "configuration file not found" in proc.stderr


def test_usage_errors_exit_2() -> None:
    proc = cli_here("recognize")
    assert proc.returncode == 2 and "Missing argument" in proc.stderr
    proc = cli_here("recognize", str(SAMPLE), "--engine", "nope")
    assert proc.returncode == 2
    assert "unknown engine 'nope'; installed engines: " in proc.stderr and "rapidocr" in proc.stderr
    proc = cli_here("recognize", str(SAMPLE), "--format", "xml")
    assert proc.returncode == 2


def test_engines_lists_the_offline_engine_as_usable() -> None:
    proc = run_cli("engines", cwd=Path(os.sep))
    assert proc.returncode == 0, proc.stderr
    line = next(line for line in proc.stdout.splitlines() if line.startswith("rapidocr"))
    assert " usable" in line and "offline" in line and "default" in line


@pytest.mark.slow
def test_a_pdf_on_the_command_line_gives_pages_at_the_chosen_dpi(tmp_path) -> None:
    from ..imaging.test_prepare import _pdf

    doc = tmp_path / "two.pdf"
    doc.write_bytes(_pdf(2))
    proc = run_cli("recognize", str(doc), "--dpi", "100")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert [(p["index"], p["width"], p["height"]) for p in result["pages"]] == [(0, 540, 470), (1, 540, 470)]
    assert result["meta"]["dpi"] == 100
    assert "TOTAL 12,400" in [line["text"] for line in result["pages"][1]["lines"]]
