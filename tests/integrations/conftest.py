"""What the loader tests share: the offline engine (skipped where it is not installed), and one
result cache for the run (both frameworks' modules), so that the sample is read by the model
once, not once per test or module."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import unified_ocr

from ..conftest import ROOT, SAMPLE

SROIE = ROOT.parent / "shared" / "eval" / "sroie" / "images"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def offline() -> str:
    if unified_ocr.choose_engine("rapidocr").engine.unavailable_reason() is not None:
        pytest.skip("needs the offline engine: pip install 'unified-ocr[local]'")
    return "rapidocr"


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for both frameworks' tests: the sample is read once in the run, not once per module."""
    return tmp_path_factory.mktemp("loader-cache")


@pytest.fixture
def receipts(tmp_path: Path) -> Path:
    """A folder of two images (the sample twice under other names: the cache reads it once)."""
    folder = tmp_path / "receipts"
    folder.mkdir()
    for name in ("a.png", "b.png"):
        shutil.copy(SAMPLE, folder / name)
    return folder
