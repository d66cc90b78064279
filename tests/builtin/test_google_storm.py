"""300 images against the Google emulator with every fault it has: all done, each image answered (paid) once, a rerun free."""

from __future__ import annotations

from unified_ocr_google import GoogleEmulator, GoogleOptions

from unified_ocr import Secret

from .storm import storm_faults, weather_the_storm

KEY = "storm-google-key"


def test_a_storm_of_google_faults_ends_all_done_with_nothing_paid_twice(tmp_path) -> None:
    # 503 UNAVAILABLE, 429 RESOURCE_EXHAUSTED with Retry-After, dropped connections, cut bodies
    with GoogleEmulator(key=KEY, faults=storm_faults(22), canned=True) as server:
        options = GoogleOptions(endpoint=server.url, api_key=Secret.of(KEY), retries=1, backoff=0.01, max_backoff=0.02,
                                rate_limit=None)  # fmt: skip
        weather_the_storm(tmp_path, server, options)
