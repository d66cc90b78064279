"""The storm every vendor emulator is put through: 300 images, every transient fault the emulator
has, all done in later rounds, each image answered (so paid) once, the journal complete, a rerun free.

Shared by the vendors' storm tests, so that each says only what is its own (its emulator, its
options, what its service bills)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from unified_ocr.batch import recognize_many
from unified_ocr.batch.journal import Journal
from unified_ocr.batch.runner import Outcome
from unified_ocr.cache import ResultCache
from unified_ocr.emulator import Faults

from ..batch.test_runner import make_images

#: 8 % 5xx, 4 % throttled (with Retry-After where the vendor sends one), 3 % dropped connections, 1 % cut bodies
FAULTS = {"error_rate": 0.08, "throttle_rate": 0.04, "drop_rate": 0.03, "malformed_rate": 0.01}


def storm_faults(seed: int) -> Faults:
    return Faults(**FAULTS, seed=seed)


def weather_the_storm(tmp_path: Path, server: Any, options: Any, count: int = 300) -> list[Outcome]:
    """Run ``count`` images through ``server`` (an emulator started with :func:`storm_faults`) and
    check what must hold; the outcomes are returned for the vendor's own checks."""
    images = list(map(str, make_images(tmp_path / "in", count)))
    journal = tmp_path / "journal.jsonl"
    cache = ResultCache(tmp_path / "cache")
    outcomes = list(recognize_many(images, options, concurrency=16, cache=cache, journal=journal, round_wait=0.05))
    failed = [f"{o.source}: {o.error}" for o in outcomes if not o.ok]
    assert len(outcomes) == count and not failed, failed[:3]
    assert all(o.result is not None and o.result.text == "emulated" for o in outcomes)
    stats = dict(server.stats)
    assert stats["status_200"] == count, stats  # every image answered exactly once: nothing paid twice
    assert sum(o.attempts for o in outcomes) == stats["requests"]
    for fault in ("server_error", "rate_limited", "dropped", "malformed"):
        assert stats.get(fault, 0) > 0, stats
    assert any(o.rounds > 1 for o in outcomes)
    assert Journal(journal).done() == set(images)
    assert list(recognize_many(images, options, concurrency=16, cache=cache, journal=journal)) == []
    again = list(recognize_many(images, options, concurrency=16, cache=cache))
    assert all(o.cached for o in again) and server.stats["requests"] == stats["requests"]  # a rerun makes no calls
    return outcomes
