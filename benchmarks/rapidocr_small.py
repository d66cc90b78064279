"""The offline engine on small images: RapidOCR's own enlargement against ``max_upscale`` (run by hand).

RapidOCR enlarges every image to 736 px on its short side before detection: a 60 px tall
text line thirty times over. ``max_upscale`` (default 2) pads a small image instead, so that
it is enlarged at most that much. Three kinds of small image, each read both ways in this
process (the baseline: ``max_upscale = 0``, RapidOCR's own behaviour), no cache:

1. single text lines drawn at several sizes and fonts (truth: the drawn text);
2. the bundled sample receipt shrunk to 30-70 % (truth: the engine's reading of the full-size one);
3. the word crops of ``../shared/eval/rec-crops`` where present (truth: their labels).

Printed: CER (rapidfuzz, over the joined text) and seconds per image, with the ratio of each.

    python benchmarks/rapidocr_small.py
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
from rapidfuzz.distance import Levenshtein

import unified_ocr
from unified_ocr.config import Config

ROOT = Path(__file__).resolve().parents[1]
CROPS = ROOT.parent / "shared" / "eval" / "rec-crops"
LINES = [("Invoice 2026-0042", 1.0), ("TOTAL 12,400", 0.8), ("Thank you", 0.6), ("Rice crackers 1 2,500", 0.5),
         ("Order No 77812", 1.4), ("Paid by card", 0.7), ("Qty 3 x 4,500", 0.9), ("Receipt", 2.0)]  # fmt: skip


def text_lines() -> list[tuple[np.ndarray, str]]:
    fonts = [cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX]
    out = []
    for k, (text, scale) in enumerate(LINES):
        (w, h), _ = cv2.getTextSize(text, fonts[k % 3], scale, 2)
        pixels = np.full((h + 24, w + 20, 3), 255, np.uint8)
        cv2.putText(pixels, text, (10, h + 10), fonts[k % 3], scale, (0, 0, 0), 2)
        out.append((pixels, text))
    return out


def shrunk_receipts(truth: str) -> list[tuple[np.ndarray, str]]:
    full = cv2.imread(str(ROOT / "examples" / "sample-receipt.png"))
    return [(cv2.resize(full, None, fx=f, fy=f, interpolation=cv2.INTER_AREA), truth) for f in (0.3, 0.4, 0.5, 0.7)]


def crops() -> list[tuple[np.ndarray, str]]:
    labels = CROPS / "label.txt"
    if not labels.is_file():
        return []
    pairs = [line.split(" ", 1) for line in labels.read_text(encoding="utf-8").splitlines() if " " in line]
    return [(cv2.imread(str(CROPS / "images" / name)), label.strip()) for name, label in pairs]


def score(engine: str, config: Config, images: list[tuple[np.ndarray, str]]) -> tuple[float, float]:
    """CER over the set, and seconds per image."""
    distance = length = 0
    started = time.perf_counter()
    for pixels, truth in images:
        text = " ".join(unified_ocr.recognize(pixels, engine, config=config, cache=False).text.split())
        distance += Levenshtein.distance(text, truth)
        length += len(truth)
    return distance / max(length, 1), (time.perf_counter() - started) / max(len(images), 1)


def main() -> None:
    config = Config.from_dict({"engines": {"as-rapidocr-does": {"backend": "rapidocr", "max_upscale": 0}}})
    full = " ".join(unified_ocr.recognize(ROOT / "examples" / "sample-receipt.png", cache=False).text.split())
    unified_ocr.recognize(text_lines()[0][0], "as-rapidocr-does", config=config, cache=False)  # models loaded, not timed
    sets = {"text lines": text_lines(), "shrunk receipts": shrunk_receipts(full), "rec-crops": crops()}
    print(f"{'set':16} {'images':>6} {'CER before':>10} {'CER after':>9} {'s/img before':>12} {'s/img after':>11} {'time ratio':>10}")
    for name, images in sets.items():
        if not images:
            continue
        cer0, sec0 = score("as-rapidocr-does", config, images)
        cer1, sec1 = score("rapidocr", config, images)
        print(f"{name:16} {len(images):6} {cer0:10.3f} {cer1:9.3f} {sec0:12.2f} {sec1:11.2f} {sec1 / sec0:10.2f}")


if __name__ == "__main__":
    main()
