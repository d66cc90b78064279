"""Text metrics: character and word error rates, and an order-free bag of words.

Each metric is a small accumulator: :meth:`update` with one page's truth and reading, then
:meth:`summary` for the figures micro-averaged over every page added (edits summed over the
pages, divided by the truth's characters summed over the pages), so that a long page counts
for its length. Edit distances are rapidfuzz's plain Levenshtein (insertions, deletions and
substitutions, each costing 1), on the normalised strings for characters and on lists of
normalised words for words.

Spacing is scored apart from the characters, because an engine that reads every syllable
right but spaces the words wrongly (the commonest fault of Korean OCR) is another engine than
one that misreads: the spacing error rate counts, in the same alignment as CER, the spaces
inserted where the truth has none and the truth's spaces lost (deleted, or read as another
character), over the truth's spaces; CER without spaces is CER with all whitespace removed
from both texts. Where the normalisation removes whitespace, the truth has no spaces left and
spacing is not scored (``None``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import attrs
from rapidfuzz.distance import Levenshtein

from .normalize import Normalization

#: One step of an alignment, as rapidfuzz gives it: ``(tag, truth index, reading index)``,
#: ``tag`` one of ``replace``, ``insert`` (into the reading), ``delete`` (from the truth).
EditOp = tuple[str, int, int]


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
    #: whitespace characters of the reading where the truth has none (inserted, or read for another character)
    space_insertions: int = 0
    #: whitespace characters of the truth the reading lost (deleted, or read as another character)
    space_deletions: int = 0
    #: whitespace characters of the normalised truth (0 where the normalisation removes whitespace)
    spaces: int = 0
    char_edits_no_spaces: int = 0
    chars_no_spaces: int = 0

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

    @property
    def spacing_error_rate(self) -> float | None:
        return ratio(self.space_insertions + self.space_deletions, self.spaces)

    @property
    def cer_no_spaces(self) -> float | None:
        return ratio(self.char_edits_no_spaces, self.chars_no_spaces)

    def figures(self) -> dict[str, float | None]:
        return {"cer": self.cer, "wer": self.wer, "bow_precision": self.bow_precision, "bow_recall": self.bow_recall,
                "bow_f1": f1(self.bow_precision, self.bow_recall), "cer_no_spaces": self.cer_no_spaces,
                "spacing_error_rate": self.spacing_error_rate}  # fmt: skip


@lru_cache(maxsize=8)  # the text metric and the confusion table align the same page one after the other
def alignment(truth: str, predicted: str) -> tuple[EditOp, ...]:
    """The edits that turn ``truth`` into ``predicted`` (rapidfuzz's; as many as their Levenshtein distance)."""
    return tuple(Levenshtein.editops(truth, predicted).as_list())  # type: ignore[arg-type]  # tuples, not Editop objects


def spacing_errors(truth: str, predicted: str, ops: Sequence[EditOp]) -> tuple[int, int]:
    """Spaces inserted and spaces lost along the alignment ``ops`` of ``predicted`` against ``truth``.

    A space read for a character is an inserted space, a character read for a space a lost one;
    whitespace read as other whitespace (a line break for a space) is neither.

    >>> truth, read = "아버지가 방에", "아버지 가방에"
    >>> spacing_errors(truth, read, alignment(truth, read))
    (1, 1)
    """
    inserted = deleted = 0
    for tag, i, j in ops:
        in_truth = tag != "insert" and truth[i].isspace()
        in_reading = tag != "delete" and predicted[j].isspace()
        inserted += in_reading and not in_truth
        deleted += in_truth and not in_reading
    return inserted, deleted


def score_text(truth: str, predicted: str, normalization: Normalization) -> PageText:
    """CER, WER and bag-of-words counts of ``predicted`` against ``truth``, both normalised.

    >>> page = score_text("Green tea 3,000", "Green  tee 3,000", Normalization())
    >>> page.char_edits, page.chars, page.word_edits, page.words
    (1, 15, 1, 3)
    """
    t, p = normalization.apply(truth), normalization.apply(predicted)
    tw, pw = normalization.words(truth), normalization.words(predicted)
    hits = sum((Counter(tw) & Counter(pw)).values())
    ops = alignment(t, p)
    inserted, deleted = spacing_errors(t, p, ops)
    bare_t, bare_p = "".join(t.split()), "".join(p.split())
    return PageText(len(ops), len(t), Levenshtein.distance(tw, pw), len(tw), hits, len(pw), inserted, deleted,
                    len(t) - len(bare_t), Levenshtein.distance(bare_t, bare_p), len(bare_t))  # fmt: skip


def summarise(sums: Mapping[str, int], pages: int) -> dict[str, Any]:
    """The figures of many pages from their :class:`PageText` counts summed (micro-averaged)."""
    s = Counter(sums)
    precision, recall = ratio(s["bow_hits"], s["bow_predicted"]), ratio(s["bow_hits"], s["words"])
    return {
        "cer": ratio(s["char_edits"], s["chars"]), "wer": ratio(s["word_edits"], s["words"]),
        "bow_precision": precision, "bow_recall": recall, "bow_f1": f1(precision, recall),
        "images": pages, "chars": s["chars"], "char_edits": s["char_edits"],
        "words": s["words"], "word_edits": s["word_edits"],
        "cer_no_spaces": ratio(s["char_edits_no_spaces"], s["chars_no_spaces"]),
        "spacing_error_rate": ratio(s["space_insertions"] + s["space_deletions"], s["spaces"]),
        "spaces": s["spaces"], "space_insertions": s["space_insertions"], "space_deletions": s["space_deletions"],
    }  # fmt: skip


class TextScore:
    """CER, WER, bag-of-words precision/recall/F1 and spacing over many pages, micro-averaged.

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
        return summarise(self._sums, self.pages)
