"""Scoring readings: per image and engine, then per engine over all images.

Everything here is plain data in, plain data out: readings, and truths read by
:mod:`unified_ocr.evaluation.truth` (both :class:`~unified_ocr.OcrResult`), scored by every
installed metric (:mod:`unified_ocr.evaluation.metrics`), figures as dicts ready for JSON.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..batch.readings import Reading
from ..evaluation.agreement import Disagreement, PairAgreement, review_order
from ..evaluation.detection import PageMatch
from ..evaluation.metrics import Metric, installed
from ..evaluation.normalize import Normalization
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
        self.call_seconds: list[float] = []
        self.cache_hits = self.attempts = self.retries = self.images = 0

    def add(self, reading: Reading, truth: OcrResult | None) -> tuple[dict[str, Any], dict[str, PageMatch]]:
        """Score one image; returns its figures and the word/line matches (for drawing)."""
        self.images += 1
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
