"""Reading a vendor's JSON answer strictly: every value checked for its shape where it is read.

A parser that indexes a response blindly fails with a bare ``KeyError`` or ``TypeError``
on the day the vendor changes a field, and says nothing useful. These readers return the
value when it has the expected shape and otherwise raise a retryable
:class:`~unified_ocr.errors.BadResponseError` that names the path and says what was there
instead, never echoing more than the start of a string::

    read = ResponseReader("acme")
    x = read.number(vertex.get("x", MISSING), "images[0].fields[3].boundingPoly.vertices[0].x")

>>> read = ResponseReader("acme")
>>> read.count(2.0, "n")
2
>>> read.number("12", "box[0]")
Traceback (most recent call last):
...
unified_ocr.errors.BadResponseError: acme: expected box[0] to be a finite number; got the string '12'
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs

from ..errors import BadResponseError

T = TypeVar("T")


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


#: What ``obj.get(key, MISSING)`` gives for an absent key, so that messages can tell it from null.
MISSING: Any = _Missing()

#: What reading an answer of an unforeseen shape can raise beyond the reader's own
#: :class:`~unified_ocr.errors.BadResponseError` (a key missing, a value of another type, a
#: number out of range, nesting too deep): a parser turns these into a ``BadResponseError``
#: naming the answer, so that a vendor's surprise is a typed error, never a bare traceback.
UNREADABLE: tuple[type[Exception], ...] = (KeyError, TypeError, ValueError, IndexError, AttributeError, ArithmeticError, RecursionError)


def describe(value: Any) -> str:
    """A short, safe account of a value for an error message: its kind, and its keys, length or start."""
    if value is MISSING:
        return "nothing (the key is missing)"
    if isinstance(value, dict):
        keys = [str(k) for k in value]
        return f"an object with keys {keys[:12]}" + (f" and {len(keys) - 12} more" if len(keys) > 12 else "")
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string {value[:40]!r}" + ("..." if len(value) > 40 else "")
    if isinstance(value, (int, float)):
        return f"the number {value!r}"[:60]
    return f"a {type(value).__name__}"


def plain(value: Any) -> Any:
    """A JSON-safe copy (finite numbers, string keys), so that ``meta`` never aliases ``raw``."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if value is None or isinstance(value, (str, int, float, bool)) else repr(value)


class ResponseReader:
    """Shape checks for one vendor's answers; ``at`` is the path of the value, for the message."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor

    def fail(self, at: str, expected: str, got: Any) -> BadResponseError:
        """The error to raise: ``expected AT to be EXPECTED; got ...``."""
        return BadResponseError(f"expected {at} to be {expected}; got {describe(got)}", vendor=self.vendor)

    def number(self, value: Any, at: str) -> float:
        """A finite number; ``true``, strings and integers beyond a float's range are not numbers."""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                number = float(value)
            except OverflowError:
                number = math.inf
            if math.isfinite(number):
                return number
        raise self.fail(at, "a finite number", value)

    def count(self, value: Any, at: str) -> int:
        """A whole number >= 0; ``2.0`` is taken as 2."""
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, float) and math.isfinite(value) and value >= 0 and value.is_integer():
            return int(value)
        raise self.fail(at, "a whole number >= 0", value)

    def string(self, value: Any, at: str) -> str:
        if isinstance(value, str):
            return value
        raise self.fail(at, "a string", value)

    def object(self, value: Any, at: str) -> Mapping[str, Any]:
        if isinstance(value, dict):
            return value
        raise self.fail(at, "an object", value)

    def array(self, value: Any, at: str) -> list[Any]:
        if isinstance(value, list):
            return value
        raise self.fail(at, "a list", value)

    def optional_list(self, obj: Mapping[str, Any], key: str, at: str) -> list[Any]:
        """``obj[key]`` as a list; absent or null is an empty list."""
        value = obj.get(key)
        return [] if value is None else self.array(value, f"{at}.{key}")

    def optional_bool(self, obj: Mapping[str, Any], key: str, at: str) -> bool:
        """``obj[key]`` as true or false; absent or null is false."""
        value = obj.get(key)
        if value is None or isinstance(value, bool):
            return bool(value)
        raise self.fail(f"{at}.{key}", "true or false", value)


#: A UTF-16 surrogate code point: never text of its own, and no UTF-8 writer can encode it.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def writable_text(text: str) -> tuple[str, int]:
    """``text`` with each unpaired surrogate replaced by U+FFFD, and how many were replaced.

    JSON may legally hold ``"\\ud800"``; decoded, it is a string that every UTF-8 writer (files,
    journals, caches, stdout) refuses with a ``UnicodeEncodeError``. A high surrogate directly
    followed by a low one is joined into the character the two encode, as UTF-16 reads them.

    >>> writable_text("\\ud800x \\ud83d\\ude00") == ("\\ufffdx \\U0001f600", 1)
    True
    """
    if text.isascii() or not _SURROGATE.search(text):
        return text, 0
    fixed = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return fixed, fixed.count("\ufffd") - text.count("\ufffd")


class _Tally:
    n = 0


def writable(value: T) -> tuple[T, int]:
    """``value`` (strings, lists, tuples, dicts and ``attrs`` objects such as a result, nested)
    with every string made writable by :func:`writable_text`, and how many characters were
    replaced. What holds none comes back as the same object; anything else is kept as it is."""
    tally = _Tally()
    return _writable(value, tally), tally.n


def _writable(value: Any, tally: _Tally) -> Any:
    if isinstance(value, str):
        fixed, n = writable_text(value)
        tally.n += n
        return fixed
    if isinstance(value, dict):
        pairs = [(_writable(k, tally), _writable(v, tally)) for k, v in value.items()]
        changed = any(k is not k0 or v is not v0 for (k, v), (k0, v0) in zip(pairs, value.items()))
        return dict(pairs) if changed else value
    if type(value) in (list, tuple):
        items = [_writable(v, tally) for v in value]
        return type(value)(items) if any(a is not b for a, b in zip(items, value)) else value
    if attrs.has(type(value)):
        changes = {}
        for field in attrs.fields(type(value)):
            if field.init:
                old = getattr(value, field.name)
                new = _writable(old, tally)
                if new is not old:
                    changes[field.alias] = new
        return attrs.evolve(value, **changes) if changes else value
    return value
