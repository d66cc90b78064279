"""Answers of the 2022 previews of Document Intelligence, where words and lines give their eight
numbers as ``boundingBox`` instead of ``polygon``: saved answers of that era read the same way.
The shape follows the previews' published API reference; no recorded body of it is public."""

from __future__ import annotations

import unified_ocr


def _answer(key: str) -> dict:
    def item(content: str, box: list[int], **more: object) -> dict:
        return {"content": content, key: box, **more}

    return {"status": "succeeded", "analyzeResult": {
        "apiVersion": "2022-06-30-preview", "modelId": "prebuilt-read", "content": "Hello world\nTotal 3,000",
        "pages": [{"pageNumber": 1, "angle": 0, "width": 800, "height": 600, "unit": "pixel", "spans": [{"offset": 0, "length": 23}],
                   "words": [item("Hello", [10, 10, 60, 10, 60, 30, 10, 30], confidence=0.99, span={"offset": 0, "length": 5}),
                             item("world", [70, 10, 120, 10, 120, 30, 70, 30], confidence=0.98, span={"offset": 6, "length": 5}),
                             item("Total", [10, 40, 60, 40, 60, 60, 10, 60], confidence=0.97, span={"offset": 12, "length": 5}),
                             item("3,000", [300, 40, 360, 40, 360, 60, 300, 60], confidence=0.96, span={"offset": 18, "length": 5})],
                   "lines": [item("Hello world", [10, 10, 120, 10, 120, 30, 10, 30], spans=[{"offset": 0, "length": 11}]),
                             item("Total 3,000", [10, 40, 360, 40, 360, 60, 10, 60], spans=[{"offset": 12, "length": 11}])]}]}}  # fmt: skip


def test_a_preview_answer_with_bounding_boxes_reads_like_one_with_polygons() -> None:
    older, newer = unified_ocr.parse(_answer("boundingBox"), engine="azure"), unified_ocr.parse(_answer("polygon"), engine="azure")
    assert older.text == newer.text == "Hello world\nTotal 3,000"
    assert [w.quad.bbox() for w in older.words] == [w.quad.bbox() for w in newer.words]
    assert older.words[3].quad.bbox() == (300.0, 40.0, 360.0, 60.0) and older.words[3].confidence == 0.96
