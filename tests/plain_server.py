"""A plain HTTP/1.1 server from the standard library, for tests that hold the project's HTTP
client against a server that is not its own emulator: connections kept alive, and the head and
the body of each answer in two sends, as Python's ``http.server`` (and many a vendor's front)
answers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypeVar


class _JsonAnswer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps the connection for the next request

    def do_POST(self) -> None:
        server: PlainServer = self.server  # type: ignore[assignment]
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        server.hold()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(server.answer)))
        self.end_headers()
        self.wfile.write(server.answer)

    def log_message(self, *args: object) -> None:
        pass


class PlainServer(ThreadingHTTPServer):
    """Answers every POST with :attr:`answer`, on 127.0.0.1; counts the connections it accepts."""

    daemon_threads = True
    request_queue_size = 64  # as a production server's backlog
    answer = b'{"ok": true}'

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _JsonAnswer)
        self.connections = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        self.connections += 1
        super().process_request(request, client_address)

    def hold(self) -> None:
        """Called with each request read, before its answer: a subclass waits or counts here."""


Server = TypeVar("Server", bound=PlainServer)


@contextmanager
def serving(server: Server) -> Iterator[Server]:
    """``server`` answering on a thread of its own until the block ends."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
