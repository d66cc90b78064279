"""``arecognize`` under load, against the CLOVA emulator (run by hand).

    python benchmarks/async_bench.py [--calls 200] [--concurrency 16] [--latency 0.2]

1. Throughput: ``--calls`` concurrent ``arecognize`` calls (``asyncio.gather``) with
   ``concurrency=16``, the emulator adding ``--latency`` to every answer. The ideal is
   ceil(calls / concurrency) rounds of the latency (13 x 0.2 s = 2.6 s); printed as a ratio,
   which should stay within 1.2.
2. The loop's health meanwhile: a probe sleeps 5 ms over and over and records how late it
   wakes; the worst lateness is how long the loop was blocked (it should stay under 50 ms).
3. Baseline, in the same run: the same requests sent with true async I/O (aiohttp, one
   session, the same bound), the most an async transport could give; the threaded path's
   time over it is what a rewrite of every engine on an async client could win.
The emulator answers without OCR (``canned``), in a process of its own as a vendor's service
is elsewhere, so that its threads do not compete with the client's for the interpreter
(``--same-process`` to put it in this one: the loop is then held up by the server's work too).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import math
import multiprocessing
import time
import uuid

from PIL import Image

import unified_ocr
from unified_ocr import Secret
from unified_ocr.emulator import Faults
from unified_ocr_clova import ClovaEmulator, ClovaOptions

KEY = "bench-key"
PROBE_INTERVAL = 0.005


def make_images(n: int) -> list[bytes]:
    """``n`` small PNGs, each different (a row of bits), so that no layer could answer one for another."""
    images = []
    for i in range(n):
        image = Image.new("L", (48, 16), 255)
        image.putdata([0 if (i >> (x % 32)) & 1 and y == 0 else 255 for y in range(16) for x in range(48)])
        out = io.BytesIO()
        image.save(out, "PNG")
        images.append(out.getvalue())
    return images


class LagProbe:
    """Sleeps ``PROBE_INTERVAL`` again and again on the loop; ``worst`` is its latest wake-up, in seconds."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.ticks = 0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(PROBE_INTERVAL)
            self.worst = max(self.worst, time.perf_counter() - before - PROBE_INTERVAL)
            self.ticks += 1

    def __enter__(self) -> LagProbe:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def threaded(options: ClovaOptions, images: list[bytes], concurrency: int) -> tuple[float, float, int]:
    """Seconds for every call through ``arecognize``, the loop's worst lateness, failures."""
    with LagProbe() as probe:
        started = time.perf_counter()
        results = await asyncio.gather(*(unified_ocr.arecognize(image, options, concurrency=concurrency) for image in images),
                                       return_exceptions=True)  # fmt: skip
        seconds = time.perf_counter() - started
    return seconds, probe.worst, sum(isinstance(r, BaseException) for r in results)


async def native(url: str, images: list[bytes], concurrency: int) -> float | None:
    """Seconds for the same requests sent with aiohttp (no parsing, no result): ``None`` without aiohttp."""
    try:
        import aiohttp
    except ImportError:
        return None
    bound = asyncio.Semaphore(concurrency)

    async def one(session: aiohttp.ClientSession, image: bytes) -> None:
        message = {"images": [{"format": "png", "name": "bench"}], "requestId": str(uuid.uuid4()), "version": "V2",
                   "timestamp": int(time.time() * 1000)}  # fmt: skip
        form = aiohttp.FormData()
        form.add_field("message", json.dumps(message))
        form.add_field("file", image, filename="bench.png", content_type="image/png")
        async with bound, session.post(url, data=form, headers={"X-OCR-SECRET": KEY}) as response:
            response.raise_for_status()
            await response.read()

    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        await asyncio.gather(*(one(session, image) for image in images))
    return time.perf_counter() - started


def measure(url: str, images: list[bytes], concurrency: int) -> tuple[float, float, int, float | None]:
    options = ClovaOptions(invoke_url=url, secret=Secret.of(KEY), retries=5, backoff=0.05)
    asyncio.run(threaded(options, images[:concurrency], concurrency))  # warm up: the engine made, modules loaded
    seconds, worst, failed = asyncio.run(threaded(options, images, concurrency))
    return seconds, worst, failed, asyncio.run(native(url, images, concurrency))


def serve(latency: float, urls: multiprocessing.Queue[str]) -> None:
    """The emulator in a child process, its URL handed back once it listens."""
    ClovaEmulator(key=KEY, faults=Faults(latency=latency), canned=True).serve_forever(ready=urls.put)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--same-process", action="store_true", help="run the emulator in this process")
    args = parser.parse_args()
    images = make_images(args.calls)
    ideal = math.ceil(args.calls / args.concurrency) * args.latency
    if args.same_process:
        with ClovaEmulator(key=KEY, faults=Faults(latency=args.latency), canned=True) as server:
            seconds, worst, failed, direct = measure(server.url + "/general", images, args.concurrency)
    else:
        context = multiprocessing.get_context("spawn")
        urls: multiprocessing.Queue[str] = context.Queue()
        child = context.Process(target=serve, args=(args.latency, urls), daemon=True)
        child.start()
        try:
            seconds, worst, failed, direct = measure(urls.get(timeout=60) + "/general", images, args.concurrency)
        finally:
            child.terminate()
            child.join()
    print(f"{args.calls} arecognize calls, concurrency {args.concurrency}, {args.latency * 1000:.0f} ms latency: "
          f"{seconds:.2f} s = {seconds / ideal:.2f}x the ideal {ideal:.2f} s (must stay within 1.2); {failed} failed")  # fmt: skip
    print(f"event loop blocked at most {worst * 1000:.1f} ms (must stay under 50 ms)")
    if direct is not None:
        print(f"the same requests with true async I/O (aiohttp): {direct:.2f} s = {direct / ideal:.2f}x the ideal; "
              f"threads take {seconds / direct:.2f}x that")  # fmt: skip


if __name__ == "__main__":
    main()
