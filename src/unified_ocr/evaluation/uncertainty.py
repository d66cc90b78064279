"""How sure a figure is, and whether two engines really differ: bootstrap and permutation over images.

Every figure of a comparison is micro-averaged (CER = character edits summed over the images /
truth characters summed), so the unit of resampling is an image's *counts*, not its ratio:
``counts`` is an N x K array (N images, K counts such as edits and characters) and
``statistic`` maps summed counts, an M x K array, to figures, an M x F array (``nan`` where a
figure has nothing to divide by). A resample is a row of weights (how many times each image
is drawn), so B resamples are one B x N by N x K product: 1,000 of them cost little.

The functions are pure: numbers in, numbers out, the randomness from a seeded
:class:`numpy.random.Generator` passed in, so a seed gives the same intervals every time.

- :func:`bootstrap_interval`: a 1 - alpha interval of each figure, resampling images
  (percentile or BCa, Efron & Tibshirani 1993, ch. 13-14).
- :func:`paired_difference`: the difference of two engines' figures over the same images,
  with a paired bootstrap interval (both engines' counts resampled with the same weights).
- :func:`permutation_p_value`: the two-sided p-value of that difference under "the engines
  are exchangeable on each image" (each image's two readings swapped or not; every one of
  the 2**N assignments when few enough, else random ones).
- :func:`wins_ties_losses`: on how many images one engine's figure is better, equal, worse.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import product
from statistics import NormalDist

import numpy as np

#: Summed counts (M x K) to figures (M x F), ``nan`` where a figure is undefined.
Statistic = Callable[[np.ndarray], np.ndarray]
#: The interval methods :func:`bootstrap_interval` knows.
METHODS = ("percentile", "bca")
#: Two figures closer than this are equal (a tie; an equally extreme permutation).
TOLERANCE = 1e-12
_NORMAL = NormalDist()


def resample_weights(images: int, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """``resamples`` x ``images`` weights: how many times each image is drawn in each resample.

    Each row draws ``images`` images with replacement, so each row sums to ``images``.

    >>> w = resample_weights(3, 4, np.random.default_rng(0))
    >>> w.shape, w.sum(axis=1).tolist()
    ((4, 3), [3.0, 3.0, 3.0, 3.0])
    """
    drawn = rng.integers(0, images, size=(resamples, images))
    flat = drawn + np.arange(resamples)[:, None] * images
    return np.bincount(flat.ravel(), minlength=resamples * images).reshape(resamples, images).astype(np.float64)


def percentile_interval(estimates: np.ndarray, alpha: float) -> tuple[float, float]:
    """The alpha/2 and 1 - alpha/2 quantiles of the bootstrap ``estimates`` (``nan`` left out).

    >>> percentile_interval(np.arange(101.0), 0.1)
    (5.0, 95.0)
    """
    finite = estimates[np.isfinite(estimates)]
    low, high = np.quantile(finite, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def bca_interval(estimates: np.ndarray, observed: float, jackknife: np.ndarray, alpha: float) -> tuple[float, float]:
    """The bias-corrected and accelerated (BCa) interval.

    z0 = Phi^-1(share of ``estimates`` below ``observed``, ties counted half) corrects for bias;
    a = sum(d^3) / (6 * sum(d^2)^1.5), d = mean(jackknife) - jackknife (the figure with each
    image left out in turn), for skew. The interval is the quantiles
    Phi(z0 + (z0 + z) / (1 - a * (z0 + z))) of ``estimates`` for z = Phi^-1(alpha/2) and
    Phi^-1(1 - alpha/2). With no bias and no skew (z0 = a = 0) it is the percentile interval:

    >>> [round(x, 9) for x in bca_interval(np.arange(101.0), 50.0, np.array([1.0, 2.0, 3.0]), 0.1)]
    [5.0, 95.0]
    """
    finite = estimates[np.isfinite(estimates)]
    below = np.count_nonzero(finite < observed - TOLERANCE) + 0.5 * np.count_nonzero(np.abs(finite - observed) <= TOLERANCE)
    share = below / len(finite)
    if not 0 < share < 1:  # every resample on one side: no bias correction to make
        return percentile_interval(finite, alpha)
    z0 = _NORMAL.inv_cdf(share)
    jack = jackknife[np.isfinite(jackknife)]
    d = jack.mean() - jack if len(jack) else np.zeros(1)
    spread = float(np.sum(d**2))
    a = float(np.sum(d**3)) / (6 * spread**1.5) if spread > 0 else 0.0
    levels = []
    for z in (_NORMAL.inv_cdf(alpha / 2), _NORMAL.inv_cdf(1 - alpha / 2)):
        levels.append(_NORMAL.cdf(z0 + (z0 + z) / (1 - a * (z0 + z))))
    low, high = np.quantile(finite, levels)
    return float(low), float(high)


def jackknife(counts: np.ndarray, statistic: Statistic) -> np.ndarray:
    """The figures with each image left out in turn (N x F): the totals less that image's counts.

    >>> share = lambda s: s[:, :1] / s[:, 1:]
    >>> jackknife(np.array([[1.0, 2.0], [3.0, 4.0]]), share).ravel().tolist()
    [0.75, 0.5]
    """
    return _figures(statistic, counts.sum(axis=0)[None, :] - counts)


def bootstrap_interval(
    counts: np.ndarray, statistic: Statistic, *, alpha: float = 0.05, resamples: int = 1000,
    rng: np.random.Generator, method: str = "bca",
) -> list[tuple[float, float] | None]:  # fmt: skip
    """A 1 - ``alpha`` interval of each figure of ``statistic`` over ``counts`` (N x K), images resampled.

    One interval per figure; ``None`` where the figure over all images is undefined, or where
    fewer than half the resamples define it.

    >>> errors = np.array([[1.0, 10.0], [0.0, 10.0], [5.0, 10.0]])  # edits, characters per image
    >>> cer = lambda s: s[:, :1] / s[:, 1:]
    >>> bootstrap_interval(errors, cer, resamples=200, rng=np.random.default_rng(0), method="percentile")
    [(0.0, 0.5)]
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    observed = _figures(statistic, counts.sum(axis=0)[None, :])[0]
    estimates = _figures(statistic, resample_weights(len(counts), resamples, rng) @ counts)
    jack = jackknife(counts, statistic) if method == "bca" else None
    out: list[tuple[float, float] | None] = []
    for f, value in enumerate(observed):
        column = estimates[:, f]
        if not np.isfinite(value) or np.count_nonzero(np.isfinite(column)) * 2 < len(column):
            out.append(None)
        elif jack is None:
            out.append(percentile_interval(column, alpha))
        else:
            out.append(bca_interval(column, float(value), jack[:, f], alpha))
    return out


