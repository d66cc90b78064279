"""One run at a time per output folder: a second is refused at once, naming the folder and
the holder, and pays for nothing."""

from __future__ import annotations

import threading
import time

import pytest

from unified_ocr import ConfigError, Secret
from unified_ocr.batch.folder import FolderInUseError, run_batch
from unified_ocr.emulator import Faults
from unified_ocr_clova import ClovaEmulator, ClovaOptions

from ..conftest import run_cli
from .test_runner import make_images

KEY = "folder-lock-key"


def test_a_second_run_on_the_same_folder_is_refused_and_makes_no_call(tmp_path) -> None:
    folder = tmp_path / "in"
    make_images(folder, 12)
    out = tmp_path / "out"
    with ClovaEmulator(key=KEY, canned=True, faults=Faults(latency=0.15)) as server:
        options = ClovaOptions(invoke_url=server.url + "/general", secret=Secret.of(KEY))
        first = threading.Thread(target=run_batch, args=([str(folder)], out, options), kwargs={"cache": False, "concurrency": 1})
        first.start()
        deadline = time.monotonic() + 30
        while server.stats["requests"] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(FolderInUseError, match=rf"{out}: another run is writing into this folder \(process \d+ on "):
            run_batch([str(folder)], out, options, cache=False)
        config = tmp_path / "unified-ocr.toml"
        config.write_text(f'[engines.c]\nbackend = "clova"\ninvoke_url = "{server.url}/general"\nsecret = {{ env = "K" }}\n')
        proc = run_cli("batch", str(folder), "-e", "c", "-c", str(config), "-o", str(out), "--no-cache", env={"K": KEY})
        assert proc.returncode == 2 and "another run is writing into this folder" in proc.stderr, proc.stderr
        first.join()
        assert server.stats["requests"] == 12  # each image paid for once
    again = run_batch([str(folder)], out, ClovaOptions(invoke_url="http://127.0.0.1:9/general", secret=Secret.of(KEY)))
    assert again.summary["done"] == 0 and again.summary["skipped_as_done_before"] == 12  # released when the run ended
    assert not (out / ".unified-ocr.holder.json").exists()


def test_an_output_folder_that_cannot_be_written_is_refused_before_any_call(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    make_images(tmp_path / "in", 1)
    with pytest.raises(ConfigError, match="cannot write results here"):
        run_batch([str(tmp_path / "in")], blocker / "out", ClovaOptions(invoke_url="http://127.0.0.1:9/general", secret=Secret.of(KEY)))
