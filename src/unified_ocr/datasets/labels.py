"""Where labels come from: the engines' readings of an image (one engine, or several that
must agree), or a ground-truth file.

Consensus uses compare's matching (:func:`~unified_ocr.evaluation.detection.match_page`:
IoU over 0.5, the ICDAR 2015 rule) and its normalisation: a word is kept where at least
``min_agree`` engines found a matching quad with the same normalised text, with the quad and
text of the first engine (in the order given) among those that agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..evaluation.detection import match_page
from ..evaluation.normalize import Normalization
from ..evaluation.truth import levels_of, truth_lines, truth_words
from ..model import OcrResult
from .records import Region, Tally

LEVELS = ("word", "line")


def _regions(result: OcrResult, engine: str, level: str) -> list[Region]:
    out = []
    for page in result.pages:
        items = page.words if level == "word" else list(page.lines)
        out += [Region(item.quad, item.text, level, page.index, (engine,), (item.confidence,)) for item in items]
    return out


def from_results(results: Mapping[str, OcrResult | None], level: str, min_agree: int, tally: Tally,
                 normalization: Normalization | None = None) -> list[Region]:  # fmt: skip
    """The regions of one image the engines vouch for. ``results`` maps engine -> result (``None``
    where the engine failed on the image: it cannot agree). Regions with fewer than ``min_agree``
    engines behind them are counted in ``tally`` as ``no-agreement``."""
    engines = list(results)
    if min_agree < 1 or min_agree > len(engines):
        raise ValueError(f"min_agree is between 1 and the number of engines ({len(engines)}), not {min_agree}")
    if len(engines) == 1:
        result = results[engines[0]]
        return [] if result is None else _regions(result, engines[0], level)
    normalize = (normalization or Normalization()).apply
    clusters: list[list[Region]] = []  # regions of different engines on one place, the first one the anchor
    for engine in engines:
        result = results[engine]
        if result is None:
            continue
        for page in {p.index for p in result.pages}:
            mine = [r for r in _regions(result, engine, level) if r.page == page]
            anchors = [c for c in clusters if c[0].page == page]
            match = match_page([c[0].quad for c in anchors], [c[0].label for c in anchors], [r.quad for r in mine])
            taken = set()
            for a, d, _ in match.pairs:
                anchors[a].append(mine[d])
                taken.add(d)
            clusters += [[r] for k, r in enumerate(mine) if k not in taken]
    kept = []
    for cluster in clusters:
        by_text: dict[str, list[Region]] = {}
        for region in cluster:
            by_text.setdefault(normalize(region.label), []).append(region)
        agreeing = max(by_text.values(), key=len)
        if len(agreeing) < min_agree:
            tally.drop("no-agreement")
            continue
        first = agreeing[0]
        kept.append(Region(first.quad, first.label, level, first.page, tuple(r.engines[0] for r in agreeing),
                           tuple(r.confidences[0] for r in agreeing)))  # fmt: skip
    return kept


def from_truth(truth: OcrResult, level: str) -> list[Region]:
    """The truth page's words or lines (``###`` regions too: detection formats keep them as do not care).
    ICDAR-style files do not say which they hold: their regions are taken as the level asked for."""
    items: Sequence = truth_words(truth) if level == "word" or "unknown" in levels_of(truth) else truth_lines(truth)
    return [Region(item.quad, item.text, level) for item in items]
