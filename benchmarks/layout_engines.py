"""The line builder through real engines on the SROIE receipts: the current layout beside a baseline's (run by hand).

    python benchmarks/layout_engines.py [--engines rapidocr kakao] [--baseline REV] [--eval DIR]

``layout_rows.py`` feeds truth words to the line builder; this feeds it what engines give.
Each engine reads ``sroie/images`` twice in one process through ``unified_ocr.compare`` (no
cache), once with the layout package as it was at ``--baseline`` (loaded from git by
``layout_rows.layout_at``) swapped in for every module that imported its functions, once
with the current one. ``rapidocr`` is the offline engine (its detector's fragments joined
into visual lines by ``order_lines``); ``kakao`` is the Kakao emulator on 127.0.0.1, whose
word-only answers (recognised by the offline engine inside the emulator) are grouped by
``group_blocks`` in the client, as real Kakao answers are.

Figures, against ``sroie/box`` (truth level ``lines``):

- **CER**: the page's text in reading order against the truth segments in file order, case
  folded (SROIE's truth is in capitals) and every whitespace run one space, so that a row
  given as one line where SROIE cuts it into segments is no error (as ``sroie_cer.py``).
- **rows rebuilt**: the comparison's line end-to-end recall: the share of truth segments
  matched by a line at IoU 0.5 whose text reads the same. A receipt row that the builder
  rightly joins across a gutter (label and amount) matches neither segment, so this is a
  floor, not a share of rows to reach 1.0.
- **failed**: images the engine could not read; they are left out of both figures. Kakao
  refuses a page with more than 100 text regions (``TOO_MANY_BOXES``), as the emulator does,
  and most receipts have more.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from layout_rows import BASELINE, EVAL, layout_at  # benchmarks/, beside this script

import unified_ocr
import unified_ocr.layout
from unified_ocr.config import Config
from unified_ocr.evaluation.detection import DetectionScore
from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.text import score_text

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


def figures(images: Path, truth: Path, engines: list[str], config: Config) -> dict[str, tuple[float, float, int]]:
    """Engine -> (CER, rows rebuilt, images that failed) of one comparison, over the images it read.

    The comparison's own figures count a failed image as every truth character missed, which
    is right for choosing a vendor but would measure Kakao's box limit here, not the layout."""
    norm = Normalization(fold_case=True)
    comparison = unified_ocr.compare([images], engines, truth=truth, config=config, truth_level="lines",
                                     normalization=norm, cache=False, concurrency=1, stream=io.StringIO())  # fmt: skip
    out = {}
    for label in comparison.engines:
        edits = chars = failed = 0
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
            rows.update([r.quad for r in page.lines], [r.text for r in page.lines], [x.quad for x in lines],
                        [x.text for x in lines], norm.apply)  # fmt: skip
        out[label] = (edits / chars if chars else float("nan"), rows.summary()["e2e_recall"], failed)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=["rapidocr", "kakao"], help="engines or profiles (kakao: the emulator)")
    parser.add_argument("--baseline", default=BASELINE, help="git revision whose layout package is the baseline")
    parser.add_argument("--eval", type=Path, default=EVAL, help="the shared eval folder")
    args = parser.parse_args()
    images, truth = args.eval / "sroie" / "images", args.eval / "sroie" / "box"
    if not images.is_dir():
        raise SystemExit(f"no SROIE images under {images}")
    unified_ocr.recognize(next(images.iterdir()), engine="rapidocr")  # the model and the plugins loaded first
    with tempfile.TemporaryDirectory() as folder, engine_config(args.engines) as config:
        baseline = layout_at(args.baseline, Path(folder))
        with layout_swapped(baseline):
            before = figures(images, truth, args.engines, config)
        now = figures(images, truth, args.engines, config)
    print(f"sroie, {len(list(images.iterdir()))} receipts; base = {args.baseline[:12]}")
    print(f"{'engine':10} {'CER base/now/diff':>24} {'rows rebuilt base/now/diff':>30} {'failed':>7}")
    for label in now:
        (cer0, rows0, _), (cer1, rows1, failed) = before[label], now[label]
        print(f"{label:10} {cer0:7.4f} {cer1:7.4f} {cer1 - cer0:+8.4f} {rows0:9.3f} {rows1:7.3f} {rows1 - rows0:+8.3f} {failed:7d}")


if __name__ == "__main__":
    main()
