"""Images as LlamaIndex documents, split into nodes for an index: the text read by an OCR engine,
the boxes kept in the metadata but out of what is embedded.

    pip install "unified-ocr[local,llamaindex]"
    python examples/llamaindex_reader.py [--engine PROFILE] [IMAGE_OR_FOLDER ...]

With no image it reads the sample receipt beside this file with the offline engine. Nothing
is downloaded: the sentence splitter uses the tokenizer data llama-index-core ships.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import MetadataMode

from unified_ocr.integrations.llamaindex import UnifiedOcrReader

SAMPLE = Path(__file__).resolve().with_name("sample-receipt.png")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", nargs="*", default=[str(SAMPLE)], help="images, PDFs or folders (default: the sample receipt)")
    parser.add_argument("--engine", help="an engine or profile name (default: the configured default, else the offline engine)")
    args = parser.parse_args(argv)

    documents = UnifiedOcrReader(engine=args.engine, boxes=True).load_data(args.images)
    for document in documents:
        meta = document.metadata
        print(f"== {meta['source']} page {meta['page']}: {len(meta['boxes'])} lines, id {document.id_}")
        print(document.get_content(metadata_mode=MetadataMode.EMBED))  # what an embedding model is given
    nodes = SentenceSplitter(chunk_size=256, chunk_overlap=0).get_nodes_from_documents(documents)
    print(f"{len(nodes)} node(s) for the index")


if __name__ == "__main__":
    main()
