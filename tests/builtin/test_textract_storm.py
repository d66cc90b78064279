"""300 images against the Textract emulator with every fault it has: all done, each image answered (paid) once, a rerun free."""

from __future__ import annotations

import pytest
from unified_ocr_textract import TextractEmulator, TextractOptions

from unified_ocr import Secret
from unified_ocr.batch import recognize_many
from unified_ocr.batch.cache import ResultCache
from unified_ocr.batch.journal import Journal
from unified_ocr.batch.runner import BatchAbortedError
from unified_ocr.engines.emulator import Faults

from ..batch.test_runner import make_images

pytest.importorskip("botocore")  # the engine signs with it (the textract extra; boto3 of the test extra brings it)

ACCESS = "AKIASTORMTEXTRACT001"
SECRET = "storm/textract+s3cret-DO-NOT-LEAK"


def options(url: str, secret: str = SECRET) -> TextractOptions:
    return TextractOptions(endpoint=url, region="us-east-1", access_key_id=Secret.of(ACCESS), secret_access_key=Secret.of(secret),
                           retries=1, backoff=0.01, max_backoff=0.02)  # fmt: skip


def test_a_storm_of_textract_faults_ends_all_done_with_nothing_paid_twice(tmp_path) -> None:
    images = list(map(str, make_images(tmp_path / "in", 300)))
    journal = tmp_path / "journal.jsonl"
    cache = ResultCache(tmp_path / "cache")
    # 8 % 500 InternalServerError, 4 % ThrottlingException, 3 % dropped connections, 1 % cut bodies
    faults = Faults(error_rate=0.08, throttle_rate=0.04, drop_rate=0.03, malformed_rate=0.01, seed=23)
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", region="us-east-1", faults=faults, canned=True) as server:
        opts = options(server.url)
        outcomes = list(recognize_many(images, opts, concurrency=16, cache=cache, journal=journal, round_wait=0.05))
        failed = [f"{o.source}: {o.error}" for o in outcomes if not o.ok]
        assert len(outcomes) == 300 and not failed, failed[:3]
        assert all(o.result is not None and o.result.text == "emulated" for o in outcomes)
        stats = dict(server.stats)
        assert stats["status_200"] == 300, stats  # every image answered exactly once: nothing paid twice
        assert sum(o.attempts for o in outcomes) == stats["requests"]
        for fault in ("server_error", "rate_limited", "dropped", "malformed"):
            assert stats.get(fault, 0) > 0, stats
        assert any(o.rounds > 1 for o in outcomes)
        assert Journal(journal).done() == set(images)
        assert list(recognize_many(images, opts, concurrency=16, cache=cache, journal=journal)) == []
        again = list(recognize_many(images, opts, concurrency=16, cache=cache))
        assert all(o.cached for o in again) and server.stats["requests"] == stats["requests"]  # a rerun makes no calls


def test_a_wrong_secret_stops_the_batch_without_retrying_and_says_no_secret(tmp_path) -> None:
    images = list(map(str, make_images(tmp_path / "in", 40)))
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", canned=True) as server:
        with pytest.raises(BatchAbortedError, match="InvalidSignatureException") as caught:
            list(recognize_many(images, options(server.url, secret="wrong-secret-value"), concurrency=4, round_wait=0.01))
        assert server.stats.get("status_200", 0) == 0 and server.stats["requests"] < len(images)  # stopped, each tried once
    said = str(caught.value) + repr(caught.value.__dict__)
    assert SECRET not in said and "wrong-secret-value" not in said
