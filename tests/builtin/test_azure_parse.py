"""The Azure parser on every recorded answer, and on the 2024-11-30 shape as the API reference gives it.

For each answer whose image or PDF is at hand, the words, the line breaks and the quads are
checked against the raw JSON after the core has mapped them onto the page as displayed.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from unified_ocr_azure import parse
from unified_ocr_azure.values import plain_quad, plain_word, strict_polygon

from unified_ocr import (
    AuthenticationError,
    BadResponseError,
    ImageFailedError,
    InvalidRequestError,
    Limits,
    OcrResult,
    Quad,
    QuotaExceededError,
    RateLimitError,
    RequestTooLargeError,
    ServiceError,
)
from unified_ocr.imaging.prepare import map_back, prepare
from unified_ocr.imaging.sources import open_source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "azure"
ANSWERS = sorted(p.name for p in FIXTURES.glob("*.json"))
SHAPES = {
    "ai900-imageanalysis40-read-blocks.FRAGMENT.json": "image-analysis-4",
    "cv-read32-empty-page-boardwalk.json": "read-3",
    "fr20-labeling-ocr-invoice-1.json": "form-recognizer-2",
    "fr21-layout-sample-layout.json": "form-recognizer-2",
    "parkingsign-imageanalysis40-preview-read-not-working.json": "image-analysis-4",
    "parkingsign-imageanalysis40-preview-read-pskiva.json": "image-analysis-4",
    "pdfview-layout-2024-02-29-preview-pageobject.json": "document-intelligence",
}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def quad8(values: list[float], scale: float = 1.0) -> Quad:
    return Quad([(values[i] * scale, values[i + 1] * scale) for i in range(0, 8, 2)])


def mapped(result: OcrResult, source: Path) -> OcrResult:
    """The result put onto the source's pages as displayed, as the core does after a call."""
    src = open_source(source)
    limits = Limits(formats=frozenset({"pdf", "png", "jpeg"}), max_pages=None)
    (upload,) = list(prepare(src, limits))
    return map_back(result, upload)


def assert_same(quad: Quad, expected: Quad) -> None:
    assert quad.iou(expected) >= 0.99, (quad, expected)
    assert quad.points[0] == pytest.approx(expected.points[0], abs=0.01)  # the vendor's order kept: text's top-left first


@pytest.mark.parametrize("name", ANSWERS)
def test_every_recorded_answer_parses(name: str) -> None:
    result = parse(load(name))
    assert result.engine == "azure" and result.meta["azure"]["shape"] == SHAPES[name]
    assert result.raw == load(name)
    OcrResult.from_dict(json.loads(json.dumps(result.to_dict())))  # writable and read back
    if "empty-page" not in name:
        assert result.words and all(w.text for w in result.words)


def test_the_image_analysis_blocks_match_the_screenshot_word_for_word_and_line_for_line() -> None:
    raw = load("ai900-imageanalysis40-read-blocks.FRAGMENT.json")
    result = mapped(parse(raw), FIXTURES / "ai900-imageanalysis40-read-blocks.FRAGMENT.png")
    (page,) = result.pages
    assert (page.width, page.height) == (558, 161)
    raw_lines = [line for block in raw for line in block["lines"]]
    assert [line.text for line in page.lines] == [line["text"] for line in raw_lines]
    assert len(page.blocks) == len(raw)
    for line, raw_line in zip(page.lines, raw_lines):
        assert [w.text for w in line.words] == [w["text"] for w in raw_line["words"]]
        assert_same(line.quad, Quad([(p["x"], p["y"]) for p in raw_line["boundingPolygon"]]))
        for word, raw_word in zip(line.words, raw_line["words"]):
            assert_same(word.quad, Quad([(p["x"], p["y"]) for p in raw_word["boundingPolygon"]]))
            assert word.confidence == raw_word["confidence"]


