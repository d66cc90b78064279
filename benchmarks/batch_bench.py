"""Batch throughput, rate limiting and memory against the CLOVA emulator (run by hand).

    python benchmarks/batch_bench.py [--images 1000] [--latency 0.2] [--memory-images 10000]

1. Concurrency: N images through ``recognize_many`` with 16 in flight, the emulator adding
   ``--latency`` to every answer; the ideal is 16 / latency images per second. Baseline, in
   the same run: the seed scripts' plain loop (``requests.post`` per image, one after the
   other) on a sample of the images.
2. Rate limit: 10 calls per second set on the emulator and on the client; the sustained
   rate, and whether any rate-limit error reached the caller.
3. Memory: peak resident memory of a batch of 100 images and of ``--memory-images`` images,
   each in a fresh process.
The emulator answers without OCR (``canned``), so that it is not what is measured.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import cv2
import numpy as np
import requests

from unified_ocr import Secret
from unified_ocr.batch import recognize_many
from unified_ocr.emulator import Faults
from unified_ocr_clova import ClovaEmulator, ClovaOptions

KEY = "bench-key"


def make_images(folder: Path, n: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        pixels = np.full((16, 48), 255, np.uint8)
        pixels[0, :32] = [255 * ((i >> bit) & 1) for bit in range(32)]
        path = folder / f"img{i:06d}.png"
        cv2.imwrite(str(path), pixels)
        paths.append(str(path))
    return paths


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


def batch_rate(options: ClovaOptions, paths: list[str], concurrency: int, rate_limit: float | None = None) -> tuple[float, int]:
    started = time.perf_counter()
    outcomes = list(recognize_many(paths, options, concurrency=concurrency, rate_limit=rate_limit, cache=False))
    seconds = time.perf_counter() - started
    failed = sum(not o.ok for o in outcomes)
    return len(outcomes) / seconds, failed


def memory_child(n: int, url: str) -> int:
    """Peak RSS (KiB) of a fresh process running a batch of ``n`` images."""
    code = f"""
import resource, sys, tempfile
from pathlib import Path
sys.path.insert(0, {str(Path(__file__).parent)!r})
from batch_bench import make_images, KEY
from unified_ocr import Secret
from unified_ocr.batch import recognize_many
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--seed-sample", type=int, default=40, help="images for the seed scripts' sequential loop")
    parser.add_argument("--rate-images", type=int, default=200)
    parser.add_argument("--memory-images", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paths = make_images(Path(folder), args.images)
        with ClovaEmulator(key=KEY, faults=Faults(latency=args.latency), canned=True) as server:
            url = server.url + "/general"
            options = ClovaOptions(invoke_url=url, secret=Secret.of(KEY), retries=5, backoff=0.05)
            sequential = seed_loop(url, paths[: args.seed_sample])
            rate, failed = batch_rate(options, paths, concurrency=16)
            ideal = 16 / args.latency
            print(f"concurrency 16, {args.images} images, {args.latency * 1000:.0f} ms latency: {rate:.1f} images/s "
                  f"= {rate / ideal:.2f} of the ideal {ideal:.0f}/s, {rate / sequential:.1f}x the seed scripts' loop "
                  f"({sequential:.2f}/s); {failed} failed")  # fmt: skip
        with ClovaEmulator(key=KEY, faults=Faults(rate_limit=10.0), canned=True) as server:
            options = ClovaOptions(invoke_url=server.url + "/general", secret=Secret.of(KEY), retries=5, backoff=0.05)
            rate, failed = batch_rate(options, paths[: args.rate_images], concurrency=16, rate_limit=10.0)
            print(f"rate limit 10/s on both sides, {args.rate_images} images: {rate:.2f} images/s sustained; "
                  f"rate-limit answers from the server {server.stats.get('rate_limited', 0)}, failed {failed}")  # fmt: skip
    with ClovaEmulator(key=KEY, canned=True) as server:
        url = server.url + "/general"
        small = memory_child(100, url)
        large = memory_child(args.memory_images, url)
    print(f"peak memory: 100 images {small / 1024:.1f} MiB, {args.memory_images} images {large / 1024:.1f} MiB, "
          f"difference {(large - small) / 1024:.1f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
