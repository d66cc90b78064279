"""What a dataset build costs, against bare loops doing the same work (run by hand).

1. Crops per second: pages of 30 turned and upright words, labelled from saved results,
   cut rectified and written as PNG by the dataset builder (``paddleocr-rec``: files and a
   label file), against a bare loop of ``cv2.warpPerspective`` + ``cv2.imwrite`` over the
   same quads of the same decoded pages. Goal: at least 0.8 of the loop's throughput.
2. LMDB: the ``dtrb`` writer (crops, gt.txt and the LMDB in one pass) against the approach of
   deep-text-recognition-benchmark's ``create_lmdb_dataset.py``: write the crops, read them
   back, write the LMDB (a commit per 1,000). Goal: at least as fast.
3. Peak memory (the process's maximum resident size, in a fresh process each) of a build of
   1,000 crops and of 100,000. Goal: within 50 MB of each other.

The builder is timed as ``unified-ocr dataset`` runs it (pages cut and encoded on a pool of
threads, one writer), and in one thread for reference.

    python benchmarks/dataset_build.py            # 1 and 2, on 100 pages (3,000 crops)
    python benchmarks/dataset_build.py --memory   # 3 as well (100,000 crops: a few minutes)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from unified_ocr.datasets import BuildOptions, LabelledSource, Region, build_dataset
from unified_ocr.engines.registry import default_registry
from unified_ocr.geometry import Quad

WORDS = 30


def make_pages(folder: Path, n: int, seed: int = 0) -> list[LabelledSource]:
    """``n`` distinct pages (1000 x 800) of 30 words, a fifth of them turned by up to 30 degrees."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    base = np.random.default_rng(seed).integers(200, 256, (800, 1000, 3), dtype=np.uint8)
    sources = []
    for k in range(n):
        page = base.copy()
        regions = []
        for w in range(WORDS):
            cx, cy = 80 + (w % 5) * 180, 60 + (w // 5) * 120
            angle = rng.uniform(-30, 30) if w % 5 == 0 else 0.0
            t = math.radians(angle)
            ux, uy, vx, vy = math.cos(t), -math.sin(t), math.sin(t), math.cos(t)
            corners = [(cx + a * ux + b * vx, cy + a * uy + b * vy) for a, b in ((-70, -18), (70, -18), (70, 18), (-70, 18))]
            cv2.fillPoly(page, [np.array(corners, np.int32)], (rng.randrange(60), rng.randrange(60), rng.randrange(60)))
            cv2.putText(page, f"{k}-{w}", (cx - 60, cy + 10), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (255, 255, 255), 2)
            regions.append(Region(Quad(corners), f"word{k}-{w}", "word", 0, ("bench",), (0.99,)))
        path = folder / f"page{k:05d}.png"
        cv2.imwrite(str(path), page)
        sources.append(LabelledSource(str(path), tuple(regions)))
    return sources


def bare_loop(sources: list[LabelledSource], out: Path) -> int:
    """Decode each page, then warp and write each quad: the least a cropping loop does."""
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for source in sources:
        pixels = cv2.imread(source.path, cv2.IMREAD_COLOR)
        for region in source.regions:
            src = np.array(region.quad.points, np.float32)
            w = int(round((np.linalg.norm(src[1] - src[0]) + np.linalg.norm(src[2] - src[3])) / 2))
            h = int(round((np.linalg.norm(src[3] - src[0]) + np.linalg.norm(src[2] - src[1])) / 2))
            dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
            crop = cv2.warpPerspective(pixels, cv2.getPerspectiveTransform(src, dst), (w, h), flags=cv2.INTER_LINEAR,
                                       borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
            n += 1
            cv2.imwrite(str(out / f"{n:09d}.png"), crop)
    return n


def build(sources: list[LabelledSource], out: Path, fmt: str, threads: int = 0) -> int:
    """The builder as ``unified-ocr dataset`` runs it: pages cut on a thread pool (OpenCV lets go
    of the GIL) while this thread writes; ``threads=0``: all in this thread."""
    writer = default_registry().get("dataset_writer", fmt)
    if threads:
        with ThreadPoolExecutor(threads) as pool:
            tally = build_dataset(sources, out, writer, BuildOptions(split="train=1"), executor=pool)
    else:
        tally = build_dataset(sources, out, writer, BuildOptions(split="train=1"))
    return sum(tally.kept.values())


def create_lmdb_way(sources: list[LabelledSource], out: Path) -> int:
    """create_lmdb_dataset.py's approach: crops written as files first, then read back into the LMDB."""
    import lmdb

    crops = out / "crops"
    n = bare_loop(sources, crops)
    labels = [r.label for s in sources for r in s.regions]
    env = lmdb.open(str(out / "lmdb"), map_size=1 << 40)
    cache: dict[bytes, bytes] = {}
    for i, label in enumerate(labels, 1):
        with open(crops / f"{i:09d}.png", "rb") as f:
            image = f.read()
        cache[f"image-{i:09d}".encode()] = image
        cache[f"label-{i:09d}".encode()] = label.encode()
        if i % 1000 == 0:
            with env.begin(write=True) as txn:
                for k, v in cache.items():
                    txn.put(k, v)
            cache = {}
    cache[b"num-samples"] = str(n).encode()
    with env.begin(write=True) as txn:
        for k, v in cache.items():
            txn.put(k, v)
    env.close()
    return n


def timed(fn, *args) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    n = fn(*args)
    return time.perf_counter() - started, n


def speed(pages: int, repeat: int = 5) -> None:
    """Each way ``repeat`` times, interleaved (file systems drift), the best run of each kept."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sources = make_pages(root / "pages", pages)
        build(sources[:2], root / "warm", "dtrb")  # imports and first-use costs out of the timings
        threads = os.cpu_count() or 2
        ways = [("bare warpPerspective + imwrite", bare_loop, ("bare",)),
                ("dataset paddleocr-rec", build, ("rec", "paddleocr-rec", threads)),
                ("dataset paddleocr-rec, one thread", build, ("rec1", "paddleocr-rec", 0)),
                ("create_lmdb_dataset way", create_lmdb_way, ("lmdb-way",)),
                ("dataset dtrb (crops + gt.txt + LMDB)", build, ("dtrb", "dtrb", threads))]  # fmt: skip
        runs = {name: (math.inf, 0) for name, _, _ in ways}
        for _ in range(repeat):
            for name, fn, args in ways:
                target = root / args[0]
                shutil.rmtree(target, ignore_errors=True)
                seconds, n = timed(fn, sources, target, *args[1:])
                runs[name] = (min(runs[name][0], seconds), n)
        for name, (best, n) in runs.items():
            print(f"{name:<40} {n:>7} crops  {best:7.2f} s  {n / best:8.0f} crops/s")
        bare, ours = runs["bare warpPerspective + imwrite"], runs["dataset paddleocr-rec"]
        one = runs["dataset paddleocr-rec, one thread"]
        print(f"crops: builder throughput / bare loop = {(ours[1] / ours[0]) / (bare[1] / bare[0]):.2f} (goal >= 0.8; "
              f"{threads} threads cutting); in one thread {(one[1] / one[0]) / (bare[1] / bare[0]):.2f}")
        way, dtrb = runs["create_lmdb_dataset way"], runs["dataset dtrb (crops + gt.txt + LMDB)"]
        print(f"LMDB: dtrb writer time / create_lmdb_dataset way = {dtrb[0] / way[0]:.2f} (goal <= 1.0)")


def peak_rss(pages: int) -> float:
    """MB: a fresh process builds ``pages`` x 30 crops in the dtrb format and reports its peak."""
    code = f"""
import resource, sys, tempfile
from pathlib import Path
sys.path.insert(0, {str(Path(__file__).parent)!r})
from dataset_build import make_pages, build
with tempfile.TemporaryDirectory() as tmp:
    sources = make_pages(Path(tmp) / "pages", 1)  # one page image, named {pages} times: the crops are what is measured
    one = sources[0]
    from unified_ocr.datasets import LabelledSource
    import shutil
    for k in range(1, {pages}):
        shutil.copy(one.path, Path(tmp) / "pages" / f"copy{{k}}.png")
    def stream():
        yield one
        for k in range(1, {pages}):
            regions = tuple(r.__class__(r.quad, r.label + f"#{{k}}", r.level, r.page, r.engines, r.confidences) for r in one.regions)
            yield LabelledSource(str(Path(tmp) / "pages" / f"copy{{k}}.png"), regions)
    from unified_ocr.datasets import BuildOptions, DatasetBuilder
    from unified_ocr.engines.registry import default_registry
    with DatasetBuilder(Path(tmp) / "ds", default_registry().get("dataset_writer", "dtrb"), BuildOptions(split="train=1")) as b:
        for s in stream():
            b.add(s)
    print(b.added, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100, help="pages of 30 words for the speed runs")
    parser.add_argument("--memory", action="store_true", help="also measure peak memory at 1,000 and 100,000 crops")
    args = parser.parse_args()
    speed(args.pages)
    if args.memory:
        small, large = peak_rss(34), peak_rss(3334)
        print(json.dumps({"peak_mb_1000_crops": round(small, 1), "peak_mb_100000_crops": round(large, 1),
                          "difference_mb": round(large - small, 1), "goal_mb": 50}))  # fmt: skip


if __name__ == "__main__":
    main()
