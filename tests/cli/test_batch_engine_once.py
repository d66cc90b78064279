"""``unified-ocr batch`` loads the engine once: the check before any image and the run share it.
The offline engine's models take seconds to load; building it twice paid that twice."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from unified_ocr.cli import cli

from ..conftest import SAMPLE

pytestmark = pytest.mark.slow


def test_batch_with_the_offline_engine_builds_it_once(tmp_path, monkeypatch) -> None:
    from unified_ocr_rapidocr import RapidOcrEngine

    built: list[object] = []
    original = RapidOcrEngine.__init__

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(RapidOcrEngine, "__init__", counting)
    images = tmp_path / "in"
    images.mkdir()
    for name in ("a.png", "b.png"):
        shutil.copy(SAMPLE, images / name)
    result = CliRunner().invoke(cli, ["batch", str(images), "--engine", "rapidocr", "--out", str(tmp_path / "out"), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert len(built) == 1, f"the engine was built {len(built)} times"
