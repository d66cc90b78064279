"""A batch to a web service keeps spare workers reading images, and its calls within its concurrency."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from unified_ocr import Secret
from unified_ocr.batch import recognize_many
from unified_ocr_clova import ClovaOptions

from .test_runner import make_images

ANSWER = json.dumps({"version": "V2", "requestId": "r", "timestamp": 0, "images": [{
    "uid": "u", "name": "img", "inferResult": "SUCCESS", "message": "SUCCESS", "fields": [{
        "inferText": "word", "inferConfidence": 0.99, "lineBreak": True,
        "boundingPoly": {"vertices": [{"x": 1, "y": 1}, {"x": 40, "y": 1}, {"x": 40, "y": 12}, {"x": 1, "y": 12}]}}]}]}).encode()  # fmt: skip


class _Counting(BaseHTTPRequestHandler):
    """Answers after 50 ms, counting the requests it holds at once."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        server: _Server = self.server  # type: ignore[assignment]
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with server.lock:
            server.now += 1
            server.most = max(server.most, server.now)
        time.sleep(0.05)
        with server.lock:
            server.now -= 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(ANSWER)

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Counting)
        self.lock = threading.Lock()
        self.now = self.most = 0


@pytest.fixture
def server() -> Iterator[_Server]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_calls_in_flight_stay_within_the_concurrency_while_spare_workers_read_ahead(tmp_path, server: _Server) -> None:
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
