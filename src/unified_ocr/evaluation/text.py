"""Text metrics: character and word error rates, and an order-free bag of words.

Each metric is a small accumulator: :meth:`update` with one page's truth and reading, then
:meth:`summary` for the figures micro-averaged over every page added (edits summed over the
pages, divided by the truth's characters summed over the pages), so that a long page counts
for its length. Edit distances are rapidfuzz's plain Levenshtein (insertions, deletions and
substitutions, each costing 1), on the normalised strings for characters and on lists of
normalised words for words.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import attrs
from rapidfuzz.distance import Levenshtein

from .normalize import Normalization


def ratio(part: float, whole: float) -> float | None:
    """``part / whole``, or ``None`` when there is nothing to divide by."""
    return part / whole if whole else None


def f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@attrs.frozen(slots=True)
class PageText:
    """One page's text figures, with the counts they came from."""

    char_edits: int
    chars: int
    word_edits: int
    words: int
    bow_hits: int
    bow_predicted: int

    @property
    def cer(self) -> float | None:
        return ratio(self.char_edits, self.chars)

    @property
    def wer(self) -> float | None:
        return ratio(self.word_edits, self.words)

    @property
    def bow_precision(self) -> float | None:
        return ratio(self.bow_hits, self.bow_predicted)

    @property
    def bow_recall(self) -> float | None:
        return ratio(self.bow_hits, self.words)

    def figures(self) -> dict[str, float | None]:
        return {"cer": self.cer, "wer": self.wer, "bow_precision": self.bow_precision, "bow_recall": self.bow_recall,
                "bow_f1": f1(self.bow_precision, self.bow_recall)}  # fmt: skip


def score_text(truth: str, predicted: str, normalization: Normalization) -> PageText:
    """CER, WER and bag-of-words counts of ``predicted`` against ``truth``, both normalised.

    >>> page = score_text("Green tea 3,000", "Green  tee 3,000", Normalization())
    >>> page.char_edits, page.chars, page.word_edits, page.words
    (1, 15, 1, 3)
    """
    t, p = normalization.apply(truth), normalization.apply(predicted)
    tw, pw = normalization.words(truth), normalization.words(predicted)
    hits = sum((Counter(tw) & Counter(pw)).values())
    return PageText(Levenshtein.distance(t, p), len(t), Levenshtein.distance(tw, pw), len(tw), hits, len(pw))


class TextScore:
    """CER, WER and bag-of-words precision/recall/F1 over many pages, micro-averaged.

    CER = sum of character edits / sum of truth characters; WER likewise over words.
    Bag of words: a predicted word is a hit when the truth still has an unmatched copy of it,
    whatever its place, so a different reading order costs nothing here (it does in CER).

    >>> score = TextScore(Normalization())
    >>> _ = score.update("TOTAL 12,400", "TOTAL 12,400")
    >>> _ = score.update("Green tea", "Green")
    >>> score.summary()["cer"], score.summary()["bow_recall"]
    (0.19047619047619047, 0.75)
    """

    def __init__(self, normalization: Normalization) -> None:
        self.normalization = normalization
        self.pages = 0
        self._sums = Counter[str]()

    def update(self, truth: str, predicted: str) -> PageText:
        page = score_text(truth, predicted, self.normalization)
        self.pages += 1
        self._sums.update(attrs.asdict(page))
        return page

    def summary(self) -> dict[str, Any]:
        s = self._sums
        precision, recall = ratio(s["bow_hits"], s["bow_predicted"]), ratio(s["bow_hits"], s["words"])
        return {
            "cer": ratio(s["char_edits"], s["chars"]), "wer": ratio(s["word_edits"], s["words"]),
            "bow_precision": precision, "bow_recall": recall, "bow_f1": f1(precision, recall),
            "images": self.pages, "chars": s["chars"], "char_edits": s["char_edits"],
            "words": s["words"], "word_edits": s["word_edits"],
        }  # fmt: skip
