"""Images as LangChain documents: one per page, the text read by an OCR engine, each line's box
in the metadata.

    pip install "unified-ocr[local,langchain]"
    python examples/langchain_loader.py [--engine PROFILE] [IMAGE_OR_FOLDER ...]

With no image it reads the sample receipt beside this file with the offline engine. A second
run answers from the result cache: no engine call.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from unified_ocr.integrations.langchain import UnifiedOcrLoader

SAMPLE = Path(__file__).resolve().with_name("sample-receipt.png")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", nargs="*", default=[str(SAMPLE)], help="images, PDFs or folders (default: the sample receipt)")
    parser.add_argument("--engine", help="an engine or profile name (default: the configured default, else the offline engine)")
    args = parser.parse_args(argv)

    calls = []
    loader = UnifiedOcrLoader(args.images, engine=args.engine, boxes=True, concurrency=4,
                              on_outcome=lambda outcome: calls.append(outcome.attempts))  # fmt: skip
    for document in loader.lazy_load():
        meta = document.metadata
        print(f"== {meta['source']} page {meta['page']} ({meta['page_width']}x{meta['page_height']}, "
              f"{meta['profile']}): {len(meta['boxes'])} lines")  # fmt: skip
        for box in meta["boxes"]:
            (x, y), *_ = box["quad"]
            print(f"  at ({x:.0f}, {y:.0f})  {box['text']}")
    print(f"engine calls: {sum(calls)}")


if __name__ == "__main__":
    main()