def test_the_layout_answer_in_inches_lands_on_the_pdf_page_rendered_at_the_run_dpi() -> None:
    raw = load("pdfview-layout-2024-02-29-preview-pageobject.json")
    result = mapped(parse(raw), FIXTURES / "pdfview-layout-2024-02-29-preview-pageobject.pdf")
    (page,) = result.pages
    raw_page = raw["analyzeResult"]["pages"][0]
    scale = page.width / raw_page["width"]
    assert (page.width, page.height) == (1700, 2200) and scale == pytest.approx(200)
    words = sorted(raw_page["words"], key=lambda w: w["span"]["offset"])
    assert [w.text for w in page.words] == [w["content"].replace("\\", "") for w in words]
    for word, raw_word in zip(page.words, words):
        assert_same(word.quad, quad8(raw_word["polygon"], scale))
        assert word.confidence == raw_word["confidence"]
    assert len(page.lines) == len(raw_page["lines"])
    for line, raw_line in zip(page.lines, raw_page["lines"]):  # the line breaks are the vendor's: each line's words by span
        start = raw_line["spans"][0]["offset"]
        end = start + raw_line["spans"][0]["length"]
        assert [w.text for w in line.words] == [
            w["content"].replace("\\", "") for w in words if start <= w["span"]["offset"] < end
        ]
        assert_same(line.quad, quad8(raw_line["polygon"], scale))
    assert page.lines[0].text == "This is the header of the document."  # markdown's comment markup is not text
    assert page.lines[2].text == "1. Text"  # nor its escapes


def test_the_layout_answer_keeps_tables_paragraph_roles_figures_and_selection_marks() -> None:
    raw = load("pdfview-layout-2024-02-29-preview-pageobject.json")
    result = parse(raw)
    (page,) = result.pages
    (table,) = page.tables
    assert table.to_grid() == [["Name", "Corp", "Remark"], ["Foo", "", ""], ["Bar", "Microsoft", "Dummy"]]
    info = result.meta["azure"]["pages"][0]
    assert info["unit"] == "inch" and info["angle"] == 0
    roles = dict(zip((b.start for b in page.blocks), info["roles"]))
    assert roles[0] == "pageHeader" and roles[1] == "title" and page.lines[1].text == "This is title"
    kinds = {b.kind for b in page.blocks}
    assert kinds == {"text", "table", "figure"}
    marks = [f for f in page.fields if f.kind == "checkbox"]
    assert [m.checked for m in marks] == [m["state"] == "selected" for m in raw["analyzeResult"]["pages"][0]["selectionMarks"]]
    assert result.meta["azure"]["api_version"] == "2024-02-29-preview" and result.meta["azure"]["model_id"] == "prebuilt-layout"


def test_the_form_recognizer_layout_lands_on_its_pdf_with_tables_from_word_pointers() -> None:
    raw = load("fr21-layout-sample-layout.json")
    result = mapped(parse(raw), FIXTURES / "fr21-layout-sample-layout.pdf")
    (page,) = result.pages
    raw_page = raw["analyzeResult"]["readResults"][0]
    scale = page.width / raw_page["width"]
    assert (page.width, page.height) == (1700, 2200)
    assert [line.text for line in page.lines] == [line["text"] for line in raw_page["lines"]]
    for line, raw_line in zip(page.lines, raw_page["lines"]):
        assert [w.text for w in line.words] == [w["text"] for w in raw_line["words"]]
        assert_same(line.quad, quad8(raw_line["boundingBox"], scale))
        for word, raw_word in zip(line.words, raw_line["words"]):
            assert_same(word.quad, quad8(raw_word["boundingBox"], scale))
    (table,) = page.tables
    raw_table = raw["analyzeResult"]["pageResults"][0]["tables"][0]
    assert (table.n_rows, table.n_cols) == (raw_table["rows"], raw_table["columns"])
    assert [c.text.replace("\n", " ") for c in table.cells] == [c["text"] for c in raw_table["cells"]]
    assert len([f for f in page.fields if f.kind == "checkbox"]) == len(raw_page["selectionMarks"])


