"""The line builder through real engines on the SROIE receipts: the current layout beside a baseline's (run by hand).

    python benchmarks/layout_engines.py [--engines rapidocr kakao] [--baseline REV] [--eval DIR]
                                        [--variant none|rotate3|rotate-3|warp|half] [--images DIR --truth DIR]

``layout_rows.py`` feeds truth words to the line builder; this feeds it what engines give.
Each engine reads ``sroie/images`` twice in one process through ``unified_ocr.compare`` (no
cache), once with the layout package as it was at ``--baseline`` (loaded from git by
``layout_rows.layout_at``) swapped in for every module that imported its functions, once
with the current one. ``rapidocr`` is the offline engine (its detector's fragments joined
into visual lines by ``order_lines``); ``kakao`` is the Kakao emulator on 127.0.0.1, whose
word-only answers (recognised by the offline engine inside the emulator) are grouped by
``group_blocks`` in the client, as real Kakao answers are.

``--images``/``--truth`` read another set in SROIE's form (``receipt_pages.py`` makes receipts
printed at a tight pitch); ``--variant`` reads receipts the shared set does not hold: each image turned by 3 degrees
either way (on a white canvas grown to hold it), warped as from a phone held off square (one
edge narrowed by 8 %), or at half resolution, its truth quads moved with it.

Figures, against ``sroie/box`` (truth level ``lines``):

- **CER**: the page's text in reading order against the truth segments in file order, case
  folded (SROIE's truth is in capitals) and every whitespace run one space, so that a row
  given as one line where SROIE cuts it into segments is no error (as ``sroie_cer.py``).
- **rows kept**: the share of truth segments that one output line holds whole: a line whose
  text, normalised as for CER with spaces dropped, contains the segment's, and which covers
  at least half of the segment's area. A receipt row joined across a gutter (label and
  amount) keeps both its segments; two rows interleaved keep neither. Recognition errors
  lower it too, equally before and after, so it is compared, not read as a share of rows.
- **interleaved**: lines that hold most of two truth segments not level with each other
  (centre lines more than half a segment's height apart): rows merged into one line.
- **line e2e**: the comparison's line end-to-end recall: a truth segment matched by a line at
  IoU 0.5 whose text reads the same. A label and amount rightly joined match neither, so it
  falls when visual lines are right; it is printed to see what a change does to box-level
  scoring.
- **failed**: images the engine could not read; they are left out of both figures. Kakao
  refuses a page with more than 100 text regions (``TOO_MANY_BOXES``), as the emulator does,
  and most receipts have more.
"""

from __future__ import annotations

import argparse
import io
import itertools
import math
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import cv2
import numpy as np
import shapely
from layout_rows import BASELINE, EVAL, layout_at  # benchmarks/, beside this script

import unified_ocr
import unified_ocr.layout
from unified_ocr import Line, Quad
from unified_ocr.config import Config
from unified_ocr.evaluation.detection import DetectionScore
from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.text import score_text
from unified_ocr.evaluation.truth import read_truth

#: The layout functions engines and parsers import by name.
SWAPPED = ("group_blocks", "group_lines", "order_lines")


@contextmanager
def layout_swapped(baseline: ModuleType) -> Iterator[None]:
    """Every loaded module of the project (core and plugins) that holds one of the current
    layout functions gets the baseline's instead, until the block ends."""
    current = {name: getattr(unified_ocr.layout, name) for name in SWAPPED}
    patched: list[tuple[ModuleType, str, Any]] = []
    for module in list(sys.modules.values()):
        if module is None or not module.__name__.startswith("unified_ocr"):
            continue
        for name, function in current.items():
            if getattr(module, name, None) is function:
                patched.append((module, name, function))
                setattr(module, name, getattr(baseline, name))
    try:
        yield
    finally:
        for module, name, function in patched:
            setattr(module, name, function)


@contextmanager
def engine_config(names: list[str]) -> Iterator[Config]:
    """A configuration with a ``kakao`` profile on an emulator on loopback, when asked for."""
    if "kakao" not in names:
        yield Config.from_dict({})
        return
    from unified_ocr_kakao import KakaoEmulator

    os.environ.setdefault("LAYOUT_BENCH_KAKAO_KEY", "bench-key")
    with KakaoEmulator(key=os.environ["LAYOUT_BENCH_KAKAO_KEY"]) as server:
        yield Config.from_dict({"engines": {"kakao": {"backend": "kakao", "endpoint": server.url + "/ocr/bench/general",
                                                      "api_key": {"env": "LAYOUT_BENCH_KAKAO_KEY"}}}})  # fmt: skip


