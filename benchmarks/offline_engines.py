"""Both offline engines on every evaluation set with text truth, through the project's own comparison (run by hand).

For each set of ``../shared/eval`` (or ``--eval DIR``), and the generated photos of ``--photos
DIR`` (as ``benchmarks/korean_photos.py`` writes them: ``images/`` and ``gt/``): ``unified_ocr.compare``
of each mode (``rapidocr``, ``tesseract`` with its default ``layout = "auto"``, ``tess-page``: Tesseract's own
page layout alone, and the variants asked for) against the set's truth,
with no cache, printing CER, CER with spaces removed (Korean spacing apart from characters),
WER, seconds per image and, where the truth has line boxes, the share of truth lines rebuilt
exactly (a line matched by position whose text reads the same). The baseline of each row is
the other engine, in the same run.

    python benchmarks/offline_engines.py [--eval ../shared/eval] [--sets korean-real,synth-korean,photos]
                                         [--photos DIR] [--detector] [--psm-variants] [--upright] [--flattened] [--lang-variants]
                                         [--only MODES]

``--psm-variants`` adds Tesseract with ``psm = 4``, ``psm = 3`` and ``upscale_below = 1000``:
the settings that ``docs/engines/tesseract.md`` weighs against the default. ``--detector`` adds
Tesseract reading the lines the offline engine's detector finds on every image; ``--upright`` adds Tesseract
with ``orientation = false``, to see what the orientation step costs and changes; ``--flattened``
Tesseract with ``flatten = true`` (a photographed page found and flattened before it is read);
``--lang-variants`` Tesseract with ``lang = "Hangul"`` and ``"Hangul+eng"``: the Hangul script
model (Debian's ``tesseract-ocr-script-hang``) against the Korean language model of the default.
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
    "photos": ("images", "gt", "auto"),  # under --photos, not --eval
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated sets to run (default: all; photos needs --photos)")
    parser.add_argument("--detector", action="store_true", help="also Tesseract reading the detector's lines")
    parser.add_argument("--psm-variants", action="store_true", help="also Tesseract with psm 4, psm 3 and upscale_below 1000")
    parser.add_argument("--photos", type=Path, help="a generated set (benchmarks/korean_photos.py OUT_DIR), scored as 'photos'")
    parser.add_argument("--upright", action="store_true", help="also Tesseract with orientation = false")
    parser.add_argument("--flattened", action="store_true", help="also Tesseract with flatten = true")
    parser.add_argument("--lang-variants", action="store_true",
                        help="also Tesseract with lang Hangul (the script model: apt install tesseract-ocr-script-hang) and Hangul+eng")
    parser.add_argument("--only", help="comma-separated modes to run, of those chosen (default: all of them)")
    args = parser.parse_args()
    engines = ["rapidocr", "tesseract", "tess-page"]
    # Profiles: two setups of one engine are told apart by their names.
    variants = {"tess-psm4": {"psm": 4}, "tess-psm3": {"psm": 3}, "tess-upscale": {"upscale_below": 1000}}
    profiles = {"tess-page": {"backend": "tesseract", "layout": "tesseract"},
                "tess-detector": {"backend": "tesseract", "layout": "detector"},
                "tess-upright": {"backend": "tesseract", "orientation": False},
                "tess-flattened": {"backend": "tesseract", "flatten": True},
                "tess-hangul": {"backend": "tesseract", "lang": "Hangul"},
                "tess-hangul-eng": {"backend": "tesseract", "lang": "Hangul+eng"}}  # fmt: skip
    profiles.update({name: {"backend": "tesseract", **options} for name, options in variants.items()})
    config = Config.from_dict({"engines": profiles})
    if args.detector:
        engines.append("tess-detector")
    if args.psm_variants:
        engines += list(variants)
    if args.upright:
        engines.append("tess-upright")
    if args.flattened:
        engines.append("tess-flattened")
    if args.lang_variants:
        engines += ["tess-hangul", "tess-hangul-eng"]
    if args.only:
        engines = [e for e in engines if e in args.only.split(",")]
    wanted = set(args.sets.split(","))
    print(f"{'set':14} {'engine':13} {'CER':>7} {'CER -sp':>7} {'WER':>7} {'s/image':>8} {'lines rebuilt':>14}")
    for name, (images, truth, level) in SETS.items():
        base = args.photos if name == "photos" else args.eval
        if name not in wanted or base is None or not (base / images).is_dir():
            continue
        comparison = unified_ocr.compare([base / images], engines, truth=base / truth, config=config, truth_level=level,
                                         cache=False, concurrency=1, stream=io.StringIO())  # fmt: skip
        for label, s in comparison.summary["engines"].items():
            text, speed, lines = s["text"] or {}, s["speed"], s["line_detection"]
            rebuilt = f"{lines['e2e_recall']:.3f}" if lines else "-"
            bare = text.get("cer_no_spaces")
            print(f"{name:14} {label:13} {text.get('cer', 0):7.4f} {'-' if bare is None else f'{bare:.4f}':>7} {text.get('wer', 0):7.4f} "
                  f"{speed['mean_seconds'] or 0:8.2f} {rebuilt:>14}")  # fmt: skip


if __name__ == "__main__":
    main()