def test_the_image_analysis_preview_ties_words_to_lines_by_span_and_keeps_the_angle() -> None:
    raw = load("parkingsign-imageanalysis40-preview-read-pskiva.json")
    result = parse(raw)
    (page,) = result.pages
    raw_page = raw["readResult"]["pages"][0]
    assert (page.width, page.height) == (1474, 2048)
    assert [line.text for line in page.lines] == [line["content"] for line in raw_page["lines"]]
    assert [w.text for w in page.words] == [w["content"] for w in sorted(raw_page["words"], key=lambda w: w["span"]["offset"])]
    assert result.meta["azure"]["pages"][0]["angle"] == pytest.approx(-1.0294)
    assert not page.blocks  # the answer has no paragraphs: the page is one block, as for any engine
    assert page.lines[0].confidence == raw_page["words"][0]["confidence"]  # a line's score: its lowest word's


# -- the 2024-11-30 shape, from the published API reference ------------------------------------------------


def poly(x0: float, y0: float, x1: float, y1: float) -> list[float]:
    return [x0, y0, x1, y0, x1, y1, x0, y1]


#: A prebuilt-receipt answer in pixels, built from the 2024-11-30 API reference (no real one is public).
RECEIPT: dict[str, Any] = {
    "status": "succeeded",
    "createdDateTime": "2025-01-02T03:04:05Z",
    "lastUpdatedDateTime": "2025-01-02T03:04:07Z",
    "analyzeResult": {
        "apiVersion": "2024-11-30", "modelId": "prebuilt-receipt", "stringIndexType": "textElements",
        "content": "Café 東京\nTotal 12.50", "contentFormat": "text",
        "pages": [{
            "pageNumber": 1, "angle": -0.5, "width": 400, "height": 300, "unit": "pixel",
            "spans": [{"offset": 0, "length": 19}],
            "words": [
                {"content": "Café", "polygon": poly(-4, 10, 60, 30), "confidence": 0.99, "span": {"offset": 0, "length": 4}},
                {"content": "東", "polygon": poly(70, 10, 90, 30), "confidence": 0.9, "span": {"offset": 5, "length": 1}},
                {"content": "京", "polygon": poly(90, 10, 110, 30), "confidence": 0.95, "span": {"offset": 6, "length": 1}},
                {"content": "Total", "polygon": poly(10, 50, 70, 70), "confidence": 0.98, "span": {"offset": 8, "length": 5}},
                {"content": "12.50", "polygon": poly(300, 50, 410, 70), "confidence": 0.97, "span": {"offset": 14, "length": 5}},
            ],
            "lines": [
                {"content": "Café 東京", "polygon": poly(-4, 10, 110, 30), "spans": [{"offset": 0, "length": 7}]},
                {"content": "Total 12.50", "polygon": poly(10, 50, 410, 70), "spans": [{"offset": 8, "length": 11}]},
            ],
        }],
        "paragraphs": [{"role": "title", "content": "Café 東京", "spans": [{"offset": 0, "length": 7}],
                        "boundingRegions": [{"pageNumber": 1, "polygon": poly(-4, 10, 110, 30)}]},
                       {"content": "Total 12.50", "spans": [{"offset": 8, "length": 11}],
                        "boundingRegions": [{"pageNumber": 1, "polygon": poly(10, 50, 410, 70)}]}],
        "documents": [{
            "docType": "receipt.retailMeal", "confidence": 0.97, "spans": [{"offset": 0, "length": 19}],
            "boundingRegions": [{"pageNumber": 1, "polygon": poly(0, 0, 400, 300)}],
            "fields": {
                "MerchantName": {"type": "string", "valueString": "Café 東京", "content": "Café 東京", "confidence": 0.95,
                                 "boundingRegions": [{"pageNumber": 1, "polygon": poly(-4, 10, 110, 30)}], "spans": [{"offset": 0, "length": 7}]},
                "Total": {"type": "currency", "valueCurrency": {"amount": 12.5, "currencySymbol": "$", "currencyCode": "USD"},
                          "content": "12.50", "confidence": 0.96,
                          "boundingRegions": [{"pageNumber": 1, "polygon": poly(300, 50, 410, 70)}], "spans": [{"offset": 14, "length": 5}]},
                "TransactionDate": {"type": "date", "valueDate": "2025-01-02", "content": "2 Jan", "confidence": 0.9},
                "Items": {"type": "array", "valueArray": [
                    {"type": "object", "confidence": 0.9, "content": "Total 12.50", "valueObject": {
                        "Description": {"type": "string", "valueString": "Total", "content": "Total", "confidence": 0.9},
                        "Quantity": {"type": "number", "valueNumber": 2, "content": "2", "confidence": 0.8},
                        "TotalPrice": {"type": "currency", "valueCurrency": {"amount": 12.5}, "content": "12.50", "confidence": 0.9},
                    }},
                ]},
                "Paid": {"type": "selectionMark", "valueSelectionMark": "selected", "content": ":selected:", "confidence": 0.7},
            },
        }],
    },
}  # fmt: skip


