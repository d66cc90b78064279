"""How much of a page the Tesseract engine finds on small photos, before and after a change (run by hand).

    python benchmarks/tesseract_small.py [--fixtures ../shared/fixtures] [--photos DIR ...] [--fit 200x260]
                                         [--baseline HEAD] [--limit N] [--lang LANG]

Users send small photos too (a thumbnail, a picture cut from a chat): a receipt shrunk to fit
200 x 260 pixels has letters 4 to 8 pixels high. For each image, shrunk to fit ``--fit``
(aspect kept, ``INTER_AREA``), the share of the reference's characters the engine found:
the reference and the reading with their blanks removed, aligned by edit distance
(:func:`characters_found`), the characters the alignment keeps equal over the reference's length.

The images: the recorded vendor answers' images under ``--fixtures`` (each beside an answer the
project reads; the vendor's reading of the full-size image is the reference; images whose
reference is mostly in scripts Tesseract's ``kor+eng`` does not read, such as Japanese, are
left out), and each ``--photos`` folder as ``benchmarks/korean_photos.py`` writes it (``images/``,
``gt/``: the truth's words are the reference; another truth file of the same name, as
``../shared/eval`` keeps them, is read as the evaluation reads it).

Before and after in one process: the engine as it was at ``--baseline`` (its package loaded
from git under a name of its own) and as it is now read every image, in turn, so that a busy
machine weighs on both alike. Prints one row per image (found before, after, and the seconds
each took), then the mean of each set, with its CER against the reference beside.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

import attrs
import cv2
import numpy as np
from rapidfuzz.distance import Levenshtein

import unified_ocr
from unified_ocr.config.choice import choose_engine
from unified_ocr.engines.base import EngineChoice
from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.text import score_text
from unified_ocr.evaluation.truth import read_truth

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from tesseract_orientation import vendor_readings  # noqa: E402

#: A reference with more than this share of its letters in scripts Tesseract's kor+eng does not
#: read (kana, Han) is left out: no setting of the engine can find those.
FOREIGN = 0.2


def characters_found(reference: str, reading: str) -> float:
    """The share of ``reference``'s characters (blanks removed, NFKC) that ``reading`` matches in
    an edit-distance alignment: the characters of its equal runs over the reference's length."""
    ref, got = (re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)) for text in (reference, reading))
    if not ref:
        return 1.0
    equal = sum(op.src_end - op.src_start for op in Levenshtein.opcodes(ref, got) if op.tag == "equal")
    return equal / len(ref)


def foreign_share(text: str) -> float:
    """The share of ``text``'s letters that are kana or Han."""
    letters = [c for c in text if c.isalpha()]
    foreign = [c for c in letters if re.match(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]", c)]
    return len(foreign) / len(letters) if letters else 0.0


def shrunk(pixels: np.ndarray, fit: tuple[int, int]) -> np.ndarray:
    """``pixels`` shrunk (never enlarged) to fit ``fit`` (width, height), aspect kept."""
    h, w = pixels.shape[:2]
    factor = min(1.0, fit[0] / w, fit[1] / h)
    if factor == 1:
        return pixels
    return cv2.resize(pixels, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA)


def engine_at(rev: str, folder: Path) -> EngineChoice:
    """The Tesseract engine as it was at git revision ``rev``, loaded under a name of its own."""
    name = "unified_ocr_tesseract_at_" + re.sub(r"\W", "_", rev)[:12]
    package = folder / name
    package.mkdir()
    listing = subprocess.run(["git", "-C", str(ROOT), "ls-tree", "--name-only", f"{rev}:plugins/unified_ocr_tesseract"],
                             check=True, capture_output=True, text=True).stdout.split()  # fmt: skip
    for file in listing:
        if file.endswith(".py"):
            source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:plugins/unified_ocr_tesseract/{file}"],
                                    check=True, capture_output=True, text=True).stdout  # fmt: skip
            (package / file).write_text(source, encoding="utf-8")
    sys.path.insert(0, str(folder))
    module = importlib.import_module(name)
    return EngineChoice(f"tesseract@{rev}", module.TesseractEngine, module.TesseractOptions())


