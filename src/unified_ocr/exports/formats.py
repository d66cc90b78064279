"""The export formats: what an exporter is, and the built-in ones.

An :class:`Exporter` is a name, a file suffix and a function from a result to ``str`` (or
``bytes`` for binary formats); a format that can be read back (hOCR, ALTO, PAGE-XML) has a
``read`` function too, which :func:`unified_ocr.parse` and compare's truth readers use, and a
format that holds one page or one table a file says how to cut a result into ``parts``. The built-in ones are provided through the same plugin hook a
third-party package uses (``register_exporters``, see :mod:`.plugin`), and
:func:`unified_ocr.export` finds every one by name in the registry.

Each format is a pure function of the result: exports stay out of the model. The formats
people open in a spreadsheet (``tsv``, ``csv``, ``fields-csv``) write a cell that would run as
a formula as text (:mod:`.csvcells`) unless given ``raw_text=True``; the formats read by
programs (``json``, ``jsonl``, the XML ones) and training labels keep the text exactly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import attrs

from ..files import json_text
from ..model import Field, OcrResult
from .alto import read_alto, to_alto
from .csvcells import safe_record, safe_row
from .docling import to_docling
from .hocr import read_hocr, to_hocr
from .pagexml import read_page_xml, to_page_xml
from .spreadsheet import to_xlsx
from .tables import table_csv, table_html, table_markdown


@attrs.frozen(slots=True)
class Exporter:
    """One output format: ``render(result, **options)`` gives the file's content."""

    name: str
    suffix: str  # the file ending, with its dot: ".tsv"
    render: Callable[..., str | bytes]
    description: str = ""
    binary: bool = False  # render gives bytes (a spreadsheet), not text
    #: ``read(document, source) -> OcrResult`` for a format that reads back; ``source`` names it in errors
    read: Callable[[str | bytes, str], OcrResult] | None = None
    #: ``parts(result) -> [(label, options)]`` for a format of one page or table a file: a file is
    #: written per part (``NAME.<label><suffix>``) with ``render(result, **options)``; one part, one file
    parts: Callable[[OcrResult], list[tuple[str, dict[str, Any]]]] | None = None
    #: keyword options of ``render`` that a command may set for every format taking them
    #: (``raw_text``: spreadsheet cells exactly as read, see :mod:`.csvcells`)
    options: frozenset[str] = frozenset()

    def outputs(self, result: OcrResult, **options: Any) -> list[tuple[str, str | bytes]]:
        """``[(ending, content)]``: the file's content under this format's suffix, or, where the
        format cuts the result into parts, one per part under ``.<label><suffix>``; ``options``
        go to every ``render`` call."""
        parts = self.parts(result) if self.parts is not None else []
        if len(parts) <= 1:
            return [(self.suffix, self.render(result, **(parts[0][1] if parts else {}), **options))]
        return [(f".{label}{self.suffix}", self.render(result, **part, **options)) for label, part in parts]


def _text(result: OcrResult) -> str:
    return result.text + ("\n" if result.text else "")


def _json(result: OcrResult, *, include_raw: bool = False) -> str:
    return json_text(result.to_dict(include_raw=include_raw), indent=2) + "\n"


def _word_rows(result: OcrResult) -> list[dict[str, Any]]:
    """One row per word, numbered by page, line and place in its line."""
    rows = []
    for page in result.pages:
        for line_no, line in enumerate(page.lines):
            for word_no, word in enumerate(line.words):
                x0, y0, x1, y1 = word.quad.bbox()
                rows.append({
                    "page": page.index, "line": line_no, "word": word_no, "text": word.text, "confidence": word.confidence,
                    "quad": [round(v, 2) for p in word.quad.points for v in p],
                    "bbox": [round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2)],
                })  # fmt: skip
    return rows


def _tsv(result: OcrResult, *, raw_text: bool = False) -> str:
    """page, line, word, text, confidence, x1..y4 (the quad from the text's top-left), left, top, right, bottom;
    a text a spreadsheet would run as a formula is written as text (:mod:`.csvcells`) unless ``raw_text``."""
    header = ["page", "line", "word", "text", "confidence", "x1", "y1", "x2", "y2", "x3", "y3", "x4", "y4",
              "left", "top", "right", "bottom"]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in _word_rows(result):
        confidence = "" if row["confidence"] is None else f"{row['confidence']:.4f}"
        cells = [row["page"], row["line"], row["word"], row["text"], confidence, *row["quad"], *row["bbox"]]
        writer.writerow(safe_row(cells, raw_text))
    return out.getvalue()


def _jsonl(result: OcrResult) -> str:
    return "".join(json_text(row) + "\n" for row in _word_rows(result))


def _tables(result: OcrResult, render: Callable[[Any], str], joiner: str, table: int | None = None) -> str:
    """Every table of the result (``table=N``: only the N-th, counted from 0 over all pages)."""
    tables = [t for page in result.pages for t in page.tables]
    if table is not None:
        if not 0 <= table < len(tables):
            raise ValueError(f"table {table} is not in the result (it has {len(tables)} table(s), counted from 0)")
        tables = [tables[table]]
    return joiner.join(render(t) for t in tables)


