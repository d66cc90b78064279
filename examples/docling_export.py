"""A result as Docling's document model: write DoclingDocument JSON, read it back with docling-core.

    pip install "unified-ocr[docling]"
    python examples/docling_export.py                      # a saved CLOVA answer with a table, shipped in tests/fixtures
    python examples/docling_export.py scan.png --engine rapidocr --out scan.docling.json

Every tool built on docling-core (its chunkers, its Markdown writer, RAG pipelines) then takes
the pages, the text with its boxes and the tables with their spans as if docling had read them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from docling_core.types.doc import DoclingDocument, TableItem

import unified_ocr

SAVED_ANSWER = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "clova" / "autorag-kbo-table-general-v2.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, help="an image (recognised with --engine); default: a saved CLOVA answer")
    parser.add_argument("--engine", help="a profile or engine name, for an image")
    parser.add_argument("--out", type=Path, default=Path("result.docling.json"))
    args = parser.parse_args()
    if args.source is None:
        result = unified_ocr.parse(json.loads(SAVED_ANSWER.read_text(encoding="utf-8")), "clova")
    else:
        result = unified_ocr.recognize(args.source, args.engine)
    args.out.write_text(unified_ocr.export(result, "docling"), encoding="utf-8")  # type: ignore[arg-type]

    document = DoclingDocument.load_from_json(args.out)  # docling-core's own model reads it back
    tables = [item for item, _level in document.iterate_items() if isinstance(item, TableItem)]
    print(f"{args.out}: {len(document.pages)} page(s), {len(document.texts)} text item(s), {len(tables)} table(s)")
    for table in tables:
        print(table.export_to_markdown(doc=document))


if __name__ == "__main__":
    main()
