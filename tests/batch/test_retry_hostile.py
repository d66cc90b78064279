"""Which failures a rerun tries again. A failure the user puts right (a refused key, a used-up
quota, a file without read permission) is tried again on the next run; only a failure caused by
the image itself stays settled, and ``--retry-failed`` tries that one too. And the summary's
"came through in a later round" counts only images that did come through.

Through the CLI, against the CLOVA emulator on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from unified_ocr import Secret
from unified_ocr.batch.folder import run_batch
from unified_ocr.batch.journal import Journal, cause_of
from unified_ocr.emulator import Faults
from unified_ocr.errors import AuthenticationError, CorruptImageError, ImageNotFoundError, QuotaExceededError, ServiceError
from unified_ocr_clova import ClovaEmulator, ClovaOptions

from .test_names_hostile import KEY, clova_config, invoke
from .test_runner import make_images

SECRET_ENV = "NAMES_HOSTILE_SECRET"


@pytest.fixture
def emulator(tmp_path: Path) -> Any:
    with ClovaEmulator(key=KEY, canned=True) as server:
        yield server, clova_config(tmp_path, server, SECRET_ENV)


def journal(folder: Path) -> dict[str, dict[str, Any]]:
    [found] = folder.rglob("journal.jsonl")  # compare keeps one per engine under runs/
    return Journal(found).last_entries()


@pytest.mark.parametrize("command", ["compare", "batch"])
def test_images_that_failed_on_a_wrong_secret_are_read_once_it_is_put_right(tmp_path: Path, emulator: Any, command: str,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    server, config = emulator
    images, out = tmp_path / "in", tmp_path / "out"
    make_images(images, 4)
    for n in (2, 3):  # two images read with the right secret first
        (images / f"img{n:05d}.png").rename(tmp_path / f"img{n:05d}.png")
    run = (command, images, "--engine", "clova", "--config", config, "--out", out, "--no-cache", "-j", "1")
    monkeypatch.setenv(SECRET_ENV, KEY)
    assert invoke(*run).exit_code == 0 and server.stats["requests"] == 2
    for n in (2, 3):  # two more, read with a wrong secret
        (tmp_path / f"img{n:05d}.png").rename(images / f"img{n:05d}.png")
    monkeypatch.setenv(SECRET_ENV, "a-wrong-secret")
    wrong = invoke(*run)
    assert server.stats["requests"] == 4 and "AuthenticationError" in wrong.output, wrong.output  # a call each, both refused
    refused = [e for e in journal(out).values() if e["status"] == "error"]
    assert len(refused) == 2 and {e["error"]["cause"] for e in refused} == {"setup"}
    monkeypatch.setenv(SECRET_ENV, KEY)
    right = invoke(*run)
    assert right.exit_code == 0, right.output
    assert server.stats["requests"] == 6  # calls for the two refused images only
    assert {e["status"] for e in journal(out).values()} == {"ok"}


@pytest.mark.parametrize("command", ["compare", "batch"])
def test_a_failure_of_the_image_itself_stays_settled_until_retry_failed(tmp_path: Path, emulator: Any, command: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    server, config = emulator
    monkeypatch.setenv(SECRET_ENV, KEY)
    images, out = tmp_path / "in", tmp_path / "out"
    [good] = make_images(images, 1)
    broken = images / "broken.png"
    broken.write_bytes(good.read_bytes()[:40])  # a PNG cut short: damaged, no call is made for it
    run = (command, images, "--engine", "clova", "--config", config, "--out", out, "--no-cache")
    first = invoke(*run)
    assert journal(out)[str(broken)]["error"]["cause"] == "image", first.output
    lines = sum(1 for _ in Journal(next(out.rglob("journal.jsonl"))).entries())
    shutil.copy(tmp_path / "in" / "img00000.png", broken)  # the user replaces the file; it would now be read
    again = invoke(*run)
    assert sum(1 for _ in Journal(next(out.rglob("journal.jsonl"))).entries()) == lines  # skipped: not tried again
    if command == "batch":
        assert "skipped as failed before" in again.output and "--retry-failed" in again.output, again.output
    retried = invoke(*run, "--retry-failed")
    assert retried.exit_code == 0, retried.output
    assert journal(out)[str(broken)]["status"] == "ok"


def test_each_failure_has_its_cause_and_old_journal_lines_are_judged_by_their_type(tmp_path: Path) -> None:
    vendor = {"vendor": "v"}
    assert cause_of(AuthenticationError("refused", **vendor)) == cause_of(QuotaExceededError("used up", **vendor)) == "setup"
    assert cause_of(ImageNotFoundError("a.png", "cannot be read (Permission denied)")) == "setup"
    assert cause_of(CorruptImageError("a.png", "truncated")) == "image"
    assert cause_of(ServiceError("5xx", **vendor)) == "transient"
    path = tmp_path / "journal.jsonl"
    old = [  # lines written before errors carried a cause: "retryable" false for both
        {"source": "a.png", "status": "error", "error": {"type": "AuthenticationError", "message": "m", "retryable": False}},
        {"source": "b.png", "status": "error", "error": {"type": "CorruptImageError", "message": "m", "retryable": False}},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in old), encoding="utf-8")
    assert Journal(path).settled() == {"b.png"}


def test_images_that_failed_again_in_a_later_round_are_not_said_to_have_come_through(tmp_path: Path) -> None:
    make_images(tmp_path / "in", 3)
    with ClovaEmulator(key=KEY, canned=True, faults=Faults(error_rate=1.0)) as server:
        options = ClovaOptions(invoke_url=server.url + "/general", secret=Secret.of(KEY), retries=0)
        report = run_batch([str(tmp_path / "in")], tmp_path / "out", options, cache=False, rounds=1, round_wait=0.01)
    assert report.summary["failed"] == 3 and report.summary["gave_up_after_rounds"] == 3
    assert report.summary["needed_later_rounds"] == 0
    assert not [line for line in report.lines if "came through in a later round" in line]