def kept(segments: list[tuple[Quad, str]], lines: list[tuple[Quad, str]]) -> int:
    """How many truth segments (quad, normalised text) one line (quad, normalised text) holds whole."""
    n = 0
    for quad, text in segments:
        want = text.replace(" ", "")
        if not want:
            continue
        polygon = shapely.Polygon(quad.points)
        if not polygon.is_valid or polygon.area <= 0:
            continue
        for line_quad, line_text in lines:
            if want in line_text.replace(" ", ""):
                other = shapely.Polygon(line_quad.points)
                if other.is_valid and polygon.intersection(other).area >= 0.5 * polygon.area:
                    n += 1
                    break
    return n


def interleaved(segments: list[tuple[Quad, str]], lines: list[Line]) -> list[str]:
    """How many lines hold words of two truth segments that are not level with each other (whose
    centres lie more than half the taller one's height apart across the segments' direction).
    A word belongs to the segment that holds most of its area, at least half. Returns their texts."""
    polygons = [shapely.Polygon(q.points) for q, _ in segments]
    found = []
    for line in lines:
        owners = set()
        for word in line.words:
            box = shapely.Polygon(word.quad.points)
            if not box.is_valid or box.area <= 0:
                continue
            shares = [p.intersection(box).area / box.area if p.is_valid else 0.0 for p in polygons]
            best = max(range(len(shares)), key=shares.__getitem__, default=None)
            if best is not None and shares[best] >= 0.5:
                owners.add(best)
        inside = [segments[i][0] for i in owners]
        if len(inside) < 2:
            continue
        weights = [q.width for q in inside]  # a long segment knows the row's direction; a short one's box is noisy
        angle = math.radians(sum(w * q.angle for w, q in zip(weights, inside)) / sum(weights))
        across = [(-math.sin(angle) * q.center[0] + math.cos(angle) * q.center[1], q.height) for q in inside]
        if any(abs(a - b) > 0.5 * max(ha, hb) for (a, ha), (b, hb) in itertools.combinations(across, 2)):
            found.append(line.text)
    return found


def figures(images: Path, truth: Path, engines: list[str], config: Config, show: bool = False) -> dict[str, tuple[float, float, float, int, int]]:
    """Engine -> (CER, rows kept, line e2e, interleaved lines, images that failed) of one comparison, over the images it read.

    The comparison's own figures count a failed image as every truth character missed, which
    is right for choosing a vendor but would measure Kakao's box limit here, not the layout."""
    norm = Normalization(fold_case=True)
    comparison = unified_ocr.compare([images], engines, truth=truth, config=config, truth_level="lines",
                                     normalization=norm, cache=False, concurrency=1, stream=io.StringIO())  # fmt: skip
    out = {}
    for label in comparison.engines:
        edits = chars = failed = segments = whole = mixed = 0
        rows = DetectionScore()
        for reading, page in zip(comparison.readings[label], comparison.truths):
            if page is None:
                continue
            if reading.result is None:
                failed += 1
                continue
            text = score_text(page.text, reading.result.text, norm)
            edits, chars = edits + text.char_edits, chars + text.chars
            lines = [line for p in reading.result.pages for line in p.lines]
            truth_lines = [line for _, line in page.iter_lines()]
            care = [(r.quad, norm.apply(r.text)) for r in truth_lines if not r.dont_care and r.text != "###"]
            segments += len(care)
            whole += kept(care, [(x.quad, norm.apply(x.text)) for x in lines])
            mixed_lines = interleaved(care, lines)
            mixed += len(mixed_lines)
            if show and mixed_lines:
                print("\n".join(f"    {label} {Path(reading.source).name}: {text}" for text in mixed_lines))
            rows.update([r.quad for r in truth_lines], [r.text for r in truth_lines], [x.quad for x in lines],
                        [x.text for x in lines], norm.apply)  # fmt: skip
        out[label] = (edits / chars if chars else float("nan"), whole / segments if segments else float("nan"),
                      rows.summary()["e2e_recall"], mixed, failed)  # fmt: skip
    return out


