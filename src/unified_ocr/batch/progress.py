"""What a batch tells the person running it: a progress bar on a terminal, plain lines in a
log, and a summary at the end (done, failed by error type, calls made, cache hits, speed)."""

from __future__ import annotations

import sys
import time
from collections import Counter
from typing import IO, TYPE_CHECKING, Any

from ..imaging.sources import display_path
from .journal import cause_of

if TYPE_CHECKING:
    from .runner import Outcome


class BatchProgress:
    """Counts outcomes as they arrive and shows them; ``summary()`` is the end-of-run account."""

    def __init__(self, total: int | None, skipped: int = 0, stream: IO[str] | None = None, label: str | None = None,
                 position: int | None = None, skipped_failed: int = 0) -> None:  # fmt: skip
        """``skipped`` images were done before, ``skipped_failed`` failed before because of the
        image itself (settled). ``label`` names the run where several run at once (each line
        starts with it, the bar is described by it), and ``position`` is its bar's row among theirs."""
        self.stream = stream or sys.stderr
        self.label = label
        self.total = total
        self.skipped = skipped
        self.skipped_failed = skipped_failed
        self.done = 0
        self.failed: Counter[str] = Counter()
        self.gave_up = 0  # of the failed: transient failures that outlasted every round
        self.by_setup = 0  # of the failed: what the user can put right (credentials, quota, permission)
        self.later_rounds = 0  # images that succeeded in a round after the first
        self.calls = 0
        self.cache_hits = 0
        self.started = time.monotonic()
        self._bar = None
        if self.stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="image", file=self.stream, dynamic_ncols=True, smoothing=0.05, desc=label,
                             position=position)  # fmt: skip

    def add(self, outcome: Outcome) -> None:
        self.calls += outcome.attempts
        self.cache_hits += outcome.cached
        if outcome.ok:
            self.done += 1
            self.later_rounds += outcome.rounds > 1  # came through; one that failed in its last round did not
        else:
            self.failed[type(outcome.error).__name__] += 1
            self.gave_up += outcome.gave_up
            self.by_setup += outcome.error is not None and cause_of(outcome.error) == "setup"
        if self._bar is not None:
            self._bar.set_postfix(failed=sum(self.failed.values()), cached=self.cache_hits, refresh=False)
            self._bar.update(1)
        else:
            count = self.done + sum(self.failed.values())
            of = f"/{self.total}" if self.total is not None else ""
            status = "ok" if outcome.ok else f"error {type(outcome.error).__name__}: {display_path(str(outcome.error))}"
            cached = ", cached" if outcome.cached else ""
            named = f"{self.label}: " if self.label else ""
            print(f"{named}[{count}{of}] {display_path(outcome.source)}: {status} ({outcome.seconds:.2f} s{cached})", file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def summary(self) -> dict[str, Any]:
        seconds = max(time.monotonic() - self.started, 1e-9)
        finished = self.done + sum(self.failed.values())
        return {
            "done": self.done,
            "failed": sum(self.failed.values()),
            "failed_for_good": sum(self.failed.values()) - self.gave_up,  # would fail again as it is
            "failed_by_setup": self.by_setup,  # of those: credentials, quota, permission; put right, then run again
            "gave_up_after_rounds": self.gave_up,  # transient failures that outlasted every round: run again
            "needed_later_rounds": self.later_rounds,
            "failed_by_type": dict(self.failed),
            "skipped_as_done_before": self.skipped,
            "skipped_as_failed_before": self.skipped_failed,  # because of the image itself; --retry-failed tries them
            "calls": self.calls,
            "cache_hits": self.cache_hits,
            "seconds": round(seconds, 3),
            "images_per_second": round(finished / seconds, 3),
        }

    def summary_lines(self) -> list[str]:
        s = self.summary()
        lines = [
            f"done {s['done']}, failed {s['failed']} (for good {s['failed_for_good']}, gave up after every round "
            f"{s['gave_up_after_rounds']}), skipped (done before) {s['skipped_as_done_before']}",
            f"calls made {s['calls']}, cache hits {s['cache_hits']}, {s['images_per_second']:.2f} images/s over {s['seconds']:.1f} s",
        ]
        lines += [f"  failed with {kind}: {n}" for kind, n in sorted(s["failed_by_type"].items())]
        if s["failed_by_setup"]:
            lines.append(f"  {s['failed_by_setup']} image(s) failed because of the setup (credentials, quota, permission): "
                         "put it right, then run the same command again; they are tried again")  # fmt: skip
        if s["skipped_as_failed_before"]:
            lines.append(f"  {s['skipped_as_failed_before']} image(s) skipped as failed before because of the image itself "
                         "(--retry-failed tries them again)")  # fmt: skip
        if s["needed_later_rounds"]:
            lines.append(f"  {s['needed_later_rounds']} image(s) came through in a later round, after a storm of transient failures")
        return lines
