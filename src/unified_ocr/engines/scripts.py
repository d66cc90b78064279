"""Which writing systems an engine reads, so that a result never passes off a script it cannot read.

An engine that reads no Hangul still answers a Korean photo, with confident characters of
another script. So engines declare the scripts they read (ISO 15924 codes: ``Hang``,
``Latn``, ``Hani``, ``Hira``, ``Kana``), a profile may say the language of its images
(``lang = "ko"``), and a reading whose language needs a script the engine does not declare
comes with a :class:`ScriptWarning` naming an installed engine that does read it; so does a
reading whose text holds letters of a script the engine does not declare.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterable

#: The scripts each language is written in (BCP 47 primary tags, and Tesseract's codes).
LANGUAGE_SCRIPTS: dict[str, frozenset[str]] = {
    "ko": frozenset({"Hang"}), "kor": frozenset({"Hang"}),
    "en": frozenset({"Latn"}), "eng": frozenset({"Latn"}),
    "ja": frozenset({"Hira", "Kana", "Hani"}), "jpn": frozenset({"Hira", "Kana", "Hani"}),
    "zh": frozenset({"Hani"}), "chi_sim": frozenset({"Hani"}), "chi_tra": frozenset({"Hani"}),
    "de": frozenset({"Latn"}), "fr": frozenset({"Latn"}), "es": frozenset({"Latn"}), "vi": frozenset({"Latn"}),
}  # fmt: skip
#: Tesseract's script models (``Hangul``, or ``script/Hangul`` where tessdata keeps them in a
#: folder; ``_vert`` for text set in columns) read every language of their script, with Latin beside it.
_SCRIPT_MODELS = {"hangul": {"Hang"}, "japanese": {"Hira", "Kana", "Hani"}, "hans": {"Hani"}, "hant": {"Hani"}, "latin": set()}
LANGUAGE_SCRIPTS.update({f"{folder}{model}{vert}": frozenset(scripts | {"Latn"}) for model, scripts in _SCRIPT_MODELS.items()
                         for folder in ("", "script/") for vert in ("", "_vert")})  # fmt: skip
#: Names for messages.
SCRIPT_NAMES = {"Hang": "Hangul", "Latn": "Latin", "Hani": "Han (Chinese characters)", "Hira": "Hiragana", "Kana": "Katakana"}


class ScriptWarning(UserWarning):
    """The engine does not read a script the images are said to be in; its text there is not to be trusted."""


def scripts_of(lang: str) -> frozenset[str]:
    """The scripts of ``ko``, ``kor+eng``, ``ko,en``: every part that is known."""
    parts = [p.strip().lower().split("-")[0] for p in lang.replace("+", ",").split(",") if p.strip()]
    found: set[str] = set()
    for part in parts:
        found |= LANGUAGE_SCRIPTS.get(part, frozenset())
    return frozenset(found)


#: Unicode blocks of each script, for telling which scripts a text holds.
_RANGES = (
    ("Hang", ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7AF), (0xD7B0, 0xD7FF))),
    ("Hira", ((0x3040, 0x309F),)),
    ("Kana", ((0x30A0, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F))),
    ("Hani", ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))),
    ("Latn", ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))),
)


def scripts_in(text: str) -> frozenset[str]:
    """The scripts of the letters in ``text`` (digits, punctuation and unknown blocks say nothing)."""
    found: set[str] = set()
    for char in set(text):
        code = ord(char)
        for script, ranges in _RANGES:
            if any(lo <= code <= hi for lo, hi in ranges):
                found.add(script)
                break
    return frozenset(found)


def unread(lang: str | None, reads: frozenset[str] | None) -> frozenset[str]:
    """The scripts of ``lang`` an engine that ``reads`` these does not (none when either is unknown)."""
    if not lang or reads is None:
        return frozenset()
    return scripts_of(lang) - reads


def message(engine: str, lang: str | None, missing: Iterable[str], readers: Iterable[str]) -> str:
    """The warning: what the engine does not read, why it matters here, and who reads it."""
    names = ", ".join(SCRIPT_NAMES.get(s, s) for s in sorted(missing))
    readers = sorted(readers)
    hint = f"; {' or '.join(readers)} does: --engine {readers[0]}" if readers else ""
    why = f"which lang = {lang!r} needs" if lang else "which the page's text shows"
    return f"engine {engine!r} reads no {names}, {why}: its text there is not to be trusted{hint}"


_said: set[str] = set()
_saying = threading.Lock()


def warn_once(text: str) -> None:
    """Warn with ``text`` once per process (a batch of a thousand images, read in threads, says it once)."""
    with _saying:
        if text in _said:
            return
        _said.add(text)
    warnings.warn(text, ScriptWarning, stacklevel=3)


#: What tells Hangul read as Han by an engine that reads no Hangul from Chinese or Japanese it
#: reads. Measured with the offline default engine on rendered receipts and documents (clean,
#: photographed, at half size) and real photos: it gives a Korean page a few Han characters,
#: alone or in twos, with mean word confidences of 0.3 to 0.85 (and drops most of the page);
#: Chinese comes at 0.95 to 1.0, and when blurred to 0.67 in runs of four or more; Japanese has
#: about as much kana as Han, or more. So: at least MIN_HAN Han characters and HAN_SHARE of the
#: letters read; kana under KANA_SHARE of the Han; the words holding Han read below UNSURE on
#: average, in runs of at most SHORT_RUN on average. It flags 28 of 59 Korean pages (all but
#: one of the others hold fewer than two Han characters) and none of 105 Chinese, Japanese and
#: English ones.
MIN_HAN, HAN_SHARE, KANA_SHARE, UNSURE, SHORT_RUN = 2, 0.2, 0.5, 0.9, 3.0


def misread_hangul(lines: Iterable[tuple[str, Iterable[tuple[str, float | None]]]]) -> bool:
    """Whether a reading (each line's text and its words' texts and confidences) looks like
    Hangul read as Han by an engine that reads no Hangul, rather than Chinese or Japanese: its
    Han unsure and in short pieces, with little kana among it (the figures above)."""
    han = kana = letters = 0
    runs: list[int] = []
    confidences: list[float] = []
    for text, words in lines:
        run = 0
        for char in text + " ":
            found = scripts_in(char)
            if "Hani" in found:
                run += 1
            elif run:
                runs.append(run)
                run = 0
            han += "Hani" in found
            kana += bool(found & {"Hira", "Kana"})
            letters += bool(found)
        for word, confidence in words:
            if "Hani" in scripts_in(word):
                if confidence is None:
                    return False  # an engine that gives no confidence: nothing to tell them apart by
                confidences.append(confidence)
    if han < MIN_HAN or han < HAN_SHARE * letters or kana >= KANA_SHARE * han or not confidences:
        return False
    return sum(confidences) / len(confidences) < UNSURE and sum(runs) / len(runs) <= SHORT_RUN


def misread_message(engine: str) -> str:
    """The warning for a reading :func:`misread_hangul` flags: one text for every image, so said once a run."""
    return (f"engine {engine!r} read Chinese characters unsure and in short pieces, as it reads Korean (it reads no Hangul); "
            "if the images are Korean, say so: --lang ko (lang=\"ko\")")  # fmt: skip