def variant(images: Path, truth: Path, kind: str, folder: Path) -> tuple[Path, Path]:
    """The SROIE images and truth moved by ``kind`` (see the module), written under ``folder``."""
    out_images, out_truth = folder / "images", folder / "box"
    out_images.mkdir()
    out_truth.mkdir()
    for image in sorted(images.iterdir()):
        pixels = cv2.imread(str(image))
        if pixels is None:
            continue
        h, w = pixels.shape[:2]
        if kind in ("rotate3", "rotate-3"):
            matrix = cv2.getRotationMatrix2D((w / 2, h / 2), 3.0 if kind == "rotate3" else -3.0, 1.0)
            corners = np.array([[0, 0, 1], [w, 0, 1], [w, h, 1], [0, h, 1]], np.float64) @ matrix.T
            (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
            matrix[:, 2] -= (x0, y0)
            size = (int(np.ceil(x1 - x0)), int(np.ceil(y1 - y0)))
            homography = np.vstack([matrix, [0, 0, 1]])
        elif kind == "warp":
            source = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
            target = np.float32([[0.08 * w, 0], [0.92 * w, 0], [w, h], [0, h]])  # the top edge further away
            homography, size = cv2.getPerspectiveTransform(source, target).astype(np.float64), (w, h)
        elif kind == "half":
            homography, size = np.diag([0.5, 0.5, 1.0]), (max(1, w // 2), max(1, h // 2))
        else:
            raise SystemExit(f"unknown variant {kind!r}")
        moved = cv2.warpPerspective(pixels, homography, size, flags=cv2.INTER_AREA if kind == "half" else cv2.INTER_LINEAR,
                                    borderValue=(255, 255, 255))  # fmt: skip
        cv2.imwrite(str(out_images / image.name), moved)
        rows = []
        for region in read_truth(truth / f"{image.stem}.csv", "icdar").words:
            points = cv2.perspectiveTransform(np.array([region.quad.points], np.float64), homography)[0]
            rows.append(",".join(f"{v:.1f}" for v in points.ravel()) + f",{region.text}")
        (out_truth / f"{image.stem}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return out_images, out_truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=["rapidocr", "kakao"], help="engines or profiles (kakao: the emulator)")
    parser.add_argument("--baseline", default=BASELINE, help="git revision whose layout package is the baseline")
    parser.add_argument("--eval", type=Path, default=EVAL, help="the shared eval folder")
    parser.add_argument("--variant", default="none", choices=["none", "rotate3", "rotate-3", "warp", "half"])
    parser.add_argument("--images", type=Path, help="another set's images (default: the shared SROIE receipts)")
    parser.add_argument("--show", action="store_true", help="print the current code's interleaved lines")
    parser.add_argument("--truth", type=Path, help="its truth, SROIE's box files (x1,y1,...,x4,y4,TEXT)")
    args = parser.parse_args()
    images, truth = args.eval / "sroie" / "images", args.eval / "sroie" / "box"
    if (args.images is None) != (args.truth is None):
        raise SystemExit("--images and --truth go together")
    if args.images is not None:
        images, truth = args.images, args.truth
    if not images.is_dir():
        raise SystemExit(f"no images under {images}")
    unified_ocr.recognize(next(images.iterdir()), engine="rapidocr")  # the model and the plugins loaded first
    with tempfile.TemporaryDirectory() as folder, engine_config(args.engines) as config:
        if args.variant != "none":
            (Path(folder) / "variant").mkdir()
            images, truth = variant(images, truth, args.variant, Path(folder) / "variant")
        count = len(list(images.iterdir()))
        baseline = layout_at(args.baseline, Path(folder))
        with layout_swapped(baseline):
            before = figures(images, truth, args.engines, config)
        now = figures(images, truth, args.engines, config, show=args.show)
    name = "sroie" if args.images is None else args.images
    print(f"{name}{'' if args.variant == 'none' else f' ({args.variant})'}, {count} receipts; base = {args.baseline[:12]}")
    print(f"{'engine':10} {'CER base/now/diff':>24} {'rows kept base/now/diff':>27} {'line e2e base/now/diff':>26}"
          f" {'interleaved base/now':>21} {'failed':>7}")  # fmt: skip
    for label in now:
        (cer0, kept0, e2e0, mixed0, _), (cer1, kept1, e2e1, mixed1, failed) = before[label], now[label]
        print(f"{label:10} {cer0:7.4f} {cer1:7.4f} {cer1 - cer0:+8.4f} {kept0:9.3f} {kept1:7.3f} {kept1 - kept0:+8.3f}"
              f" {e2e0:8.3f} {e2e1:7.3f} {e2e1 - e2e0:+8.3f} {mixed0:10d} {mixed1:10d} {failed:7d}")


if __name__ == "__main__":
    main()
