"""Intervals and paired comparisons, on sets small enough to work out by hand, and the metrics'
counts contract: every built-in figure rebuilt from summed per-image counts is the figure itself."""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np
import pytest

from unified_ocr import Field, Line, Quad, Word
from unified_ocr.evaluation.metrics import BUILT_IN, Metric
from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.truth import truth_page
from unified_ocr.evaluation.uncertainty import (
    bootstrap_interval,
    paired_difference,
    permutation_p_value,
    wins_ties_losses,
)


def cer(sums: np.ndarray) -> np.ndarray:
    """Edits summed over characters summed: the micro-averaged CER of (edits, characters) counts."""
    return sums[:, :1] / sums[:, 1:]


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


# Three images of 10 characters each. A reads them with 1, 2, 1 edits; B with 3, 3, 0.
A = np.array([[1.0, 10.0], [2.0, 10.0], [1.0, 10.0]])
B = np.array([[3.0, 10.0], [3.0, 10.0], [0.0, 10.0]])


def test_the_interval_of_three_images_is_the_enumerated_bootstrap_distribution() -> None:
    # A's CER over a resample is the edits of three images drawn with replacement over 30
    # characters: 27 equally likely draws. The least, 3 edits (image 0 or 2 each time: 8 of 27,
    # 30 %), and the most, 6 (image 1 three times: 1 of 27, 3.7 %), both hold more than 2.5 % of
    # the draws, so the 95 % percentile interval is [3/30, 6/30] = [0.1, 0.2].
    draws = sorted(sum(A[i, 0] for i in pick) / 30 for pick in product(range(3), repeat=3))
    assert draws[0] == 0.1 and draws[-1] == 0.2 and draws.count(0.1) == 8 and draws.count(0.2) == 1
    low, high = bootstrap_interval(A, cer, rng=rng(), method="percentile")[0]  # type: ignore[misc]
    assert (low, high) == pytest.approx((0.1, 0.2))
    low, high = bootstrap_interval(A, cer, rng=rng(), method="bca")[0]  # type: ignore[misc]
    assert 0.1 - 1e-12 <= low <= 4 / 30 <= high <= 0.2 + 1e-12  # BCa moves the levels, never past the draws


def test_the_paired_difference_and_its_interval_of_three_images() -> None:
    # Per image, A - B is -2, -1, +1 edits of 10. Resampled in pairs, the difference is three of
    # those drawn with replacement, over 30: at least -6/30 (all -2: 1 of 27, 3.7 %) and at most
    # +3/30 (all +1: 1 of 27), so the percentile interval is [-0.2, 0.1]; observed (4 - 6) / 30.
    [(difference, ci)] = paired_difference(A, B, cer, rng=rng(), method="percentile")  # type: ignore[misc]
    assert difference == pytest.approx(-2 / 30)
    assert ci == pytest.approx((-0.2, 0.1))


def test_the_permutation_p_value_of_three_images_is_enumerated() -> None:
    # Swapping A and B on image i flips the sign of its difference (-2, -1, +1 edits): the 8
    # swaps give differences of +-4, +-2, +-2 and 0, 0 (edits of 30). Observed: -2. As extreme
    # (|d| >= 2): 6 of 8, p = 0.75: no evidence that A and B differ.
    differences = [sum(s * d for s, d in zip(signs, (-2, -1, 1))) for signs in product((1, -1), repeat=3)]
    assert sorted(abs(d) for d in differences) == [0, 0, 2, 2, 2, 2, 4, 4]
    assert permutation_p_value(A, B, cer, rng=rng()) == [0.75]
    # A one edit better on each image: only "none swapped" and "all swapped" are as extreme: 2 of 8.
    assert permutation_p_value(A, A + [1.0, 0.0], cer, rng=rng()) == [0.25]
    # and the same answer whatever the generator: nothing random when every swap is tried
    assert permutation_p_value(A, B, cer, rng=np.random.default_rng(7)) == [0.75]