def paired_difference(
    counts_a: np.ndarray, counts_b: np.ndarray, statistic: Statistic, *, alpha: float = 0.05, resamples: int = 1000,
    rng: np.random.Generator, method: str = "bca",
) -> list[tuple[float, tuple[float, float] | None] | None]:  # fmt: skip
    """Each figure of A less B's over the same images (row i of both is image i), with its paired interval.

    Both engines' counts are resampled with the same weights, so an image hard for both
    moves both figures together and the interval is of the difference alone. ``None``
    where either figure is undefined.

    >>> cer = lambda s: s[:, :1] / s[:, 1:]
    >>> a = np.array([[1.0, 10.0], [2.0, 10.0], [1.0, 10.0]])
    >>> b = np.array([[2.0, 10.0], [3.0, 10.0], [3.0, 10.0]])
    >>> [(round(d, 4), [round(x, 4) for x in ci]) for d, ci in
    ...  paired_difference(a, b, cer, resamples=100, rng=np.random.default_rng(0), method="percentile")]
    [(-0.1333, [-0.2, -0.1])]
    """
    k = counts_a.shape[1]
    both = np.hstack([counts_a, counts_b])

    def difference(sums: np.ndarray) -> np.ndarray:
        return _figures(statistic, sums[:, :k]) - _figures(statistic, sums[:, k:])

    observed = difference(both.sum(axis=0)[None, :])[0]
    intervals = bootstrap_interval(both, difference, alpha=alpha, resamples=resamples, rng=rng, method=method)
    return [None if not np.isfinite(d) else (float(d), ci) for d, ci in zip(observed, intervals)]


