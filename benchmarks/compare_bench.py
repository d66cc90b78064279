"""``compare`` end to end: three engines over many images, then the same comparison again (run by hand).

Two emulators (CLOVA and Kakao, each adding ``--latency`` to every answer, answering without
OCR so that they are not what is measured) and the offline engine read ``--images`` small
images, with a result cache and an output folder, as ``unified-ocr compare`` does. The second
run of the same comparison must make no call and take a small share of the first's time
(the baseline, in the same process).

    python benchmarks/compare_bench.py [--images 200] [--latency 0.2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

import unified_ocr
from unified_ocr.batch.cache import ResultCache
from unified_ocr.config import Config, Secret
from unified_ocr.engines.emulator import Faults
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
    args = parser.parse_args()
    faults = Faults(latency=args.latency)
    with tempfile.TemporaryDirectory() as tmp, ClovaEmulator(key=KEY, faults=faults, canned=True) as clova, \
            KakaoEmulator(key=KEY, faults=faults, canned=True) as kakao:  # fmt: skip
        root = Path(tmp)
        images = make_images(root / "images", args.images)
        engines = [
            "rapidocr",
            ClovaOptions(invoke_url=clova.url + "/general", secret=Secret.of(KEY)),
            KakaoOptions(endpoint=kakao.url + "/ocr/services/general-ocr/bench", api_key=Secret.of(KEY)),
        ]
        times, calls = [], []
        for _ in range(2):
            before = clova.stats["requests"] + kakao.stats["requests"]
            started = time.perf_counter()
            comparison = unified_ocr.compare(images, engines, config=Config(), out=root / "report", cache=ResultCache(root / "cache"),
                                             concurrency=args.concurrency, stream=open("/dev/null", "w"))  # fmt: skip
            times.append(time.perf_counter() - started)
            calls.append(clova.stats["requests"] + kakao.stats["requests"] - before)
            engine_calls = {e: s["calls"] for e, s in comparison.summary["engines"].items()}
            print(f"run {len(times)}: {times[-1]:.1f} s, vendor requests {calls[-1]}, calls by engine {engine_calls}", file=sys.stderr)
    print(f"{args.images} images x 3 engines ({args.latency * 1000:.0f} ms latency on the emulators): "
          f"first run {times[0]:.1f} s, second {times[1]:.1f} s = {times[1] / times[0]:.1%} of the first, "
          f"vendor requests {calls[0]} then {calls[1]}")


if __name__ == "__main__":
    main()
