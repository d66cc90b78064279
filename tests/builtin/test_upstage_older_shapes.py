"""Answers of Upstage's layout API before Document Parse (``layout-analysis``): each element's
box in pixels (``bounding_box``) and its ``text`` and ``html`` on the element, no ``content``.
Saved answers of that era must read, not come back empty. The shape is the one the vendor's
2024 documentation and client samples show; no recorded body of it is public."""

from __future__ import annotations

import unified_ocr

OLDER = {
    "api": "1.0",
    "billed_pages": 1,
    "model": "layout-analysis-0.2.0",
    "mimetype": "multipart/form-data",
    "html": "<p>안녕하세요 세계</p><table><tr><td>품목</td><td>금액</td></tr><tr><td colspan='2'>합계 3,000</td></tr></table>",
    "text": "안녕하세요 세계\n품목 금액\n합계 3,000",
    "elements": [
        {"id": 0, "page": 1, "category": "paragraph", "text": "안녕하세요 세계", "html": "<p id='0'>안녕하세요 세계</p>",
         "bounding_box": [{"x": 10, "y": 20}, {"x": 200, "y": 20}, {"x": 200, "y": 50}, {"x": 10, "y": 50}]},
        {"id": 1, "page": 1, "category": "table", "text": "품목 금액 합계 3,000",
         "html": "<table><tr><td>품목</td><td>금액</td></tr><tr><td colspan='2'>합계 3,000</td></tr></table>",
         "bounding_box": [{"x": 10, "y": 60}, {"x": 300, "y": 60}, {"x": 300, "y": 160}, {"x": 10, "y": 160}]},
    ],
}  # fmt: skip


def test_an_older_layout_answer_reads_its_text_boxes_and_tables_in_pixels() -> None:
    result = unified_ocr.parse(OLDER, engine="upstage")
    page = result.pages[0]
    assert result.text == "안녕하세요 세계\n품목 금액\n합계 3,000"
    assert page.lines[0].quad.bbox() == (10.0, 20.0, 200.0, 50.0)  # pixels of the page sent, as given
    assert (page.width, page.height) == (0, 0)  # the size of the page sent, filled in when mapped back
    [table] = page.tables
    assert [(c.row, c.col, c.row_span, c.col_span, c.text) for c in table.cells] == [
        (0, 0, 1, 1, "품목"), (0, 1, 1, 1, "금액"), (1, 0, 1, 2, "합계 3,000")]  # fmt: skip
    assert result.meta["upstage"]["pages"][0]["frame"] == "pixels" and result.meta["upstage"]["billed_pages"] == 1
