"""Scoring readings: per image and engine, then per engine over all images.

Everything here is plain data in, plain data out: readings, and truths read by
:mod:`unified_ocr.evaluation.truth` (both :class:`~unified_ocr.OcrResult`), scored by every
installed metric (:mod:`unified_ocr.evaluation.metrics`), figures as dicts ready for JSON.
Each metric that offers per-image counts gets intervals beside its figures and a paired
comparison of every two engines (:func:`add_intervals`, :func:`paired_comparisons`; the
statistics themselves are :mod:`unified_ocr.evaluation.uncertainty`).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from ..batch.readings import Reading
from ..evaluation.agreement import Disagreement, PairAgreement, review_order
from ..evaluation.detection import PageMatch
from ..evaluation.metrics import Metric, installed
from ..evaluation.normalize import Normalization
from ..evaluation.uncertainty import Statistic, bootstrap_interval, paired_difference, permutation_p_value, wins_ties_losses
from ..model import OcrResult


class EngineScore:
    """One engine's figures, gathered image by image: each metric's, and speed, calls and failures."""

    def __init__(self, engine: str, normalization: Normalization, price_per_1000: float | None,
                 metrics: Sequence[type[Metric]] | None = None) -> None:  # fmt: skip
        self.engine = engine
        self.normalization = normalization
        self.price = price_per_1000
        self.metrics = [cls(normalization) for cls in (installed() if metrics is None else metrics)]
        self.failures: Counter[str] = Counter()
        #: per metric that offers counts, each image's counts by the image's place in the run
        self.counts: dict[str, dict[int, np.ndarray]] = {m.name: {} for m in self.metrics if m.counts}
        self.read: set[int] = set()  # the places of the images this engine read (no failure)
        self.call_seconds: list[float] = []
        self.cache_hits = self.attempts = self.retries = self.images = 0

    def add(self, reading: Reading, truth: OcrResult | None) -> tuple[dict[str, Any], dict[str, PageMatch]]:
        """Score one image; returns its figures and the word/line matches (for drawing)."""
        self.images += 1
        if reading.ok:
            self.read.add(self.images - 1)
        figures: dict[str, Any] = {"ok": reading.ok, "error": reading.error_type, "seconds": round(reading.seconds, 4),
                                   "cached": reading.cached, "attempts": reading.attempts}  # fmt: skip
        matches: dict[str, PageMatch] = {}
        if reading.cached:
            self.cache_hits += 1
        elif reading.attempts:
            self.attempts += reading.attempts
            self.retries += max(reading.attempts - 1, 0)
            if reading.ok:
                self.call_seconds.append(reading.seconds)
        if not reading.ok:
            self.failures[reading.error_type or "Error"] += 1
        if truth is None:
            return figures, matches
        for metric in self.metrics:
            figures.update(metric.update(truth, reading.result))
            counts = metric.image_counts() if metric.name in self.counts else None
            if counts is not None:
                self.counts[metric.name][self.images - 1] = np.array([counts[c] for c in metric.counts], dtype=np.float64)
            match, draws = getattr(metric, "match", None), getattr(metric, "draws", None)
            if isinstance(match, PageMatch) and draws and draws not in matches:
                matches[draws] = match
        return figures, matches

    def summary(self, calls_this_run: int) -> dict[str, Any]:
        seconds = sorted(self.call_seconds)
        speed = {
            "images": self.images,
            "measured_calls": len(seconds),
            "cache_hits": self.cache_hits,
            "p50_seconds": statistics.median(seconds) if seconds else None,
            "p95_seconds": _percentile(seconds, 0.95),
            "mean_seconds": statistics.fmean(seconds) if seconds else None,
        }
        out: dict[str, Any] = {metric.name: metric.summary() for metric in self.metrics}
        out.update({
            "speed": speed,
            "calls": calls_this_run,
            "calls_recorded": self.attempts,
            "retries": self.retries,
            "failures": dict(self.failures),
            "cost": None,
        })  # fmt: skip
        if self.price is not None:
            out["cost"] = {"price_per_1000": self.price, "this_run": calls_this_run * self.price / 1000,
                           "all_images_once": self.images * self.price / 1000}  # fmt: skip
        return out


def _percentile(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank percentile of sorted ``values``."""
    if not values:
        return None
    rank = max(1, min(len(values), round(q * len(values) + 0.5)))
    return values[rank - 1]


def agreement(
    readings: dict[str, list[Reading]], normalization: Normalization
) -> tuple[list[dict[str, Any]], list[Disagreement]]:
    """Every pair of engines over the images both read, and where they disagree (review order)."""
    engines = list(readings)
    pairs, disagreements = [], []
    for a in range(len(engines)):
        for b in range(a + 1, len(engines)):
            pair = PairAgreement(engines[a], engines[b], normalization)
            for ra, rb in zip(readings[engines[a]], readings[engines[b]]):
                if ra.result is not None and rb.result is not None:
                    disagreements.extend(pair.update(ra.source, ra.result, rb.result))
            pairs.append(pair.summary())
    return pairs, review_order(disagreements)


