"""The figures the docs print are what the commands they show print: docs/compare.md's
two-receipt example is run here as written, and its output line compared, figure for figure.

A change to the engines, the layout of lines or the metrics that moves a figure fails this
test until the page is run again and updated, so the docs never show a figure the tool does
not give.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

import unified_ocr

from .conftest import ROOT, run_cli

SHARED = ROOT.parent / "shared"
COMPARE_MD = ROOT / "docs" / "compare.md"
SECTION = "### Two receipts, checked by the tests"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (SHARED / "eval" / "sroie").is_dir(), reason=f"needs the evaluation images at {SHARED / 'eval'}"),
]


def documented_example() -> tuple[list[str], list[str]]:
    """The section's command (as arguments after ``unified-ocr``) and the lines it says are printed."""
    section = COMPARE_MD.read_text(encoding="utf-8").split(SECTION, 1)[1].split("\n#", 1)[0]
    command, printed = re.findall(r"```\n(.*?)```", section, re.S)[:2]
    args = shlex.split(command.replace("\\\n", " "))
    assert args[0] == "unified-ocr", command
    return args[1:], printed.strip().splitlines()


def test_the_documented_compare_example_prints_the_documented_figures(tmp_path: Path) -> None:
    if unified_ocr.choose_engine("rapidocr").engine.unavailable_reason() is not None:
        pytest.skip("needs the offline engine: pip install 'unified-ocr[local]'")
    args, printed = documented_example()
    run = tmp_path / "run"
    run.mkdir()
    (tmp_path / "shared").symlink_to(SHARED, target_is_directory=True)  # the docs' ../shared, read-only
    proc = run_cli(*args, cwd=run, env={"UNIFIED_OCR_CACHE_DIR": str(tmp_path / "cache")})  # no cache: a real reading
    assert proc.returncode == 0, proc.stderr
    said = [line for line in proc.stderr.splitlines() if re.match(r"\S+:  CER ", line)]
    assert said == printed, f"docs/compare.md ({SECTION}) says {printed}; the command printed {said}"
