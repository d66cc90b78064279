"""What every vendor emulator shares: a real HTTP server on loopback, faults, and answers.

A vendor plugin subclasses :class:`Emulator` and writes only its protocol (``handle``:
headers, body shapes, limits, status codes, error bodies, the response JSON). The server,
the fault injection (latency, rate limits, 5xx, dropped connections, malformed bodies,
stalls) and the source of answers (the offline engine, or recorded responses matched by
image content) are here, so that retries, batches and resume are tested over real sockets
against the same behaviour whichever vendor is emulated.
"""

from __future__ import annotations

import abc
import errno
import hashlib
import json
import logging
import random
import socket
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import attrs
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from .geometry import Quad
from .imaging.sources import IMAGE_SUFFIXES, open_source
from .model import Line, OcrResult, Page, Word

log = logging.getLogger("unified_ocr.emulator")

#: The offline engine's readings of the images emulators were sent lately, by engine and image
#: hash, shared by every emulator in the process: a client that retries, a batch that resumes,
#: several emulators of one comparison are sent the same image again and again, and reading it
#: again (seconds of the offline model) gives the same result.
_READINGS: OrderedDict[tuple[str | None, str], OcrResult] = OrderedDict()
_READINGS_KEPT = 32
_READINGS_LOCK = threading.Lock()


@attrs.frozen(slots=True)
class Faults:
    """Misbehaviour to inject, each as a share of requests (0..1) or a rate."""

    latency: float = 0.0  # seconds added before every answer
    rate_limit: float | None = None  # requests per second served; those over it get the vendor's rate-limit answer
    throttle_rate: float = 0.0  # answered with the vendor's rate-limit error whatever the rate
    error_rate: float = 0.0  # answered with the vendor's 5xx error
    drop_rate: float = 0.0  # connection closed without an answer
    malformed_rate: float = 0.0  # HTTP 200 with a body that is not valid JSON
    stall_rate: float = 0.0  # held for ``stall_seconds`` before answering (client timeouts)
    stall_seconds: float = 30.0
    seed: int | None = None


class _TokenBucket:
    """``rate`` requests per second, with a burst of one second's worth."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = max(1.0, rate)
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(max(1.0, self.rate), self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return True
            return False


class ReplayStore:
    """Recorded responses matched by the content of the image they answer.

    A folder of ``NAME.json`` files, each beside its image ``NAME.<ext>``; a request whose
    image bytes equal one of those images gets that response.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._by_hash: dict[str, Path] = {}
        for image in sorted(folder.iterdir()):
            if image.suffix.lower() in IMAGE_SUFFIXES:
                answer = image.with_suffix(".json")
                if answer.is_file():
                    self._by_hash[hashlib.sha256(image.read_bytes()).hexdigest()] = answer
        if not self._by_hash:
            raise FileNotFoundError(f"{folder}: no recorded responses (NAME.json beside its image NAME.jpg/.png/...)")

    def __len__(self) -> int:
        return len(self._by_hash)

    def lookup(self, image: bytes) -> dict[str, Any] | None:
        path = self._by_hash.get(hashlib.sha256(image).hexdigest())
        return json.loads(path.read_text(encoding="utf-8")) if path else None


