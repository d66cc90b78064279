"""A run into a folder always leaves an account that agrees with its journal: when it stops
on bad credentials, when it is interrupted, and when there was nothing to do."""

from __future__ import annotations

import io
import json
import socket

import pytest
from click.testing import CliRunner

from unified_ocr import ConfigError, Secret
from unified_ocr.batch.folder import run_batch
from unified_ocr.batch.journal import Journal
from unified_ocr.cli import cli
from unified_ocr_clova import ClovaEmulator, ClovaOptions

from .test_runner import make_images

KEY = "folder-run-key"


def test_a_folder_without_images_is_said_not_passed_over(tmp_path) -> None:
    (tmp_path / "notes.md").write_text("not an image")
    with pytest.raises(ConfigError, match="no images in .*folders are searched for .*\\.jpg"):
        run_batch([str(tmp_path)], tmp_path / "out", ClovaOptions(invoke_url="http://127.0.0.1:9/general", secret=Secret.of(KEY)))


def test_the_summary_agrees_with_the_journal_after_an_authentication_stop(tmp_path) -> None:
    folder = tmp_path / "in"
    make_images(folder, 8)
    out = tmp_path / "out"
    with ClovaEmulator(key=KEY, canned=True) as server:
        wrong = ClovaOptions(invoke_url=server.url + "/general", secret=Secret.of("wrong"))
        report = run_batch([str(folder)], out, wrong, cache=False, concurrency=1)
    assert report.aborted is not None and "authentication failures in a row" in str(report.aborted)
    entries = list(Journal(out / "journal.jsonl").entries())
    summary = json.loads((out / "summary.json").read_text())
    assert summary["failed"] == len([e for e in entries if e["status"] == "error"]) == 3


class InterruptingStream(io.StringIO):
    """Progress output that is interrupted (as by Ctrl-C) after a few images."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after

    def write(self, text: str) -> int:
        if text.startswith("["):
            self.after -= 1
            if self.after < 0:
                raise KeyboardInterrupt
        return super().write(text)


def test_an_interrupted_run_writes_its_summary_marked_so(tmp_path) -> None:
    folder = tmp_path / "in"
    make_images(folder, 6)
    out = tmp_path / "out"
    with ClovaEmulator(key=KEY, canned=True) as server:
        options = ClovaOptions(invoke_url=server.url + "/general", secret=Secret.of(KEY))
        with pytest.raises(KeyboardInterrupt):
            run_batch([str(folder)], out, options, cache=False, concurrency=1, stream=InterruptingStream(after=2))
    summary = json.loads((out / "summary.json").read_text())
    done = [e for e in Journal(out / "journal.jsonl").entries() if e["status"] == "ok"]
    assert summary["interrupted"] is True and summary["done"] == len(done) == 3


def test_emulate_on_a_port_in_use_is_a_usage_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = CliRunner().invoke(cli, ["emulate", "clova", "--port", str(taken.getsockname()[1]), "--canned"])
    assert result.exit_code == 2 and "cannot listen on 127.0.0.1" in result.output
