"""300 images against the Textract emulator with every fault it has: all done, each image answered (paid) once, a rerun free."""

from __future__ import annotations

import pytest
from unified_ocr_textract import TextractEmulator, TextractOptions

from unified_ocr import Secret
from unified_ocr.batch import recognize_many
from unified_ocr.batch.runner import BatchAbortedError

from ..batch.test_runner import make_images
from .storm import storm_faults, weather_the_storm

pytest.importorskip("botocore")  # the engine signs with it (the textract extra; boto3 of the test extra brings it)

ACCESS = "AKIASTORMTEXTRACT001"
SECRET = "storm/textract+s3cret-DO-NOT-LEAK"


def options(url: str, secret: str = SECRET) -> TextractOptions:
    return TextractOptions(endpoint=url, region="us-east-1", access_key_id=Secret.of(ACCESS), secret_access_key=Secret.of(secret),
                           retries=1, backoff=0.01, max_backoff=0.02)  # fmt: skip


def test_a_storm_of_textract_faults_ends_all_done_with_nothing_paid_twice(tmp_path) -> None:
    # 500 InternalServerError, ThrottlingException, dropped connections, cut bodies
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", region="us-east-1", faults=storm_faults(23), canned=True) as server:
        weather_the_storm(tmp_path, server, options(server.url))


def test_a_wrong_secret_stops_the_batch_without_retrying_and_says_no_secret(tmp_path) -> None:
    images = list(map(str, make_images(tmp_path / "in", 40)))
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", canned=True) as server:
        with pytest.raises(BatchAbortedError, match="InvalidSignatureException") as caught:
            list(recognize_many(images, options(server.url, secret="wrong-secret-value"), concurrency=4, round_wait=0.01))
        assert server.stats.get("status_200", 0) == 0 and server.stats["requests"] < len(images)  # stopped, each tried once
    said = str(caught.value) + repr(caught.value.__dict__)
    assert SECRET not in said and "wrong-secret-value" not in said
