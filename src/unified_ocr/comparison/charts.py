"""The report's two charts, as plain shapes for the template to draw as inline SVG.

* **Cost and accuracy**: one point per engine, its price per 1,000 images read once across,
  its CER up (lower is better), the CER's 95 % interval as a bar where the summary has one.
  An engine with no price set (the offline ones, or a profile without ``price_per_1000``)
  stands at 0 and is said to have none.
* **Latency**: per engine, the seconds of the calls this run made (cache hits and failures
  apart): a box from the 25th to the 75th percentile, the median across it, whiskers to the
  5th and 95th, and the count of calls.

Everything here is numbers in, numbers out: no markup is built in Python, so every engine
name reaches the page through the template's escaping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

WIDTH, HEIGHT = 560, 260
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 16, 40


def _ticks(high: float, count: int = 5) -> list[float]:
    """``count`` even ticks from 0 to ``high`` (``high`` > 0)."""
    return [high * k / (count - 1) for k in range(count)]


def _scale(value: float, low: float, high: float, start: float, end: float) -> float:
    return start + (end - start) * ((value - low) / (high - low) if high > low else 0.5)


def cost_accuracy(summary: Mapping[str, Any], engines: Sequence[str]) -> dict[str, Any] | None:
    """The cost-accuracy chart's points, axes and ticks; ``None`` when no engine has a CER.

    >>> chart = cost_accuracy({"engines": {"a": {"text": {"cer": 0.1, "cer_ci": [0.05, 0.2]}, "cost": None},
    ...                                     "b": {"text": {"cer": 0.02}, "cost": {"price_per_1000": 1.5}}}}, ["a", "b"])
    >>> [(p["engine"], p["price"], p["priced"]) for p in chart["points"]]
    [('a', 0.0, False), ('b', 1.5, True)]
    """
    rows = []
    for engine in engines:
        figures = summary["engines"][engine]
        text = figures.get("text") or {}
        if text.get("cer") is None:
            continue
        cost = figures.get("cost") or {}
        price = cost.get("price_per_1000")
        interval = text.get("cer_ci")
        rows.append((engine, float(price or 0.0), price is not None, float(text["cer"]), interval))
    if not rows:
        return None
    top = max(max(r[3], (r[4] or [0, 0])[1] or 0) for r in rows) * 1.1 or 1.0
    right = max(r[1] for r in rows) * 1.1 or 1.0
    x0, x1, y0, y1 = LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM, TOP
    points = []
    for engine, price, priced, cer, interval in rows:
        point = {"engine": engine, "price": price, "priced": priced, "cer": cer,
                 "x": _scale(price, 0, right, x0, x1), "y": _scale(cer, 0, top, y0, y1)}  # fmt: skip
        if interval and interval[0] is not None and interval[1] is not None:
            point["low"], point["high"] = _scale(interval[0], 0, top, y0, y1), _scale(interval[1], 0, top, y0, y1)
        points.append(point)
    _spread_labels(points)
    return {
        "width": WIDTH, "height": HEIGHT, "x0": x0, "x1": x1, "y0": y0, "y1": y1, "points": points,
        "xticks": [(_scale(v, 0, right, x0, x1), v) for v in _ticks(right)],
        "yticks": [(_scale(v, 0, top, y0, y1), v) for v in _ticks(top)],
    }  # fmt: skip


def _spread_labels(points: list[dict[str, Any]], gap: float = 13.0, near: float = 120.0) -> None:
    """Each point's label position (``label_y``), moved down where it would cover the label of
    a point drawn at about the same place (two free engines with about the same CER)."""
    placed: list[tuple[float, float]] = []
    for point in sorted(points, key=lambda p: (p["y"], p["x"])):
        y = point["y"] - 6
        while any(abs(x - point["x"]) < near and abs(y - other) < gap for x, other in placed):
            y += gap
        point["label_y"] = y
        placed.append((point["x"], y))


def latency(figures: Sequence[Mapping[str, Mapping[str, Any]]], engines: Sequence[str]) -> dict[str, Any] | None:
    """The latency chart: a box per engine over the seconds of the calls it made; ``None`` when none made a call.

    >>> rows = [{"a": {"seconds": s, "cached": False, "attempts": 1, "ok": True}} for s in (1.0, 2.0, 3.0, 4.0)]
    >>> box = latency(rows, ["a"])["boxes"][0]
    >>> box["calls"], box["median"]
    (4, 2.5)
    """
    found = []
    for engine in engines:
        seconds = [float(row[engine]["seconds"]) for row in figures
                   if engine in row and row[engine].get("ok") and not row[engine].get("cached") and row[engine].get("attempts")]  # fmt: skip
        if seconds:
            p5, p25, p50, p75, p95 = np.percentile(seconds, [5, 25, 50, 75, 95]).tolist()
            found.append({"engine": engine, "calls": len(seconds), "p5": p5, "p25": p25, "median": p50, "p75": p75, "p95": p95})
    if not found:
        return None
    right = max(b["p95"] for b in found) * 1.1 or 1.0
    row_height = 28
    height = TOP + BOTTOM + row_height * len(found)
    x0, x1 = LEFT + 80, WIDTH - RIGHT
    for k, box in enumerate(found):
        box["y"] = TOP + k * row_height + row_height / 2
        for key in ("p5", "p25", "median", "p75", "p95"):
            box[f"x_{key}"] = _scale(box[key], 0, right, x0, x1)
    return {"width": WIDTH, "height": height, "x0": x0, "x1": x1, "y0": height - BOTTOM, "boxes": found,
            "xticks": [(_scale(v, 0, right, x0, x1), v) for v in _ticks(right)]}  # fmt: skip
