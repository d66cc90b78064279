"""A client-side rate limit, so that a vendor's limit is held rather than hit.

Calls are spaced evenly (no bursts): at ``per_second`` = 10 a call may start every 0.1 s.
One limiter is shared by every thread using the same engine setup, retries included.
"""

from __future__ import annotations

import math
import os
import threading
import time
from pathlib import Path

#: The slowest rate limit taken, calls per second (one call in about 17 minutes); slower is a mistake.
MIN_RATE = 0.001


class RateLimiter:
    """Blocks each caller until its turn; thread-safe."""

    def __init__(self, per_second: float) -> None:
        if not (math.isfinite(per_second) and MIN_RATE <= per_second):
            raise ValueError(f"a rate limit is a number of calls per second of at least {MIN_RATE:g}, got {per_second}")
        self.per_second = per_second
        self.interval = 1.0 / per_second
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RateLimiter({self.per_second:g}/s)"

    def acquire(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        delay = start - now
        if delay > 0:
            time.sleep(delay)


class SharedRateLimiter:
    """The same even spacing, shared by every process on this machine that uses the same
    ``path``: the next start time lives in a small file, read and moved on under an OS file
    lock. For work spread over processes by another program (OCRmyPDF's page workers)."""

    def __init__(self, path: str | os.PathLike[str], per_second: float) -> None:
        if not (math.isfinite(per_second) and MIN_RATE <= per_second):
            raise ValueError(f"a rate limit is a number of calls per second of at least {MIN_RATE:g}, got {per_second}")
        self.path = Path(path)
        self.interval = 1.0 / per_second

    def __repr__(self) -> str:
        return f"SharedRateLimiter({str(self.path)!r}, {1 / self.interval:g}/s)"

    def acquire(self) -> float:
        """Wait for this call's turn; return the time (``time.time()``) it was given to start."""
        from filelock import FileLock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.path) + ".lock"):
            try:
                planned = float(self.path.read_text(encoding="ascii") or 0)
            except (OSError, ValueError):
                planned = 0.0
            now = time.time()  # wall clock: comparable between processes
            start = max(now, planned)
            self.path.write_text(repr(start + self.interval), encoding="ascii")
        if start > now:
            time.sleep(start - now)
        return start