class Emulator(abc.ABC):
    """A vendor API on a real socket. Subclasses implement :meth:`handle` for their protocol."""

    #: the name used by ``unified-ocr emulate NAME``
    name: ClassVar[str]
    #: one line for ``--help``
    description: ClassVar[str] = ""
    #: the credential a client must send (the secret or API key)
    default_key: ClassVar[str] = "emulator-key"
    #: options of this emulator's own, beyond the shared ones: keyword argument -> (type, help);
    #: ``unified-ocr emulate NAME --some-option VALUE`` passes ``some_option=VALUE`` to the constructor
    OPTIONS: ClassVar[dict[str, tuple[type, str]]] = {}

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        key: str | None = None,
        faults: Faults = Faults(),
        replay: Path | None = None,
        engine: str | None = None,
        canned: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.key = key or self.default_key
        self.faults = faults
        self.replay = ReplayStore(replay) if replay else None
        self.engine = engine
        self.canned = canned
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()
        self._random = random.Random(faults.seed)
        self._random_lock = threading.Lock()
        self._bucket = _TokenBucket(faults.rate_limit) if faults.rate_limit else None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # -- the protocol, per vendor ---------------------------------------------------------

    @abc.abstractmethod
    def handle(self, request: Request) -> Response:
        """Answer one request as the vendor would (after the faults have had their say)."""

    @abc.abstractmethod
    def rate_limited(self) -> Response:
        """The vendor's answer to a request over its rate limit."""

    @abc.abstractmethod
    def server_error(self) -> Response:
        """The vendor's answer when it fails on its side (HTTP 5xx)."""

    def malformed(self) -> Response:
        """HTTP 200 with a body cut off mid-JSON; a vendor may override it with a cut of its own answer's shape."""
        return Response(b'{"result": [{"tex', status=200, mimetype="application/json")

    def fault_answer(self, outcome: str, request: Request) -> Response:
        """The answer to ``request`` for a fault (``server_error``, ``rate_limited``, ``malformed``):
        by default :meth:`server_error`, :meth:`rate_limited` or :meth:`malformed`. An emulator
        that serves two protocols on one port (a service and the storage it reads from) answers
        each in its own shape here: a client reads a throttle only in its protocol's words."""
        if outcome == "server_error":
            return self.server_error()
        if outcome == "rate_limited":
            return self.rate_limited()
        return self.malformed()

    # -- answers ---------------------------------------------------------------------------

    def recognize(self, image: bytes) -> OcrResult:
        """What the offline engine reads in ``image``, in its displayed frame.

        ``canned`` answers every image with one word across it, without reading it: for load
        tests, where the emulator must not be the bottleneck. An image read lately is answered
        from memory (:data:`_READINGS`): the offline engine reads it the same every time.
        """
        from .api import recognize
        from .config.profiles import Config

        if not self.canned:
            key = (self.engine, hashlib.sha256(image).hexdigest())
            with _READINGS_LOCK:
                known = _READINGS.get(key)
                if known is not None:
                    _READINGS.move_to_end(key)
                    return known
            found = recognize(image, engine=self.engine, config=Config())  # never the user's profiles: one may point here
            with _READINGS_LOCK:
                _READINGS[key] = found
                while len(_READINGS) > _READINGS_KEPT:
                    _READINGS.popitem(last=False)
            return found
        source = open_source(image)
        width, height = source.displayed_size
        quad = Quad.from_bbox(0, 0, width, height)
        word = Word("emulated", quad, 1.0)
        return OcrResult("emulator", (Page(0, width, height, (Line("emulated", quad, (word,), 1.0),)),))

    def recorded(self, image: bytes) -> dict[str, Any] | None:
        return self.replay.lookup(image) if self.replay else None

    def count(self, outcome: str) -> None:
        with self._stats_lock:
            self.stats[outcome] += 1

    # -- faults and the WSGI entry point ---------------------------------------------------

    def _draw(self) -> float:
        with self._random_lock:
            return self._random.random()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.count("requests")
        faults = self.faults
        if faults.latency:
            time.sleep(faults.latency)
        if self._bucket is not None and not self._bucket.take():
            self.count("rate_limited")
            return self.rate_limited()(environ, start_response)
        draw = self._draw()
        for share, outcome in ((faults.drop_rate, "dropped"), (faults.error_rate, "server_error"),
                               (faults.throttle_rate, "rate_limited"), (faults.malformed_rate, "malformed"),
                               (faults.stall_rate, "stalled")):  # fmt: skip
            if draw < share:
                self.count(outcome)
                return self._fault(outcome, request, environ, start_response)
            draw -= share
        response = self.handle(request)
        self.count(f"status_{response.status_code}")
        return response(environ, start_response)

    def _fault(self, outcome: str, request: Request, environ: dict[str, Any], start_response: Any) -> Any:
        if outcome == "dropped":
            request.get_data()  # read the upload, then hang up without a word
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            return Response(b"")(environ, start_response)
        if outcome in ("server_error", "rate_limited", "malformed"):
            return self.fault_answer(outcome, request)(environ, start_response)
        time.sleep(self.faults.stall_seconds)
        return self.handle(request)(environ, start_response)

    # -- the server ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the emulator first"
        return f"http://{self.host}:{self._server.server_port}"

    def _make_server(self) -> BaseWSGIServer:
        try:
            return make_server(self.host, self.port, self, threaded=True)
        except SystemExit:  # werkzeug exits the process when the port is taken; a library must not
            raise OSError(errno.EADDRINUSE, f"{self.host}:{self.port} is in use") from None

    def start(self) -> Emulator:
        """Serve in a background thread; ``url`` tells where."""
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = self._make_server()
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"{self.name}-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def serve_forever(self, ready: Callable[[str], None] | None = None) -> None:
        """Serve in this thread until interrupted (the CLI); ``ready`` is told the URL."""
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = self._make_server()
        if ready is not None:
            ready(self.url)
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
