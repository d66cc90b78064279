from __future__ import annotations

import os
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample-receipt.png"
TEST_PLUGINS = Path(__file__).resolve().parent / "plugins"


@pytest.fixture(scope="session")
def sample_reading() -> Any:
    """The offline engine's reading of the sample receipt, made once per run: for tests that need a
    real result to export or convert, not a reading of their own (the model takes a second or two)."""
    import unified_ocr

    return unified_ocr.recognize(SAMPLE, "rapidocr", cache=False)


def write_dist(site: Path, name: str, entry_points: dict[str, str]) -> None:
    """Install a distribution's metadata the way pip would, so importlib.metadata finds its entry points."""
    info = site / f"{name.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    lines = "\n".join(f"{k} = {v}" for k, v in entry_points.items())
    (info / "entry_points.txt").write_text(f"[unified_ocr]\n{lines}\n")


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets a result cache of its own, never the user's (commands it runs inherit it)."""
    folder = tmp_path / "result-cache"
    monkeypatch.setenv("UNIFIED_OCR_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def third_party_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site folder holding an installed 'unified-ocr-echo' and a broken 'unified-ocr-broken'."""
    site = tmp_path / "site"
    write_dist(site, "unified-ocr-echo", {"echo": "unified_ocr_echo"})
    write_dist(site, "unified-ocr-broken", {"broken": "broken_plugin"})
    monkeypatch.syspath_prepend(str(TEST_PLUGINS))
    monkeypatch.syspath_prepend(str(site))
    return site


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            pythonpath: list[Path] = ()) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """Run the real command in a fresh interpreter, as a user would."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFIED_OCR") or k == "UNIFIED_OCR_CACHE_DIR"}
    full_env.update(env or {})
    if pythonpath:
        full_env["PYTHONPATH"] = os.pathsep.join(map(str, pythonpath))
    return subprocess.run(
        [sys.executable, "-m", "unified_ocr", *args],
        capture_output=True, text=True, env=full_env, cwd=cwd or ROOT, timeout=300,
    )  # fmt: skip


def cli_here(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command in this process, through click's test runner: for usage errors and commands
    that read no image with a model, where a fresh interpreter would spend most of a second starting
    and nothing else. ``env`` is set for the call only. An exception the command did not turn into a
    message ends up in ``stderr`` as its traceback, as a user would see it."""
    from click.testing import CliRunner

    from unified_ocr.cli import cli

    settings: dict[str, str | None] = {k: None for k in os.environ if k.startswith("UNIFIED_OCR") and k != "UNIFIED_OCR_CACHE_DIR"}
    settings.update(env or {})  # as run_cli: none of the caller's own settings, only the test's result cache
    done = CliRunner().invoke(cli, list(args), prog_name="unified-ocr", env=settings)
    stderr = done.stderr
    if done.exc_info is not None and not isinstance(done.exception, SystemExit):
        stderr += "".join(traceback.format_exception(*done.exc_info))
    return subprocess.CompletedProcess(["unified-ocr", *args], done.exit_code, done.stdout, stderr)


def text_image(text: str, size: tuple[int, int] = (480, 120), scale: float = 1.4) -> np.ndarray:
    img = np.full((size[1], size[0], 3), 255, np.uint8)
    cv2.putText(img, text, (12, size[1] // 2 + 15), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 3, cv2.LINE_AA)
    return img
