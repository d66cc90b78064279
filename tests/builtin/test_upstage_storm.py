"""300 images against the Upstage emulator with every fault it has: all done, each image answered (paid) once, a rerun free."""

from __future__ import annotations

from unified_ocr_upstage import UpstageEmulator, UpstageOptions

from unified_ocr import Secret
from unified_ocr.batch import recognize_many
from unified_ocr.batch.cache import ResultCache
from unified_ocr.batch.journal import Journal
from unified_ocr.engines.emulator import Faults

from ..batch.test_runner import make_images

KEY = "storm-upstage-key"


def test_a_storm_of_upstage_faults_ends_all_done_with_nothing_paid_twice(tmp_path) -> None:
    images = list(map(str, make_images(tmp_path / "in", 300)))
    journal = tmp_path / "journal.jsonl"
    cache = ResultCache(tmp_path / "cache")
    # 8 % 500 internal_server_error, 4 % 429 too_many_requests with Retry-After, 3 % dropped connections, 1 % cut bodies
    faults = Faults(error_rate=0.08, throttle_rate=0.04, drop_rate=0.03, malformed_rate=0.01, seed=23)
    with UpstageEmulator(key=KEY, faults=faults, canned=True) as server:
        options = UpstageOptions(endpoint=server.url, api_key=Secret.of(KEY), retries=1, backoff=0.01, max_backoff=0.02,
                                 rate_limit=None)  # fmt: skip
        outcomes = list(recognize_many(images, options, concurrency=16, cache=cache, journal=journal, round_wait=0.05))
        failed = [f"{o.source}: {o.error}" for o in outcomes if not o.ok]
        assert len(outcomes) == 300 and not failed, failed[:3]
        assert all(o.result is not None and o.result.text == "emulated" for o in outcomes)
        stats = dict(server.stats)
        assert stats["status_200"] == 300, stats  # every image answered exactly once: nothing paid twice
        assert sum(o.attempts for o in outcomes) == stats["requests"]
        assert sum(o.record.billed_pages or 0 for o in outcomes) == 300  # what Upstage billed, one page an image
        for fault in ("server_error", "rate_limited", "dropped", "malformed"):
            assert stats.get(fault, 0) > 0, stats
        assert any(o.rounds > 1 for o in outcomes)
        assert Journal(journal).done() == set(images)
        assert list(recognize_many(images, options, concurrency=16, cache=cache, journal=journal)) == []
        again = list(recognize_many(images, options, concurrency=16, cache=cache))
        assert all(o.cached for o in again) and server.stats["requests"] == stats["requests"]  # a rerun makes no calls
