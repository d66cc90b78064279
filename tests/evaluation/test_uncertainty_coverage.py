"""The intervals hold the true value as often as they say: 1,000 simulated comparisons.

Each simulated set is N pages drawn from a known, skewed distribution, the way OCR errors
fall: page lengths log-normal (median about 400 characters, some ten times longer), each
page's error rate Beta(0.3, 3) (most pages nearly clean, a long tail of bad ones: mean
0.3 / 3.3 = 0.0909, median about 0.03, skewness about 2.4), edits binomial. The true
micro-averaged CER is E[edits] / E[characters] = E[rate] = 1/11, the rate being drawn apart
from the length. The 95 % interval of each set's CER should hold it in about 95 % of the sets.

Measured (seed 1; percentile beside BCa, the method compare uses):

=========  ==========  =====
images     percentile  BCa
=========  ==========  =====
100        93.5 %      93.8 %
20         86.9 %      88.4 %
=========  ==========  =====

At 100 images the interval holds the truth about 94 times in 100: a little short of 95, as
every bootstrap interval is (it resamples the sample, whose spread is a little less than the
population's). At 20 images, with a few bad pages deciding the figure, it holds it about 88
times in 100: read a 20-image comparison's intervals as wider than they look.
"""

from __future__ import annotations

import numpy as np

from unified_ocr.evaluation.uncertainty import bootstrap_interval

TRUE_CER = 0.3 / 3.3
SETS = 1000


def pages(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` pages' (edits, characters) from the distribution above."""
    chars = rng.poisson(rng.lognormal(6, 0.8, n)) + 1
    rate = rng.beta(0.3, 3, n)
    return np.column_stack([rng.binomial(chars, rate), chars]).astype(np.float64)


def cer(sums: np.ndarray) -> np.ndarray:
    return sums[:, :1] / sums[:, 1:]


def coverage(images: int, method: str = "bca") -> float:
    rng = np.random.default_rng(1)
    held = 0
    for _ in range(SETS):
        ci = bootstrap_interval(pages(rng, images), cer, alpha=0.05, resamples=1000, rng=rng, method=method)[0]
        assert ci is not None
        held += ci[0] <= TRUE_CER <= ci[1]
    return held / SETS


def test_the_95_percent_interval_of_100_images_holds_the_true_cer_at_least_92_percent_of_the_time() -> None:
    at_100, at_20 = coverage(100), coverage(20)
    print(f"coverage of the 95 % BCa interval: {at_100:.1%} at 100 images, {at_20:.1%} at 20")
    assert at_100 >= 0.92
    assert at_20 >= 0.85  # reported above, and in docs/compare.md; held here so that it cannot quietly get worse
