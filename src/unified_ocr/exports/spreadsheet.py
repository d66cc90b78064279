"""Tables as an Excel workbook: a sheet per table, merged cells for spans (the ``xlsx`` extra).

Written with openpyxl, imported when a workbook is written. Each cell's text goes in at its
row and column (several lines kept, wrapped); a cell spanning rows or columns is merged over
them. Text that starts like a formula (``=SUM(...)``) is stored as text: an OCR result must
never run in a spreadsheet. Characters a workbook cannot hold (control characters) are
dropped. A result with no table gives a workbook with one empty sheet, ``No tables``. The
workbook's dates are fixed, so one result gives the same file every time.
"""

from __future__ import annotations

import datetime
import io
import re

from ..errors import ConfigError
from ..model import OcrResult

#: What openpyxl refuses in a cell: control characters but tab, newline and return.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: The workbook's creation date: fixed, so that the bytes depend on the result only.
FIXED_DATE = datetime.datetime(2000, 1, 1)


def to_xlsx(result: OcrResult) -> bytes:
    """Every table of ``result`` as a sheet of one ``.xlsx`` workbook (bytes)."""
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment
    except ImportError:
        raise ConfigError('the xlsx format needs openpyxl: pip install "unified-ocr[xlsx]"') from None
    book = Workbook()
    book.remove(book.active)
    several_pages = len(result.pages) > 1
    top_left = Alignment(wrap_text=True, vertical="top", horizontal="left")
    number = 0
    for page in result.pages:
        for table in page.tables:
            number += 1
            title = f"p{page.index + 1} Table {number}" if several_pages else f"Table {number}"
            sheet = book.create_sheet(title[:31])  # Excel's limit on a sheet's name
            for cell in table.cells:
                target = sheet.cell(row=cell.row + 1, column=cell.col + 1)
                text = _ILLEGAL.sub("", cell.text)
                if text:
                    target.value = text
                    target.data_type = "s"  # a string, even where it starts with "=": never a formula
                target.alignment = top_left
                if cell.row_span > 1 or cell.col_span > 1:
                    sheet.merge_cells(start_row=cell.row + 1, start_column=cell.col + 1,
                                      end_row=cell.row + cell.row_span, end_column=cell.col + cell.col_span)  # fmt: skip
    if not book.sheetnames:
        book.create_sheet("No tables")
    book.properties.created = book.properties.modified = FIXED_DATE
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
