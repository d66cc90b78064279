"""Tables as an Excel workbook: a sheet per table, merged cells for spans (the ``xlsx`` extra).

Written with openpyxl, imported when a workbook is written, so listing the formats never
needs it. Each cell's text goes in at its row and column (several lines kept, wrapped, the
text at the top left); a cell spanning rows or columns is merged over them. Text that starts
like a formula (``=SUM(...)``) is stored as text: an OCR result must never run in a
spreadsheet. Characters a workbook cannot hold (control characters, non-characters) are
dropped, and a text that Excel would decode (``_x0041_``) is escaped so that it shows as read. A result with no table gives a workbook with one empty sheet, ``No tables``. The
dates inside the workbook and on its zip entries are fixed, so one result gives the same
bytes every time (with the same openpyxl and zlib).
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from typing import Any

from ..errors import ConfigError
from ..model import OcrResult, Table
from .xmlkit import UNSAFE

#: Excel reads ``_x0041_`` in a cell's text as the character it codes (``A``); its own escape for
#: the underscore (``_x005F_``) keeps such a text as it was read.
_CODED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
#: The workbook's dates, and its zip entries': fixed, so that the bytes depend on the result only.
FIXED_DATE = datetime.datetime(2000, 1, 1)
INSTALL = 'pip install "unified-ocr[xlsx]"'
MAX_TITLE = 31  # Excel's limit on a sheet's name
MAX_CELL = 32767  # Excel's limit on a cell's text: a longer one makes it call the file damaged


def to_xlsx(result: OcrResult) -> bytes:
    """Every table of ``result`` as a sheet of one ``.xlsx`` workbook (bytes).

    Sheets are named ``Table 1``, ``Table 2``, ... in reading order; in a result of several
    pages ``p2 Table 1`` is the first table of the second page. A result with no table gives
    a valid workbook with one empty sheet named ``No tables``. Raises :class:`ConfigError`
    naming the ``xlsx`` extra when openpyxl is not installed.
    """
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment
        from openpyxl.writer.excel import ExcelWriter
    except ImportError:
        raise ConfigError(f"the xlsx format needs openpyxl: {INSTALL}") from None
    book = Workbook()
    book.remove(book.active)
    top_left = Alignment(wrap_text=True, vertical="top", horizontal="left")
    for page in result.pages:
        for number, table in enumerate(page.tables, 1):
            title = f"p{page.index + 1} Table {number}" if len(result.pages) > 1 else f"Table {number}"
            _fill(book.create_sheet(title[:MAX_TITLE]), table, top_left)
    if not book.sheetnames:
        book.create_sheet("No tables")
    book.properties.created = book.properties.modified = FIXED_DATE
    written = io.BytesIO()
    with zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()  # not Workbook.save, which stamps the time of saving in
    return _restamped(written.getvalue())


def _fill(sheet: Any, table: Table, alignment: Any) -> None:
    """The table's cells on ``sheet``, spans merged.

    Cells that a vendor makes overlap (the model does not forbid it) lose no text and never
    give overlapping merges, which Excel calls a damaged file: a cell whose top-left slot lies
    in an earlier cell joins its text to that cell's, and a span over another cell is not merged.
    """
    owner: dict[tuple[int, int], tuple[int, int]] = {}  # slot -> the top-left slot of the cell that holds it
    texts: dict[tuple[int, int], list[str]] = {}
    for cell in sorted(table.cells, key=lambda c: (c.row, c.col)):
        start = (cell.row, cell.col)
        text = _CODED.sub("_x005F_", UNSAFE.sub("", cell.text))  # what the XML formats drop, a workbook drops too
        if start in owner:
            if text:
                texts[owner[start]].append(text)
            continue
        area = [(r, c) for r in range(cell.row, cell.row + cell.row_span) for c in range(cell.col, cell.col + cell.col_span)]
        if any(slot in owner for slot in area):
            area = [start]
        owner.update((slot, start) for slot in area)
        texts[start] = [text] if text else []
        if len(area) > 1:
            sheet.merge_cells(start_row=cell.row + 1, start_column=cell.col + 1,
                              end_row=cell.row + cell.row_span, end_column=cell.col + cell.col_span)  # fmt: skip
    for (row, col), parts in texts.items():
        target = sheet.cell(row=row + 1, column=col + 1)
        if parts:
            target.value = "\n".join(parts)[:MAX_CELL]
            target.data_type = "s"  # a string, even where it starts with "=": never a formula
        target.alignment = alignment


def _restamped(data: bytes) -> bytes:
    """The zip again, every entry dated :data:`FIXED_DATE` (the writer dates them with the
    clock and temporary files' times) and marked as made on Unix, whatever the system."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_DATE.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(entry))
    return out.getvalue()
