"""Character error rate of an engine on the SROIE receipts in ../shared/eval (run by hand).

    python benchmarks/sroie_cer.py [--engine NAME] [--eval DIR]

The reference is each receipt's ground-truth segments in file order; the hypothesis is
``result.text``. Both are compared as the comparison compares them (``unified_ocr.evaluation``):
NFKC, every run of whitespace one space (a line break in one where the other has a space is
no error: SROIE cuts a row into segments where an engine gives the row as one line), and
case folded: SROIE's ground truth is written in capitals whatever the print says.
CER = edit distance / reference length, summed over the set (micro average).
Needs an engine that can run (default: the offline one).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import unified_ocr
from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.text import TextScore
from unified_ocr.evaluation.truth import read_truth

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


NORMALIZATION = Normalization(fold_case=True)


def reference(box_csv: Path) -> str:
    return read_truth(box_csv, "icdar").text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default=None, help="profile or engine name (default: the offline engine)")
    parser.add_argument("--eval", type=Path, default=EVAL, help="the shared eval folder")
    args = parser.parse_args()
    images = sorted((args.eval / "sroie" / "images").glob("*.jpg"))
    if not images:
        raise SystemExit(f"no SROIE images under {args.eval / 'sroie'}")
    unified_ocr.recognize(images[0], engine=args.engine)  # load the model outside the timing
    score = TextScore(NORMALIZATION)
    seconds = 0.0
    for image in images:
        ref = reference(args.eval / "sroie" / "box" / f"{image.stem}.csv")
        started = time.perf_counter()
        result = unified_ocr.recognize(image, engine=args.engine)
        seconds += time.perf_counter() - started
        page = result.pages[0]
        outside = sum(1 for w in page.words if not _inside(w.quad.bbox(), page.width, page.height))
        page_score = score.update(ref, result.text)
        print(f"{image.name}  CER {page_score.cer or 0:.3f}  words {len(page.words):4d}  outside-image {outside}")
    print(f"engine {result.engine}: CER {score.summary()['cer']:.4f} over {len(images)} images, {seconds / len(images):.2f} s per image")


def _inside(bbox: tuple[float, float, float, float], width: int, height: int, slack: float = 2.0) -> bool:
    x0, y0, x1, y1 = bbox
    return x0 >= -slack and y0 >= -slack and x1 <= width + slack and y1 <= height + slack


if __name__ == "__main__":
    main()