def permutation_p_value(counts_a: np.ndarray, counts_b: np.ndarray, statistic: Statistic, *, resamples: int = 1000,
                        rng: np.random.Generator) -> list[float | None]:  # fmt: skip
    """The two-sided p-value of each figure's difference A - B, by swapping the engines per image.

    If the engines were alike, which of an image's two readings is called A would not matter:
    each of the 2**N swaps (image i's counts exchanged or not) is as likely as the one observed.
    p = the share of swaps whose |difference| is at least the observed one. Every swap is
    tried when 2**N <= ``resamples`` (exact); otherwise ``resamples`` random ones, and
    p = (1 + as extreme) / (1 + resamples), never 0.

    Three images, A one edit better on each of 10 characters: only "no swap" and "all
    swapped" are as extreme, 2 of the 8 swaps:

    >>> cer = lambda s: s[:, :1] / s[:, 1:]
    >>> a = np.array([[1.0, 10.0], [2.0, 10.0], [1.0, 10.0]])
    >>> b = np.array([[2.0, 10.0], [3.0, 10.0], [2.0, 10.0]])
    >>> permutation_p_value(a, b, cer, rng=np.random.default_rng(0))
    [0.25]
    """
    n = len(counts_a)
    exact = 2**n <= resamples
    if exact:
        swaps = np.array(list(product((0.0, 1.0), repeat=n)), dtype=np.float64).reshape(-1, n)
    else:
        swaps = rng.integers(0, 2, size=(resamples, n)).astype(np.float64)
    sums_a = (1 - swaps) @ counts_a + swaps @ counts_b
    sums_b = swaps @ counts_a + (1 - swaps) @ counts_b
    permuted = np.abs(_figures(statistic, sums_a) - _figures(statistic, sums_b))
    observed = np.abs(_figures(statistic, counts_a.sum(axis=0)[None, :]) - _figures(statistic, counts_b.sum(axis=0)[None, :]))[0]
    out: list[float | None] = []
    for f, value in enumerate(observed):
        if not np.isfinite(value):
            out.append(None)
            continue
        extreme = int(np.count_nonzero(permuted[:, f] >= value - TOLERANCE))  # nan (undefined) is never as extreme
        out.append(extreme / len(swaps) if exact else (1 + extreme) / (1 + len(swaps)))
    return out


def wins_ties_losses(a: np.ndarray, b: np.ndarray, lower_is_better: bool) -> tuple[int, int, int]:
    """On how many images A's figure is better than B's, equal, worse (images where either is ``nan`` left out).

    >>> wins_ties_losses(np.array([0.1, 0.2, 0.3, np.nan]), np.array([0.2, 0.2, 0.1, 0.5]), lower_is_better=True)
    (1, 1, 1)
    """
    known = np.isfinite(a) & np.isfinite(b)
    diff = (a[known] - b[known]) * (1 if lower_is_better else -1)
    ties = np.abs(diff) <= TOLERANCE
    return int(np.count_nonzero((diff < 0) & ~ties)), int(np.count_nonzero(ties)), int(np.count_nonzero((diff > 0) & ~ties))


def _figures(statistic: Statistic, sums: np.ndarray) -> np.ndarray:
    """``statistic`` of ``sums`` as a float array (M x F), undefined figures ``nan``, never a warning."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(statistic(sums), dtype=np.float64).reshape(len(sums), -1)
