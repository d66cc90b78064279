"""Numbers read from documents (hOCR, ALTO, PAGE-XML, truth files): finite and in range, or the
document is refused.

A document from elsewhere can say anything: ``nan``, ``inf``, ``1e300``, ``-5`` for a page's
height. Python's ``float`` takes the first three without a word, and they surface far away as an
``OverflowError``, a geometry library's exception or bare ``NaN`` in JSON output. Every reader
takes its numbers through :func:`read_number`, which says where the bad one was (file and line)
with a :class:`~unified_ocr.errors.MalformedDocumentError`, so that a command names the file and
goes on with the next.
"""

from __future__ import annotations

import math

from ..errors import MalformedDocumentError

#: The largest coordinate (either sign) a document may give, in pixels: far beyond any scan or
#: rendered page (a metre at 600 dpi is about 24,000), and far below what breaks arithmetic.
MAX_COORDINATE = 1_000_000.0
#: The largest page side, in pixels.
MAX_SIDE = 1_000_000
#: The largest page number or table index.
MAX_INDEX = 1_000_000


def where(source: str, line: int | None) -> str:
    """``source:line``, or ``source`` when the line is not known."""
    return f"{source}:{line}" if line else source


def read_number(value: str | float, what: str, source: str, line: int | None = None, *,
                low: float = -MAX_COORDINATE, high: float = MAX_COORDINATE, whole: bool = False) -> float:  # fmt: skip
    """``value`` (a document's text, or a number a JSON reader gave) as a float within
    ``low..high``; ``whole`` also wants an integer (``12`` or ``12.0``, not ``12.5``).

    >>> read_number("12.5", "WIDTH", "a.xml", 3)
    12.5
    >>> read_number("nan", "WIDTH", "a.xml", 3)
    Traceback (most recent call last):
    ...
    unified_ocr.errors.MalformedDocumentError: a.xml:3: WIDTH must be a finite number from -1000000 to 1000000; got 'nan'
    """
    if isinstance(value, bool):
        number = math.nan  # true and false are not numbers here, whatever Python says
    elif isinstance(value, (int, float)):
        number = float(value) if not isinstance(value, int) or abs(value) <= 2**63 else math.inf
    else:
        try:
            number = float(value)
        except (ValueError, TypeError):
            number = math.nan
    if not (math.isfinite(number) and low <= number <= high and (not whole or number.is_integer())):
        kind = "a whole" if whole else "a finite"
        shown = value[:40] if isinstance(value, str) else value
        raise MalformedDocumentError(
            f"{where(source, line)}: {what} must be {kind} number from {_bound(low)} to {_bound(high)}; got {shown!r}"
        )
    return number


def _bound(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def read_numbers(text: str, what: str, source: str, line: int | None = None, *,
                 low: float = -MAX_COORDINATE, high: float = MAX_COORDINATE) -> list[float]:  # fmt: skip
    """Numbers apart by spaces (an hOCR ``bbox``), each as :func:`read_number` reads it."""
    return [read_number(v, what, source, line, low=low, high=high) for v in text.split()]
