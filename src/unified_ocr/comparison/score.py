"""Scoring readings: per image and engine, then per engine over all images.

Everything here is plain data in, plain data out: readings and truths from
:mod:`.run` and :mod:`unified_ocr.evaluation.truth`, figures as dicts ready for JSON.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..evaluation import clevalscore
from ..evaluation.agreement import Disagreement, PairAgreement, review_order
from ..evaluation.detection import DetectionScore, PageMatch
from ..evaluation.normalize import Normalization
from ..evaluation.text import TextScore
from ..evaluation.truth import PageTruth
from .run import Reading


class EngineScore:
    """One engine's figures, gathered image by image."""

    def __init__(self, engine: str, normalization: Normalization, price_per_1000: float | None) -> None:
        self.engine = engine
        self.normalization = normalization
        self.price = price_per_1000
        self.text = TextScore(normalization)
        self.words = DetectionScore()
        self.lines = DetectionScore()
        self.cleval = clevalscore.CLEvalScore(case_sensitive=not normalization.fold_case) if clevalscore.available() else None
        self.fields_total = self.fields_equal = 0
        self.failures: Counter[str] = Counter()
        self.call_seconds: list[float] = []
        self.cache_hits = self.attempts = self.retries = self.images = 0

    def add(self, reading: Reading, truth: PageTruth | None) -> tuple[dict[str, Any], dict[str, PageMatch]]:
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
        result = reading.result
        text = result.text if result is not None else ""  # a failed image read nothing: every truth character is missed
        figures.update(self.text.update(truth.text, text).figures())
        norm = self.normalization.apply
        words = result.words if result is not None else []
        if truth.words:
            match, e2e = self.words.update([r.quad for r in truth.words], [r.text for r in truth.words],
                                           [w.quad for w in words], [w.text for w in words], norm)  # fmt: skip
            figures.update({f"det_{k}": v for k, v in match.figures().items()})
            figures["e2e_matched"] = e2e
            matches["words"] = match
            if self.cleval is not None:
                self.cleval.update([r.quad for r in truth.words], [norm(r.text) if r.text != "###" else r.text for r in truth.words],
                                   [w.quad for w in words], [norm(w.text) for w in words])  # fmt: skip
        if truth.lines:
            lines = [line for page in result.pages for line in page.lines] if result is not None else []
            match, _ = self.lines.update([r.quad for r in truth.lines], [r.text for r in truth.lines],
                                         [x.quad for x in lines], [x.text for x in lines], norm)  # fmt: skip
            figures.update({f"line_{k}": v for k, v in match.figures().items()})
            matches["lines"] = match
        if truth.fields:
            found = {f.name: f.text for page in result.pages for f in page.fields} if result is not None else {}
            equal = sum(norm(found.get(name, "")) == norm(value) for name, value in truth.fields.items())
            self.fields_total += len(truth.fields)
            self.fields_equal += equal
            figures["fields_exact"] = equal / len(truth.fields)
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
        out: dict[str, Any] = {
            "text": self.text.summary() if self.text.pages else None,
            "detection": self.words.summary() if self.words.pages else None,
            "line_detection": self.lines.summary() if self.lines.pages else None,
            "end_to_end": _end_to_end(self.words.summary()) if self.words.pages else None,
            "cleval": self.cleval.summary() if self.cleval is not None and self.cleval.pages else None,
            "fields": {"fields": self.fields_total, "exact": self.fields_equal,
                       "exact_rate": self.fields_equal / self.fields_total} if self.fields_total else None,  # fmt: skip
            "speed": speed,
            "calls": calls_this_run,
            "calls_recorded": self.attempts,
            "retries": self.retries,
            "failures": dict(self.failures),
            "cost": None,
        }
        if self.price is not None:
            out["cost"] = {"price_per_1000": self.price, "this_run": calls_this_run * self.price / 1000,
                           "all_images_once": self.images * self.price / 1000}  # fmt: skip
        return out


def _end_to_end(detection: dict[str, Any]) -> dict[str, Any]:
    return {"precision": detection["e2e_precision"], "recall": detection["e2e_recall"], "hmean": detection["e2e_hmean"],
            "matched": detection["e2e_matched"]}  # fmt: skip


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
