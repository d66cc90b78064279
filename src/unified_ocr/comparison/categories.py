"""Figures per sub-folder of the input: ``receipts/`` and ``forms/`` scored apart.

A set is often laid out by kind (``scans/receipts/``, ``scans/forms/``, ``scans/signs/``),
and an engine that wins overall can lose on one kind. Each image's category is the first
folder under the images' common folder; images directly in it are ``.``. With fewer than two
categories there is nothing to tell apart, and no section. Each category is scored from
scratch by the same metrics as the whole set (micro-averaged over its own images), never
averaged from per-image figures.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from ..batch.readings import Reading
from ..evaluation.metrics import Metric
from ..evaluation.normalize import Normalization
from ..model import OcrResult

#: The category of images that lie directly in the common folder.
TOP = "."


def categories_of(images: Sequence[str]) -> list[str] | None:
    """Each image's category, or ``None`` when the images fall into fewer than two.

    >>> categories_of(["s/receipts/a.jpg", "s/forms/b.jpg", "s/c.jpg"])
    ['receipts', 'forms', '.']
    >>> categories_of(["s/a.jpg", "s/b.jpg"]) is None
    True
    """
    if len(images) < 2:
        return None
    folders = [os.path.dirname(os.path.abspath(image)) for image in images]
    common = os.path.commonpath(folders)
    found = []
    for folder in folders:
        parts = PurePath(os.path.relpath(folder, common)).parts
        found.append(parts[0] if parts and parts[0] != "." else TOP)
    return found if len(set(found)) > 1 else None


def score_categories(images: Sequence[str], readings: Mapping[str, Sequence[Reading]], truths: Sequence[OcrResult | None],
                     metrics: Sequence[type[Metric]], normalization: Normalization) -> dict[str, Any] | None:  # fmt: skip
    """``{category: {"images": n, "with_truth": m, "engines": {engine: {metric: summary}}}}``, by the
    metrics the summary table shows; ``None`` when there are fewer than two categories."""
    categories = categories_of(images)
    if categories is None:
        return None
    shown = [cls for cls in metrics if cls.shown]  # the figures of the summary table, not tables of confusions
    out: dict[str, Any] = {}
    for category in sorted(set(categories)):
        members = [k for k, c in enumerate(categories) if c == category]
        engines: dict[str, Any] = {}
        for engine, engine_readings in readings.items():
            scorers = [cls(normalization) for cls in shown]
            for k in members:
                truth = truths[k]
                if truth is not None:
                    for scorer in scorers:
                        scorer.update(truth, engine_readings[k].result)
            engines[engine] = {scorer.name: scorer.summary() for scorer in scorers}
        out[category] = {"images": len(members), "with_truth": sum(truths[k] is not None for k in members), "engines": engines}
    return out
