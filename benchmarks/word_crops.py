"""Whether the Tesseract engine turns word crops back, and leaves upright ones as they are (run by hand).

    python benchmarks/word_crops.py [--seed 0] [--fonts DIR] [--json OUT]

Word crops cut for datasets come turned too, and a short word is about as high as it is long,
so its box says nothing of which way it runs. Each crop here is one word of a receipt's (Korean,
Latin, digits; 40 words, 3 crops each) drawn in a face of ``--fonts`` (the six Nanum faces
Debian's ``fonts-nanum`` installs, where found; else every font in the folder of the Hangul font
the project finds), at 10 to 26 pixel type, on white or on a ground that darkens across it,
blurred and saved as a JPEG of quality 60 or not; then read upright and at one random quarter or
half turn. Prints one row per crop, then: upright crops the engine turned, turned crops it turned
back, turned readings more than 0.02 CER off their upright reading, and CER upright and turned.
A seed gives the same crops. Runs whatever ``unified_ocr_tesseract`` imports (put an older copy
first on ``PYTHONPATH`` to measure it against this one).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np

import unified_ocr
from unified_ocr.drawing.fonts import find_hangul_font, open_font
from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.text import score_text
from unified_ocr_tesseract import TesseractOptions

WORDS = ["계산", "금액", "수량", "단가", "할인", "포인트", "봉투", "우유", "라면", "김밥", "커피", "식당", "약국", "병원", "출구", "입구",
         "화장실", "정산", "반품", "교환", "No", "OK", "Tax", "Sum", "VAT", "123", "4,500", "12:30", "Mart", "Cafe", "Bus", "Total",
         "합 계", "카 드", "현 금", "KB", "GS25", "CU", "이마트", "서울"]  # fmt: skip
NANUM = ["NanumGothic.ttf", "NanumBarunGothic.ttf", "NanumSquareB.ttf", "NanumMyeongjo.ttf", "NanumGothicCodingBold.ttf", "NanumSquareRoundR.ttf"]
TURNS = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}
#: How far a turned crop may read from the same crop upright.
TURNED_TOLERANCE = 0.02


def faces(folder: Path | None) -> list[Path]:
    """The fonts to draw in: the six Nanum faces where the folder has them, else every font in it."""
    if folder is None:
        found = find_hangul_font()
        if found is None:
            sys.exit("no font with Hangul: apt-get install fonts-nanum, or give --fonts DIR")
        folder = Path(found).parent
    named = [folder / name for name in NANUM if (folder / name).is_file()]
    return named or sorted(p for p in folder.iterdir() if p.suffix.lower() in (".ttf", ".otf", ".ttc"))


def crop(rnd: random.Random, word: str, font: Path, size: int, photo: bool) -> np.ndarray:
    """``word`` cut out with a margin of a third to an eighth of its size, dark on white or on a ground that darkens across it."""
    from PIL import Image, ImageDraw

    drawn = open_font(font, size)
    x0, y0, x1, y1 = drawn.getbbox(word)
    pad = max(2, size // rnd.choice([3, 5, 8]))
    w, h = x1 - x0 + 2 * pad, y1 - y0 + 2 * pad
    if photo:
        ramp = np.linspace(rnd.randint(120, 170), rnd.randint(190, 235), w)[None, :, None] + np.linspace(-15, 15, h)[:, None, None]
        page = Image.fromarray(np.clip(np.repeat(ramp, 3, axis=2), 0, 255).astype(np.uint8))
    else:
        page = Image.new("RGB", (w, h), (255, 255, 255))
    ImageDraw.Draw(page).text((pad - x0, pad - y0), word, font=drawn, fill=(40, 30, 20))
    return cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)


def rough(pixels: np.ndarray) -> np.ndarray:
    """``pixels`` blurred a little and saved as a JPEG of quality 60, as crops cut from a photo come."""
    ok, data = cv2.imencode(".jpg", cv2.GaussianBlur(pixels, (3, 3), 0.8), [cv2.IMWRITE_JPEG_QUALITY, 60])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def read(pixels: np.ndarray, truth: str) -> dict[str, Any]:
    result = unified_ocr.recognize(pixels, engine=TesseractOptions(), cache=False)
    meta = result.meta["tesseract"]
    cer = score_text(truth, result.text, Normalization()).cer or 0.0
    return {"cer": cer, "turned": meta["turned"], "enlarged": meta["enlarged"], "text": result.text, "why": meta["orientation"].get("reason")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fonts", type=Path, help="a folder of fonts that draw Hangul (default: the Nanum faces)")
    parser.add_argument("--json", type=Path, help="also write every row and the summary here")
    args = parser.parse_args()
    fonts = faces(args.fonts)
    rnd = random.Random(args.seed)
    rows = []
    for word in WORDS:
        for _ in range(3):
            font, size, photo, blurred = rnd.choice(fonts), rnd.choice([10, 12, 14, 16, 20, 26]), rnd.random() < 0.5, rnd.random() < 0.6
            pixels = crop(rnd, word, font, size, photo)
            if blurred:
                pixels = rough(pixels)
            turn = rnd.choice([1, 2, 3])
            row = {"word": word, "font": font.name, "size": size, "photo": photo, "blurred": blurred, "shape": pixels.shape[:2],
                   "turn": 90 * turn, "upright": read(pixels, word), "turned": read(cv2.rotate(pixels, TURNS[turn]), word)}  # fmt: skip
            rows.append(row)
            up, on = row["upright"], row["turned"]
            print(f"{word:8} {font.name[:22]:22} {size:3d} {'ground' if photo else 'white':6} {'rough' if blurred else 'sharp':5} "
                  f"upright {up['cer']:5.2f} turned {up['turned']:3d} | at {row['turn']:3d}: {on['cer']:5.2f} turned {on['turned']:3d}", flush=True)  # fmt: skip
    summary = {
        "crops": len(rows),
        "upright_turned": [f"{r['word']}|{r['font']}|{r['size']}" for r in rows if r["upright"]["turned"]],
        "turned_back": sum(1 for r in rows if r["turned"]["turned"] == r["turn"]),
        "turned_more_than_0.02_off_upright": sum(1 for r in rows if r["turned"]["cer"] > r["upright"]["cer"] + TURNED_TOLERANCE),
        "cer_upright": float(np.mean([r["upright"]["cer"] for r in rows])),
        "cer_turned": float(np.mean([r["turned"]["cer"] for r in rows])),
    }
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "summary": summary}, indent=1, ensure_ascii=False, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
