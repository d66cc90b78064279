"""What an engine gets wrong: the characters it confuses, tallied from the alignments CER counts.

A CER says how much is wrong; a team choosing an engine, or fixing one's output, asks what.
Every edit of the character alignment (:func:`~.text.alignment`, the one CER counts) is
tallied: a substitution as ``truth -> read``, an insertion as ``-> read``, a deletion as
``truth ->``. For Hangul a syllable misread is also broken into its jamo, position by
position (initial consonant, vowel, final consonant), so that ``ㅓ -> ㅗ`` (어 read as 오)
or a lost final consonant shows however many syllables it struck; an initial ㅇ and a final
ㅇ are kept apart, because engines confuse them differently. Under the ``jamo``
normalisation the texts are jamo already, and each jamo edit is tallied with its position.

Each confusion keeps one example: the image with the highest CER among those where it
occurs (the worst first, where it is easiest to see). An image the engine failed to read
is counted apart and not tallied: its missing text says nothing about which characters
the engine confuses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, ClassVar

from ..model import OcrResult
from .metrics import Metric
from .normalize import Normalization
from .text import EditOp, alignment
from .truth import about

#: How many confusions summary.json keeps per table, the commonest first.
TOP = 50
#: How many of the worst images summary.json names.
WORST = 10

INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
#: Final consonants 1..27 (0 is a syllable with none).
FINALS = "ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"
POSITIONS = ("initial", "medial", "final")
_SYLLABLES = range(0xAC00, 0xD7A4)
# conjoining jamo (as NFD writes a syllable): first code point of each position, and its letters
_CONJOINING = ((0x1100, "initial", INITIALS), (0x1161, "medial", MEDIALS), (0x11A8, "final", FINALS))

#: One confusion: (kind, truth, read, position); kind ``substitution``, ``insertion`` or
#: ``deletion``; the absent side ``""``; position ``""`` for characters, else a jamo's.
Key = tuple[str, str, str, str]


def syllable_jamo(char: str) -> tuple[str, str, str] | None:
    """A precomposed Hangul syllable's initial, medial and final jamo (as compatibility jamo,
    the final ``""`` when it has none); ``None`` for any other character.

    >>> syllable_jamo("값"), syllable_jamo("가"), syllable_jamo("A")
    (('ㄱ', 'ㅏ', 'ㅄ'), ('ㄱ', 'ㅏ', ''), None)
    """
    code = ord(char)
    if code not in _SYLLABLES:
        return None
    code -= 0xAC00
    final = code % 28
    return INITIALS[code // 588], MEDIALS[code // 28 % 21], FINALS[final - 1] if final else ""


def conjoining_jamo(char: str) -> tuple[str, str] | None:
    """A conjoining jamo's position and letter (``("final", "ㄱ")`` for U+11A8); ``None`` for any other character."""
    code = ord(char)
    for first, position, letters in _CONJOINING:
        if 0 <= code - first < len(letters):
            return position, letters[code - first]
    return None


def _kind(truth: str, read: str) -> str:
    return "substitution" if truth and read else "deletion" if truth else "insertion"


def jamo_edits(truth: str, read: str) -> list[Key]:
    """The jamo confusions of one character edit (``""`` for the absent side); none when neither is Hangul.

    >>> jamo_edits("어", "오")
    [('substitution', 'ㅓ', 'ㅗ', 'medial')]
    >>> jamo_edits("각", "가")
    [('deletion', 'ㄱ', '', 'final')]
    """
    a = syllable_jamo(truth) if truth else None
    b = syllable_jamo(read) if read else None
    if a is not None and b is not None:
        return [(_kind(x, y), x, y, position) for x, y, position in zip(a, b, POSITIONS) if x != y]
    ca = conjoining_jamo(truth) if truth else None
    cb = conjoining_jamo(read) if read else None
    if ca is not None and cb is not None:
        return [("substitution", ca[1], cb[1], ca[0])] if ca[0] == cb[0] else []
    if ca is not None and not read:
        return [("deletion", ca[1], "", ca[0])]
    if cb is not None and not truth:
        return [("insertion", "", cb[1], cb[0])]
    return []