def test_the_2024_11_30_shape_reads_words_lines_cjk_and_points_past_the_edge() -> None:
    result = parse(RECEIPT)
    (page,) = result.pages
    assert (page.width, page.height) == (400, 300)
    assert [line.text for line in page.lines] == ["Café 東京", "Total 12.50"]  # the vendor's own line text
    assert [[w.text for w in line.words] for line in page.lines] == [["Café", "東", "京"], ["Total", "12.50"]]
    assert page.words[0].quad.points[0] == (-4, 10) and page.words[-1].quad.points[1] == (410, 50)  # never clamped
    assert page.lines[0].confidence == 0.9
    assert result.meta["azure"]["pages"][0] == {"angle": -0.5, "unit": "pixel", "roles": ["title", None]}
    assert result.meta["azure"]["documents"] == [{"doc_type": "receipt.retailMeal", "confidence": 0.97}]


def test_named_fields_keep_their_nested_values() -> None:
    page = parse(RECEIPT).pages[0]
    assert page.field("MerchantName").text == "Café 東京" and page.field("MerchantName").value == "Café 東京"
    total = page.field("Total")
    assert (total.text, total.value, total.confidence) == ("12.50", "12.5", 0.96) and total.quad is not None
    assert page.field("TransactionDate").value == "2025-01-02"
    (item,) = page.field("Items").parts
    assert item.name == "Items.0"
    assert {p.name: p.value for p in item.parts} == {
        "Items.0.Description": "Total",
        "Items.0.Quantity": "2",
        "Items.0.TotalPrice": "12.5",
    }
    paid = page.field("Paid")
    assert paid.kind == "checkbox" and paid.checked is True


def test_a_markdown_answer_joins_cjk_words_without_spaces() -> None:
    raw = copy.deepcopy(RECEIPT)
    raw["analyzeResult"]["contentFormat"] = "markdown"
    raw["analyzeResult"]["pages"][0]["lines"][0]["content"] = "# Café 東京"
    assert parse(raw).pages[0].lines[0].text == "Café 東京"


def test_a_markdown_line_has_a_space_where_its_gap_holds_any_white_space() -> None:
    """Between two words of a markdown line, a gap holding white space of any kind, alone or
    among markup, reads as one space; a gap of markup alone (``**``) as none."""
    for gap, expected in (("\t", "Total 12.50"), ("\u3000", "Total 12.50"), ("*\u00a0*", "Total 12.50"), ("**", "Total12.50")):
        raw = copy.deepcopy(RECEIPT)
        result = raw["analyzeResult"]
        result["contentFormat"] = "markdown"
        result["content"] = f"Café 東京\nTotal{gap}12.50"
        page = result["pages"][0]
        page["words"][4]["span"]["offset"] = 13 + len(gap)
        page["lines"][1]["spans"] = [{"offset": 8, "length": 5 + len(gap) + 5}]
        assert parse(raw).pages[0].lines[1].text == expected, repr(gap)


