"""How fast detection scoring is, against the official ICDAR 2015 matching, on the same pages (run by hand).

Synthetic pages of 300 words each (rotated quads, do-not-care regions, detections nudged,
split, merged or missing) are scored by :class:`unified_ocr.evaluation.detection.DetectionScore`
(bounding-box candidates through an STRtree, one vectorised intersection per candidate pair)
and by a line-for-line reading of the official script (every truth region against every
detection), in the same process. The figures must be identical; the ratio is the speed-up.
The reference is slow, so it scores the first ``--reference-pages`` pages and its time per
page is set against ours. Memory: the scoring keeps counts only, so its peak is the same
for 100 pages as for all of them.

What the statistics cost: two engines' readings of the same pages are scored by every
built-in metric as ``compare`` scores them (:class:`unified_ocr.comparison.score.EngineScore`),
then given their intervals and paired comparison (1,000 resamples, BCa); the ratio is the
time with statistics over the time without (the issue asks for at most 1.20).

    python benchmarks/compare_scoring.py            # 1,000 pages, reference on 20 of them
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the reference reading lives with the tests

from tests.evaluation.icdar15_reference import reference_icdar15  # noqa: E402
from unified_ocr import Line, OcrResult, Quad, Word  # noqa: E402
from unified_ocr.batch.readings import Reading  # noqa: E402
from unified_ocr.comparison.score import EngineScore, Resampling, add_intervals, paired_comparisons  # noqa: E402
from unified_ocr.evaluation.detection import DetectionScore  # noqa: E402
from unified_ocr.evaluation.metrics import BUILT_IN  # noqa: E402
from unified_ocr.evaluation.normalize import Normalization  # noqa: E402
from unified_ocr.evaluation.truth import truth_page  # noqa: E402

Page = tuple[list[tuple[Quad, str]], list[Quad]]


def turned(cx: float, cy: float, w: float, h: float, degrees: float) -> Quad:
    t = math.radians(degrees)
    u, v = (math.cos(t), math.sin(t)), (-math.sin(t), math.cos(t))
    return Quad([(cx + a * u[0] + b * v[0], cy + a * u[1] + b * v[1]) for a, b in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2))])


def page(rng: random.Random, words: int = 300) -> Page:
    """A page of ``words`` truth words in rows, a few turned and a few do-not-care, and detections of them."""
    truth, detections = [], []
    angle = rng.choice([0, 0, 0, 3, -5, 90])
    for k in range(words):
        row, col = divmod(k, 15)
        q = turned(60 + col * 130, 40 + row * 36, rng.uniform(50, 120), rng.uniform(18, 28), angle + rng.uniform(-2, 2))
        text = "###" if rng.random() < 0.05 else f"w{k}"
        truth.append((q, text))
        detections += [quad for quad, _ in detect(rng, q, text)]
    rng.shuffle(detections)
    return truth, detections


def detect(rng: random.Random, q: Quad, text: str) -> list[tuple[Quad, str]]:
    """An engine's detections of one truth word, with what it reads in each."""
    roll = rng.random()
    (cx, cy), w, h, a = q.center, q.width, q.height, q.angle
    if roll < 0.75:  # found, nudged
        return [(turned(cx + rng.uniform(-4, 4), cy + rng.uniform(-3, 3), w * rng.uniform(0.85, 1.15), h, a + rng.uniform(-2, 2)), text)]
    if roll < 0.85:  # split in two
        return [(turned(cx - w / 4, cy, w / 2, h, a), text[: len(text) // 2]), (turned(cx + w / 4, cy, w / 2, h, a), text[len(text) // 2 :])]
    if roll < 0.95:  # missed
        return []
    return [(turned(rng.uniform(0, 2000), rng.uniform(0, 800), 60, 20, 0), "noise")]  # a false detection somewhere else


def as_result(items: list[tuple[Quad, str]]) -> OcrResult:
    """Words in rows of 15 (as the pages lay them out) as a result: truth and readings alike."""
    words = [Word(text, quad) for quad, text in items]
    return truth_page([Line.from_words(words[k : k + 15]) for k in range(0, len(words), 15)], ["words", "lines"])


def statistics_cost(pages: list[Page], resampling: Resampling) -> tuple[float, float]:
    """Seconds to score two engines' readings of ``pages`` with every built-in metric, and to add the statistics."""
    truths: list[OcrResult] = []
    readings: dict[str, list[OcrResult]] = {"first": [], "second": []}
    for (truth, _), seed in zip(pages, range(len(pages))):
        truths.append(as_result(truth))
        for engine, rng in (("first", random.Random(seed)), ("second", random.Random(-seed - 1))):
            read = [d for q, text in truth for d in detect(rng, q, text if rng.random() < 0.9 else text.upper())]
            readings[engine].append(as_result(read))
    started = time.perf_counter()
    scores = {e: EngineScore(e, Normalization(), None, BUILT_IN) for e in readings}
    for k, truth_result in enumerate(truths):
        for engine, score in scores.items():
            score.add(Reading(f"{k}.png", engine, readings[engine][k], seconds=0.1, attempts=1), truth_result)
    summaries = {e: s.summary(len(pages)) for e, s in scores.items()}
    scoring = time.perf_counter() - started
    started = time.perf_counter()
    for engine, score in scores.items():
        add_intervals(score, summaries[engine], resampling)
    pairs = paired_comparisons(scores, resampling)
    statistics = time.perf_counter() - started
    assert pairs and summaries["first"]["text"]["cer_ci"] is not None
    return scoring, statistics


def score(pages: list[Page]) -> dict[str, float]:
    total = DetectionScore()
    for truth, dets in pages:
        total.update([q for q, _ in truth], [t for _, t in truth], dets, [""] * len(dets), str)
    s = total.summary()
    return {k: s[k] for k in ("precision", "recall", "hmean", "matched", "truth_care", "detection_care")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--reference-pages", type=int, default=20)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(0)
    pages = [page(rng) for _ in range(args.pages)]
    subset = pages[: args.reference_pages]

    started = time.perf_counter()
    ours_all = score(pages)
    ours_seconds = time.perf_counter() - started
    started = time.perf_counter()
    ours_subset = score(subset)
    ours_subset_seconds = time.perf_counter() - started
    started = time.perf_counter()
    reference = reference_icdar15(subset)
    reference_seconds = time.perf_counter() - started
    same = all(math.isclose(ours_subset[k], reference[k], abs_tol=1e-12) for k in ours_subset)

    tracemalloc.start()
    score(pages[: max(1, args.pages // 10)])
    small_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    score(pages)
    full_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    per_page_ours, per_page_ref = ours_subset_seconds / len(subset), reference_seconds / len(subset)
    print(f"{args.pages} pages x 300 words: scored in {ours_seconds:.2f} s ({ours_seconds / args.pages * 1000:.1f} ms a page); "
          f"P {ours_all['precision']:.4f} R {ours_all['recall']:.4f} H {ours_all['hmean']:.4f}")
    print(f"reference matching on {len(subset)} pages: {per_page_ref * 1000:.0f} ms a page, ours {per_page_ours * 1000:.1f} ms: "
          f"{per_page_ref / per_page_ours:.0f}x faster; figures identical: {same}")
    print(f"peak memory while scoring: {small_peak / 1e6:.1f} MB for {max(1, args.pages // 10)} pages, "
          f"{full_peak / 1e6:.1f} MB for {args.pages} (the pages themselves are held by the benchmark, not the scoring)")

    resampling = Resampling(resamples=args.resamples)
    scoring, statistics = statistics_cost(pages, resampling)
    print(f"two engines on {args.pages} pages, every built-in metric: scored in {scoring:.2f} s; intervals and paired "
          f"comparison ({resampling.resamples} resamples, {resampling.method}) {statistics:.2f} s more: "
          f"with statistics / without = {(scoring + statistics) / scoring:.3f}")


if __name__ == "__main__":
    main()
