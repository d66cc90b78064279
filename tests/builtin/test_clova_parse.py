"""The CLOVA parser on every recorded response, on odd bodies, and on random JSON.

Expected values are computed from the fixture JSON in the test itself (not through the
parser) or written out from reading the file, so a parser bug cannot agree with itself.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unified_ocr import OcrResult, Quad
from unified_ocr.errors import BadResponseError, ImageFailedError
from unified_ocr.exports import table_html
from unified_ocr_clova.document import formatted_value, snake
from unified_ocr_clova.parse import parse, receipt_items

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clova"
GENERAL_V2 = ["barguni-general-v2-card-slip.json", "barguni-general-v2-kingmart.json", "autorag-kbo-table-general-v2.json"]
RECEIPTS = [
    "agtm-receipt-0-kis-card-slip.json",
    "agtm-receipt-1-hansot.json",
    "agtm-receipt-2-nonghyup-hanaro.json",
    "agtm-receipt-3-handondang.json",
    "barguni-receipt-emart.json",
    "gustomate-receipt.json",
]
TEMPLATES = ["ksd-bayley-template.json", "pill-prescription-template-2023-06-01.json"]
V1 = "egginhealth-inbody-general-v1.json"
WEB_DEMO = "pyclovaocr-clova-ai-webdemo-ja.NOT-API.json"
API_FIXTURES = [*GENERAL_V2, V1, *TEMPLATES, *RECEIPTS]


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def points(poly: dict[str, Any]) -> list[tuple[float, float]]:
    return [(float(v["x"]), float(v["y"])) for v in poly["vertices"]]


def test_every_fixture_is_covered() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.json")) == sorted([*API_FIXTURES, WEB_DEMO])


@pytest.mark.parametrize("name", API_FIXTURES)
def test_every_api_fixture_round_trips_through_the_result_schema(name: str) -> None:
    raw = load(name)
    result = parse(raw)
    assert result.engine == "clova"
    assert result.raw is raw
    assert len(result.pages) == len(raw["images"]) == 1
    json.dumps(result.meta, allow_nan=False)  # JSON-serialisable, strictly
    assert OcrResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result
    assert result.meta["clova"]["version"] == raw["version"]
    assert result.meta["clova"]["validationResult"] == {"result": "NO_REQUESTED"}


# -- General OCR -----------------------------------------------------------------------------


def expected_general_text(fields: list[dict[str, Any]]) -> str:
    lines, current = [], []
    for f in fields:
        current.append(f["inferText"])
        if f["lineBreak"]:
            lines.append(" ".join(current))
            current = []
    if current:
        lines.append(" ".join(current))
    return "\n".join(lines)


@pytest.mark.parametrize("name", GENERAL_V2)
def test_general_v2_text_is_infer_text_joined_on_line_breaks(name: str) -> None:
    raw = load(name)
    fields = raw["images"][0]["fields"]
    result = parse(raw)
    page = result.pages[0]
    assert result.text == expected_general_text(fields)
    assert len(page.lines) == sum(f["lineBreak"] for f in fields)
    assert [w.text for w in page.words] == [f["inferText"] for f in fields]
    for word, field in zip(page.words, fields):
        assert word.quad.points == tuple(points(field["boundingPoly"]))  # vendor order, unclamped
        assert word.confidence == pytest.approx(field["inferConfidence"])
    assert page.fields == () and result.meta["clova"].keys() == {"version", "validationResult"}


def test_general_v2_first_lines_and_page_sizes() -> None:
    slip = parse(load("barguni-general-v2-card-slip.json"))
    assert slip.text.split("\n")[:3] == [
        "IC신용승인 (고 객 용)",
        "단말기 N 1A79798148 전표번호 : 020298",
        "가맹점 : 김태준의 탕탕집",
    ]
    assert (slip.pages[0].index, slip.pages[0].width, slip.pages[0].height) == (0, 0, 0)  # no convertedImageInfo
    mart = parse(load("barguni-general-v2-kingmart.json"))
    assert mart.pages[0].lines[1].text == "사업자번호: 286-81-01771"
    kbo = parse(load("autorag-kbo-table-general-v2.json"))
    assert (kbo.pages[0].index, kbo.pages[0].width, kbo.pages[0].height) == (0, 595, 842)
    assert kbo.pages[0].lines[0].text == "2024년 KBO 리그 규정 변경 요약사항"


def test_a_last_field_without_line_break_still_ends_the_last_line() -> None:
    raw = load("barguni-general-v2-card-slip.json")
    fields = raw["images"][0]["fields"]
    fields[-1]["lineBreak"] = False
    result = parse(raw)
    assert result.text == expected_general_text(fields)
    assert result.pages[0].lines[-1].words[-1].text == fields[-1]["inferText"]


def test_line_quads_enclose_their_words() -> None:
    page = parse(load("barguni-general-v2-kingmart.json")).pages[0]
    for line in page.lines:
        x0, y0, x1, y1 = line.quad.bbox()
        for w in line.words:
            wx0, wy0, wx1, wy1 = w.quad.bbox()
            assert x0 - 1e-6 <= wx0 and y0 - 1e-6 <= wy0 and wx1 <= x1 + 1e-6 and wy1 <= y1 + 1e-6


# -- General V1 --------------------------------------------------------------------------------


def test_v1_words_are_every_field_grouped_into_visual_lines() -> None:
    raw = load(V1)
    fields = raw["images"][0]["fields"]
    assert len(fields) == 460 and not any("lineBreak" in f for f in fields)
    result = parse(raw)
    page = result.pages[0]
    given = sorted((f["inferText"], tuple(points(f["boundingPoly"]))) for f in fields)
    assert sorted((w.text, w.quad.points) for w in page.words) == given  # every field a word, its box as given
    assert 10 < len(page.lines) < 460  # V1 says nothing of lines: the shared layout groups the words
    assert page.blocks and page.blocks[-1].end == len(page.lines)
    first = page.lines[0]
    assert first.words[0].text == "InBody" and first.words[0].quad.points == ((25, 32), (201, 41), (198, 94), (22, 85))
    integer_ones = {(f["inferText"], tuple(points(f["boundingPoly"]))) for f in fields if isinstance(f["inferConfidence"], int)}
    assert len(integer_ones) == 86
    assert all(isinstance(w.confidence, float) and w.confidence == 1.0 for w in page.words if (w.text, w.quad.points) in integer_ones)


def v1_word(i: int, text: str):
    raw = load(V1)
    given = points(raw["images"][0]["fields"][i]["boundingPoly"])
    word = next(w for w in parse(raw).pages[0].words if w.quad.points == tuple(given))  # field i, wherever its line put it
    assert word.text == text
    return word, given


def test_v1_has_exactly_five_turned_words() -> None:
    raw = load(V1)
    by_box = {tuple(points(f["boundingPoly"])): i for i, f in enumerate(raw["images"][0]["fields"])}
    turned = sorted(by_box[w.quad.points] for w in parse(raw).pages[0].words if abs(w.quad.angle) > 45)
    assert turned == [105, 124, 284, 286, 308]


@pytest.mark.parametrize(("i", "text"), [(284, "061"), (286, "150"), (308, "OPL")])
def test_v1_words_turned_180_degrees_start_bottom_right(i: int, text: str) -> None:
    word, given_points = v1_word(i, text)
    assert word.quad.points == tuple(given_points)
    xs, ys = [p[0] for p in given_points], [p[1] for p in given_points]
    assert word.quad.points[0] == (max(xs), max(ys))  # the text's own top-left is the page's bottom-right
    assert abs(word.quad.angle) == pytest.approx(180, abs=1)
    assert word.quad.width > word.quad.height  # width is measured along the text


@pytest.mark.parametrize(("i", "text", "along", "across"), [(105, "중동중형", 12, 110), (124, "봉봉황충", 11, 110)])
def test_v1_words_turned_90_degrees_start_bottom_left(i: int, text: str, along: float, across: float) -> None:
    word, given_points = v1_word(i, text)
    assert word.quad.points == tuple(given_points)
    xs, ys = [p[0] for p in given_points], [p[1] for p in given_points]
    assert word.quad.points[0] == (min(xs), max(ys))
    # Reading goes up the page: -90 degrees in the model's clockwise, y-down convention.
    assert word.quad.angle == pytest.approx(-90, abs=1)
    # Surprise in the recording: these two low-confidence words (0.50, 0.60) have a 110x12 box
    # whose vertex order reads along the SHORT side. The parser keeps the vendor's order, so
    # width (along the text) is the short side here; reordering to "fix" it would break crops.
    assert word.quad.width == pytest.approx(along) and word.quad.height == pytest.approx(across)


def test_v1_bounding_boxes_of_the_documents_are_read_too() -> None:
    raw = {"version": "V1", "images": [{"inferResult": "SUCCESS", "fields": [
        {"inferText": "a", "inferConfidence": 1, "bounding": {"top": 10, "left": 5, "width": 20.5, "height": 8}},
        {"inferText": "b", "bounding": {"top": 30.0, "left": 5.0, "width": 7, "height": 8}},
    ]}]}  # fmt: skip
    page = parse(raw).pages[0]
    assert [w.quad for w in page.words] == [Quad.from_bbox(5, 10, 25.5, 18), Quad.from_bbox(5, 30, 12, 38)]
    assert [w.confidence for w in page.words] == [1.0, None]
    assert page.text == "a\nb"


# -- tables ------------------------------------------------------------------------------------


def test_autorag_table_keeps_every_cell_line_and_span() -> None:
    raw = load("autorag-kbo-table-general-v2.json")
    raw_cells = raw["images"][0]["tables"][0]["cells"]
    (table,) = parse(raw).pages[0].tables
    assert len(table.cells) == len(raw_cells) == 16
    assert sum(1 for c in table.cells if not c.lines) == 2
    assert sum(1 for c in table.cells if len(c.lines) > 1) == 7
    assert {(c.row, c.col) for c in table.cells if not c.lines} == {(1, 1), (4, 1)}
    assert {(c.row, c.col): (c.row_span, c.col_span) for c in table.cells if (c.row_span, c.col_span) != (1, 1)} == {
        (4, 0): (2, 1),
        (4, 1): (2, 1),
    }
    assert (table.n_rows, table.n_cols) == (6, 3)
    assert table.confidence == pytest.approx(0.88090926)
    assert table.quad.points == ((68, 149), (304, 149), (304, 313), (68, 313))
    for cell, rc in zip(table.cells, raw_cells):
        assert (cell.row, cell.col) == (rc["rowIndex"], rc["columnIndex"])
        assert [line.text for line in cell.lines] == [
            " ".join(w["inferText"] for w in tl["cellWords"]) for tl in rc["cellTextLines"]
        ]
        assert [line.quad.points for line in cell.lines] == [tuple(points(tl["boundingPoly"])) for tl in rc["cellTextLines"]]
        assert cell.quad.points == tuple(points(rc["boundingPoly"]))
        assert cell.confidence == pytest.approx(rc["inferConfidence"])
    cell = next(c for c in table.cells if (c.row, c.col) == (3, 0))
    assert cell.text == "제26조\n불공청 정보의\n덥수 및\n관련 행위 금지"
    assert [w.text for w in cell.lines[0].words] == ["제26조"]


def test_autorag_table_exports_as_grid_and_html() -> None:
    (table,) = parse(load("autorag-kbo-table-general-v2.json")).pages[0].tables
    grid = table.to_grid()
    assert grid[0] == ["쿠분", "변명 전", "변경 후"]
    assert grid[1][0] == "자동 투구 면접\n시스템(ABSI 규정" and grid[1][1] == ""
    assert grid[4] == ["제28조\n[비디오 잔뜩", "", "수비 시프트 제한 위반 판정에 대테 비디오 전복 요청\n가능"]
    assert grid[5] == ["", "", "대기실입 루심간 무전기 사용"]  # covered by the row spans above
    html = table_html(table)
    assert html.count('rowspan="2"') == 2 and "colspan" not in html
    assert "<td>제26조<br>불공청 정보의<br>덥수 및<br>관련 행위 금지</td>" in html
    assert html.count("<tr>") == 6


def test_cell_spans_of_zero_or_missing_are_one() -> None:
    raw = {"images": [{"fields": [], "tables": [{"cells": [
        {"rowIndex": 0, "columnIndex": 0, "rowSpan": 0, "columnSpan": 0, "cellTextLines": []},
        {"rowIndex": 0, "columnIndex": 1.0},
    ]}]}]}  # fmt: skip
    (table,) = parse(raw).pages[0].tables
    assert [(c.row, c.col, c.row_span, c.col_span) for c in table.cells] == [(0, 0, 1, 1), (0, 1, 1, 1)]
    assert table.quad is None and table.confidence is None


# -- Template OCR -------------------------------------------------------------------------------


def test_bayley_template_fields_by_name() -> None:
    raw = load("ksd-bayley-template.json")
    result = parse(raw)
    page = result.pages[0]
    assert [f.name for f in page.fields] == [f["name"] for f in raw["images"][0]["fields"]]
    assert len(page.fields) == 20
    assert page.field("인지-척도점수").text == "12"
    assert page.field("언어-발달지수").text == "97"
    assert page.field("사회-정서-신뢰구간 95").text == "119-139"
    assert page.field("적응행동-백분위").confidence == pytest.approx(0.99971217)
    assert page.field("운동-백분위").quad.points[0] == (587.49164, 134.44167)
    assert {f.kind for f in page.fields} == {"text"} and all(f.parts == () and f.checked is None for f in page.fields)
    with pytest.raises(KeyError, match="인지-척도점수"):
        page.field("no such field")
    clova = result.meta["clova"]
    assert clova["matchedTemplate"] == {"id": 5127, "name": "베일리_1"}
    assert clova["title"] == {
        "name": "베일리_1",
        "text": "발달검사\n인지\n언어\n운동\n사회-정서\n적응행동",
        "confidence": pytest.approx(0.9987316),
    }
    # the title and every field are pieces of the page's visual lines: level fields (a row of scores) make one line
    pieces = ["발달검사\n인지\n언어\n운동\n사회-정서\n적응행동", *(f["inferText"] for f in raw["images"][0]["fields"])]
    assert sorted(w.text for line in page.lines for w in line.words) == sorted(pieces)
    assert len(page.lines) < 21 and page.blocks[-1].end == len(page.lines)
    row = next(line for line in page.lines if any(w.quad == page.field("인지-척도점수").quad for w in line.words))
    assert len(row.words) > 1 and row.text == " ".join(w.text for w in row.words)


def test_pill_prescription_template_has_sub_fields_as_parts() -> None:
    raw = load("pill-prescription-template-2023-06-01.json")
    subs = raw["images"][0]["fields"][0]["subFields"]
    result = parse(raw)
    page = result.pages[0]
    (field,) = page.fields
    assert (page.width, page.height) == (601, 409)
    assert field.name == "Field 01" and field.kind == "text"
    assert field.text.count("\n") == 5 and field.text.startswith("레보트로시럽 9 cc 3 ce 3 3\n")
    assert len(field.parts) == len(subs) == 41
    assert [p.name for p in field.parts[:2]] == ["Field 01[0]", "Field 01[1]"]
    assert [p.text for p in field.parts] == [s["inferText"] for s in subs]
    assert field.parts[0].quad.points == tuple(points(subs[0]["boundingPoly"]))
    assert result.meta["clova"]["title"]["text"] == "처방전"
    assert result.text == "처방전\n" + field.text


def test_template_checkbox_and_multi_box_fields() -> None:
    box = {"vertices": [{"x": 0, "y": 0}, {"x": 10, "y": 0}, {"x": 10, "y": 5}, {"x": 0, "y": 5}]}
    raw = {"images": [{"matchedTemplate": {"id": 1, "name": "t"}, "combineResult": [{"name": "c", "text": "x"}], "fields": [
        {"name": "agree", "type": "CHECKBOX", "checked": True, "inferText": "Y", "boundingPoly": box},
        {"name": "phone", "type": "MULTI_BOX", "inferText": "0101234", "inferConfidence": 1,
         "subFields": [{"inferText": "010", "boundingPoly": box, "lineBreak": False}]},
        {"name": "empty", "type": "SOMETHING_NEW", "inferText": "", "boundingPoly": box},
    ]}]}  # fmt: skip
    result = parse(raw)
    page = result.pages[0]
    assert [(f.name, f.kind, f.checked) for f in page.fields] == [
        ("agree", "checkbox", True),
        ("phone", "multi_box", None),
        ("empty", "text", None),
    ]
    assert page.field("phone").quad is None and page.field("phone").parts[0].name == "phone[0]"
    assert page.text == "Y"  # a field without a box, or without text, has no line
    assert result.meta["clova"]["combineResult"] == [{"name": "c", "text": "x"}]


# -- Document OCR: receipts ----------------------------------------------------------------------


def leaves(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return [node] if "text" in node else [x for v in node.values() for x in leaves(v)]
    if isinstance(node, list):
        return [x for v in node for x in leaves(v)]
    return []


def leaf_value(leaf: dict[str, Any] | None) -> str | None:
    if leaf is None:
        return None
    value = (leaf.get("formatted") or {}).get("value")
    return value if value else leaf["text"]


@pytest.mark.parametrize("name", RECEIPTS)
def test_every_receipt_exposes_its_items_and_total(name: str) -> None:
    raw = load(name)
    receipt = raw["images"][0]["receipt"]["result"]
    expected = [
        {"name": leaf_value(item.get("name")), "count": leaf_value(item.get("count")),
         "unit_price": leaf_value(item.get("price", {}).get("unitPrice")), "price": leaf_value(item.get("price", {}).get("price"))}
        for sub in receipt.get("subResults", []) for item in sub["items"]
    ]  # fmt: skip
    result = parse(raw)
    page = result.pages[0]
    assert receipt_items(result) == expected
    assert len(page.fields) == len(leaves(receipt))  # nothing lost
    assert [f.text for f in page.fields] == [leaf["text"] for leaf in leaves(receipt)]
    # every field with a box is a piece of one visual line, level pieces joined left to right
    boxed = sorted(f.text for f in page.fields if f.text and f.quad is not None)
    assert sorted(w.text for line in page.lines for w in line.words) == boxed
    assert all(line.text == " ".join(w.text for w in line.words) for line in page.lines)
    assert len(page.lines) < len(boxed) or len(boxed) < 3
    assert len({f.name for f in page.fields}) == len(page.fields)
    if "totalPrice" in receipt:
        total = page.field("total.price")
        assert total.text == receipt["totalPrice"]["price"]["text"]
        assert total.value == receipt["totalPrice"]["price"]["formatted"]["value"]
    else:
        assert not any(f.name.startswith("total.") for f in page.fields)
    assert result.meta["clova"]["document"] == {"kind": "receipt", "estimatedLanguage": "ko"}
    for f in page.fields:
        assert f.kind == "text" and f.quad is not None and all(math.isfinite(c) for p in f.quad.points for c in p)


RECEIPT_FACTS = {
    "agtm-receipt-0-kis-card-slip.json": (0, "45000"),
    "agtm-receipt-1-hansot.json": (1, None),
    "agtm-receipt-2-nonghyup-hanaro.json": (6, None),
    "agtm-receipt-3-handondang.json": (4, "217000"),
    "barguni-receipt-emart.json": (25, "137670"),
    "gustomate-receipt.json": (11, "19770"),
}


@pytest.mark.parametrize("name", RECEIPTS)
def test_receipt_item_counts_and_totals_as_read(name: str) -> None:
    n_items, total = RECEIPT_FACTS[name]
    result = parse(load(name))
    assert len(receipt_items(result)) == n_items
    names = {f.name: f for f in result.pages[0].fields}
    assert (names["total.price"].value if "total.price" in names else None) == total


def test_kis_card_slip_receipt_names_and_values() -> None:
    page = parse(load("agtm-receipt-0-kis-card-slip.json")).pages[0]
    assert [(f.name, f.value) for f in page.fields] == [
        ("store.name", "동원안전시스템(주)"),
        ("store.biz_num", "120-81-83814"),
        ("store.address.0", "서울시 강북구 도봉로 188 지하1층(미아동)"),
        ("store.tel.0", "0221732606"),
        ("payment.date", "2020-10-14"),  # text '20/10/14': the vendor expands the year
        ("payment.time", "16:26:09"),  # text '16: 26: 09'
        ("payment.card_company", "우리체크카드"),
        ("payment.card_number", "5159-54**-****-8669"),
        ("payment.confirm_num", None),  # no 'formatted'
        ("total.price", "45000"),  # text '45,000원'
    ]
    assert page.field("store.tel.0").text == "0221732606)"
    assert page.field("payment.confirm_num").text == "76983822"
    assert all(f.confidence is None for f in page.fields)  # 2023 schema: no confidenceScore


def test_receipt_leaf_with_several_boxes_gets_one_enclosing_quad() -> None:
    raw = load("agtm-receipt-0-kis-card-slip.json")
    polys = raw["images"][0]["receipt"]["result"]["storeInfo"]["addresses"][0]["boundingPolys"]
    assert len(polys) == 6
    quad = parse(raw).pages[0].field("store.address.0").quad
    x0, y0, x1, y1 = quad.bbox()
    for poly in polys:
        for x, y in points(poly):
            assert x0 - 1e-6 <= x <= x1 + 1e-6 and y0 - 1e-6 <= y <= y1 + 1e-6
    assert quad == Quad.enclosing([Quad(points(p)) for p in polys])


def test_hansot_receipt_sub_name_card_and_an_unreadable_count() -> None:
    result = parse(load("agtm-receipt-1-hansot.json"))
    page = result.pages[0]
    assert page.field("store.sub_name").text == "안산대학앞점"
    assert page.field("store.biz_num").value == "134-24-98628"  # text '1342498628'
    assert page.field("payment.card_company").value == "국민"
    assert page.field("items.0.count").value is None  # read as '너', no formatted value
    assert receipt_items(result) == [{"name": "왕치킨마요", "count": "너", "unit_price": "4800", "price": "4800"}]


def test_nonghyup_receipt_items_carry_codes() -> None:
    page = parse(load("agtm-receipt-2-nonghyup-hanaro.json")).pages[0]
    assert page.field("items.1.name").text == "P심층수콩국물 1L"
    assert page.field("items.1.code").text == "8809292783347"
    assert page.field("items.2.code").text == "2100046640418 8809280280292"
    assert page.field("items.1.unit_price").value == "3980" and page.field("items.1.price").value == "11940"
    assert not any(f.name.startswith("payment.") for f in page.fields)


def test_handondang_receipt_date_with_an_empty_month_has_no_value() -> None:
    page = parse(load("agtm-receipt-3-handondang.json")).pages[0]
    date = page.field("payment.date")
    assert date.text == "2013/00/22" and date.value is None  # month "" in the middle: no honest ISO form
    assert page.field("payment.time").value == "15:56:00"  # text '15:56', the vendor fills the seconds
    assert page.field("items.0.price").text == "175.000" and page.field("items.0.price").value == "175000"
    assert max(y for f in page.fields for _, y in f.quad.points) > 194  # displayed frame of an EXIF-rotated JPEG


def test_emart_receipt_items_may_be_just_a_name() -> None:
    result = parse(load("barguni-receipt-emart.json"))
    items = receipt_items(result)
    assert items[16] == {"name": "*", "count": None, "unit_price": None, "price": None}
    assert items[1] == {"name": "(G)피코크 레이디핑", "count": ",", "unit_price": "9980", "price": "9980"}
    assert sum(1 for i in items if i["count"] is None) == 7


def test_gustomate_2024_receipt_confidence_and_sub_total() -> None:
    result = parse(load("gustomate-receipt.json"))
    page = result.pages[0]
    assert page.field("items.0.name").confidence == pytest.approx(0.97102)
    assert page.field("total.price").confidence == pytest.approx(0.74239)
    tax = page.field("sub_total.0.tax_price.0")
    assert (tax.text, tax.value, tax.confidence) == ("698", "698", pytest.approx(0.92583))
    assert not any(f.name.startswith("store.") for f in page.fields)
    assert len(receipt_items(result)) == 11 and receipt_items(result)[1]["unit_price"] == "500"


def test_receipts_spread_over_sub_results_are_numbered_across_them() -> None:
    leaf = {"text": "x", "boundingPolys": []}
    raw = {"images": [{"receipt": {"meta": {"estimatedLanguage": "ja"}, "result": {
        "subResults": [{"items": [{"name": dict(leaf, text="a")}, {"name": dict(leaf, text="b")}]},
                       {"items": [{"name": dict(leaf, text="c"), "price": {"price": dict(leaf, text="1", formatted={"value": "1"})}}]}],
        "storeInfo": {"movieName": leaf},
        "paymentInfo": {"cardInfo": {"company": leaf}},
        "totalPrice": {"creditCardPrice": leaf},
        "subTotal": [{"discountPrice": [leaf, leaf]}],
    }}}]}  # fmt: skip
    result = parse(raw)
    assert [f.name for f in result.pages[0].fields] == [
        "items.0.name", "items.1.name", "items.2.name", "items.2.price",
        "store.movie_name", "payment.card_company", "total.credit_card_price",
        "sub_total.0.discount_price.0", "sub_total.0.discount_price.1",
    ]  # fmt: skip
    assert receipt_items(result)[2] == {"name": "c", "count": None, "unit_price": None, "price": "1"}
    assert result.pages[0].lines == ()  # leaves without boxes have no line
    assert result.meta["clova"]["document"] == {"kind": "receipt", "estimatedLanguage": "ja"}


# -- Document OCR: other kinds ---------------------------------------------------------------------


def test_other_documents_get_generic_snake_case_names() -> None:
    def box(y: int) -> dict[str, Any]:
        return {"vertices": [{"x": 1, "y": y}, {"x": 30, "y": y}, {"x": 30, "y": y + 7}, {"x": 1, "y": y + 7}]}

    leaf = {"text": "NAVER", "keyText": "", "confidenceScore": 0.9, "boundingPolys": [box(2)], "maskingPolys": []}
    raw = {"images": [{"inferResult": "SUCCESS", "nameCard": {"meta": {"estimatedLanguage": "ko"}, "result": {
        "company": [leaf], "name": [dict(leaf, text="홍길동", boundingPolys=[box(12)])],
        "mobile": [dict(leaf, text="010-1234-5678", boundingPolys=[box(22)], formatted={"value": "01012345678"})],
    }}}]}  # fmt: skip
    result = parse(raw)
    page = result.pages[0]
    assert [f.name for f in page.fields] == ["company.0", "name.0", "mobile.0"]
    assert page.field("mobile.0").value == "01012345678" and page.field("name.0").confidence == 0.9
    assert page.text == "NAVER\n홍길동\n010-1234-5678"
    assert result.meta["clova"]["document"] == {"kind": "name_card", "estimatedLanguage": "ko"}

    id_card = {"images": [{"idCard": {"result": {"isConfident": True, "ic": {
        "personalNum": [leaf], "issueDate": [dict(leaf, text="2020.1.2", formatted={"year": "2020", "month": "1", "day": "2"})],
    }}}}]}  # fmt: skip
    result = parse(id_card)
    assert [f.name for f in result.pages[0].fields] == ["ic.personal_num.0", "ic.issue_date.0"]
    assert result.pages[0].field("ic.issue_date.0").value == "2020-01-02"
    assert result.meta["clova"]["document"] == {"kind": "id_card", "values": {"is_confident": True}}


def test_two_document_kinds_on_one_image_are_prefixed_by_kind() -> None:
    leaf = {"text": "x"}
    raw = {
        "images": [{"receipt": {"result": {"totalPrice": {"price": leaf}}}, "bizLicense": {"result": {"registerNumber": [leaf]}}}]
    }
    result = parse(raw)
    assert [f.name for f in result.pages[0].fields] == ["receipt.total.price", "biz_license.register_number.0"]
    assert result.meta["clova"]["document"] == {"kind": "receipt"}


@pytest.mark.parametrize(
    ("formatted", "value"),
    [
        ({"value": "45000"}, "45000"),
        ({"value": ""}, None),
        ({"year": "2020", "month": "10", "day": "14"}, "2020-10-14"),
        ({"year": "2013", "month": "", "day": "22"}, None),
        ({"year": "2013", "month": "5", "day": ""}, "2013-05"),
        ({"year": "", "month": "", "day": ""}, None),
        ({"hour": "9", "minute": "05", "second": "00"}, "09:05:00"),
        ({"hour": "15", "minute": "56"}, "15:56"),
        ({"something": "else"}, None),
        (None, None),
    ],
)
def test_formatted_values(formatted: Any, value: str | None) -> None:
    assert formatted_value(formatted, "f") == value


def test_snake_case_names() -> None:
    assert [snake(k) for k in ("bizNum", "unitPrice", "creditCardPrice", "addresses", "ID", "validThru", "a-b c")] == [
        "biz_num", "unit_price", "credit_card_price", "addresses", "id", "valid_thru", "a_b_c",
    ]  # fmt: skip


# -- envelopes, failures and odd bodies ------------------------------------------------------------------


def test_the_web_demo_body_is_refused_with_a_clear_message() -> None:
    with pytest.raises(BadResponseError) as info:
        parse(load(WEB_DEMO))
    message = str(info.value)
    assert "expected a CLOVA OCR response: an object with an 'images' list" in message
    assert "got an object with keys ['words', 'lines', 'raw']" in message
    assert "web demo" in message
    assert info.value.vendor == "clova"


@pytest.mark.parametrize("result", ["FAILURE", "ERROR"])
def test_a_failed_image_raises_image_failed_error(result: str) -> None:
    raw = load("barguni-general-v2-card-slip.json")
    raw["images"][0].update(inferResult=result, message="Image download failed")
    with pytest.raises(ImageFailedError) as info:
        parse(raw)
    assert info.value.code == result and info.value.vendor == "clova"
    assert "'demo'" in str(info.value) and "Image download failed" in str(info.value)


def test_unknown_keys_are_ignored_and_confidences_clamped() -> None:
    raw = load("barguni-general-v2-card-slip.json")
    before = parse(copy.deepcopy(raw))
    raw.update(originalFileName="a.png", imageType="png")
    raw["images"][0]["somethingNew"] = {"a": [1, 2]}
    raw["images"][0]["fields"][0]["futureKey"] = None
    assert parse(raw) == before
    raw["images"][0]["fields"][0]["inferConfidence"] = 1.0004
    raw["images"][0]["fields"][1]["inferConfidence"] = -0.0002
    words = parse(raw).pages[0].words
    assert (words[0].confidence, words[1].confidence) == (1.0, 0.0)


def test_several_images_are_pages_in_order_with_their_own_meta() -> None:
    one = load("pill-prescription-template-2023-06-01.json")["images"][0]
    two = copy.deepcopy(one)
    two["convertedImageInfo"]["pageIndex"] = 1
    two["matchedTemplate"] = {"id": 2, "name": "second"}
    no_info = copy.deepcopy(one)
    del no_info["convertedImageInfo"]
    result = parse({"version": "V2", "images": [one, two, no_info]})
    assert [(p.index, p.width, p.height) for p in result.pages] == [(0, 601, 409), (1, 601, 409), (2, 0, 0)]
    clova = result.meta["clova"]
    assert clova["matchedTemplate"]["id"] == 25072
    assert [p["matchedTemplate"]["id"] for p in clova["pages"]] == [25072, 2, 25072]
    with pytest.raises(BadResponseError, match="'images' to hold the image sent; got an empty list"):
        parse({"images": []})  # one image is sent per request: an answer about none is a bad response


def test_a_field_read_as_nothing_adds_no_blank_line() -> None:
    empty = {"inferText": "", "inferConfidence": 0.5, "boundingPoly": BOX, "lineBreak": True}
    word = {"inferText": "TOTAL", "inferConfidence": 0.9, "boundingPoly": BOX, "lineBreak": True}
    result = parse({"version": "V2", "images": [{"inferResult": "SUCCESS", "fields": [empty, word, empty]}]})
    assert result.text == "TOTAL" and [w.text for w in result.words] == ["TOTAL"]


BOX = {"vertices": [{"x": 0, "y": 0}, {"x": 1, "y": 0}, {"x": 1, "y": 1}, {"x": 0, "y": 1}]}


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (None, "got null"),
        ([], "got a list of 0 items"),
        ("images", "got the string 'images'"),
        ({"images": {}}, "got 'images' as an object"),
        ({"images": "x"}, "got 'images' as the string"),
        ({"images": [1]}, "expected images[0] to be an object; got the number 1"),
        ({"images": [{"fields": [{"inferText": 3}]}]}, "expected images[0].fields[0].inferText to be a string; got the number 3"),
        ({"images": [{"fields": [{"lineBreak": True}]}]}, "inferText to be a string; got nothing (the key is missing)"),
        ({"images": [{"fields": {}}]}, "expected images[0].fields to be a list"),
        ({"images": [{"fields": [{"inferText": "a"}]}]}, "images[0].fields[0].boundingPoly"),
        (
            {"images": [{"fields": [{"inferText": "a", "boundingPoly": {"vertices": BOX["vertices"][:3]}}]}]},
            "a list of four {x, y} points",
        ),
        (
            {"images": [{"fields": [{"inferText": "a", "boundingPoly": {"vertices": [{"x": "1", "y": 0}] * 4}}]}]},
            "vertices[0].x to be a finite number",
        ),
        (
            {"images": [{"fields": [{"inferText": "a", "boundingPoly": {"vertices": [{"x": math.nan, "y": 0}] * 4}}]}]},
            "a finite number",
        ),
        (
            {"images": [{"fields": [{"inferText": "a", "boundingPoly": {"vertices": [{"x": 10**400, "y": 0}] * 4}}]}]},
            "a finite number",
        ),
        ({"images": [{"fields": [{"inferText": "a", "boundingPoly": {"vertices": [{"x": True, "y": 0}] * 4}}]}]}, "got true"),
        ({"images": [{"fields": [{"inferText": "a", "boundingPoly": BOX, "inferConfidence": 1.5}]}]}, "a confidence within 0..1"),
        (
            {"images": [{"fields": [{"inferText": "a", "boundingPoly": BOX, "inferConfidence": "0.9"}]}]},
            "inferConfidence to be a finite number",
        ),
        (
            {"images": [{"fields": [{"inferText": "a", "boundingPoly": BOX, "lineBreak": "yes"}]}]},
            "lineBreak to be true or false",
        ),
        ({"images": [{"fields": [{"inferText": "a", "bounding": {"top": 1, "left": 2, "width": 3}}]}]}, "bounding.height"),
        ({"images": [{"convertedImageInfo": {"width": "595", "height": 842}}]}, "convertedImageInfo.width to be a whole number"),
        ({"images": [{"inferResult": 0}]}, "inferResult to be a string"),
        ({"images": [{"tables": [{"cells": [{"columnIndex": 0}]}]}]}, "cells[0].rowIndex to be a whole number"),
        ({"images": [{"tables": [{"cells": [{"rowIndex": -1, "columnIndex": 0}]}]}]}, "got the number -1"),
        (
            {
                "images": [
                    {
                        "tables": [
                            {
                                "cells": [
                                    {"rowIndex": 0, "columnIndex": 0, "cellTextLines": [{"cellWords": [{"inferText": None}]}]}
                                ]
                            }
                        ]
                    }
                ]
            },
            "cellWords[0].inferText",
        ),
        ({"images": [{"title": {"inferText": 1}}]}, "title.inferText to be a string"),
        ({"images": [{"fields": [{"name": 5, "inferText": "a"}]}]}, "fields[0].name to be a string"),
        ({"images": [{"fields": [{"name": "a", "inferText": "a", "checked": "yes"}]}]}, "checked to be true or false"),
        ({"images": [{"receipt": []}]}, "images[0].receipt to be an object"),
        ({"images": [{"receipt": {"meta": {}}}]}, "images[0].receipt.result to be an object"),
        (
            {"images": [{"receipt": {"result": {"totalPrice": {"price": {"text": 5}}}}}]},
            "receipt.result.totalPrice.price.text to be a string",
        ),
        (
            {"images": [{"receipt": {"result": {"storeInfo": {"tel": [{"text": "1", "boundingPolys": {}}]}}}}]},
            "storeInfo.tel[0].boundingPolys to be a list",
        ),
        (
            {"images": [{"receipt": {"result": {"totalPrice": {"price": {"text": "1", "formatted": "1"}}}}}]},
            "formatted to be an object",
        ),
    ],
)
def test_odd_bodies_raise_bad_response_error_saying_what_was_expected(raw: Any, says: str) -> None:
    with pytest.raises(BadResponseError) as info:
        parse(raw)
    assert says in str(info.value)
    assert info.value.vendor == "clova"


# -- random input ------------------------------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
KEYS = [
    "images", "fields", "tables", "cells", "cellTextLines", "cellWords", "inferText", "inferConfidence", "boundingPoly", "bounding",
    "vertices", "x", "y", "lineBreak", "name", "type", "subFields", "checked", "title", "matchedTemplate", "inferResult", "message",
    "convertedImageInfo", "pageIndex", "width", "height", "rowIndex", "columnIndex", "rowSpan", "columnSpan", "receipt", "nameCard",
    "result", "meta", "text", "boundingPolys", "formatted", "value", "year", "month", "subResults", "items", "price", "unitPrice",
]  # fmt: skip
clova_like = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(KEYS), children, max_size=5),
    max_leaves=30,
)


def parses_or_refuses(raw: Any) -> None:
    try:
        result = parse(raw)
    except (BadResponseError, ImageFailedError) as exc:
        assert exc.vendor == "clova" and str(exc)
    else:
        assert isinstance(result, OcrResult)
        json.dumps(result.meta, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_random_json_parses_or_raises_only_provider_errors(raw: Any) -> None:
    parses_or_refuses(raw)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(KEYS), clova_like, max_size=4).map(lambda d: {"images": [d]})
    | st.builds(lambda v: {"images": v}, clova_like)
)
def test_random_clova_like_bodies_parse_or_raise_only_provider_errors(raw: Any) -> None:
    parses_or_refuses(raw)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        out += [p for k, v in node.items() for p in _paths(v, (*path, k))]
    elif isinstance(node, list):
        out += [p for i, v in enumerate(node) for p in _paths(v, (*path, i))]
    return out


SMALL = {
    name: load(name)
    for name in [
        "ksd-bayley-template.json",
        "agtm-receipt-1-hansot.json",
        "gustomate-receipt.json",
        "pill-prescription-template-2023-06-01.json",
    ]
}
SMALL["table"] = {"images": [load("autorag-kbo-table-general-v2.json")["images"][0] | {"fields": []}]}
SMALL["v1"] = {"images": [load(V1)["images"][0] | {"fields": load(V1)["images"][0]["fields"][280:290]}]}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_recordings_parse_or_raise_only_provider_errors(data: st.DataObject) -> None:
    raw = copy.deepcopy(SMALL[data.draw(st.sampled_from(sorted(SMALL)))])
    for _ in range(data.draw(st.integers(1, 3))):
        if not (paths := _paths(raw)[1:]):
            break
        path = data.draw(st.sampled_from(paths))
        parent = raw
        for step in path[:-1]:
            parent = parent[step]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(json_values)
    parses_or_refuses(raw)


@pytest.mark.parametrize("name", [*GENERAL_V2, V1])
def test_the_fast_reading_of_a_word_agrees_with_the_strict_one(name: str) -> None:
    """Well-formed words skip the path-building strict reader; both must read them alike."""
    from unified_ocr_clova.parse import _plain_word, _word

    fields = load(name)["images"][0]["fields"]
    fast = [_plain_word(f) for f in fields]
    assert sum(w is not None for w in fast) >= 0.9 * len(fields)  # the fast path is the common one
    for k, (field, word) in enumerate(zip(fields, fast)):
        if word is not None:
            assert word == _word(field, f"fields[{k}]")
    odd = [{**fields[0], "inferConfidence": 1.0004}, {**fields[0], "inferConfidence": True}, {**fields[0], "inferText": 5}]
    assert [_plain_word(f) for f in odd] == [None, None, None]  # left to the strict reader, which clamps or refuses
