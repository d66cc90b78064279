"""The rate limit shared between processes (OCRmyPDF's page workers): calls spaced evenly
across them, through a file and an OS lock."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from unified_ocr.engines.ratelimit import SharedRateLimiter

CHILD = """
import sys, time
from unified_ocr.engines.ratelimit import SharedRateLimiter
limiter = SharedRateLimiter(sys.argv[1], float(sys.argv[2]))
for _ in range(4):
    start = limiter.acquire()
    print(start, time.time(), flush=True)
"""


def test_calls_from_several_processes_are_spaced_by_the_rate(tmp_path) -> None:
    path = tmp_path / "limits" / "clova"
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(path), "20"], stdout=subprocess.PIPE, text=True) for _ in range(3)]
    calls = sorted(tuple(map(float, line.split())) for child in children for line in child.communicate(timeout=60)[0].splitlines())
    assert len(calls) == 12
    starts = [start for start, _ in calls]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= 0.05 - 1e-6  # 20 a second: one start every 50 ms, whichever process makes the call
    assert all(woke >= start - 0.002 for start, woke in calls)  # and no call goes before its start (a loaded machine may wake it later)


def test_a_bad_rate_is_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="calls per second"):
        SharedRateLimiter(tmp_path / "x", 0)
    started = time.monotonic()
    SharedRateLimiter(tmp_path / "fresh", 1).acquire()  # the first call does not wait
    assert time.monotonic() - started < 0.5