@attrs.frozen(slots=True)
class Resampling:
    """How the intervals and paired comparisons are made; recorded in summary.json as ``statistics``."""

    alpha: float = 0.05
    resamples: int = 1000  # 0: no statistics
    seed: int = 0
    method: str = "bca"  # chosen by the coverage test (tests/evaluation/test_uncertainty_coverage.py)

    def rng(self) -> np.random.Generator:
        """A generator from ``seed``, fresh for each interval: no figure's depends on which others were made."""
        return np.random.default_rng(self.seed)

    def describe(self) -> dict[str, Any]:
        return {"resamples": self.resamples, "seed": self.seed, "alpha": self.alpha, "method": self.method}


def statistic(metric: type[Metric], names: Sequence[str]) -> Statistic:
    """The metric's :meth:`~Metric.figures_from` as a statistic: summed counts (M x K) to ``names`` (M x F), ``nan`` for ``None``."""

    def figures(sums: np.ndarray) -> np.ndarray:
        out = np.empty((len(sums), len(names)))
        for row, values in zip(out, sums.tolist()):
            found = metric.figures_from(dict(zip(metric.counts, values)))
            row[:] = [np.nan if found.get(n) is None else found[n] for n in names]
        return out

    return figures


def _figure_names(metric: type[Metric], counts: np.ndarray) -> list[str]:
    return list(metric.figures_from(dict(zip(metric.counts, counts.sum(axis=0).tolist()))))


def add_intervals(score: EngineScore, summary: dict[str, Any], resampling: Resampling) -> None:
    """``NAME_ci: [low, high]`` (or ``None``) beside each figure of each metric that offers counts, images resampled."""
    for metric in score.metrics:
        per_image, figures = score.counts.get(metric.name), summary.get(metric.name)
        if not per_image or not isinstance(figures, dict):
            continue
        counts = np.stack([per_image[k] for k in sorted(per_image)])
        names = _figure_names(type(metric), counts)
        cis = bootstrap_interval(counts, statistic(type(metric), names), alpha=resampling.alpha,
                                 resamples=resampling.resamples, rng=resampling.rng(), method=resampling.method)  # fmt: skip
        found = {f"{name}_ci": list(ci) if ci is not None else None for name, ci in zip(names, cis)}
        ordered = {}
        for key, value in figures.items():  # each interval beside its figure
            ordered[key] = value
            if f"{key}_ci" in found:
                ordered[f"{key}_ci"] = found.pop(f"{key}_ci")
        figures.clear()
        figures.update(ordered | found)


def paired_comparisons(scores: Mapping[str, EngineScore], resampling: Resampling) -> list[dict[str, Any]]:
    """Every two engines, each figure that offers counts, over the images both read: the difference
    A - B with its paired interval, the permutation p-value, and images won, tied and lost by A."""
    engines = list(scores)
    pairs = []
    for i, a in enumerate(engines):
        for b in engines[i + 1:]:
            for metric in scores[a].metrics:
                pairs.extend(_pair(type(metric), scores[a], scores[b], resampling))
    return pairs


def _pair(metric: type[Metric], a: EngineScore, b: EngineScore, resampling: Resampling) -> list[dict[str, Any]]:
    in_a, in_b = a.counts.get(metric.name, {}), b.counts.get(metric.name, {})
    common = sorted(set(in_a) & set(in_b) & a.read & b.read)
    if not common:
        return []
    counts_a, counts_b = np.stack([in_a[k] for k in common]), np.stack([in_b[k] for k in common])
    names = _figure_names(metric, counts_a)
    figures = statistic(metric, names)
    differences = paired_difference(counts_a, counts_b, figures, alpha=resampling.alpha, resamples=resampling.resamples,
                                    rng=resampling.rng(), method=resampling.method)  # fmt: skip
    p_values = permutation_p_value(counts_a, counts_b, figures, resamples=resampling.resamples, rng=resampling.rng())
    per_image_a, per_image_b = figures(counts_a), figures(counts_b)
    out = []
    for f, name in enumerate(names):
        found, p = differences[f], p_values[f]
        if found is None or p is None:
            continue
        difference, ci = found
        lower = metric.lower_is_better(name)
        wins, ties, losses = wins_ties_losses(per_image_a[:, f], per_image_b[:, f], lower)
        better = None if difference == 0 else (a.engine if (difference < 0) == lower else b.engine)
        out.append({"a": a.engine, "b": b.engine, "metric": f"{metric.name}.{name}", "images": len(common),
                    "difference": difference, "difference_ci": list(ci) if ci is not None else None, "p_value": p,
                    "significant": p <= resampling.alpha, "better": better, "lower_is_better": lower,
                    "wins": wins, "ties": ties, "losses": losses})  # fmt: skip
    return out
