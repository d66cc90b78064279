"""A batch to a web service keeps spare workers reading images, and its calls within its concurrency."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest

from unified_ocr import Secret
from unified_ocr.batch import recognize_many
from unified_ocr_clova import ClovaOptions

from ..plain_server import PlainServer, serving
from .test_runner import make_images

ANSWER = json.dumps({"version": "V2", "requestId": "r", "timestamp": 0, "images": [{
    "uid": "u", "name": "img", "inferResult": "SUCCESS", "message": "SUCCESS", "fields": [{
        "inferText": "word", "inferConfidence": 0.99, "lineBreak": True,
        "boundingPoly": {"vertices": [{"x": 1, "y": 1}, {"x": 40, "y": 1}, {"x": 40, "y": 12}, {"x": 1, "y": 12}]}}]}]}).encode()  # fmt: skip


class _Counting(PlainServer):
    """Answers after 50 ms, counting the requests it holds at once."""

    answer = ANSWER

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.now = self.most = 0

    def hold(self) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(0.05)
        with self.lock:
            self.now -= 1


@pytest.fixture
def server() -> Iterator[_Counting]:
    with serving(_Counting()) as server:
        yield server


def test_calls_in_flight_stay_within_the_concurrency_while_spare_workers_read_ahead(tmp_path, server: _Counting) -> None:
    images = make_images(tmp_path / "in", 48)
    options = ClovaOptions(invoke_url=f"http://127.0.0.1:{server.server_address[1]}/general", secret=Secret.of("k"))
    workers = 0
    outcomes = []
    for outcome in recognize_many(map(str, images), options, concurrency=4, cache=False):
        outcomes.append(outcome)
        workers = max(workers, sum(t.name.startswith("unified-ocr_") for t in threading.enumerate()))
    assert len(outcomes) == 48 and all(o.ok and o.attempts == 1 for o in outcomes)
    assert workers > 4  # more workers than calls allowed at once: they read and parse around the calls...
    assert server.most == 4  # ...while the calls on the wire never go past the concurrency, and do reach it
