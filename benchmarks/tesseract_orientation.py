"""Whether the Tesseract engine's orientation step ever makes a page read worse (run by hand).

    python benchmarks/tesseract_orientation.py [--eval ../shared/eval] [--sets korean-real,synth-korean,sroie,funsd,icdar2015,rec-crops]
                                               [--extra DIR ...] [--fixtures DIR] [--scales 1,0.5] [--limit N] [--json OUT]
                                               [--lang LANG]

For every image of the sets (and of each ``--extra`` folder holding ``images/`` and ``gt/``, as
``korean_photos.py`` writes), and of ``--fixtures`` (recorded vendor answers: each image beside
an answer the project parses, that vendor's reading standing for the truth), at each scale: CER with ``orientation = false``, CER with
``orientation = true`` upright, and with the image turned 90, 180 and 270 degrees, with how far
the engine turned each (its orientation step and, on a photo, the flattening's levelling together). Prints one row per image and scale, then the summary: pages read worse
with orientation on than off, turned pages reading more than 0.02 CER off their upright
reading, upright pages the engine turned, and seconds per image with orientation off and on.
Runs whatever ``unified_ocr_tesseract`` imports (put an older copy first on ``PYTHONPATH`` to
measure it).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

import unified_ocr
from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.text import score_text
from unified_ocr.evaluation.truth import read_truth
from unified_ocr_tesseract import TesseractOptions

ROOT = Path(__file__).resolve().parents[1]
SETS = {"korean-real": ("korean-real/images", "korean-real/gt"), "synth-korean": ("synth-korean/images", "synth-korean/gt_json"),
        "sroie": ("sroie/images", "sroie/box"), "funsd": ("funsd/images", "funsd/annotations"),
        "icdar2015": ("icdar2015/images", "icdar2015/gt"), "rec-crops": ("rec-crops/images", "rec-crops/label.txt")}  # fmt: skip
TURNS = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}
#: How far a turned page may read from the same page upright.
TURNED_TOLERANCE = 0.02


def pairs(images: Path, truth: Path) -> list[tuple[Path, Path | str]]:
    """Each image with the truth file of the same name (or ``gt_`` and its name, as ICDAR 2015
    names them), or, where ``truth`` is one label file (``name text`` a line, as the word crops
    have it), with its text."""
    if truth.is_file():
        labels = dict(line.split(maxsplit=1) for line in truth.read_text(encoding="utf-8").splitlines() if " " in line.strip())
        return [(image, labels[image.name].strip()) for image in sorted(images.iterdir()) if image.name in labels]
    found: list[tuple[Path, Path | str]] = []
    for image in sorted(images.iterdir()):
        match = [t for name in (image.stem, "gt_" + image.stem) for t in sorted(truth.glob(name + ".*")) if t.suffix in (".txt", ".json", ".csv")]
        if match:
            found.append((image, match[0]))
    return found


def cer(truth: str, pixels: np.ndarray, options: TesseractOptions) -> tuple[float, int, float, dict[str, Any]]:
    """CER of the engine's reading, how far it turned the page, the seconds it took, and the
    orientation step's account of its decision (the engine's ``meta``)."""
    started = time.perf_counter()
    result = unified_ocr.recognize(pixels, engine=options, cache=False)
    seconds = time.perf_counter() - started
    meta = result.meta.get("tesseract", {})
    # the whole turn: the orientation step's quarter turns and flattening's levelling (a photo's
    # rows laid level at any angle, a quarter turn among them), to the nearest quarter
    turned = int(90 * round((float(meta.get("turned", 0)) + float(meta.get("levelled", 0.0))) / 90)) % 360
    return score_text(truth, result.text, Normalization()).cer or 0.0, turned, seconds, meta.get("orientation", {})


def vendor_readings(folder: Path) -> list[tuple[str, Path, str]]:
    """(vendor, image, the vendor's text) for each image of ``folder/VENDOR/`` whose recorded
    answer (the JSON whose name starts with the image's) the project reads."""
    found = []
    for vendor in sorted(p for p in folder.iterdir() if p.is_dir()):
        for image in sorted(p for p in vendor.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png")):
            for answer in sorted(vendor.glob(image.stem.split(".")[0] + "*.json")):
                try:
                    text = unified_ocr.parse(json.loads(answer.read_text(encoding="utf-8")), vendor.name, image=image).text
                except Exception:  # noqa: BLE001  (a fragment, or not the API's shape: no reference)
                    continue
                if text.strip():
                    found.append((vendor.name, image, text))
                    break
    return found


def measure(name: str, image: Path, truth_file: Path | str, scale: float, lang: str | None = None) -> dict[str, Any]:
    """``truth_file``: the truth's file, or the reference text itself; ``lang``: the engine's (None: its default)."""
    given = {} if lang is None else {"lang": lang}
    truth = truth_file if isinstance(truth_file, str) else "\n".join(page.text for page in read_truth(truth_file).pages)
    pixels = cv2.imread(str(image), cv2.IMREAD_COLOR)
    if scale != 1:
        pixels = cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    off, _, seconds_off, _ = cer(truth, pixels, TesseractOptions(orientation=False, **given))
    row: dict[str, Any] = {"set": name, "image": image.name, "scale": scale, "off": off, "seconds_off": seconds_off}
    for k in range(4):
        turned = cv2.rotate(pixels, TURNS[k]) if k else pixels
        value, by, seconds, why = cer(truth, turned, TesseractOptions(orientation=True, **given))
        row[f"on{90 * k}"], row[f"turned{90 * k}"], row[f"why{90 * k}"] = value, by, why
        if k == 0:
            row["seconds_on"] = seconds
    return row


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    worse = [r for r in rows if r["on0"] > r["off"] + 1e-9]
    far = [(r, k) for r in rows for k in (90, 180, 270) if r[f"on{k}"] > r["on0"] + TURNED_TOLERANCE]
    wrong = [(r, k) for r in rows for k in (0, 90, 180, 270) if r[f"turned{k}"] not in (0, k) or (k == 0 and r["turned0"])]
    return {
        "pages": len(rows),
        "worse_on_than_off": [f"{r['set']}/{r['image']}@{r['scale']}" for r in worse],
        "turned_more_than_0.02_off_upright": [f"{r['set']}/{r['image']}@{r['scale']} {k}" for r, k in far],
        "turned_wrongly": [f"{r['set']}/{r['image']}@{r['scale']} {k}->{r[f'turned{k}']}" for r, k in wrong],
        "upright_turned": sum(1 for r in rows if r["turned0"]),
        "cer_off": float(np.mean([r["off"] for r in rows])),
        "cer_on": {k: float(np.mean([r[f"on{k}"] for r in rows])) for k in (0, 90, 180, 270)},
        "seconds_off": float(np.mean([r["seconds_off"] for r in rows])),
        "seconds_on": float(np.mean([r["seconds_on"] for r in rows])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--extra", type=Path, action="append", default=[], help="a folder with images/ and gt/ (repeatable)")
    parser.add_argument("--fixtures", type=Path, help="recorded vendor answers beside their images (VENDOR/ folders)")
    parser.add_argument("--scales", default="1,0.5")
    parser.add_argument("--limit", type=int, default=0, help="at most this many images of each set (0: all)")
    parser.add_argument("--json", type=Path, help="also write every row and the summary here")
    parser.add_argument("--lang", help="the engine's lang (default: its own, kor+eng)")
    args = parser.parse_args()
    sources = [(name, args.eval / SETS[name][0], args.eval / SETS[name][1]) for name in args.sets.split(",") if name]
    sources += [(folder.name, folder / "images", folder / "gt") for folder in args.extra]
    found_per_set: list[tuple[str, list[tuple[Path, Path | str]]]] = [(name, pairs(images, truth)) for name, images, truth in sources]
    if args.fixtures:
        readings = vendor_readings(args.fixtures)
        for vendor in dict.fromkeys(v for v, _, _ in readings):
            found_per_set.append((vendor, [(image, text) for v, image, text in readings if v == vendor]))
    rows = []
    print(f"{'set':14} {'image':24} {'scale':>5} {'off':>6} {'on':>6} {'90':>6} {'180':>6} {'270':>6}  turned(0/90/180/270)")
    for name, found in found_per_set:
        for image, truth_file in found[: args.limit or None]:
            for scale in (float(s) for s in args.scales.split(",")):
                r = measure(name, image, truth_file, scale, args.lang)
                rows.append(r)
                turned = "/".join(str(r[f"turned{k}"]) for k in (0, 90, 180, 270))
                print(f"{name:14} {image.name[:24]:24} {scale:5.2f} {r['off']:6.3f} {r['on0']:6.3f} {r['on90']:6.3f} "
                      f"{r['on180']:6.3f} {r['on270']:6.3f}  {turned}", flush=True)  # fmt: skip
    result = summary(rows)
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "summary": result}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
