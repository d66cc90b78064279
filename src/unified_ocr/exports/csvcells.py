"""CSV cells a spreadsheet will not run: OCR text that starts like a formula is written as text.

A CSV file has no types, so a spreadsheet that opens one reads a cell starting with ``=``,
``+``, ``-`` or ``@`` as a formula, and OCR text comes from whatever was photographed: a
receipt line reading ``=HYPERLINK("http://...","Refund")`` becomes a live link, and worse
(CSV injection). The rule is OWASP's: a cell that starts with ``= + - @``, a tab or a
carriage return gets a leading ``'``, which spreadsheets show as nothing and read as "this
is text". Plain numbers are left alone, signs and all, because receipts are full of them
(``-1,000`` as a discount, ``+82`` as a country code) and a user summing a column wants
them as numbers.

Every CSV the project writes for people (table exports, field exports, the comparison's
``images.csv`` and ``disagreements.csv``) goes through :func:`spreadsheet_safe`; exporters
take ``raw_text=True`` to keep the text exactly. Training label files are not CSV for
spreadsheets and keep the text exactly, always.

>>> spreadsheet_safe('=HYPERLINK("http://x","y")')
'\\'=HYPERLINK("http://x","y")'
>>> spreadsheet_safe("-1,000"), spreadsheet_safe("+82"), spreadsheet_safe("-3.5%")
('-1,000', '+82', '-3.5%')
>>> spreadsheet_safe("@SUM(A1)"), spreadsheet_safe("Total")
("'@SUM(A1)", 'Total')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

#: The characters a spreadsheet may take as the start of a formula (OWASP's list).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")

# A number as receipts print it: a sign, digits grouped by commas or dots, an optional percent.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*%?")


def spreadsheet_safe(cell: Any) -> Any:
    """``cell`` with a leading ``'`` if a spreadsheet would read it as a formula; other values unchanged.

    Only strings change; numbers, ``None`` and plain signed numbers in text pass through.
    """
    if not isinstance(cell, str) or not cell.startswith(FORMULA_LEADS):
        return cell
    if _PLAIN_NUMBER.fullmatch(cell):
        return cell
    return "'" + cell


def safe_row(row: Iterable[Any], raw_text: bool = False) -> list[Any]:
    """One CSV row with every cell made :func:`spreadsheet_safe` (unchanged with ``raw_text``)."""
    return list(row) if raw_text else [spreadsheet_safe(cell) for cell in row]


def safe_rows(rows: Iterable[Sequence[Any]], raw_text: bool = False) -> list[list[Any]]:
    """Every row of a table through :func:`safe_row`."""
    return [safe_row(row, raw_text) for row in rows]


def safe_record(record: dict[str, Any], raw_text: bool = False) -> dict[str, Any]:
    """A ``csv.DictWriter`` row with every value made :func:`spreadsheet_safe` (keys untouched)."""
    return dict(record) if raw_text else {key: spreadsheet_safe(value) for key, value in record.items()}
