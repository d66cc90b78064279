"""The README's three jobs run as shown, on a fresh clone: each block's commands are run in a
shell, in a folder holding only what the repository ships in ``examples/``, and print what the
README says they print."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import unified_ocr

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SECTION = "## Three jobs, a minute each"
TESSERACT = "pip install 'unified-ocr[tesseract]' and sudo apt-get install -y tesseract-ocr (brew install tesseract on macOS)"

pytestmark = pytest.mark.slow


def jobs() -> dict[str, tuple[str, str, str]]:
    """Each job of the README's section: its commands, how the output is shown ("prints" all of
    it, or "ends with" its last lines), and the output, by the job's first word in bold."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SECTION in readme, "the README lost its jobs section"
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    found = re.findall(r"\*\*(\w+)[^\n]*?\n\n```\n(.*?)```\n\n(?:[^\n]*?)(prints|ends with):\n\n```\n(.*?)```", section, re.S)
    return {name.lower(): (commands, how, shown) for name, commands, how, shown in found}


def test_the_readme_shows_the_three_jobs() -> None:
    assert set(jobs()) == {"switch", "compare", "build"}


def lines(text: str) -> list[str]:
    """Lines as a terminal shows them: runs of spaces and tabs alike, blank lines and bells gone."""
    return [" ".join(line.split()) for line in text.replace("\a", "").splitlines() if line.strip()]


def usable(profile: str) -> str | None:
    choice = unified_ocr.choose_engine(profile, config=EXAMPLES / "unified-ocr.toml")
    return choice.engine.unavailable_reason(choice.options)


@pytest.mark.parametrize("job", ["switch", "compare", "build"])
def test_each_job_prints_what_the_readme_says(job: str, tmp_path: Path) -> None:
    if shutil.which("bash") is None:
        pytest.skip("runs the README's commands in bash")
    commands, how, shown = jobs()[job]
    if usable("fast") is not None:
        pytest.skip("needs the offline engine: pip install 'unified-ocr[local]'")
    if "careful" in commands.split("--min-agree")[0] and usable("careful") is not None:
        pytest.skip(f"needs Tesseract: {TESSERACT}")
    clone = tmp_path / "clone"
    shutil.copytree(EXAMPLES, clone / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    tools = tmp_path / "bin"  # the activated environment: its unified-ocr and python first on PATH
    tools.mkdir()
    (tools / "unified-ocr").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m unified_ocr "$@"\n', encoding="utf-8")
    (tools / "unified-ocr").chmod(0o755)
    (tools / "python").symlink_to(sys.executable)
    env = {key: value for key, value in os.environ.items() if not key.startswith("UNIFIED_OCR_")}
    env |= {"PATH": f"{tools}{os.pathsep}{env.get('PATH', '')}", "UNIFIED_OCR_CACHE_DIR": str(tmp_path / "cache"),
            "BROWSER": "true"}  # the report is opened with `true`: no window in a test  # fmt: skip
    proc = subprocess.run(["bash", "-eu", "-c", commands], cwd=clone, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stdout
    printed, expected = lines(proc.stdout), lines(shown)
    if how == "ends with":
        printed = printed[-len(expected) :]
    assert printed == expected, proc.stdout
    if job == "compare":
        assert (clone / "cmp-examples" / "report.html").stat().st_size > 0
