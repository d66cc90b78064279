"""Batch throughput, rate limiting and memory against servers on this machine (run by hand).

    python benchmarks/batch_bench.py [--images 480] [--latency 0.2] [--repeat 3] [--breakdown]
                                     [--jpeg-side 0] [--parts throughput,rate,memory] [--memory-images 10000]

1. Throughput: ``--images`` fresh images (new pixels every run, so that neither the cache nor
   the journal answers one) through ``recognize_many`` with 16 in flight, with a journal and
   an empty result cache as ``unified-ocr batch`` has them, against two servers, each in a
   process of its own (a vendor's service is elsewhere) and answering after ``--latency``:
   the CLOVA emulator (werkzeug, which closes every connection after its answer), and a
   plain ``http.server.ThreadingHTTPServer`` that keeps connections alive and answers a
   valid CLOVA V2 General body, writing its head and body in two sends as Python's server
   does. The ideal is 16 / latency images per second; each figure is the best of
   ``--repeat`` runs (the servers take turns), with the range. Baseline, in the same run: the
   seed scripts' plain loop (``requests.post`` per image, one after the other).
   ``--breakdown`` measures, against the plain server and in the same process, what each
   cost that the batch path no longer pays: answers acknowledged late on kept connections
   (the delayed ACK that the server's second send waits for), the journal synced at every
   line on the run's thread, the environment (proxies) read again at every request, a
   worker per call slot (each slot idle while its worker reads the next image); and a run
   with neither journal nor cache. ``--jpeg-side N`` sends photo-like JPEGs N pixels
   wide instead of small PNGs (the image probe's share then shows in the CPU per image).
2. Rate limit: 10 calls per second set on the emulator and on the client; the sustained
   rate, and whether any rate-limit error reached the caller.
3. Memory: peak resident memory of a batch of 100 images and of ``--memory-images`` images,
   each in a fresh process.
The servers answer without OCR, so that they are not what is measured.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import requests

from unified_ocr import Secret
from unified_ocr.batch import recognize_many, runner
from unified_ocr.batch.journal import Journal
from unified_ocr.emulator import Faults
from unified_ocr.engines import connections
from unified_ocr.imaging.prepare import prepare
from unified_ocr.imaging.sources import open_source
from unified_ocr_clova import ClovaEmulator, ClovaEngine, ClovaOptions

KEY = "bench-key"
CONCURRENCY = 16


def make_images(folder: Path, n: int, first: int = 0, jpeg_side: int = 0) -> list[str]:
    """``n`` distinct images, numbered from ``first`` (the number is written into the pixels):
    small PNGs, or photo-like JPEGs ``jpeg_side`` pixels wide."""
    folder.mkdir(parents=True, exist_ok=True)
    photo = _photo(jpeg_side) if jpeg_side else None
    paths = []
    for i in range(first, first + n):
        bits = [255 * ((i >> bit) & 1) for bit in range(32)]
        if photo is not None:
            pixels = photo.copy()
            pixels[:8, : 32 * 8] = np.repeat(np.array(bits, np.uint8), 8)[None, :, None]
            path = folder / f"img{i:06d}.jpg"
        else:
            pixels = np.full((16, 48), 255, np.uint8)
            pixels[0, :32] = bits
            path = folder / f"img{i:06d}.png"
        cv2.imwrite(str(path), pixels)
        paths.append(str(path))
    return paths


def _photo(width: int) -> np.ndarray:
    """A 4:3 colour picture with smooth light, edges and grain, as a phone's photo of a page has."""
    height = width * 3 // 4
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    light = 150 + 60 * np.sin(x / width * 3) * np.cos(y / height * 2)
    page = np.where(((x // 24 + y // 9) % 7 == 0) & (y % 40 > 20), 40, light)
    grain = rng.normal(0, 6, (height, width))
    gray = np.clip(page + grain, 0, 255).astype(np.uint8)
    return cv2.merge([gray, np.clip(gray.astype(np.int16) + 12, 0, 255).astype(np.uint8), gray])


# -- the servers ---------------------------------------------------------------------------


def clova_answer(name: str = "image") -> dict[str, Any]:
    """A CLOVA General V2 answer of two lines of six words, with this request's ids."""
    fields = []
    for i in range(12):
        x, y = 10 + 60 * (i % 6), 10 + 30 * (i // 6)
        fields.append({"valueType": "ALL", "inferText": f"word{i}", "inferConfidence": 0.99, "type": "NORMAL",
                       "lineBreak": i % 6 == 5,
                       "boundingPoly": {"vertices": [{"x": x, "y": y}, {"x": x + 50, "y": y}, {"x": x + 50, "y": y + 20},
                                                     {"x": x, "y": y + 20}]}})  # fmt: skip
    image = {"uid": uuid.uuid4().hex, "name": name, "inferResult": "SUCCESS", "message": "SUCCESS",
             "validationResult": {"result": "NO_REQUESTED"}, "fields": fields}  # fmt: skip
    return {"version": "V2", "requestId": str(uuid.uuid4()), "timestamp": int(time.time() * 1000), "images": [image]}


class PlainVendor(BaseHTTPRequestHandler):
    """A vendor as a plain Python service answers: keep-alive, the head and the body in two sends."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(self.server.latency)  # type: ignore[attr-defined]
        body = json.dumps(clova_answer()).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class PlainServer(ThreadingHTTPServer):
    daemon_threads = True
    # a listen backlog as a service in production has (5 by default: 16 connections opened at
    # once on a busy machine can lose a SYN and wait a second for its retry)
    request_queue_size = 64

    def __init__(self, latency: float) -> None:
        super().__init__(("127.0.0.1", 0), PlainVendor)
        self.latency = latency


def serve(kind: str, latency: float, urls: multiprocessing.Queue[str]) -> None:
    """A server in a child process, its URL handed back once it listens."""
    if kind == "emulator":
        ClovaEmulator(key=KEY, faults=Faults(latency=latency), canned=True).serve_forever(ready=urls.put)
        return
    server = PlainServer(latency)
    urls.put(f"http://127.0.0.1:{server.server_address[1]}")
    server.serve_forever()


@contextmanager
def server_process(kind: str, latency: float) -> Iterator[str]:
    """The URL of a ``kind`` server (``emulator`` or ``plain``) running in a process of its own."""
    context = multiprocessing.get_context("spawn")
    urls: multiprocessing.Queue[str] = context.Queue()
    child = context.Process(target=serve, args=(kind, latency, urls), daemon=True)
    child.start()
    try:
        yield urls.get(timeout=60) + "/general"
    finally:
        child.terminate()
        child.join()


# -- the runs ------------------------------------------------------------------------------


class Run:
    """Fresh images for every run, in one scratch folder."""

    def __init__(self, folder: Path, n: int, jpeg_side: int) -> None:
        self.folder, self.n, self.jpeg_side = folder, n, jpeg_side
        self.count = 0

    def fresh(self, n: int | None = None) -> tuple[list[str], Path]:
        n = n or self.n
        self.count += 1
        place = self.folder / f"run{self.count}"
        return make_images(place / "in", n, first=self.count * 1_000_000, jpeg_side=self.jpeg_side), place


def batch_rate(options: ClovaOptions, paths: list[str], place: Path, *, journal: Any = True, cache: bool = True,
               rate_limit: float | None = None) -> tuple[float, int, float, float]:  # fmt: skip
    """Images per second, failures, and the CPU an image took (the process's, and the run's own thread's)."""
    log = place / "journal.jsonl" if journal is True else journal or None
    started, cpu, own = time.perf_counter(), time.process_time(), time.thread_time()
    outcomes = list(recognize_many(paths, options, concurrency=CONCURRENCY, rate_limit=rate_limit, journal=log,
                                   cache=place / "cache" if cache else False))  # fmt: skip
    seconds = time.perf_counter() - started
    cpu, own = time.process_time() - cpu, time.thread_time() - own
    if isinstance(log, Journal):
        log.close()
    n = len(outcomes)
    return n / seconds, sum(not o.ok for o in outcomes), cpu / n * 1000, own / n * 1000


class SyncedEveryLine(Journal):
    """The journal as it was: each line on disk before the run goes on to the next image."""

    def record(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        entry = super().record(*args, **kwargs)
        self.sync()
        return entry


@contextmanager
def late_acknowledgements() -> Iterator[None]:
    """Connections as ``requests`` makes them: the kernel's delayed ACK on kept connections."""
    kept, connections.QUICKACK = connections.QUICKACK, None
    try:
        yield
    finally:
        connections.QUICKACK = kept


@contextmanager
def environment_every_request() -> Iterator[None]:
    """The proxies and certificate bundle read from the environment again at every request."""
    kept = connections.ServiceSession.merge_environment_settings
    connections.ServiceSession.merge_environment_settings = requests.Session.merge_environment_settings  # type: ignore[method-assign]
    try:
        yield
    finally:
        connections.ServiceSession.merge_environment_settings = kept  # type: ignore[method-assign]


@contextmanager
def no_spare_workers() -> Iterator[None]:
    """A worker per call slot: each slot idle while its worker reads the next image and parses the last answer."""
    kept, runner.spare_workers = runner.spare_workers, lambda concurrency: 0
    try:
        yield
    finally:
        runner.spare_workers = kept


@contextmanager
def as_before() -> Iterator[None]:
    with late_acknowledgements(), environment_every_request(), no_spare_workers():
        yield


def seed_loop(url: str, paths: list[str]) -> float:
    """The seed scripts' way: one request after another. Returns images per second."""
    started = time.perf_counter()
    for path in paths:
        message = {"images": [{"format": "png", "name": "demo"}], "requestId": str(uuid.uuid4()), "version": "V2",
                   "timestamp": int(round(time.time() * 1000))}  # fmt: skip
        with open(path, "rb") as f:
            response = requests.request("POST", url, headers={"X-OCR-SECRET": KEY},
                                        data={"message": json.dumps(message).encode("UTF-8")}, files=[("file", f)])  # fmt: skip
        response.raise_for_status()
    return len(paths) / (time.perf_counter() - started)


def transport_floor(url: str, paths: list[str]) -> float:
    """Images per second of the requests alone: 16 threads posting the same files through the
    engines' sessions, nothing read, parsed, journaled or cached. What no batch path can beat here."""
    from concurrent.futures import ThreadPoolExecutor

    local = threading.local()

    def post(path: str) -> None:
        session = getattr(local, "session", None) or connections.new_session()
        local.session = session
        message = {"images": [{"format": "png", "name": "demo"}], "requestId": str(uuid.uuid4()), "version": "V2",
                   "timestamp": int(time.time() * 1000)}  # fmt: skip
        with open(path, "rb") as f:
            files = {"file": ("demo.png", f.read())}
        response = session.post(url, headers={"X-OCR-SECRET": KEY}, data={"message": json.dumps(message)}, files=files)
        response.raise_for_status()

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(post, paths))
    return len(paths) / (time.perf_counter() - started)


def reading_cost(paths: list[str], options: ClovaOptions) -> float:
    """Milliseconds an image of reading, probing and preparing it for the call, as a worker does
    before it sends (one thread, nothing else running in this process)."""
    limits = ClovaEngine(options).limits
    started = time.thread_time()
    for path in paths:
        list(prepare(open_source(path), limits))
    return (time.thread_time() - started) / len(paths) * 1000


def summary(rates: list[float], ideal: float) -> str:
    best = max(rates)
    spread = f" (runs {min(rates) / ideal:.2f}-{best / ideal:.2f})" if len(rates) > 1 else ""
    return f"{best:.1f} images/s = {best / ideal:.2f} of the ideal {ideal:.0f}/s{spread}"


def throughput(args: argparse.Namespace, run: Run) -> None:
    ideal = CONCURRENCY / args.latency
    kind = f"{args.jpeg_side}-pixel JPEGs" if args.jpeg_side else "small PNGs"
    with server_process("emulator", args.latency) as emulator, server_process("plain", args.latency) as plain:
        servers = {"the CLOVA emulator": emulator, "a plain http.server": plain}
        options = {name: ClovaOptions(invoke_url=url, secret=Secret.of(KEY), retries=5, backoff=0.05) for name, url in servers.items()}
        for name in servers:  # warm up: modules loaded, each server's first connections made
            batch_rate(options[name], *run.fresh(32))
        rates: dict[str, list[float]] = {name: [] for name in servers}
        floors: dict[str, list[float]] = {name: [] for name in servers}
        cpu: dict[str, list[tuple[float, float]]] = {name: [] for name in servers}
        failed = 0
        for _ in range(args.repeat):
            for name, url in servers.items():
                rate, bad, per_image, own = batch_rate(options[name], *run.fresh())
                rates[name].append(rate)
                cpu[name].append((per_image, own))
                failed += bad
                floors[name].append(transport_floor(url, run.fresh()[0]))
        sequential = seed_loop(plain, run.fresh(args.seed_sample)[0])
        reading = reading_cost(run.fresh(min(args.images, 100))[0], options["a plain http.server"])
        print(f"concurrency {CONCURRENCY}, {args.images} fresh {kind} a run, journal and empty cache, "
              f"{args.latency * 1000:.0f} ms latency; {failed} failed; reading, probing and preparing an image "
              f"takes {reading:.2f} ms of CPU of the figures below:")  # fmt: skip
        for name in servers:
            per_image = statistics.median(c for c, _ in cpu[name])
            own = statistics.median(o for _, o in cpu[name])
            floor = max(floors[name])
            print(f"  {name}: {summary(rates[name], ideal)}, {max(rates[name]) / sequential:.1f}x the seed scripts' loop "
                  f"({sequential:.2f}/s); CPU {per_image:.2f} ms an image, {own:.2f} ms of it on the run's thread")  # fmt: skip
            print(f"    the requests alone, in the same runs: {summary(floors[name], ideal)}; "
                  f"recognize_many gives {max(rates[name]) / floor:.2f} of that")  # fmt: skip
        if args.breakdown:
            breakdown(args, run, options["a plain http.server"], ideal)


def breakdown(args: argparse.Namespace, run: Run, options: ClovaOptions, ideal: float) -> None:
    """What each cost that the batch path no longer pays, against the plain server, runs taking turns."""

    def plain_run(**kw: Any) -> Callable[[], tuple[float, int, float, float]]:
        return lambda: batch_rate(options, *run.fresh(), **kw)

    def journal_synced_every_line() -> tuple[float, int, float, float]:
        paths, place = run.fresh()
        return batch_rate(options, paths, place, journal=SyncedEveryLine(place / "journal.jsonl"))

    def within(context: Callable[[], Any]) -> Callable[[], tuple[float, int, float, float]]:
        def measured() -> tuple[float, int, float, float]:
            with context():
                return batch_rate(options, *run.fresh())

        return measured

    def everything_before() -> tuple[float, int, float, float]:
        paths, place = run.fresh()
        with as_before():
            return batch_rate(options, paths, place, journal=SyncedEveryLine(place / "journal.jsonl"))

    variants: dict[str, Callable[[], tuple[float, int, float, float]]] = {
        "as it is (journal, empty cache)": plain_run(),
        "answers acknowledged late (no TCP_QUICKACK)": within(late_acknowledgements),
        "the journal synced at every line on the run's thread": journal_synced_every_line,
        "the environment read at every request": within(environment_every_request),
        "a worker per call slot, none spare": within(no_spare_workers),
        "all four as before": everything_before,
        "no journal, no cache": plain_run(journal=False, cache=False),
    }
    rates: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.repeat):
        for name, measure in variants.items():
            rate, _, per_image, _ = measure()
            rates[name].append(rate)
            cpu[name].append(per_image)
    base = max(rates["as it is (journal, empty cache)"])
    print("what each cost, against the plain server (best of the runs; runs took turns):")
    for name in variants:
        best = max(rates[name])
        print(f"  {name}: {summary(rates[name], ideal)}, {best / base:.2f}x as it is; "
              f"CPU {statistics.median(cpu[name]):.2f} ms an image")  # fmt: skip


def rate_limited(args: argparse.Namespace, run: Run) -> None:
    with ClovaEmulator(key=KEY, faults=Faults(rate_limit=10.0), canned=True) as server:
        options = ClovaOptions(invoke_url=server.url + "/general", secret=Secret.of(KEY), retries=5, backoff=0.05)
        rate, failed, _, _ = batch_rate(options, *run.fresh(args.rate_images), cache=False, rate_limit=10.0)
        print(f"rate limit 10/s on both sides, {args.rate_images} images: {rate:.2f} images/s sustained; "
              f"rate-limit answers from the server {server.stats.get('rate_limited', 0)}, failed {failed}")  # fmt: skip


def memory_child(n: int, url: str) -> int:
    """Peak RSS (KiB) of a fresh process running a batch of ``n`` images."""
    code = f"""
import resource, sys, tempfile
from pathlib import Path
sys.path.insert(0, {str(Path(__file__).parent)!r})
from batch_bench import make_images, KEY
from unified_ocr import Secret
from unified_ocr.batch import recognize_many, runner
from unified_ocr_clova import ClovaOptions
with tempfile.TemporaryDirectory() as d:
    paths = make_images(Path(d), {n})
    options = ClovaOptions(invoke_url={url!r}, secret=Secret.of(KEY), retries=5, backoff=0.01)
    done = sum(o.ok for o in recognize_many(iter(paths), options, concurrency=16, cache=False, journal=Path(d) / "j.jsonl"))
    assert done == {n}, done
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1])


def memory(args: argparse.Namespace) -> None:
    with ClovaEmulator(key=KEY, canned=True) as server:
        url = server.url + "/general"
        small = memory_child(100, url)
        large = memory_child(args.memory_images, url)
    print(f"peak memory: 100 images {small / 1024:.1f} MiB, {args.memory_images} images {large / 1024:.1f} MiB, "
          f"difference {(large - small) / 1024:.1f} MiB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=480)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--breakdown", action="store_true", help="measure what each cost, against the plain server")
    parser.add_argument("--jpeg-side", type=int, default=0, help="send photo-like JPEGs this wide instead of small PNGs")
    parser.add_argument("--seed-sample", type=int, default=40, help="images for the seed scripts' sequential loop")
    parser.add_argument("--rate-images", type=int, default=200)
    parser.add_argument("--memory-images", type=int, default=10_000)
    parser.add_argument("--parts", default="throughput,rate,memory", help="which parts to run, comma-separated")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    with tempfile.TemporaryDirectory() as folder:
        run = Run(Path(folder), args.images, args.jpeg_side)
        if "throughput" in parts:
            throughput(args, run)
        if "rate" in parts:
            rate_limited(args, run)
    if "memory" in parts:
        memory(args)


if __name__ == "__main__":
    main()
