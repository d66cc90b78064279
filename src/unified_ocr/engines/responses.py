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

import marshal
import math
import re
from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any, TypeVar

import attrs

from ..errors import BadResponseError
from ..geometry import Quad, Transform
from ..model import Block, Cell, Field, Line, Page, Table, Word

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


#: The exact types a coordinate may have (``bool`` is an ``int``, but never a coordinate).
NUMBERS = frozenset({int, float})
FLOATS = frozenset({float})


def four_points(points: Any, x: str = "x", y: str = "y", types: frozenset[type] = NUMBERS) -> tuple[Any, ...] | None:
    """The eight coordinates ``(x0, y0, x1, y1, x2, y2, x3, y3)`` of a list of four objects whose
    ``x`` and ``y`` values are exactly of ``types``, checked at once without building a path for
    each value (a page holds thousands); ``None`` for anything else, a key missing too, which the
    caller's strict reading then explains by its path. Finiteness and range are the caller's.

    >>> four_points([{"x": 1, "y": 2}, {"x": 3, "y": 2}, {"x": 3, "y": 4}, {"x": 1, "y": 4.5}])
    (1, 2, 3, 2, 3, 4, 1, 4.5)
    >>> four_points([{"X": 0.5, "Y": 0.5}] * 4, "X", "Y", FLOATS) is None, four_points([{"x": True, "y": 0}] * 4)
    (False, None)
    """
    if type(points) is not list or len(points) != 4:
        return None
    a, b, c, d = points
    if not (type(a) is dict and type(b) is dict and type(c) is dict and type(d) is dict):
        return None
    x0, y0, x1, y1, x2, y2, x3, y3 = a.get(x), a.get(y), b.get(x), b.get(y), c.get(x), c.get(y), d.get(x), d.get(y)
    if (type(x0) in types and type(y0) in types and type(x1) in types and type(y1) in types
            and type(x2) in types and type(y2) in types and type(x3) in types and type(y3) in types):  # fmt: skip
        return x0, y0, x1, y1, x2, y2, x3, y3
    return None


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
    if not _may_hold_surrogate(value):
        return value, 0
    tally = _Tally()
    return _writable(value, tally), tally.n


def surely_writable(value: Any) -> bool:
    """Whether no string in ``value`` holds a surrogate, so that :func:`writable` would give it back
    as it is: the quick test alone, for a tuple of several values (an answer and its meta) at once."""
    return not _may_hold_surrogate(value)


#: A surrogate as ``marshal`` writes it (UTF-8 with ``surrogatepass``): bytes no UTF-8 text has.
_ENCODED_SURROGATE = re.compile(rb"\xed[\xa0-\xbf][\x80-\xbf]")
#: Values that hold no text, at no depth.
_NO_TEXT = frozenset({int, float, bool, type(None), Quad, Transform})


def _may_hold_surrogate(value: Any) -> bool:
    """Whether ``value`` may hold a surrogate anywhere (``False`` only when it surely holds none).

    Every result passes through :func:`writable` and almost none holds a surrogate, so this is
    the path that counts: a vendor's decoded answer is checked at C speed by ``marshal``, which
    writes every string as UTF-8 with its surrogates kept (a walk in Python cost ten times the
    answer's ``json.loads``). Its format 4 (the quickest: repeated keys written once) writes
    floats and references as raw bytes, which can look like a surrogate by chance (an answer of
    thousands of fractional coordinates nearly always has a few such floats); such an answer is
    narrowed down by :func:`_surrogate_under` to the parts whose own dump still shows one.
    A result's pages (attrs objects, which ``marshal`` refuses) have their texts gathered, the
    model's own lines, words and blocks read directly, and searched in one string.
    """
    try:  # a result's pages are known to refuse marshal: not tried, which costs an exception
        dumped = None if type(value) is tuple and value and type(value[0]) is Page else marshal.dumps(value, 4)
    except ValueError:  # objects of the model, or nesting deeper than marshal goes
        dumped = None
    if dumped is not None:  # a surrogate's UTF-8 starts with 0xED (as Hangul's last third does): searched only then
        return b"\xed" in dumped and bool(_ENCODED_SURROGATE.search(dumped)) and _narrowed(value)
    texts: list[str] = []
    try:
        _gather_texts(value, texts)
    except RecursionError:
        return True
    joined = "".join(texts)
    if joined.isascii():
        return False
    try:  # UTF-8 refuses a surrogate and nothing else, and encodes twice as fast as the pattern searches
        joined.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


#: Lists of more items than this, and objects of more keys than :data:`_WIDE_OBJECT`, have each item
#: dumped on its own when narrowing down; the items of smaller ones are looked into directly (an
#: object's few keys, of which one usually holds nearly all of it, a point's two numbers).
_WIDE = 4
_WIDE_OBJECT = 32


def _narrowed(value: Any) -> bool:
    """:func:`_surrogate_under`, or for nesting deeper than its walk goes (and ``marshal`` went), a
    dump of the whole value in marshal's format 1, which writes floats as digits."""
    try:
        return _surrogate_under(value)
    except RecursionError:
        return _ENCODED_SURROGATE.search(marshal.dumps(value, 1)) is not None


