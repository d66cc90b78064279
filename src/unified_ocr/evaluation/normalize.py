"""How text is made comparable before it is scored, stated once and recorded in every report.

Two readings of one page differ in ways nobody counts as errors: full-width digits, a
line break where the other has a space, two spaces for one. :class:`Normalization` says
which of those are forgiven; the same object scores truth and engine text alike, and its
:meth:`~Normalization.describe` goes into ``summary.json`` so a figure is never read apart
from what it forgave.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import attrs

_WHITESPACE = re.compile(r"\s+")
#: Precomposed Hangul syllables (가..힣): the only characters the jamo option decomposes.
_HANGUL = re.compile("[\uac00-\ud7a3]+")


@attrs.frozen(slots=True)
class Normalization:
    """What is forgiven before texts are compared.

    >>> Normalization().apply("  Ｔｏｔａｌ\\n 12,400 ")
    'Total 12,400'
    >>> Normalization(fold_case=True, drop_whitespace=True).apply("Green Tea")
    'greentea'
    >>> len(Normalization(jamo=True).apply("값"))  # ㄱ ㅏ ㅄ: a wrong final consonant is one edit of three
    3
    """

    #: Unicode NFKC: full-width forms, ligatures and compatibility characters read as their plain forms
    nfkc: bool = True
    #: every run of whitespace (line breaks included) becomes one space, and the ends are stripped
    collapse_whitespace: bool = True
    fold_case: bool = False
    #: remove whitespace altogether (for scripts and engines that disagree on word spacing)
    drop_whitespace: bool = False
    #: Hangul syllables as their jamo (initial, vowel, final), so a syllable is 2 or 3 characters
    jamo: bool = False

    def apply(self, text: str) -> str:
        if self.nfkc:
            text = unicodedata.normalize("NFKC", text)
        if self.fold_case:
            text = text.casefold()
        if self.drop_whitespace:
            text = _WHITESPACE.sub("", text)
        elif self.collapse_whitespace:
            text = _WHITESPACE.sub(" ", text).strip()
        if self.jamo:
            text = _HANGUL.sub(lambda m: unicodedata.normalize("NFD", m.group()), text)
        return text

    def words(self, text: str) -> list[str]:
        """The normalised text's words (split on whitespace; none when whitespace is dropped)."""
        if self.drop_whitespace:
            return [self.apply(w) for w in text.split() if self.apply(w)]
        return self.apply(text).split()

    def describe(self) -> dict[str, Any]:
        """The settings, as recorded in a report."""
        return attrs.asdict(self)

    @classmethod
    def from_names(cls, names: str) -> Normalization:
        """From a comma-separated list of options, as the command line takes them
        (``"fold-case,jamo"``; ``"none"`` for no normalisation at all)."""
        if names.strip() == "none":
            return cls(nfkc=False, collapse_whitespace=False)
        fields = {f.name for f in attrs.fields(cls)}
        values: dict[str, bool] = {}
        for raw in filter(None, (n.strip() for n in names.split(","))):
            name = raw.replace("-", "_")
            negate = name.startswith("no_")
            if negate:
                name = name[3:]
            if name not in fields:
                raise ValueError(f"unknown normalisation {raw!r}; known: {', '.join(sorted(f.replace('_', '-') for f in fields))}, none")
            values[name] = not negate
        return cls(**values)