def test_many_images_draw_random_swaps_and_a_real_difference_is_significant() -> None:
    generator = np.random.default_rng(1)
    chars = generator.integers(50, 500, 60).astype(float)
    a = np.column_stack([generator.binomial(chars.astype(int), 0.02), chars])
    b = np.column_stack([generator.binomial(chars.astype(int), 0.06), chars])
    [p] = permutation_p_value(a, b, cer, resamples=999, rng=rng())
    assert p == pytest.approx(1 / 1000)  # none of 999 random swaps as extreme: (1 + 0) / (1 + 999), never 0
    [(difference, (low, high))] = paired_difference(a, b, cer, rng=rng())  # type: ignore[misc]
    assert low <= difference <= high < 0  # A's CER is lower, and the interval says so


def test_wins_ties_and_losses_follow_the_figures_direction() -> None:
    per_a, per_b = cer(A).ravel(), cer(B).ravel()
    assert wins_ties_losses(per_a, per_b, lower_is_better=True) == (2, 0, 1)
    assert wins_ties_losses(per_a, per_b, lower_is_better=False) == (1, 0, 2)
    assert wins_ties_losses(per_a, per_a, lower_is_better=True) == (0, 3, 0)


def test_the_same_seed_gives_the_same_interval_and_an_undefined_figure_none() -> None:
    many = np.column_stack([np.arange(20.0), np.full(20, 40.0)])
    assert bootstrap_interval(many, cer, rng=rng()) == bootstrap_interval(many, cer, rng=rng())
    assert bootstrap_interval(np.array([[0.0, 0.0], [0.0, 0.0]]), cer, rng=rng()) == [None]  # no characters at all
    with pytest.raises(ValueError, match="percentile, bca"):
        bootstrap_interval(many, cer, rng=rng(), method="t")


# the counts contract: each built-in metric's figures, rebuilt from the summed per-image counts


def box(x: float, text: str) -> Word:
    return Word(text, Quad.from_bbox(x, 0, x + 40, 20))


def page(texts: list[str], fields: dict[str, str] | None = None) -> Any:
    words = [box(50 * k, t) for k, t in enumerate(texts)]
    lines = [Line.from_words(words)] if words else []
    return truth_page(lines, ["words", "lines"], fields=[Field(n, text=v) for n, v in (fields or {}).items()])


TRUTHS = [page(["Green", "tea", "3,000"], {"total": "3,000"}), page(["TOTAL", "12,400", "###"], {"total": "12,400"}),
          page(["아버지가", "방에", "들어가신다"])]  # fmt: skip
READINGS = [page(["Green", "tee", "3,000"], {"total": "3,000"}), None, page(["아버지", "가방에", "들어가신다"])]


@pytest.mark.parametrize("cls", [m for m in BUILT_IN if m.counts], ids=lambda m: m.name)
def test_every_figure_rebuilt_from_the_summed_counts_is_the_summary_figure(cls: type[Metric]) -> None:
    metric = cls(Normalization())
    sums: dict[str, float] = dict.fromkeys(cls.counts, 0)
    for truth, reading in zip(TRUTHS, READINGS):
        metric.update(truth, reading)
        counts = metric.image_counts()
        if counts is not None:
            assert set(counts) == set(cls.counts)
            sums = {k: sums[k] + counts[k] for k in cls.counts}
    summary = metric.summary()
    assert summary is not None
    figures = cls.figures_from(sums)
    assert figures and all(summary[name] == value for name, value in figures.items())  # to the last digit


def test_text_counts_are_every_integer_count_of_a_page() -> None:
    text = next(m for m in BUILT_IN if m.name == "text")
    assert {"char_edits", "chars", "word_edits", "words", "bow_hits", "bow_predicted"} <= set(text.counts)
    assert text.lower_is_better("cer") and text.lower_is_better("wer") and not text.lower_is_better("bow_f1")
    assert not next(m for m in BUILT_IN if m.name == "detection").lower_is_better("hmean")
    assert not next(m for m in BUILT_IN if m.name == "cleval").counts  # CLEval keeps its counts inside its package