class ConfusionTable:
    """The confusions of many pages: :meth:`update` with each page's normalised texts, then :meth:`summary`.

    >>> table = ConfusionTable()
    >>> table.update("a.png", "서울 어린이", "서울 오린이")
    >>> [(c["truth"], c["read"], c["count"]) for c in table.summary()["jamo"]]
    [('ㅓ', 'ㅗ', 1)]
    """

    def __init__(self) -> None:
        self.pages = 0
        self.edits = 0
        self.characters: Counter[Key] = Counter()
        self.jamo: Counter[Key] = Counter()
        #: per confusion, its worst image so far: (CER, image)
        self.examples: dict[Key, tuple[float, str]] = {}
        #: per page: (CER, edits, characters, image)
        self.images: list[tuple[float, int, int, str]] = []

    def update(self, image: str, truth: str, read: str, ops: Sequence[EditOp] | None = None) -> None:
        """Tally one page: ``truth`` and ``read`` normalised, ``ops`` their alignment (computed when not given)."""
        ops = alignment(truth, read) if ops is None else ops
        self.pages += 1
        self.edits += len(ops)
        cer = len(ops) / len(truth) if truth else float("inf") if ops else 0.0
        self.images.append((cer, len(ops), len(truth), image))
        page: Counter[Key] = Counter()
        jamo: Counter[Key] = Counter()
        for tag, i, j in ops:
            t = truth[i] if tag != "insert" else ""
            r = read[j] if tag != "delete" else ""
            page[(_kind(t, r), t, r, "")] += 1
            if ord(t or r) >= 0x1100:  # jamo and syllables only (cheap test first)
                jamo.update(jamo_edits(t, r))
        self.characters.update(page)
        self.jamo.update(jamo)
        for key in (*page, *jamo):
            if cer > self.examples.get(key, (-1.0, ""))[0]:
                self.examples[key] = (cer, image)

    def _top(self, counts: Counter[Key], jamo: bool) -> list[dict[str, Any]]:
        examples = self.examples
        ranked = sorted(counts.items(), key=lambda kc: (-kc[1], -examples[kc[0]][0], kc[0]))[:TOP]
        rows = []
        for (kind, truth, read, position), count in ranked:
            row: dict[str, Any] = {"kind": kind, "truth": truth, "read": read, "count": count}
            if jamo:
                row["position"] = position
            rows.append(row | {"example": examples[(kind, truth, read, position)][1]})
        return rows

    def summary(self) -> dict[str, Any]:
        """The commonest confusions (:data:`TOP` of each table) with an example image each, and the worst images."""
        worst = sorted(self.images, key=lambda page: (-page[0], -page[1], page[3]))[:WORST]
        return {
            "images": self.pages,
            "edits": self.edits,
            "characters": self._top(self.characters, jamo=False),
            "jamo": self._top(self.jamo, jamo=True),
            "worst_images": [
                {"image": image, "cer": cer if cer != float("inf") else None, "edits": edits, "chars": chars}
                for cer, edits, chars, image in worst
                if edits
            ],
        }


class ConfusionsMetric(Metric):
    """The character (and Hangul jamo) confusions of an engine's text against the truth (:class:`ConfusionTable`)."""

    name = "confusions"
    description = "the commonest character and jamo confusions (truth -> read), with the worst image of each"
    columns: ClassVar[tuple[str, ...]] = ()
    shown: ClassVar[tuple[tuple[str, str, bool], ...]] = ()

    def __init__(self, normalization: Normalization) -> None:
        super().__init__(normalization)
        self.table = ConfusionTable()
        self.failed = 0

    def update(self, truth: OcrResult, result: OcrResult | None) -> dict[str, Any]:
        if result is None:
            self.failed += 1
            return {}
        norm = self.normalization.apply
        image = str(result.meta.get("source") or about(truth).get("source") or f"image {self.table.pages + 1}")
        self.table.update(image, norm(truth.text), norm(result.text))
        return {}

    def summary(self) -> dict[str, Any] | None:
        if not self.table.pages:
            return None
        return {**self.table.summary(), "failed_images": self.failed}
