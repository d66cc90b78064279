"""A result written out as Document Intelligence 2024-11-30 writes it: the emulator's answers.

Shape from Azure's published API reference (``AnalyzeResult``, ``DocumentPage``,
``DocumentWord``, ``DocumentLine``, ``DocumentParagraph``): the text once in ``content``, one
line per ``\\n``; every word a ``span`` into it and an 8-number ``polygon``; every line its
``spans``; a paragraph per block. Images answer in ``unit: pixel``; PDF pages in ``unit: inch``
(the pixels of a rendering at ``dpi`` divided by it), as Azure answers PDFs.
"""

from __future__ import annotations

from typing import Any

from unified_ocr import OcrResult, Quad

from .engine import API_VERSION


def _polygon(quad: Quad, scale: float) -> list[float]:
    return [round(v / scale, 4) for point in quad.points for v in point]


def analyze_result(
    result: OcrResult, model: str, *, pdf_dpi: float | None = None, api_version: str = API_VERSION
) -> dict[str, Any]:
    """``analyzeResult`` for ``result``; ``pdf_dpi`` when its pages are a PDF rendered at that dpi."""
    scale = pdf_dpi or 1.0
    content = ""
    pages: list[dict[str, Any]] = []
    paragraphs: list[dict[str, Any]] = []
    for page in result.pages:
        page_start = len(content)
        words: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        line_spans: list[tuple[int, int]] = []
        for line in page.lines:
            if content:
                content += "\n"
            start = len(content)
            for i, word in enumerate(line.words):
                if i:
                    content += " "
                words.append({"content": word.text, "polygon": _polygon(word.quad, scale),
                              "confidence": round(word.confidence, 3) if word.confidence is not None else 0.0,
                              "span": {"offset": len(content), "length": len(word.text)}})  # fmt: skip
                content += word.text
            lines.append({"content": content[start:], "polygon": _polygon(line.quad, scale),
                          "spans": [{"offset": start, "length": len(content) - start}]})  # fmt: skip
            line_spans.append((start, len(content)))
        for block, block_lines in page.iter_blocks():
            first = block.start
            start, end = line_spans[first][0], line_spans[first + len(block_lines) - 1][1]
            quad = block.quad or block_lines[0].quad
            paragraphs.append({"spans": [{"offset": start, "length": end - start}],
                               "boundingRegions": [{"pageNumber": page.index + 1, "polygon": _polygon(quad, scale)}],
                               "content": content[start:end].replace("\n", " ")})  # fmt: skip
        pages.append({
            "pageNumber": page.index + 1, "angle": 0, "width": round(page.width / scale, 4), "height": round(page.height / scale, 4),
            "unit": "inch" if pdf_dpi else "pixel", "words": words, "lines": lines,
            "spans": [{"offset": page_start + (1 if page_start else 0), "length": len(content) - page_start - (1 if page_start else 0)}],
        })  # fmt: skip
    body: dict[str, Any] = {"apiVersion": api_version, "modelId": model, "stringIndexType": "textElements", "content": content,
                            "pages": pages, "paragraphs": paragraphs, "styles": [], "contentFormat": "text"}  # fmt: skip
    if model == "prebuilt-layout":
        body["tables"] = []  # the offline engine finds none; the shape has the key
        body["sections"] = []
    return body