def test_a_spanning_table_cell_keeps_its_spans_and_its_lines() -> None:
    raw = copy.deepcopy(RECEIPT)
    raw["analyzeResult"]["tables"] = [{
        "rowCount": 2, "columnCount": 2, "spans": [{"offset": 0, "length": 19}],
        "boundingRegions": [{"pageNumber": 1, "polygon": poly(0, 0, 400, 80)}],
        "cells": [
            {"kind": "columnHeader", "rowIndex": 0, "columnIndex": 0, "columnSpan": 2, "content": "Café 東京",
             "boundingRegions": [{"pageNumber": 1, "polygon": poly(0, 0, 400, 40)}], "spans": [{"offset": 0, "length": 7}]},
            {"rowIndex": 1, "columnIndex": 0, "content": "Total", "spans": [{"offset": 8, "length": 5}],
             "boundingRegions": [{"pageNumber": 1, "polygon": poly(0, 40, 200, 80)}]},
            {"rowIndex": 1, "columnIndex": 1, "content": "", "spans": [],
             "boundingRegions": [{"pageNumber": 1, "polygon": poly(200, 40, 400, 80)}]},
        ],
    }]  # fmt: skip
    page = parse(raw).pages[0]
    (table,) = page.tables
    assert [(c.row, c.col, c.row_span, c.col_span) for c in table.cells] == [(0, 0, 1, 2), (1, 0, 1, 1), (1, 1, 1, 1)]
    assert table.to_grid() == [["Café 東京", ""], ["Total 12.50", ""]]  # a cell's lines are the page's lines in its spans
    assert [b.kind for b in page.blocks] == ["table"]


def test_a_table_cell_holds_the_lines_that_start_in_its_spans_in_the_pages_order() -> None:
    """Issue 28: a cell's lines are looked up by their offsets (not by a walk over every line of the
    page for each cell); lines the page lists out of offset order keep the page's order in the cell,
    and a line starting at a span's end is not in it."""
    raw = copy.deepcopy(RECEIPT)
    result = raw["analyzeResult"]
    result["content"] = "Café 東京\nTotal 12.50\nTip 1"
    result["pages"][0]["lines"] = [
        {"content": "Tip 1", "polygon": poly(10, 80, 80, 100), "spans": [{"offset": 20, "length": 5}]},
        *result["pages"][0]["lines"],
    ]
    result["tables"] = [{
        "rowCount": 1, "columnCount": 2, "boundingRegions": [{"pageNumber": 1, "polygon": poly(0, 0, 400, 100)}],
        "cells": [
            {"rowIndex": 0, "columnIndex": 0, "content": "", "spans": [{"offset": 20, "length": 5}, {"offset": 0, "length": 8}],
             "boundingRegions": [{"pageNumber": 1, "polygon": poly(0, 0, 200, 100)}]},
            {"rowIndex": 0, "columnIndex": 1, "content": "", "spans": [{"offset": 9, "length": 11}],
             "boundingRegions": [{"pageNumber": 1, "polygon": poly(200, 0, 400, 100)}]},
        ],
    }]  # fmt: skip
    page = parse(raw).pages[0]
    assert [line.text for line in page.lines] == ["Tip 1", "Café 東京", "Total 12.50"]
    first, second = page.tables[0].cells
    assert [line.text for line in first.lines] == ["Tip 1", "Café 東京"]  # the page's order, not the spans'
    assert [line.text for line in second.lines] == []  # "Total" starts at 8, before the span; "Tip" at 20, its end


def test_form_recognizer_2_document_results_become_fields_on_their_page() -> None:
    raw = load("fr20-labeling-ocr-invoice-1.json")
    raw["analyzeResult"]["documentResults"] = [{"docType": "prebuilt:invoice", "pageRange": [1, 1], "fields": {
        "InvoiceId": {"type": "string", "valueString": "34278587", "text": "34278587", "page": 1, "confidence": 0.9,
                      "boundingBox": [0.53, 3.3, 1.3, 3.3, 1.3, 3.5, 0.53, 3.5]},
        "Missing": None,
    }}]  # fmt: skip
    result = parse(raw)
    field = result.pages[0].field("InvoiceId")
    assert field.value == "34278587" and field.quad is not None and field.quad.points[0] == pytest.approx((106, 660))


# -- answers that are errors -----------------------------------------------------------------------------


