"""A storm of transient failures, from a plain HTTP server that is not the project's own
emulator: every image comes through in later rounds, every try is journaled, a rerun is free."""

from __future__ import annotations

import json
import random
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from unified_ocr import Secret
from unified_ocr.batch import recognize_many
from unified_ocr.batch.journal import Journal
from unified_ocr.cache import ResultCache
from unified_ocr_clova import ClovaOptions

from .test_runner import make_images

KEY = "storm-key"
ANSWER = {
    "version": "V2", "requestId": "r", "timestamp": 0,
    "images": [{"uid": "u", "name": "n", "inferResult": "SUCCESS", "message": "SUCCESS",
                "validationResult": {"result": "NO_REQUESTED"},
                "fields": [{"valueType": "ALL", "inferText": "ok", "inferConfidence": 0.99, "type": "NORMAL", "lineBreak": True,
                            "boundingPoly": {"vertices": [{"x": 0, "y": 0}, {"x": 9, "y": 0}, {"x": 9, "y": 9}, {"x": 0, "y": 9}]}}]}],
}  # fmt: skip


class Storm(ThreadingHTTPServer):
    """CLOVA's protocol, barely: 10 % HTTP 500, 5 % rate limits (400, code 0025), 2 % dropped connections, 1 % cut bodies."""

    daemon_threads = True
    request_queue_size = 128  # 16 clients at once: a backlog of 5 refuses connections under load that the client then counts as tries

    def __init__(self, seed: int) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.stats: Counter[str] = Counter()

    def draw(self) -> str:
        with self.lock:
            x = self.random.random()
        for share, fault in ((0.10, "server_error"), (0.05, "rate_limited"), (0.02, "dropped"), (0.01, "malformed")):
            if x < share:
                return fault
            x -= share
        return "ok"


class Handler(BaseHTTPRequestHandler):
    server: Storm

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        fault = self.server.draw() if self.headers.get("X-OCR-SECRET") == KEY else "refused"
        with self.server.lock:
            self.server.stats["requests"] += 1
            self.server.stats[fault] += 1
        if fault == "dropped":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        status, body = {
            "ok": (200, json.dumps(ANSWER).encode()),
            "server_error": (500, b'{"code": "0500", "message": "Internal server error"}'),
            "rate_limited": (400, b'{"code": "0025", "message": "Rate limit exceeded"}'),
            "malformed": (200, b'{"version": "V2", "ima'),
            "refused": (401, b'{"code": "0002", "message": "Authentication failed"}'),
        }[fault]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_storm_that_clears_ends_with_every_image_done_and_a_rerun_is_free(tmp_path) -> None:
    images = list(map(str, make_images(tmp_path / "in", 300)))
    journal = tmp_path / "journal.jsonl"
    cache = ResultCache(tmp_path / "cache")
    server = Storm(seed=11)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # two tries a round: about 3 % of images fail a round, so later rounds are needed
        options = ClovaOptions(invoke_url=f"http://127.0.0.1:{server.server_port}/general", secret=Secret.of(KEY),
                               retries=1, backoff=0.01, max_backoff=0.02)  # fmt: skip
        outcomes = list(recognize_many(images, options, concurrency=16, cache=cache, journal=journal, round_wait=0.05))
        failed = [f"{o.source}: {o.error}" for o in outcomes if not o.ok]
        assert len(outcomes) == 300 and not failed, failed[:3]
        later = [o for o in outcomes if o.rounds > 1]
        assert later and sum(o.attempts for o in outcomes) == server.stats["requests"]  # every round's calls counted
        entries = list(Journal(journal).entries())
        retried = [e for e in entries if e["status"] == "retrying"]
        assert len(retried) >= len(later) and {e["source"] for e in retried} == {o.source for o in later}
        assert Journal(journal).done() == set(images)
        calls = server.stats["requests"]
        assert list(recognize_many(images, options, concurrency=16, cache=cache, journal=journal)) == []
        fresh = list(recognize_many(images, options, concurrency=16, cache=cache))
        assert all(o.cached for o in fresh) and server.stats["requests"] == calls  # a rerun makes no calls
        for fault in ("server_error", "rate_limited", "dropped", "malformed"):
            assert server.stats[fault] > 0, server.stats
    finally:
        server.shutdown()
        server.server_close()


def test_failures_that_outlast_every_round_are_told_apart_from_failures_for_good(tmp_path) -> None:
    from unified_ocr.batch.folder import run_batch

    folder = tmp_path / "in"
    make_images(folder, 3)
    server = Storm(seed=1)
    server.draw = lambda: "server_error"  # type: ignore[method-assign]  # a storm that never clears
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        options = ClovaOptions(invoke_url=f"http://127.0.0.1:{server.server_port}/general", secret=Secret.of(KEY),
                               retries=0, backoff=0.01)  # fmt: skip
        report = run_batch([str(folder)], tmp_path / "out", options, cache=False, rounds=2, round_wait=0.01,
                           stream=open("/dev/null", "w"))  # noqa: SIM115  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert report.summary["failed"] == 3 and report.summary["gave_up_after_rounds"] == 3 and report.summary["failed_for_good"] == 0
    assert server.stats["requests"] == 9  # three rounds of one try each
    assert "gave up after every round 3" in report.lines[0]
