"""The offline engine with and without its space-weighted decoding (``plugins/unified_ocr_rapidocr/spaces.py``), run by hand.

    python benchmarks/rapidocr_spaces.py [--eval DIR] [--receipts DIR ...] [--weight 3]

Every image is read twice in this process, by an engine decoding as RapidOCR does (before)
and by one keeping the spaces the recogniser half-sees (after), interleaved so that both see
the same machine load. Sets: the SROIE receipts of ``../shared/eval``, the same at half size and
turned 3 degrees, the FUNSD forms, label-value rows drawn in the installed fonts (truth: the
drawn text, a narrow space around the punctuation), and each ``--receipts`` folder written by
``receipt_pages.py``. Printed per set: CER (as ``sroie_cer.py`` counts it: NFKC, whitespace runs
one space, case folded; edit distance over reference length, summed over the set) before and
after, and seconds per image before and after with their ratio.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

import unified_ocr
from unified_ocr.drawing.fonts import font_folders, open_font
from unified_ocr.engines.scope import EngineScope
from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.text import TextScore
from unified_ocr.evaluation.truth import read_truth
from unified_ocr_rapidocr import engine as rapidocr_engine
from unified_ocr_rapidocr.spaces import SPACE_WEIGHT, favour_spaces

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
ROOT_SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample-receipt.png"
ROWS = ("TOTAL : 9.00", "TEL : 07-5547360 / 016-7993391", "INV# 003281900", "CASH : 100.00", "Total Sales (RM) : 80.91",
        "WA43-A - 24", "GST ID : 000849", "FAX : 07-5624059", "Sub Total (RM) : 12.50", "Date : 09/01/2019")  # fmt: skip
FONTS = ("DejaVuSans.ttf", "DejaVuSansMono.ttf", "LiberationSans-Regular.ttf", "LiberationMono-Regular.ttf", "DejaVuSerif.ttf")
Item = tuple[np.ndarray | Path, str]


def shared(eval_dir: Path) -> dict[str, list[Item]]:
    images = sorted((eval_dir / "sroie" / "images").glob("*.jpg"))
    truth = [read_truth(eval_dir / "sroie" / "box" / f"{p.stem}.csv").text for p in images]
    sroie: list[Item] = list(zip(images, truth))
    funsd: list[Item] = [(p, read_truth(eval_dir / "funsd" / "annotations" / f"{p.stem}.json").text)
             for p in sorted((eval_dir / "funsd" / "images").glob("*.png"))]  # fmt: skip
    return {"sroie": sroie, "sroie half size": [(half(p), t) for p, t in zip(images, truth)],
            "sroie turned 3 deg": [(turned(p, 3.0), t) for p, t in zip(images, truth)],
            "funsd": funsd}  # fmt: skip


def read(path: Path) -> np.ndarray:
    pixels = cv2.imread(str(path))
    if pixels is None:
        raise SystemExit(f"{path}: not an image OpenCV reads")
    return pixels


def half(path: Path) -> np.ndarray:
    pixels = read(path)
    return cv2.resize(pixels, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)


def turned(path: Path, degrees: float) -> np.ndarray:
    """The image turned on a white canvas that holds all of it."""
    pixels = read(path)
    h, w = pixels.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    size = (int(h * sin + w * cos) + 1, int(h * cos + w * sin) + 1)
    m[0, 2] += size[0] / 2 - w / 2
    m[1, 2] += size[1] / 2 - h / 2
    return cv2.warpAffine(pixels, m, size, flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


def drawn_rows() -> Iterator[Item]:
    for name in FONTS:
        path = next((found for folder in font_folders() if folder.is_dir() for found in folder.rglob(name)), None)
        if path is None:
            continue
        for size in (14, 16, 20, 24):
            font = open_font(path, size)
            page = Image.new("RGB", (40 + int(max(font.getlength(r) for r in ROWS)), 40 + 2 * size * len(ROWS)), "white")
            draw = ImageDraw.Draw(page)
            for k, row in enumerate(ROWS):
                draw.text((20, 20 + 2 * size * k), row, font=font, fill="black")
            yield np.array(page)[:, :, ::-1].copy(), "\n".join(ROWS)


def receipts(folder: Path) -> list[Item]:
    return [  # fmt: skip
        (p, read_truth(folder / "box" / f"{p.stem}.csv").text) for p in sorted((folder / "images").glob("*.png"))
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=EVAL, help="the shared eval folder")
    parser.add_argument("--receipts", type=Path, action="append", default=[], help="a folder receipt_pages.py wrote (repeatable)")
    parser.add_argument("--weight", type=float, default=SPACE_WEIGHT, help="the space's weight after (before: 1)")
    args = parser.parse_args()
    sets = {**shared(args.eval), "drawn label-value rows": list(drawn_rows())}
    sets.update({f"receipts {folder.name}": receipts(folder) for folder in args.receipts})
    scopes = {}
    for side, weight in (("before", 1.0), ("after", args.weight)):
        rapidocr_engine.favour_spaces = functools.partial(favour_spaces, weight=weight)  # read when the engine is made
        scopes[side] = EngineScope()
        # made now, while the patch holds: recognize() takes an empty (falsy) scope for none and uses the shared one
        scopes[side].get(unified_ocr.choose_engine("rapidocr"))
        unified_ocr.recognize(ROOT_SAMPLE, "rapidocr", cache=False, scope=scopes[side])  # the models load outside the timing
    print(f"{'set':24} {'images':>6} {'CER before':>10} {'CER after':>9} {'s/img before':>12} {'s/img after':>11} {'ratio':>6}")
    for name, items in sets.items():
        if not items:
            continue
        scores = {side: TextScore(Normalization(fold_case=True)) for side in scopes}
        seconds = dict.fromkeys(scopes, 0.0)
        for source, truth in items:
            for side, scope in scopes.items():
                started = time.perf_counter()
                text = unified_ocr.recognize(source, "rapidocr", cache=False, scope=scope).text
                seconds[side] += time.perf_counter() - started
                scores[side].update(truth, text)
        cer = {side: scores[side].summary()["cer"] for side in scopes}
        per = {side: seconds[side] / len(items) for side in scopes}
        print(f"{name:24} {len(items):6} {cer['before']:10.4f} {cer['after']:9.4f} {per['before']:12.2f} {per['after']:11.2f} "
              f"{per['after'] / per['before']:6.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