def test_a_failed_operation_is_a_typed_error_that_keeps_its_details() -> None:
    body = {"status": "failed", "createdDateTime": "2025-01-02T03:04:05Z", "lastUpdatedDateTime": "2025-01-02T03:04:06Z",
            "error": {"code": "InvalidRequest", "message": "Invalid request.",
                      "innererror": {"code": "InvalidContent", "message": "The file is corrupted or format is unsupported."},
                      "details": [{"code": "InvalidContent", "message": "Page 2 could not be read.", "target": "pages/2"}]}}  # fmt: skip
    with pytest.raises(ImageFailedError) as caught:
        parse(body)
    assert caught.value.code == "InvalidContent" and not caught.value.retryable
    assert caught.value.details == [{"code": "InvalidContent", "message": "Page 2 could not be read.", "target": "pages/2"}]  # type: ignore[attr-defined]
    assert "Page 2 could not be read" in str(caught.value) and "corrupted" in str(caught.value)
    body["error"] = {"code": "InternalServerError", "message": "An unexpected error occurred."}
    with pytest.raises(ServiceError):
        parse(body)


@pytest.mark.parametrize(
    "error, kind",
    [
        ({"code": "401", "message": "Access denied due to invalid subscription key or wrong API endpoint."}, AuthenticationError),
        ({"code": "403", "message": "Out of call volume quota for FormRecognizer F0 pricing tier."}, QuotaExceededError),
        ({"code": "429", "message": "Requests to the Analyze Document operation have exceeded rate limit."}, RateLimitError),
        ({"code": "InvalidRequest", "message": "Invalid request.", "innererror": {"code": "InvalidContentLength", "message": "The input image is too large."}}, RequestTooLargeError),
        ({"code": "InvalidRequest", "message": "Invalid request.", "innererror": {"code": "ModelNotFound", "message": "Model not found."}}, InvalidRequestError),
    ],
)  # fmt: skip
def test_an_error_body_is_a_typed_error(error: dict[str, Any], kind: type[Exception]) -> None:
    with pytest.raises(kind):
        parse({"error": error})


@pytest.mark.parametrize(
    "raw, says",
    [
        ({"status": "running", "createdDateTime": "x"}, "still running"),
        ({"status": "succeeded"}, "analyzeResult"),
        ({"analyzeResult": {"pages": [{"pageNumber": 1, "width": 10, "height": 10, "unit": "pixel",
                                       "words": [{"content": "a", "polygon": [1, 2, 3], "span": {"offset": 0, "length": 1}}]}]}},
         "analyzeResult.pages[0].words[0].polygon"),
        ({"analyzeResult": {"pages": [{"pageNumber": 1, "unit": "cm", "width": 1, "height": 1}]}}, "unit"),
        ({"analyzeResult": {"pages": [{"pageNumber": 1, "width": 10, "height": 10, "words": [
            {"content": "a", "polygon": poly(0, 0, 1, 1), "confidence": 7, "span": {"offset": 0, "length": 1}}]}]}}, "confidence"),
        ({"words": []}, "an Azure OCR answer"),
        ([1, 2], "an Azure OCR answer"),
    ],
)  # fmt: skip
def test_an_answer_of_the_wrong_shape_says_what_was_expected_where(raw: Any, says: str) -> None:
    with pytest.raises(BadResponseError, match=says.replace("[", r"\[").replace("]", r"\]")):
        parse(raw)


# -- any damage is a typed refusal, never a crash ----------------------------------------------------------

ODD: list[Any] = [
    None,
    True,
    "x",
    "",
    -1,
    0,
    2.5,
    10**30,
    float("nan"),
    [],
    {},
    [1, 2, 3],
    [None] * 8,
    {"x": 1},
    {"offset": -3, "length": 2},
]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            out += _paths(v, (*path, i))
    return out


@pytest.mark.parametrize(
    "name", ["RECEIPT", "fr20-labeling-ocr-invoice-1.json", "parkingsign-imageanalysis40-preview-read-not-working.json"]
)
def test_a_damaged_answer_parses_or_is_refused_with_a_typed_error(name: str) -> None:
    import random

    from unified_ocr.errors import ProviderError

    original = RECEIPT if name == "RECEIPT" else load(name)
    paths = [p for p in _paths(original) if p]
    rng = random.Random(22)
    for _ in range(400):
        raw = copy.deepcopy(original)
        path = rng.choice(paths)
        node = raw
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = rng.choice(ODD)
        try:
            result = parse(raw)
        except ProviderError:
            continue
        json.dumps(result.to_dict())  # whatever was read is a well-formed result


