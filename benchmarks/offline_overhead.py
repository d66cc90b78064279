"""The offline engine's own overhead around RapidOCR, in one process (run by hand).

    python benchmarks/offline_overhead.py [--eval DIR] [--sets sroie,funsd,icdar2015,synth-korean,generated]
                                          [--rounds 3] [--per-set N] [--profile FILE]

Two ways of reading the same image files, each with its models loaded once before any timing:

* ``unified_ocr.recognize(path)``: the default offline engine, the whole way (open, probe,
  prepare, decode, the engine, the layout, map back, the result);
* RapidOCR's own API, ``RapidOCR(params=...)(path, return_word_box=...)``, built with the very
  parameters the engine builds (:func:`unified_ocr_rapidocr.engine.rapidocr_params`): same
  models, thresholds, threads, and word boxes as the engine asks for them.

Each round reads every image each way, the order turning from round to round (the machine's
load drifts: a multiple of 3 rounds puts each way first equally); the figure of an image is its
median over the rounds. Printed per image and per set: the
median seconds of each, and the ratio (goal: at most 1.1). A third column, RapidOCR without
word boxes, says what the word boxes cost inside RapidOCR itself.

The ``generated`` set is written to a temporary folder: a small label (the engine pads it
instead of RapidOCR's enlargement, so it is faster there by design), a large photo over
RapidOCR's 2000 px side, a grayscale scan, a half-resolution receipt and a JPEG turned by
its EXIF orientation. ``--profile FILE`` writes a cProfile of the engine's runs (pstats) and
prints where their time went: RapidOCR's own call, and each step around it, as shares of the
engine's time (steady under load, unlike the ratio of medians on a busy machine).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

import unified_ocr
from unified_ocr.config import Config
from unified_ocr_rapidocr.engine import RapidOcrOptions, rapidocr_params
from unified_ocr_rapidocr.spaces import favour_spaces

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
SETS = {"sroie": "sroie/images", "funsd": "funsd/images", "icdar2015": "icdar2015/images", "synth-korean": "synth-korean/images"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


def generated(folder: Path) -> list[Path]:
    """Variants the shared sets lack, written as files: what the engine does on each differs."""
    sroie = sorted((EVAL / "sroie" / "images").glob("*.jpg"))
    page = _read(sroie[0]) if sroie else cv2.resize(_read(ROOT / "examples" / "sample-receipt.png"), None, fx=2, fy=2)
    out = []

    def write(name: str, pixels: np.ndarray, **pil: Any) -> None:
        path = folder / name
        if pil:
            Image.fromarray(cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)).save(path, **pil)
        else:
            cv2.imwrite(str(path), pixels)
        out.append(path)

    label = np.full((60, 360, 3), 255, np.uint8)
    cv2.putText(label, "Order No 77812", (10, 42), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (0, 0, 0), 2)
    write("small-label.png", label)
    height, width = page.shape[:2]
    canvas = np.full((4000, 3000, 3), (90, 110, 130), np.uint8)  # a desk
    scale = 3400 / height
    big = cv2.resize(page, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    y, x = (4000 - big.shape[0]) // 2, max(0, (3000 - big.shape[1]) // 2)
    canvas[y : y + big.shape[0], x : x + min(big.shape[1], 3000)] = big[:, :3000]
    turned = cv2.warpAffine(canvas, cv2.getRotationMatrix2D((1500, 2000), 3, 1.0), (3000, 4000), borderValue=(90, 110, 130))
    noise = np.random.default_rng(0).normal(0, 3, turned.shape)
    write("photo-3000x4000.jpg", np.clip(turned + noise, 0, 255).astype(np.uint8), quality=90)
    write("scan-gray.png", cv2.cvtColor(page, cv2.COLOR_BGR2GRAY))
    write("half-resolution.jpg", cv2.resize(page, (width // 2, height // 2), interpolation=cv2.INTER_AREA), quality=90)
    exif = Image.Exif()
    exif[0x0112] = 6  # displayed turned 90 degrees clockwise
    write("exif-turned.jpg", cv2.rotate(page, cv2.ROTATE_90_COUNTERCLOCKWISE), quality=92, exif=exif.tobytes())
    return out


def _read(path: Path) -> np.ndarray:
    pixels = cv2.imread(str(path))
    if pixels is None:
        raise SystemExit(f"cannot read {path}")
    return pixels


def images_of(eval_dir: Path, wanted: set[str], folder: Path) -> dict[str, list[Path]]:
    sets = {}
    for name, sub in SETS.items():
        if name in wanted and (eval_dir / sub).is_dir():
            sets[name] = sorted(p for p in (eval_dir / sub).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if "generated" in wanted:
        sets["generated"] = generated(folder)
    return sets


#: (file ending, function) of the steps the breakdown names, as cProfile keys them.
STEPS = {
    "RapidOCR's own call": ("rapidocr/main.py", "__call__"),
    "open and probe": ("imaging/sources.py", "open_source"),
    "prepare": ("imaging/prepare.py", "prepare"),
    "decode": ("imaging/upload.py", "decode"),
    "bounded_upscale": ("unified_ocr_rapidocr/engine.py", "bounded_upscale"),
    "decisions watcher (inside it)": ("unified_ocr_rapidocr/mapping.py", "_decisions"),
    "read_lines": ("unified_ocr_rapidocr/mapping.py", "read_lines"),
    "order_lines (layout)": ("layout/lines.py", "order_lines"),
    "map back": ("imaging/prepare.py", "map_back"),
    "script warnings": ("unified_ocr/api.py", "_script_warnings"),
}


def breakdown(stats: pstats.Stats) -> str:
    """Where the engine's time went, as shares of ``recognize``: robust to a loaded machine,
    as every share is of the same runs (profiling slows the Python steps, so theirs are upper bounds)."""
    rows = stats.stats.items()  # type: ignore[attr-defined]

    def spent(ending: str, function: str) -> float:
        return sum(row[3] for (file, _, name), row in rows if file.replace("\\", "/").endswith(ending) and name == function)

    total = spent("unified_ocr/api.py", "recognize")
    inside = spent(*STEPS["RapidOCR's own call"])
    lines = [f"engine's time, profiled: {total:.1f} s"]
    for label, step in [*STEPS.items(), ("outside RapidOCR's call", None)]:
        seconds = total - inside if step is None else spent(*step)
        lines.append(f"  {label:32} {seconds:8.2f} s {100 * seconds / max(total, 1e-9):6.2f} %")
    lines.append("(the decode stands for RapidOCR's own, inside its call when it is given a path)")
    return "\n".join(lines)


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=EVAL, help="the shared eval folder")
    parser.add_argument("--sets", default=",".join([*SETS, "generated"]), help="comma-separated sets (default: all)")
    parser.add_argument("--rounds", type=int, default=3, help="times each image is read each way (median taken)")
    parser.add_argument("--per-set", type=int, default=0, help="only the first N images of each set (0: all)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the engine's runs (slowed by it) here")
    args = parser.parse_args()
    from rapidocr import RapidOCR

    options = RapidOcrOptions()
    direct = RapidOCR(params=rapidocr_params(options))
    favour_spaces(direct)  # decodes as the engine does
    config = Config()  # the defaults: no profile file, no cache, page flattening as the engine's limits say
    with tempfile.TemporaryDirectory() as tmp:
        sets = images_of(args.eval, set(args.sets.split(",")), Path(tmp))
        if args.per_set:
            sets = {name: paths[: args.per_set] for name, paths in sets.items()}
        everything = [path for paths in sets.values() for path in paths]
        if not everything:
            raise SystemExit(f"no images under {args.eval} for sets {args.sets}")

        def ours(path: Path) -> object:
            return unified_ocr.recognize(path, config=config, cache=False)

        def theirs(path: Path) -> object:
            return direct(str(path), return_word_box=options.word_boxes)

        def theirs_plain(path: Path) -> object:
            return direct(str(path), return_word_box=False)

        ours(everything[0]), theirs(everything[0])  # models loaded, sessions warmed: not timed
        ways = {"engine": ours, "rapidocr": theirs, "no words": theirs_plain}
        seconds: dict[str, dict[Path, list[float]]] = {way: {path: [] for path in everything} for way in ways}
        profiler = cProfile.Profile() if args.profile else None
        for round_ in range(args.rounds):
            print(f"round {round_ + 1} of {args.rounds}", file=sys.stderr, flush=True)
            turn = round_ % len(ways)
            order = [*list(ways)[turn:], *list(ways)[:turn]]  # each way first in as many rounds
            for path in everything:
                for way in order:
                    if way == "engine" and profiler is not None:
                        profiler.enable()
                    seconds[way][path].append(timed(lambda: ways[way](path)))  # noqa: B023 - called at once
                    if way == "engine" and profiler is not None:
                        profiler.disable()
        if profiler is not None:
            profiler.dump_stats(str(args.profile))
            print(breakdown(pstats.Stats(profiler)))
        median = {way: {path: statistics.median(times) for path, times in per.items()} for way, per in seconds.items()}
        print(f"{'image':34} {'engine s':>9} {'rapidocr s':>10} {'ratio':>6} {'no words s':>10}")
        totals = {way: 0.0 for way in ways}
        for name, paths in sets.items():
            sums = {way: sum(median[way][p] for p in paths) for way in ways}
            for path in paths:
                e, r, n = (median[way][path] for way in ways)
                print(f"{name[:10] + '/' + path.name[:22]:34} {e:9.3f} {r:10.3f} {e / r:6.3f} {n:10.3f}")
            print(f"{'= ' + name + f' ({len(paths)} images)':34} {sums['engine'] / len(paths):9.3f} "
                  f"{sums['rapidocr'] / len(paths):10.3f} {sums['engine'] / sums['rapidocr']:6.3f} "
                  f"{sums['no words'] / len(paths):10.3f}")  # fmt: skip
            for way in ways:
                totals[way] += sums[way]
        count = len(everything)
        print(f"all {count} images, median of {args.rounds} rounds: engine {totals['engine'] / count:.3f} s per image, "
              f"RapidOCR {totals['rapidocr'] / count:.3f} s (without word boxes {totals['no words'] / count:.3f} s): "
              f"ratio {totals['engine'] / totals['rapidocr']:.3f} (goal <= 1.1), "
              f"{totals['engine'] / totals['no words']:.3f} against RapidOCR without word boxes")  # fmt: skip


if __name__ == "__main__":
    main()