def images(fixtures: Path | None, photos: list[Path], limit: int) -> list[tuple[str, str, np.ndarray, str]]:
    """(set, image name, pixels, reference text) of every image measured."""
    found: list[tuple[str, str, np.ndarray, str]] = []
    if fixtures is not None:
        for vendor, image, text in vendor_readings(fixtures):
            pixels = cv2.imread(str(image), cv2.IMREAD_COLOR)
            if pixels is not None and foreign_share(text) <= FOREIGN:
                found.append((vendor, image.name, pixels, text))
    for folder in photos:
        for image in sorted((folder / "images").iterdir())[: limit or None]:
            answer = folder / "gt" / f"{image.stem}.json"
            if answer.is_file():
                truth = json.loads(answer.read_text(encoding="utf-8"))
                text = "\n".join(line["text"] for line in truth.get("lines", [])) or " ".join(w["text"] for w in truth["words"])
            else:  # another truth format of ../shared/eval (korean-real's text files)
                other = sorted((folder / "gt").glob(f"{image.stem}.*"))
                if not other:
                    continue
                text = "\n".join(page.text for page in read_truth(other[0]).pages)
            pixels = cv2.imread(str(image), cv2.IMREAD_COLOR)
            if pixels is not None:
                found.append((folder.name, image.name, pixels, text))
    return found


def read(choice: EngineChoice, pixels: np.ndarray) -> tuple[str, float]:
    started = time.perf_counter()
    text = unified_ocr.recognize(pixels, engine=choice, cache=False).text
    return text, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=ROOT.parent / "shared" / "fixtures")
    parser.add_argument("--no-fixtures", action="store_true", help="only the --photos folders")
    parser.add_argument("--photos", type=Path, action="append", default=[], help="a generated set (images/, gt/); repeatable")
    parser.add_argument("--fit", default="200x260", help="shrink each image to fit WxH (aspect kept)")
    parser.add_argument("--baseline", default="HEAD", help="git revision of the engine to compare with ('' for none)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many images of each --photos folder")
    parser.add_argument("--lang", help="the engine now reads with this lang (e.g. Hangul), the baseline with its default")
    parser.add_argument("--json", type=Path, help="also write every row here")
    args = parser.parse_args()
    fit = tuple(int(v) for v in args.fit.split("x"))
    current = choose_engine("tesseract")
    if args.lang:
        current = attrs.evolve(current, options=attrs.evolve(current.options, lang=args.lang))
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        base = engine_at(args.baseline, Path(folder)) if args.baseline else None
        found = images(None if args.no_fixtures else args.fixtures, args.photos, args.limit)
        for choice in (base, current):  # models loaded before the clock starts: the first image is timed as the rest
            if choice is not None and found:
                read(choice, shrunk(found[0][2], fit))  # type: ignore[arg-type]
        print(f"{'set':10} {'image':42} {'size':>9} {'chars':>5} {'before':>7} {'after':>7} {'s before':>8} {'s after':>8}")
        for name, image, pixels, reference in found:
            small = shrunk(pixels, fit)  # type: ignore[arg-type]
            row: dict[str, Any] = {"set": name, "image": image, "size": f"{small.shape[1]}x{small.shape[0]}"}
            row["chars"] = len(re.sub(r"\s+", "", reference))
            for label, choice in (("before", base), ("after", current)):
                if choice is None:
                    continue
                text, seconds = read(choice, small)
                row[label], row[f"s_{label}"], row[f"text_{label}"] = characters_found(reference, text), seconds, text
                row[f"cer_{label}"] = score_text(reference, text, Normalization()).cer
            rows.append(row)
            print(f"{name[:10]:10} {image[:42]:42} {row['size']:>9} {row['chars']:5d} {row.get('before', float('nan')):7.3f} "
                  f"{row['after']:7.3f} {row.get('s_before', float('nan')):8.2f} {row['s_after']:8.2f}", flush=True)  # fmt: skip
    print()
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["set"], []).append(row)
    photos = {folder.name for folder in args.photos}
    groups["fixtures"] = [row for row in rows if row["set"] not in photos]
    groups["all"] = rows
    for group, members in groups.items():
        if not members:
            continue
        mean = {k: float(np.mean([r[k] for r in members])) if base is not None or not k.endswith("before") else float("nan")
                for k in ("before", "after", "s_before", "s_after", "cer_before", "cer_after")}  # fmt: skip
        worst = min(members, key=lambda r: r["after"])
        print(f"{group:10} {len(members):3d} images: found {mean['before']:.3f} -> {mean['after']:.3f}, "
              f"CER {mean['cer_before']:.3f} -> {mean['cer_after']:.3f}, seconds {mean['s_before']:.2f} -> {mean['s_after']:.2f}, least now {worst['after']:.3f} ({worst['image']})")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
