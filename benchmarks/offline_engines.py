"""Both offline engines on every evaluation set with text truth, through the project's own comparison (run by hand).

For each set of ``../shared/eval`` (or ``--eval DIR``): ``unified_ocr.compare`` of ``rapidocr``
and ``tesseract`` (and, with ``--detector``, Tesseract reading the lines the offline engine's
detector finds) against the set's truth, with no cache, printing CER, WER, seconds per image
and, where the truth has line boxes, the share of truth lines rebuilt exactly (a line
matched by position whose text reads the same). The baseline of each row is the other
engine, in the same run.

    python benchmarks/offline_engines.py [--eval ../shared/eval] [--sets korean-real,synth-korean] [--detector] [--psm-variants]

``--psm-variants`` adds Tesseract with ``psm = 4``, ``psm = 3`` and ``upscale_below = 1000``:
the settings that ``docs/engines/tesseract.md`` weighs against the default.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import unified_ocr
from unified_ocr.config import Config

ROOT = Path(__file__).resolve().parents[1]
#: name: (images, truth, truth level)
SETS = {
    "korean-real": ("korean-real/images", "korean-real/gt", "auto"),
    "synth-korean": ("synth-korean/images", "synth-korean/gt_icdar", "words"),
    "sroie": ("sroie/images", "sroie/box", "lines"),
    "funsd": ("funsd/images", "funsd/annotations", "auto"),
    "icdar2015": ("icdar2015/images", "icdar2015/gt", "words"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated sets to run (default: all)")
    parser.add_argument("--detector", action="store_true", help="also Tesseract reading the detector's lines")
    parser.add_argument("--psm-variants", action="store_true", help="also Tesseract with psm 4, psm 3 and upscale_below 1000")
    args = parser.parse_args()
    engines = ["rapidocr", "tesseract"]
    # Profiles: two setups of one engine are told apart by their names.
    variants = {"tess-psm4": {"psm": 4}, "tess-psm3": {"psm": 3}, "tess-upscale": {"upscale_below": 1000}}
    profiles = {"tess-detector": {"backend": "tesseract", "layout": "detector"}}
    profiles.update({name: {"backend": "tesseract", **options} for name, options in variants.items()})
    config = Config.from_dict({"engines": profiles})
    if args.detector:
        engines.append("tess-detector")
    if args.psm_variants:
        engines += list(variants)
    wanted = set(args.sets.split(","))
    print(f"{'set':14} {'engine':13} {'CER':>7} {'WER':>7} {'s/image':>8} {'lines rebuilt':>14}")
    for name, (images, truth, level) in SETS.items():
        if name not in wanted or not (args.eval / images).is_dir():
            continue
        comparison = unified_ocr.compare([args.eval / images], engines, truth=args.eval / truth, config=config, truth_level=level,
                                         cache=False, concurrency=1, stream=io.StringIO())  # fmt: skip
        for label, s in comparison.summary["engines"].items():
            text, speed, lines = s["text"] or {}, s["speed"], s["line_detection"]
            rebuilt = f"{lines['e2e_recall']:.3f}" if lines else "-"
            print(f"{name:14} {label:13} {text.get('cer', 0):7.4f} {text.get('wer', 0):7.4f} {speed['mean_seconds'] or 0:8.2f} {rebuilt:>14}")


if __name__ == "__main__":
    main()