def _surrogate_under(value: Any) -> bool:
    """Whether ``value``, whose ``marshal`` dump looked as if it held a surrogate, really holds one:
    its strings are searched directly, and of a wide container's items only those whose own dump
    still shows one are looked into (a float's bytes that looked like one are no text: no string
    under the item shows it). Dumping an item writes each string under it in full at least once,
    so an item whose dump shows none holds none.

    A dump of the whole answer again in marshal's format 1, which writes floats as digits,
    cost more than the answer's ``json.loads`` on answers of many fractional coordinates; this
    dumps about as much as the answer once more."""
    kind = type(value)
    if kind is str or isinstance(value, str):
        return not value.isascii() and _SURROGATE.search(value) is not None
    if kind is dict:
        items: Any = [*value, *value.values()]
        wide = len(value) > _WIDE_OBJECT
    elif kind is list or kind is tuple:
        items = value
        wide = len(value) > _WIDE
    elif kind in _NO_TEXT or isinstance(value, (bytes, bytearray)):
        return False
    else:  # a set, a frozenset or something else marshal writes: searched in format 1, floats as digits
        return _ENCODED_SURROGATE.search(marshal.dumps(value, 1)) is not None
    for item in items:
        kind = type(item)
        if kind is str:
            if not item.isascii() and _SURROGATE.search(item) is not None:
                return True
        elif kind in _NO_TEXT:
            continue
        elif wide:
            dumped = marshal.dumps(item, 4)
            if b"\xed" in dumped and _ENCODED_SURROGATE.search(dumped) is not None and _surrogate_under(item):
                return True
        elif _surrogate_under(item):
            return True
    return False


def _gather_texts(value: Any, texts: list[str]) -> None:
    kind = type(value)
    if kind is str:
        texts.append(value)
    elif kind in _NO_TEXT:
        return
    elif kind is Page and type(value.index) is int and type(value.width) is int and type(value.height) is int:
        append = texts.append
        for line in value.lines:  # what _line_texts does, inline for the usual line: most of the result's walk
            if (type(line) is Line and type(line.text) is str and type(line.quad) is Quad and type(line.dont_care) is bool
                    and type(line.words) is tuple):  # fmt: skip
                append(line.text)
                for word in line.words:
                    if type(word) is Word and type(word.text) is str and type(word.quad) is Quad and type(word.dont_care) is bool:
                        append(word.text)
                    else:
                        _gather_texts(word, texts)
            elif type(line) is Line:
                _line_texts(line, texts)
            else:
                _gather_texts(line, texts)
        for block in value.blocks:
            if type(block) is Block and type(block.kind) is str and (block.quad is None or type(block.quad) is Quad):
                texts.append(block.kind)
            else:
                _gather_texts(block, texts)
        if value.tables:
            _gather_texts(value.tables, texts)
        if value.fields:
            _gather_texts(value.fields, texts)
    elif kind is Line:
        _line_texts(value, texts)
    elif (kind is Field and type(value.name) is str and type(value.kind) is str and type(value.text) is str
          and (value.value is None or type(value.value) is str) and (value.quad is None or type(value.quad) is Quad)
          and (value.checked is None or type(value.checked) is bool)):  # fmt: skip
        texts += (value.name, value.kind, value.text)
        if value.value is not None:
            texts.append(value.value)
        for part in value.parts:
            _gather_texts(part, texts)
    elif kind is Table and (value.quad is None or type(value.quad) is Quad):
        for cell in value.cells:
            _gather_texts(cell, texts)
    elif (kind is Cell and type(value.row) is int and type(value.col) is int and type(value.row_span) is int
          and type(value.col_span) is int and (value.quad is None or type(value.quad) is Quad)):  # fmt: skip
        for line in value.lines:
            if type(line) is Line:
                _line_texts(line, texts)
            else:
                _gather_texts(line, texts)
    elif kind is list or kind is tuple:
        for item in value:
            if type(item) is str:
                texts.append(item)
            elif type(item) not in _NO_TEXT:
                _gather_texts(item, texts)
    elif kind is dict or isinstance(value, dict):
        for key, item in value.items():
            _gather_texts(key, texts)
            _gather_texts(item, texts)
    elif attrs.has(kind):
        fields = _FIELDS.get(kind)
        if fields is None:
            fields = _FIELDS[kind] = _field_getter(kind)
        for item in fields(value):
            if type(item) is str:
                texts.append(item)
            elif type(item) not in _NO_TEXT:
                _gather_texts(item, texts)
    elif isinstance(value, str):  # a subclass: :func:`_writable` fixes those too
        texts.append(value)


def _line_texts(line: Line, texts: list[str]) -> None:
    """A line's texts and its words', read directly where they are what the model makes (most of
    a page): a word of any other shape, or a value that is not, goes through the general walk."""
    if type(line.text) is str and type(line.quad) is Quad and type(line.dont_care) is bool:
        texts.append(line.text)
    else:
        _gather_texts(line.text, texts)
        _gather_texts(line.quad, texts)
        _gather_texts(line.dont_care, texts)
    words = line.words
    for word in words if type(words) is tuple else (words,):
        if type(word) is Word and type(word.text) is str and type(word.quad) is Quad and type(word.dont_care) is bool:
            texts.append(word.text)
        else:
            _gather_texts(word, texts)


#: Per attrs class: its init fields' values as a tuple (the fields :func:`_writable` rebuilds).
_FIELDS: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _field_getter(kind: type) -> Callable[[Any], tuple[Any, ...]]:
    names = [field.name for field in attrs.fields(kind) if field.init]
    if not names:
        return lambda _value: ()
    getter = attrgetter(*names)
    return getter if len(names) > 1 else lambda value: (getter(value),)


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
