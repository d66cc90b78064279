"""How text is made comparable before it is scored, stated once and recorded in every report.

Two readings of one page differ in ways nobody counts as errors: full-width digits, a
line break where the other has a space, two spaces for one. :class:`Normalization` says
which of those are forgiven; the same object scores truth and engine text alike, and its
:meth:`~Normalization.describe` goes into ``summary.json`` so a figure is never read apart
from what it forgave.

Each option is a :class:`Normalizer`, a named text transform provided through the
``register_normalizers`` hook: the built-in ones (:data:`BUILT_IN`, registered by
:mod:`unified_ocr.evaluation.plugin`) and any a plugin adds, which ``--normalize NAME``
turns on and which run after the built-in ones, in the order named.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import attrs

from ..errors import UnknownEngineError

_WHITESPACE = re.compile(r"\s+")
#: Precomposed Hangul syllables (가..힣): the only characters the jamo option decomposes.
_HANGUL = re.compile("[\uac00-\ud7a3]+")


@attrs.frozen(slots=True)
class Normalizer:
    """One named text transform: ``apply(text)`` gives the text as it is compared."""

    name: str  # as --normalize takes it: "fold-case"
    apply: Callable[[str], str]
    description: str = ""
    #: it removes the spaces between words, so words are split before it runs (``drop-whitespace``)
    removes_spaces: bool = False


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def _jamo(text: str) -> str:
    return _HANGUL.sub(lambda m: unicodedata.normalize("NFD", m.group()), text)


#: The built-in options, in the order they run (collapsing after dropping changes nothing).
BUILT_IN: tuple[Normalizer, ...] = (
    Normalizer("nfkc", _nfkc, "Unicode NFKC: full-width forms, ligatures and compatibility characters as their plain forms (on)"),
    Normalizer("fold-case", str.casefold, "case folded (Straße = STRASSE)"),
    Normalizer("drop-whitespace", lambda text: _WHITESPACE.sub("", text), "whitespace removed altogether (for scripts and "
               "engines that disagree on word spacing)", removes_spaces=True),  # fmt: skip
    Normalizer("collapse-whitespace", _collapse, "every run of whitespace one space, the ends stripped (on)"),
    Normalizer("jamo", _jamo, "Hangul syllables as their jamo (initial, vowel, final): a wrong final consonant is one edit of three"),
)
_FIELD = {n.name: n.name.replace("-", "_") for n in BUILT_IN}


@lru_cache(maxsize=64)
def _plugin(name: str) -> Normalizer:
    """The installed normaliser called ``name`` (a plugin's)."""
    from ..engines.registry import default_registry

    return default_registry().get("normalizer", name)  # type: ignore[no-any-return]


def known_names() -> list[str]:
    """Every name ``--normalize`` takes: the built-in options and the installed normalisers'."""
    from ..engines.registry import default_registry

    return sorted({*_FIELD, *default_registry().all("normalizer")})


def _names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(names)


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
    #: the names of installed normalisers (plugins') to apply after the built-in options, in this order
    extra: tuple[str, ...] = attrs.field(default=(), converter=_names)

    @property
    def steps(self) -> tuple[Normalizer, ...]:
        """The normalisers this applies, in the order they run."""
        return _steps(self)

    def apply(self, text: str) -> str:
        for step in _steps(self):
            text = step.apply(text)
        return text

    def words(self, text: str) -> list[str]:
        """The normalised text's words (split on whitespace; none when whitespace is dropped)."""
        if any(step.removes_spaces for step in _steps(self)):
            return [self.apply(w) for w in text.split() if self.apply(w)]
        return self.apply(text).split()

    def describe(self) -> dict[str, Any]:
        """The settings, as recorded in a report: each built-in option on or off, then each plugin's that is on."""
        described: dict[str, Any] = attrs.asdict(self, filter=lambda a, _: a.name != "extra")
        return described | dict.fromkeys(self.extra, True)

    @classmethod
    def from_names(cls, names: str) -> Normalization:
        """From a comma-separated list of options, as the command line takes them
        (``"fold-case,jamo"``; ``"none"`` for no normalisation at all); a name that is no
        built-in option is an installed normaliser's."""
        if names.strip() == "none":
            return cls(nfkc=False, collapse_whitespace=False)
        values: dict[str, Any] = {}
        extra: list[str] = []
        for raw in filter(None, (n.strip() for n in names.split(","))):
            name = raw.replace("_", "-")
            negated = name[3:] if name.startswith("no-") else None
            if name in _FIELD:
                values[_FIELD[name]] = True
            elif negated in _FIELD:
                values[_FIELD[negated]] = False
            else:
                try:
                    extra.append(_plugin(raw).name)
                except UnknownEngineError:
                    raise ValueError(f"unknown normalisation {raw!r}; known: {', '.join(known_names())}, none") from None
        return cls(**values, extra=tuple(dict.fromkeys(extra)))


@lru_cache(maxsize=256)
def _steps(normalization: Normalization) -> tuple[Normalizer, ...]:
    """The built-in options that are on, in :data:`BUILT_IN`'s order, then the plugins' named."""
    on = [n for n in BUILT_IN if getattr(normalization, _FIELD[n.name])]
    return (*on, *(_plugin(name) for name in normalization.extra))