def _each_table(result: OcrResult) -> list[tuple[str, dict[str, Any]]]:
    return [(f"table-{k + 1}", {"table": k}) for k in range(sum(len(page.tables) for page in result.pages))]


def _each_page(result: OcrResult) -> list[tuple[str, dict[str, Any]]]:
    return [(f"p{k + 1}", {"page": k}) for k in range(len(result.pages))]


def _field(field: Field) -> dict[str, Any]:
    """A field's text, value, confidence and mark; its parts (a template's table field gives
    one per cell) after it, in the same form, where it has any."""
    row: dict[str, Any] = {"text": field.text, "value": field.value, "confidence": field.confidence, "checked": field.checked}
    if field.parts:
        row["parts"] = [{"name": part.name, **_field(part)} for part in field.parts]
    return row


def _named_fields(result: OcrResult) -> dict[str, dict[str, Any]]:
    """Name -> field, in reading order. A name seen before gets the page after it (``name@2`` on
    the third page), then a count (``name@0#2``), so that no field is lost to another."""
    out: dict[str, dict[str, Any]] = {}
    for page in result.pages:
        for field in page.fields:
            key, n = field.name, 1
            while key in out:
                key = f"{field.name}@{page.index}" if n == 1 else f"{field.name}@{page.index}#{n}"
                n += 1
            out[key] = {"page": page.index, **_field(field)}
    return out


def _fields_json(result: OcrResult) -> str:
    """Name -> ``{page, text, value, confidence, checked[, parts]}``."""
    return json_text(_named_fields(result), indent=2) + "\n"


def _fields_csv(result: OcrResult, *, raw_text: bool = False) -> str:
    """One row per field, its parts after it with ``part_of`` naming the field (its key in fields-json);
    a text a spreadsheet would run as a formula is written as text (:mod:`.csvcells`) unless ``raw_text``."""
    out = io.StringIO()
    columns = ["page", "name", "part_of", "text", "value", "confidence", "checked"]
    writer = csv.DictWriter(out, columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()

    def rows(name: str, field: dict[str, Any], page: int, part_of: str) -> None:
        writer.writerow(safe_record({**field, "page": page, "name": name, "part_of": part_of}, raw_text))
        for part in field.get("parts", ()):
            rows(part["name"], part, page, name)

    for key, field in _named_fields(result).items():
        rows(key, field, field["page"], "")
    return out.getvalue()


#: The option of the formats whose cells are made spreadsheet-safe: ``raw_text=True`` keeps them exactly.
RAW_TEXT = frozenset({"raw_text"})

BUILT_IN: tuple[Exporter, ...] = (
    Exporter("text", ".txt", _text, "the text in reading order, lines apart, pages apart by a form feed"),
    Exporter("json", ".json", _json, "the full result (schema unified-ocr/result), as load_result() reads it"),
    Exporter("tsv", ".tsv", _tsv, "one row per word: page, line, word, text, confidence, the quad's 8 numbers, its box",
             options=RAW_TEXT),
    Exporter("jsonl", ".jsonl", _jsonl, "one JSON object per word, the same fields as tsv"),
    Exporter("csv", ".csv", lambda r, table=None, raw_text=False: _tables(r, lambda t: table_csv(t, raw_text), "\n", table),
             "tables as CSV grids: a file per table (in Python, all of them a blank line apart, or table=N)", parts=_each_table,
             options=RAW_TEXT),
    Exporter("html", ".html", lambda r: _tables(r, table_html, "\n"), "tables as HTML with row and column spans"),
    Exporter("markdown", ".md", lambda r: _tables(r, table_markdown, "\n"), "tables as Markdown (spans flattened)"),
    Exporter("xlsx", ".xlsx", to_xlsx, "tables as an Excel workbook: a sheet per table, merged cells for spans (extra xlsx)",
             binary=True),
    Exporter("fields-json", ".fields.json", _fields_json, "named fields: name -> text, value, confidence"),
    Exporter("fields-csv", ".fields.csv", _fields_csv, "named fields, one row each", options=RAW_TEXT),
    Exporter("page", ".page.xml", to_page_xml, "PAGE-XML 2019-07-15: regions, lines, words with coords and confidences, "
             "tables, fields; a file per page", read=read_page_xml, parts=_each_page),
    Exporter("hocr", ".hocr", to_hocr, "hOCR 1.2 (PDF and search tools): pages, areas, lines, words with boxes, confidences, "
             "angles", read=read_hocr),
    Exporter("docling", ".docling.json", to_docling, "DoclingDocument JSON (docling-core): pages, text items with their "
             "boxes, tables with spans, in reading order (extra docling)"),
    Exporter("alto", ".alto.xml", to_alto, "ALTO 4.4 (digital libraries): pages, blocks, lines, strings with confidences, "
             "polygons, rotation, tables", read=read_alto),
)
