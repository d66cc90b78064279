"""The journal syncs to disk in the background: a kill loses no line, a power cut at most MAX_UNSYNCED."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from unified_ocr.batch.journal import MAX_UNSYNCED, Journal
from unified_ocr.batch.runner import Outcome
from unified_ocr.errors import NetworkError

from ..conftest import ROOT


def done(n: int) -> Outcome:
    return Outcome(f"scans/{n:04d}.jpg", None, None, f"{n:064x}")


class SlowDisk:
    """``os.fsync`` taking ``seconds``, noting how much of the file each sync covered."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.covered: list[int] = []  # the file's size as each sync began
        self._real = os.fsync

    def __call__(self, fd: int) -> None:
        self.covered.append(os.fstat(fd).st_size)
        time.sleep(self.seconds)
        self._real(fd)


def test_a_slow_disk_never_holds_more_than_max_unsynced_lines_off_it(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    disk = SlowDisk(0.03)
    monkeypatch.setattr(os, "fsync", disk)
    journal = Journal(tmp_path / "journal.jsonl")
    most = 0
    for n in range(80):
        journal.record(done(n))
        most = max(most, journal.unsynced)
        assert journal.unsynced <= MAX_UNSYNCED  # what a power cut could lose at this moment
    assert most > 1  # the lines did run ahead of the disk: syncs were grouped...
    assert len(disk.covered) < 80 / 4  # ...so the disk was asked far less often than once a line
    journal.sync()
    assert journal.unsynced == 0 and disk.covered[-1] == (tmp_path / "journal.jsonl").stat().st_size
    journal.record(done(80))
    journal.close()  # syncs the rest
    assert disk.covered[-1] == (tmp_path / "journal.jsonl").stat().st_size
    assert Journal(tmp_path / "journal.jsonl").done() == {done(n).source for n in range(81)}


def test_a_failed_sync_is_raised_not_swallowed(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing)
    journal = Journal(tmp_path / "journal.jsonl")
    journal.record(done(0))
    with pytest.raises(OSError, match="Input/output"):
        journal.sync()
    with pytest.raises(OSError, match="Input/output"):  # and by every later line: the disk is not to be trusted
        journal.record(done(1))
    journal.close()  # already said: the close that follows does not say it again
    failed = Journal(tmp_path / "other.jsonl")
    failed.record(done(2))  # its sync fails in the background, after record() returned
    with pytest.raises(OSError, match="Input/output"):  # said by no line yet: close says it
        failed.close()


def test_an_error_outcome_is_journaled_and_synced_like_any_other(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    error = Outcome("scans/b.jpg", None, NetworkError("no answer within 60 s", vendor="clova"), None)
    journal.record(error)
    journal.record(done(1))
    journal.close()
    again = Journal(tmp_path / "journal.jsonl")
    assert again.done() == {done(1).source} and again.last_entries()["scans/b.jpg"]["status"] == "error"


CHILD = """
import sys
from unified_ocr.batch.journal import Journal
from unified_ocr.batch.runner import Outcome
journal = Journal(sys.argv[1])
n = 0
while True:
    journal.record(Outcome(f"scans/{n:06d}.jpg", None, None, f"{n:064x}"))
    n += 1
    print(n, flush=True)  # told once record() returned: the image counts as done
"""


def test_a_killed_process_loses_no_line_it_recorded(tmp_path) -> None:
    path = tmp_path / "journal.jsonl"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    told = 0
    stop = threading.Timer(60, child.kill)  # never hang the suite
    stop.start()
    try:
        while told < 300:
            told = int(child.stdout.readline())
        child.send_signal(signal.SIGKILL)  # mid-run: lines in flight, syncs pending
        child.wait()
    finally:
        stop.cancel()
    recorded = Journal(path).done()
    assert {f"scans/{n:06d}.jpg" for n in range(told)} <= recorded  # every line it was told of survived the kill
