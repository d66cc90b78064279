"""Docling's document model (``DoclingDocument`` JSON, the ``docling`` extra): a result for the
tools built on docling-core (chunkers, RAG pipelines, its Markdown and HTML writers).

Built with docling-core's own classes, so the JSON is what its ``DoclingDocument`` validates
and reads back (``DoclingDocument.load_from_json``). One docling page per page (``page_no``
from 1, the page's size); one text item per block in reading order, its text the block's
lines a line apart, with one provenance per line: the line's box and where its text sits in
the item's (``charspan``). A table is a table item with every cell at its row and column,
spans and empty cells kept (``TableData``/``TableCell``), put in the reading order where its
first line is; the page's lines that lie in a table (their centre inside it) are its cells'
text and are not written a second time as text. Boxes are docling's ``BoundingBox`` with a
bottom-left origin, as docling-core's own PDF pipeline writes them, clipped to the page.

A quad that is turned keeps only its upright box (docling has no polygons), and named fields
have no place in the model (``fields-json`` writes them).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..geometry import Quad
from ..model import Line, OcrResult, Page, Table

if TYPE_CHECKING:
    from docling_core.types.doc import BoundingBox

INSTALL = 'pip install "unified-ocr[docling]"'


def to_docling(result: OcrResult, *, name: str | None = None) -> str:
    """``result`` as ``DoclingDocument`` JSON (text). ``name`` names the document (default: the
    source's file name without its suffix). Raises :class:`ConfigError` naming the ``docling``
    extra when docling-core is not installed."""
    return docling_document(result, name=name).model_dump_json(indent=2) + "\n"


def docling_document(result: OcrResult, *, name: str | None = None) -> Any:
    """``result`` as a docling-core ``DoclingDocument`` object, for a caller who goes on in docling."""
    try:
        from docling_core.types.doc import DocItemLabel, DoclingDocument, ProvenanceItem, Size
    except ImportError:
        raise ConfigError(f"the docling format needs docling-core: {INSTALL}") from None
    document = DoclingDocument(name=name or _stem(result))
    for page in result.pages:
        number = page.index + 1
        document.add_page(page_no=number, size=Size(width=max(page.width, 0), height=max(page.height, 0)))
        for kind, content in _reading_order(page):
            if kind == "table":
                table: Table = content
                box = _box(page, _table_quad(table))
                prov = ProvenanceItem(page_no=number, bbox=box, charspan=(0, 0)) if box is not None else None
                document.add_table(data=_table_data(page, table), prov=prov)
                continue
            lines: Sequence[Line] = content
            text = "\n".join(line.text for line in lines)
            provs, start = [], 0
            for line in lines:
                box = _box(page, line.quad)
                if box is not None:
                    provs.append(ProvenanceItem(page_no=number, bbox=box, charspan=(start, start + len(line.text))))
                start += len(line.text) + 1
            item = document.add_text(label=DocItemLabel.TEXT, text=text, orig=text, prov=provs[0] if provs else None)
            item.prov.extend(provs[1:])
    return document


def _stem(result: OcrResult) -> str:
    source = str(result.meta.get("source") or "")
    base = source.replace("\\", "/").rsplit("/", 1)[-1]
    return (base.rsplit(".", 1)[0] if "." in base else base) or "result"


def _reading_order(page: Page) -> Iterator[tuple[str, Any]]:
    """``("text", lines)`` for each run of a block's lines outside every table, and
    ``("table", table)`` where the table's first line comes (a table no line lies in: after
    the page's text), in the page's reading order."""
    regions = [(table, _table_quad(table)) for table in page.tables]
    placed: set[int] = set()
    for _block, lines in page.iter_blocks():
        run: list[Line] = []
        for line in lines:
            inside = next((k for k, (_t, quad) in enumerate(regions) if quad is not None and _holds(quad, line.quad)), None)
            if inside is None:
                run.append(line)
                continue
            if run:
                yield "text", run
                run = []
            if inside not in placed:
                placed.add(inside)
                yield "table", regions[inside][0]
        if run:
            yield "text", run
    for k, (table, _quad) in enumerate(regions):
        if k not in placed:
            yield "table", table


def _holds(region: Quad, quad: Quad) -> bool:
    left, top, right, bottom = region.bbox()
    x, y = quad.center
    return left <= x <= right and top <= y <= bottom


def _table_quad(table: Table) -> Quad | None:
    """The table's own quad, else the union of its cells' (each cell's, else its lines')."""
    if table.quad is not None:
        return table.quad
    quads = [q for cell in table.cells for q in ([cell.quad] if cell.quad is not None else [line.quad for line in cell.lines])]
    return quads[0].union(*quads[1:]) if quads else None


def _table_data(page: Page, table: Table) -> Any:
    from docling_core.types.doc import TableCell, TableData

    cells = [
        TableCell(
            text=cell.text,
            row_span=cell.row_span,
            col_span=cell.col_span,
            start_row_offset_idx=cell.row,
            end_row_offset_idx=cell.row + cell.row_span,
            start_col_offset_idx=cell.col,
            end_col_offset_idx=cell.col + cell.col_span,
            bbox=_box(page, cell.quad) if cell.quad is not None else None,
        )
        for cell in table.cells
    ]
    return TableData(num_rows=table.n_rows, num_cols=table.n_cols, table_cells=cells)


def _box(page: Page, quad: Quad | None) -> BoundingBox | None:
    """The quad's upright box with docling's bottom-left origin (``t`` above ``b``), clipped to
    the page where the page has a size."""
    if quad is None:
        return None
    from docling_core.types.doc import BoundingBox, CoordOrigin

    left, top, right, bottom = quad.bbox()
    width, height = float(page.width), float(page.height)
    if width > 0 and height > 0:
        left, right = min(max(left, 0.0), width), min(max(right, 0.0), width)
        top, bottom = min(max(top, 0.0), height), min(max(bottom, 0.0), height)
    return BoundingBox(l=left, t=height - top, r=right, b=height - bottom, coord_origin=CoordOrigin.BOTTOMLEFT)
