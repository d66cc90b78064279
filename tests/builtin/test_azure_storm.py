"""A storm against the Azure emulator: 300 images through the batch runner while requests fail
(5xx, 429 with Retry-After, dropped connections, cut bodies) and operations fail or stay
running past the deadline. Every image ends done, no image is paid for twice (an operation
kept past its deadline is polled again, never submitted again), and a rerun makes no calls."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from unified_ocr_azure import AzureEmulator, AzureOptions

from unified_ocr import Secret
from unified_ocr.batch import recognize_many
from unified_ocr.batch.journal import Journal
from unified_ocr.batch.runner import OPERATIONS_FOLDER
from unified_ocr.cache import ResultCache
from unified_ocr.emulator import Faults
from unified_ocr.engines.operations import OperationStore

KEY = "azure-storm-s3cret"

pytestmark = pytest.mark.slow


def make_images(folder: Path, n: int) -> list[str]:
    """``n`` distinct 64 x 64 PNGs (Azure reads nothing under 50 px a side)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        pixels = np.full((64, 64), 255, np.uint8)
        pixels[0, :32] = [255 * ((i >> bit) & 1) for bit in range(32)]
        path = folder / f"img{i:05d}.png"
        cv2.imwrite(str(path), pixels)
        paths.append(str(path))
    return paths


def test_a_storm_with_failing_and_stuck_operations_ends_all_done_with_nothing_paid_twice(tmp_path) -> None:
    images = make_images(tmp_path / "in", 300)
    cache = ResultCache(tmp_path / "cache")
    journal = tmp_path / "journal.jsonl"
    faults = Faults(error_rate=0.06, throttle_rate=0.02, drop_rate=0.02, malformed_rate=0.01, seed=7)
    server = AzureEmulator(key=KEY, canned=True, run_seconds=0.02, fail_operations=0.05, stuck_operations=0.04,
                           stuck_seconds=1.2, faults=faults)  # fmt: skip
    with server:
        options = AzureOptions(endpoint=server.url, key=Secret.of(KEY), retries=1, backoff=0.01, max_backoff=0.02,
                               poll_interval=0.02, deadline=0.4, rate_limit=1000)  # fmt: skip
        # the first run is cut short: one round only, so images whose operations are stuck give up for now
        first = list(recognize_many(images, options, concurrency=16, cache=cache, journal=journal, rounds=0))
        kept = OperationStore(tmp_path / "cache" / OPERATIONS_FOLDER)
        stuck = {op.id for op in server.operations.values() if op.fate == "stuck"}
        assert stuck and len(kept) >= 1, "the storm should leave operations running past the deadline"
        accepted_before = len(server.operations)
        # the rerun resumes them: polls again and never submits an image whose operation is kept
        second = list(recognize_many(images, options, concurrency=16, cache=cache, journal=journal, rounds=6, round_wait=0.2))
        failed = [f"{o.source}: {o.error}" for o in second if not o.ok]
        assert not failed, failed[:3]
        assert {o.source for o in first if o.ok} | {o.source for o in second} == set(images)
        assert Journal(journal).done() == set(images)
        # nothing paid twice: one successful operation per image, and no operation accepted but never collected
        assert len(server.paid) == 300 and set(server.paid.values()) == {1}
        failed_operations = sum(1 for op in server.operations.values() if op.fate == "fail")
        assert len(server.operations) == 300 + failed_operations  # a failed operation is not billed; it is sent again
        assert len(server.operations) - accepted_before < len(kept) + 300  # sanity: the rerun did not resend everything
        assert len(OperationStore(tmp_path / "cache" / OPERATIONS_FOLDER)) == 0
        for fault in ("server_error", "rate_limited", "dropped", "malformed"):
            assert server.stats[fault] > 0, server.stats
        for path in tmp_path.rglob("*"):  # the journal, the cache, the kept operations: no key anywhere
            assert not path.is_file() or KEY.encode() not in path.read_bytes(), path
        requests = server.stats["requests"]
        fresh = list(recognize_many(images, options, concurrency=16, cache=cache))
        assert all(o.cached for o in fresh) and server.stats["requests"] == requests  # a rerun makes no calls