# -- words and boxes of the usual shape are read at once: they must read as the strict reading does --

_valid = st.integers(-5, 5000) | st.floats(-1e4, 1e4)
_bad = st.sampled_from([True, float("nan"), float("inf"), 10**13, 1e12, -1e12, "12", None])


def _spoilt(values: list[Any], bad: Any, i: int) -> list[Any]:
    """``values`` with, now and then, one of them replaced by a value no box may hold."""
    return values if bad is None else [*values[:i], bad, *values[i + 1 :]]


_eight = st.lists(_valid, min_size=8, max_size=8)
_flat_box = st.builds(_spoilt, _eight | _eight | st.lists(_valid, min_size=7, max_size=9), st.none() | _bad, st.integers(0, 6))
_point_box = st.builds(
    _spoilt,
    st.lists(st.builds(lambda x, y: {"x": x, "y": y}, _valid, _valid), min_size=3, max_size=5),
    st.none() | _bad | st.just({"x": 1}) | st.builds(lambda v: {"x": 1, "y": v}, _bad),
    st.integers(0, 2),
)


def _strict(read: Any) -> Any:
    try:
        return read()
    except BadResponseError as exc:
        return type(exc)


@settings(max_examples=300, deadline=None)
@given(box=_flat_box | _point_box, scale=st.sampled_from([1.0, 72.0, 200.0]))
@example(box=[0, 0, 1, 0, 1, 1, 1e12, 1], scale=1.0)  # the bound: a coordinate must be below it
@example(box=[0, 0, 1, 0, 1, 1, 0, float("nan")], scale=1.0)  # min and max pass over a NaN
@example(box=[1, 2, 3, 2, 3, 4, 1, 4], scale=200)  # whole numbers on an inch page at a dpi given as an int
def test_boxes_read_at_once_read_as_the_strict_reading(box: list[Any], scale: float) -> None:
    quad = plain_quad(box, scale)
    if quad is not None:
        assert quad == _strict(lambda: strict_polygon(box, "box", scale))
        assert all(type(v) is float for point in quad.points for v in point)  # never an int the model would not hold


@settings(max_examples=300, deadline=None)
@given(
    text=st.sampled_from(["word", "", None, 3]),
    score=st.one_of(st.none(), st.floats(-0.5, 1.5), st.sampled_from([0, 1, 2, True, float("nan"), 1.0005])),
    box=_flat_box,
)
def test_words_read_at_once_read_as_the_strict_reading(text: Any, score: Any, box: list[Any]) -> None:
    raw = {"text": text, "confidence": score, "boundingBox": box}
    word = plain_word(raw, "boundingBox", 1.0, "text", "content")
    if word is not None:
        assert (word,) == _strict(lambda: parse({"analyzeResult": {"readResults": [{"lines": [
            {"text": "line", "boundingBox": [0, 0, 1, 0, 1, 1, 0, 1], "words": [raw]}]}]}}).pages[0].lines[0].words)  # fmt: skip


def test_the_usual_shapes_are_read_at_once() -> None:
    """The two tests above could pass with nothing ever read at once."""
    assert plain_quad([1, 2, 3, 2, 3, 4, 1, 4]) == Quad([(1, 2), (3, 2), (3, 4), (1, 4)])
    assert plain_quad([{"x": 1, "y": 2}, {"x": 3, "y": 2}, {"x": 3, "y": 4}, {"x": 1, "y": 4}], 2.0) == Quad(
        [(2, 4), (6, 4), (6, 8), (2, 8)]
    )
    assert plain_word(
        {"text": "a", "confidence": 1, "boundingBox": [1, 2, 3, 2, 3, 4, 1, 4]}, "boundingBox", 1.0, "text", "content"
    )
