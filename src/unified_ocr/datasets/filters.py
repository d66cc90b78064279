"""Labels people can trust: what a region must be to become a training sample, and why not.

Each check gives the reason a region is dropped (counted in the summary under that name) or
``None``. The label itself is changed in one place only: characters outside a charset may be
replaced instead of dropping the word.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import attrs

from ..errors import ConfigError
from .records import Region

VERTICAL = ("keep", "rotate", "drop")


def read_charset(path: str | Path) -> frozenset[str]:
    """A charset file: the characters it holds, one or more a line (PaddleOCR's dictionaries, a
    plain alphabet); line ends are not characters, and a line holding one space means the space."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--charset {path}: cannot be read as UTF-8 text ({exc})") from None
    chars = {c for line in text.splitlines() for c in (line if line.strip() else line[:1])}
    if not chars:
        raise ConfigError(f"--charset {path}: holds no characters")
    return frozenset(chars)


@attrs.frozen(slots=True)
class Filters:
    """What a label and its crop must be. ``replace`` (a character) puts it in place of
    characters outside ``charset`` instead of dropping the word."""

    min_confidence: float | None = None
    min_height: int = 0  # pixels of the rectified crop, padding left out
    min_length: int = 1
    max_length: int = 100  # in characters; trainers cap labels (DTRB and PaddleOCR at 25 by default)
    charset: frozenset[str] | None = None
    replace: str | None = None
    pattern: str | None = None  # a regular expression the whole label must match
    vertical: str = "keep"  # keep, rotate (90 degrees counterclockwise, to read left to right) or drop

    def __attrs_post_init__(self) -> None:
        if self.vertical not in VERTICAL:
            raise ConfigError(f"vertical text is one of {', '.join(VERTICAL)}, not {self.vertical!r}")
        if self.replace is not None and len(self.replace) != 1:
            raise ConfigError(f"--charset-replace takes one character, not {self.replace!r}")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ConfigError(f"--pattern {self.pattern!r} is not a regular expression: {exc}") from None

    def label(self, region: Region) -> tuple[str | None, str | None, bool]:
        """``(label, reason, replaced)``: the label to write, or ``None`` and why it is dropped."""
        label = region.label.strip()
        if not label:
            return None, "empty-label", False
        if label == "###":
            return None, "do-not-care", False
        if any(unicodedata.category(c) == "Cc" and c not in "\t\n" for c in label):
            return None, "control-character", False
        replaced = False
        if self.charset is not None:
            outside = {c for c in label if c not in self.charset}
            if outside and self.replace is None:
                return None, "outside-charset", False
            if outside:
                label, replaced = "".join(self.replace if c in outside else c for c in label), True  # type: ignore[misc]
        if len(label) < self.min_length:
            return None, "too-short", replaced
        if len(label) > self.max_length:
            return None, "too-long", replaced
        if self.pattern is not None and re.fullmatch(self.pattern, label) is None:
            return None, "pattern", replaced
        confidence = region.confidence
        if self.min_confidence is not None and region.engines and (confidence is None or confidence < self.min_confidence):
            return None, "low-confidence", replaced
        return label, None, replaced

    def size(self, height: float) -> str | None:
        return "too-small" if height < self.min_height else None
