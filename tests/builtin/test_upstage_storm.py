"""300 images against the Upstage emulator with every fault it has: all done, each image answered (paid) once, a rerun free."""

from __future__ import annotations

from unified_ocr_upstage import UpstageEmulator, UpstageOptions

from unified_ocr import Secret

from .storm import storm_faults, weather_the_storm

KEY = "storm-upstage-key"


def test_a_storm_of_upstage_faults_ends_all_done_with_nothing_paid_twice(tmp_path) -> None:
    # 500 internal_server_error, 429 too_many_requests with Retry-After, dropped connections, cut bodies
    with UpstageEmulator(key=KEY, faults=storm_faults(23), canned=True) as server:
        options = UpstageOptions(endpoint=server.url, api_key=Secret.of(KEY), retries=1, backoff=0.01, max_backoff=0.02,
                                 rate_limit=None)  # fmt: skip
        outcomes = weather_the_storm(tmp_path, server, options)
        assert sum(o.record.billed_pages or 0 for o in outcomes) == 300  # what Upstage billed, one page an image
