"""``compare`` end to end: engines over many images, then the same comparison again (run by hand).

Two emulators (CLOVA and Kakao, each adding ``--latency`` to every answer, answering without
OCR so that they are not what is measured) and, unless ``--vendors-only``, the offline
engine read ``--images`` small images, with a result cache and an output folder, as
``unified-ocr compare`` does. Three runs in one process:

1. the baseline: each engine compared on its own, one after another (as compare read them
   before the engines ran side by side), a fresh cache;
2. the comparison of all of them at once (side by side), a fresh cache: its time against 1;
3. the same comparison again: it must make no call and take a small share of 2's time.

    python benchmarks/compare_bench.py [--images 200] [--latency 0.2] [--vendors-only]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

import unified_ocr
from unified_ocr.cache import ResultCache
from unified_ocr.config import Config, Secret
from unified_ocr.emulator import Faults
from unified_ocr_clova import ClovaEmulator, ClovaOptions
from unified_ocr_kakao import KakaoEmulator, KakaoOptions

KEY = "bench-key"


def make_images(folder: Path, n: int) -> list[str]:
    """``n`` distinct small images with a little text, so that the offline engine has something to read."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        pixels = np.full((60, 240, 3), 255, np.uint8)
        cv2.putText(pixels, f"No {i:04d}", (10, 42), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (0, 0, 0), 2)
        path = folder / f"img{i:05d}.png"
        cv2.imwrite(str(path), pixels)
        paths.append(str(path))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--vendors-only", action="store_true", help="The two emulators only, not the offline engine.")
    args = parser.parse_args()
    faults = Faults(latency=args.latency)
    quiet = open(os.devnull, "w")  # noqa: SIM115 - open for the whole run
    with tempfile.TemporaryDirectory() as tmp, ClovaEmulator(key=KEY, faults=faults, canned=True) as clova, \
            KakaoEmulator(key=KEY, faults=faults, canned=True) as kakao:  # fmt: skip
        root = Path(tmp)
        images = make_images(root / "images", args.images)
        engines: list[Any] = [] if args.vendors_only else ["rapidocr"]
        engines += [
            ClovaOptions(invoke_url=clova.url + "/general", secret=Secret.of(KEY)),
            KakaoOptions(endpoint=kakao.url + "/ocr/services/general-ocr/bench", api_key=Secret.of(KEY)),
        ]

        def requests() -> int:
            return int(clova.stats["requests"] + kakao.stats["requests"])

        def timed(engines_: list[Any], name: str, cache: str) -> tuple[float, int]:
            before, started = requests(), time.perf_counter()
            unified_ocr.compare(images, engines_, config=Config(), out=root / name, cache=ResultCache(root / cache),
                                concurrency=args.concurrency, stream=quiet)  # fmt: skip
            return time.perf_counter() - started, requests() - before

        one_by_one = [timed([engine], f"alone-{k}", "cache-alone") for k, engine in enumerate(engines)]
        baseline = sum(t for t, _ in one_by_one)
        print(f"one engine after another: {' + '.join(f'{t:.1f}' for t, _ in one_by_one)} = {baseline:.1f} s, "
              f"vendor requests {sum(c for _, c in one_by_one)}", file=sys.stderr)
        side, side_calls = timed(engines, "report", "cache")
        again, again_calls = timed(engines, "report", "cache")
    print(f"{args.images} images x {len(engines)} engines ({args.latency * 1000:.0f} ms latency on the emulators, "
          f"concurrency {args.concurrency}): side by side {side:.1f} s = {side / baseline:.2f} of one after another "
          f"({baseline:.1f} s); again {again:.1f} s = {again / side:.1%} of the first, vendor requests {side_calls} then {again_calls}")


if __name__ == "__main__":
    main()
