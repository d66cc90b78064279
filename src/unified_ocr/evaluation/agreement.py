"""Engines against each other, where no truth says who is right.

For each pair of engines, on each image both read: the CER of one's page text against the
other's (symmetric enough to rank pairs; it is computed with the first engine's text as the
reference), and the share of words matched one to one by position (IoU over 0.5) that read
alike. The words where they disagree, with the lower confidence of the two first, are what a
person should look at.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from ..model import OcrResult
from .detection import match_page
from .normalize import Normalization
from .text import ratio, score_text


@attrs.frozen(slots=True)
class Disagreement:
    """Two engines' readings of one place on one image."""

    image: str
    first: str  # engine
    second: str
    first_text: str
    second_text: str
    confidence: float | None  # the lower of the two, where both have one
    quad: tuple[tuple[float, float], ...]  # where, as the first engine saw it

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


class PairAgreement:
    """How far two engines agree, over the images both read."""

    def __init__(self, first: str, second: str, normalization: Normalization) -> None:
        self.first, self.second = first, second
        self.normalization = normalization
        self.images = self.char_edits = self.chars = self.words = self.equal = 0

    def update(self, image: str, a: OcrResult, b: OcrResult) -> list[Disagreement]:
        """Add one image; returns where the two disagree."""
        page = score_text(a.text, b.text, self.normalization)
        self.images += 1
        self.char_edits += page.char_edits
        self.chars += page.chars
        words_a, words_b = a.words, b.words
        match = match_page([w.quad for w in words_a], [w.text for w in words_a], [w.quad for w in words_b])
        norm: Callable[[str], str] = self.normalization.apply
        out = []
        for i, j, _ in match.pairs:
            wa, wb = words_a[i], words_b[j]
            self.words += 1
            if norm(wa.text) == norm(wb.text):
                self.equal += 1
                continue
            scores = [c for c in (wa.confidence, wb.confidence) if c is not None]
            out.append(Disagreement(image, self.first, self.second, wa.text, wb.text, min(scores) if len(scores) == 2 else None,
                                    wa.quad.points))  # fmt: skip
        return out

    def summary(self) -> dict[str, Any]:
        return {"engines": [self.first, self.second], "images": self.images, "cer": ratio(self.char_edits, self.chars),
                "words_matched": self.words, "words_equal": self.equal, "equal_share": ratio(self.equal, self.words)}  # fmt: skip


def review_order(disagreements: list[Disagreement]) -> list[Disagreement]:
    """Lowest confidence first (those without a confidence after), then by image."""
    return sorted(disagreements, key=lambda d: (d.confidence is None, d.confidence or 0.0, d.image))
