"""The Textract parser on every recorded real answer, checked against the raw JSON itself."""

from __future__ import annotations

import copy
import gzip
import json
import math
from pathlib import Path
from typing import Any

import pytest
from unified_ocr_textract.parse import page_sizes, parse, quad_of

import unified_ocr
from unified_ocr import AuthenticationError, BadResponseError, ImageFailedError, RateLimitError, RequestTooLargeError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "textract"
ALL = sorted(p.name.removesuffix(".json.gz") for p in FIXTURES.glob("*.json.gz"))
FAILED = "trp-get-document-analysis-failed"
READ = [name for name in ALL if name != FAILED]
PNG = FIXTURES / "textractor-single-page-1.1bit.png"  # the answers' image, 1226x1514, reduced to 1 bit a pixel
PDF = FIXTURES / "textractor-async-text-detection-multipage.pdf"
#: each answer with its image: where the page sizes come from
WITH_IMAGE = {
    "textractor-detect-text-single-page-1": PNG,
    "textractor-analyze-tables-forms-single-page-1": PNG,
    "textractor-async-text-detection-multipage": PDF,
}


def load(name: str) -> Any:
    with gzip.open(FIXTURES / f"{name}.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def by_id(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["Id"]: b for b in raw["Blocks"]}


def child_ids(block: dict[str, Any], kind: str = "CHILD") -> list[str]:
    return [i for r in block.get("Relationships", []) if r["Type"] == kind for i in r["Ids"]]


def raw_words(raw: dict[str, Any], page: int) -> list[tuple[str, list[tuple[float, float]], float]]:
    return [(b["Text"], [(p["X"], p["Y"]) for p in b["Geometry"]["Polygon"]], b["Confidence"])
            for b in raw["Blocks"] if b["BlockType"] == "WORD" and b.get("Page", 1) == page]  # fmt: skip


def test_every_recorded_answer_is_here() -> None:
    assert len(ALL) == 5 and FAILED in ALL


@pytest.mark.parametrize("name", READ)
def test_every_recorded_answer_parses_normalised_without_its_image(name: str) -> None:
    raw = load(name)
    result = parse(raw)
    assert result.engine == "textract" and result.meta["textract"]["normalised"] is True
    assert len(result.pages) == raw["DocumentMetadata"]["Pages"]
    for page in result.pages:
        assert (page.width, page.height) == (1, 1)
        ours = sorted((w.text, w.quad.points) for w in page.words)
        theirs = sorted((t, tuple(pts)) for t, pts, _ in raw_words(raw, page.index + 1))
        assert ours == theirs  # exactly Textract's numbers, exponent-form ones too
    # the core's parse (a saved answer, no image) gives the same
    assert unified_ocr.parse(json.dumps(raw), engine="textract").to_dict() == result.to_dict()


@pytest.mark.parametrize("name", sorted(WITH_IMAGE))
def test_with_its_image_words_land_on_the_pixels_of_the_raw_polygons(name: str) -> None:
    raw = load(name)
    sizes = page_sizes(WITH_IMAGE[name])
    result = parse(raw, sizes)
    assert [(p.width, p.height) for p in result.pages] == sizes
    for page in result.pages:
        size = sizes[page.index]
        theirs = raw_words(raw, page.index + 1)
        ours = page.words
        assert sorted(w.text for w in ours) == sorted(t for t, _, _ in theirs)
        lookup = {(t, round(pts[0][0], 9), round(pts[0][1], 9)): (pts, c) for t, pts, c in theirs}
        for word in ours:
            x0, y0 = word.quad.points[0]
            pts, confidence = lookup[(word.text, round(x0 / size[0], 9), round(y0 / size[1], 9))]
            pixels = [(x * size[0], y * size[1]) for x, y in pts]  # the raw polygon mapped by hand
            for (ax, ay), (bx, by) in zip(word.quad.points, pixels):
                assert abs(ax - bx) <= 0.5 and abs(ay - by) <= 0.5  # same point order, within half a pixel
            expected = quad_of([{"X": x, "Y": y} for x, y in pts], size)
            assert word.quad.iou(expected) >= 0.99
            assert word.confidence == pytest.approx(confidence / 100)


def test_the_png_is_the_size_the_manifest_gives() -> None:
    assert page_sizes(PNG) == [(1226, 1514)]


def test_the_multipage_job_has_two_pages_of_its_pdf() -> None:
    raw = load("textractor-async-text-detection-multipage")
    result = parse(raw, page_sizes(PDF))
    assert result.meta["textract"]["api"] == "GetDocumentTextDetection" and result.meta["textract"]["job_status"] == "SUCCEEDED"
    assert [p.index for p in result.pages] == [0, 1]
    assert all(len(p.words) == 53 for p in result.pages)
    assert result.pages[0].lines[0].text == "Textractor Test"


def _raw_tables(raw: dict[str, Any]) -> list[dict[tuple[int, int], tuple[int, int, str]]]:
    """Each table straight from the JSON: (row, col) -> (row span, col span, words), merged cells once."""
    blocks = by_id(raw)

    def words(block: dict[str, Any]) -> list[str]:
        return [blocks[i]["Text"] for i in child_ids(block) if blocks[i]["BlockType"] == "WORD"]

    tables = []
    for table in (b for b in raw["Blocks"] if b["BlockType"] == "TABLE"):
        merged = [blocks[i] for i in child_ids(table, "MERGED_CELL")]
        covered = {i for m in merged for i in child_ids(m)}
        cells = {}
        for m in merged:
            cells[(m["RowIndex"] - 1, m["ColumnIndex"] - 1)] = (
                m["RowSpan"],
                m["ColumnSpan"],
                " ".join(w for i in child_ids(m) for w in words(blocks[i])),
            )
        for i in child_ids(table):
            if i not in covered:
                c = blocks[i]
                cells[(c["RowIndex"] - 1, c["ColumnIndex"] - 1)] = (c["RowSpan"], c["ColumnSpan"], " ".join(words(c)))
        tables.append(cells)
    return tables


@pytest.mark.parametrize(
    "name", ["textractor-analyze-tables-forms-single-page-1", "trp-analyze-tables-forms-employment-application"]
)
def test_tables_cell_for_cell(name: str) -> None:
    raw = load(name)
    result = parse(raw, (1000, 1000))
    ours = [
        {(c.row, c.col): (c.row_span, c.col_span, " ".join(c.text.split())) for c in t.cells}
        for p in result.pages
        for t in p.tables
    ]
    assert ours == _raw_tables(raw)
    table = result.pages[0].tables[0]
    assert table.quad is not None and table.confidence is not None and 0 < table.confidence <= 1


def test_a_merged_cell_spans_and_covers_its_cells() -> None:
    table = parse(load("textractor-analyze-tables-forms-single-page-1")).pages[0].tables[0]
    assert (table.n_rows, table.n_cols) == (3, 5)
    merged = [c for c in table.cells if c.col_span > 1]
    assert [(c.row, c.col, c.row_span, c.col_span) for c in merged] == [(0, 1, 1, 2)]
    assert not any(c.row == 0 and c.col == 2 for c in table.cells)  # covered, not repeated
    assert table.to_grid()[1] == ["Cell 6", "Cell 7", "Cell 8", "Cell 9", "Cell 10"]


def _raw_fields(raw: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    blocks = by_id(raw)

    def text(block: dict[str, Any]) -> str:
        return " ".join(blocks[i]["Text"] for i in child_ids(block) if blocks[i]["BlockType"] == "WORD")

    found = []
    for key in (b for b in raw["Blocks"] if b["BlockType"] == "KEY_VALUE_SET" and "KEY" in b["EntityTypes"]):
        value = blocks[child_ids(key, "VALUE")[0]]
        marks = [blocks[i] for i in child_ids(value) if blocks[i]["BlockType"] == "SELECTION_ELEMENT"]
        found.append((text(key), text(value), marks[0]["SelectionStatus"] == "SELECTED" if marks else None))
    return found


@pytest.mark.parametrize(
    "name", ["textractor-analyze-tables-forms-single-page-1", "trp-analyze-tables-forms-employment-application"]
)
def test_forms_field_for_field(name: str) -> None:
    raw = load(name)
    fields = parse(raw).pages[0].fields
    assert [(f.name, f.text, f.checked) for f in fields] == _raw_fields(raw)
    assert all(f.kind == ("checkbox" if f.checked is not None else "text") for f in fields)


def test_named_fields_and_check_boxes() -> None:
    page = parse(load("textractor-analyze-tables-forms-single-page-1")).pages[0]
    assert page.field("Name of package:").text == "Textractor"
    assert page.field("Date :").text == "08/14/2022"
    assert page.field("Selected Checkbox").checked is True
    assert page.field("Un-Selected Checkbox").checked is False
    employment = parse(load("trp-analyze-tables-forms-employment-application")).pages[0]
    assert employment.field("Full Name:").text == "Jane Doe"


def test_a_failed_job_is_a_typed_error() -> None:
    with pytest.raises(ImageFailedError, match="Dummy Status Message") as caught:
        parse(load(FAILED))
    assert caught.value.code == "FAILED" and not caught.value.retryable


def test_a_job_in_progress_is_no_answer_yet() -> None:
    with pytest.raises(BadResponseError, match="IN_PROGRESS"):
        parse({"JobStatus": "IN_PROGRESS", "ResponseMetadata": {}})


def test_next_token_pages_are_joined_in_order() -> None:
    raw = load("textractor-async-text-detection-multipage")
    blocks = raw["Blocks"]
    half = len(blocks) // 3
    chain = [
        {**{k: v for k, v in raw.items() if k != "Blocks"}, "Blocks": blocks[:half], "NextToken": "t1"},
        {"JobStatus": "SUCCEEDED", "DocumentMetadata": {"Pages": 2}, "Blocks": blocks[half:], "NextToken": None},
    ]
    joined = parse(chain)
    assert joined.pages == parse(raw).pages and joined.meta["textract"]["result_pages"] == 2


def test_response_metadata_is_ignored() -> None:
    raw = load("textractor-detect-text-single-page-1")
    bare = {k: v for k, v in raw.items() if k != "ResponseMetadata"}
    assert parse(raw).to_dict() == parse(bare).to_dict()


def test_vendor_lines_keep_textract_lines_and_visual_lines_join_a_row() -> None:
    raw = load("trp-analyze-tables-forms-employment-application")
    vendor = parse(raw, (1000, 1300), lines="vendor").pages[0]
    lines = [b["Text"] for b in raw["Blocks"] if b["BlockType"] == "LINE"]
    assert [line.text for line in vendor.lines] == lines and not vendor.blocks
    visual = parse(raw, (1000, 1300)).pages[0]
    assert sorted(w.text for w in visual.words) == sorted(w.text for w in vendor.words)
    assert len(visual.lines) < len(vendor.lines) and visual.blocks  # a row's pieces are one line


def _turned(raw: dict[str, Any]) -> dict[str, Any]:
    """The answer as Textract gives it for the page turned 90 degrees clockwise: every point (x, y)
    moves to (1 - y, x), so each polygon still starts at its text's own top-left."""
    turned = copy.deepcopy(raw)
    for block in turned["Blocks"]:
        for point in block["Geometry"]["Polygon"]:
            point["X"], point["Y"] = 1 - point["Y"], point["X"]
    return turned


def test_text_on_a_page_turned_90_degrees_starts_at_its_own_top_left() -> None:
    raw = _turned(load("textractor-detect-text-single-page-1"))
    result = parse(raw, (1514, 1226))
    word = next(w for w in result.words if w.text == "Textractor")
    (x0, y0), (x1, y1), _, (x3, y3) = word.quad.points
    assert abs(x1 - x0) < 1 and y1 > y0 + 100  # reads downwards: the text's top-left is at the page's top-right
    assert x0 > x3
    assert math.isclose(word.quad.angle, 90, abs_tol=1)
    assert "Textractor Test" in result.text  # the visual lines follow the text's own direction


def test_layout_blocks_order_lines_and_give_block_kinds() -> None:
    raw = load("textractor-detect-text-single-page-1")
    lines = [b for b in raw["Blocks"] if b["BlockType"] == "LINE"]

    def layout(kind: str, members: list[dict[str, Any]]) -> dict[str, Any]:
        return {"BlockType": kind, "Id": f"{kind}-{members[0]['Id']}", "Confidence": 90.0, "Geometry": members[0]["Geometry"],
                "Relationships": [{"Type": "CHILD", "Ids": [m["Id"] for m in members]}]}  # fmt: skip

    item = layout("LAYOUT_TEXT", lines[3:5])
    listing = {**layout("LAYOUT_LIST", lines[3:5]), "Relationships": [{"Type": "CHILD", "Ids": [item["Id"]]}]}
    raw["Blocks"] += [layout("LAYOUT_TITLE", lines[:1]), layout("LAYOUT_TABLE", lines[7:10]), layout("LAYOUT_FIGURE", lines[10:11]),
                      item, listing]  # fmt: skip
    page = parse(raw).pages[0]
    assert [(b.start, b.end, b.kind) for b in page.blocks] == [(0, 1, "text"), (1, 4, "table"), (4, 5, "figure"), (5, 7, "text"),
                                                              (7, 24, "text")]  # fmt: skip
    assert [line.text for line in page.lines[:2]] == [lines[0]["Text"], lines[7]["Text"]]
    kinds = [entry["type"] for entry in parse(raw).meta["textract"]["pages"][0]["layout"]]
    assert kinds == ["LAYOUT_TITLE", "LAYOUT_TABLE", "LAYOUT_FIGURE", "LAYOUT_TEXT", None]


def test_signatures_and_queries_are_fields() -> None:
    raw = load("textractor-detect-text-single-page-1")
    geometry = raw["Blocks"][1]["Geometry"]
    raw["Blocks"] += [
        {"BlockType": "SIGNATURE", "Id": "s1", "Confidence": 88.0, "Geometry": geometry},
        {"BlockType": "QUERY", "Id": "q1", "Query": {"Text": "What is the package?", "Alias": "package"},
         "Relationships": [{"Type": "ANSWER", "Ids": ["a1"]}]},
        {"BlockType": "QUERY_RESULT", "Id": "a1", "Text": "Textractor", "Confidence": 97.0, "Geometry": geometry},
    ]  # fmt: skip
    page = parse(raw).pages[0]
    assert page.field("signature").confidence == pytest.approx(0.88) and page.field("signature").quad is not None
    assert page.field("package").text == "Textractor"


@pytest.mark.parametrize(
    ("body", "error", "code"),
    [
        ({"__type": "com.amazonaws.textract#ThrottlingException", "message": "Rate exceeded"}, RateLimitError, "ThrottlingException"),
        ({"__type": "InvalidSignatureException", "message": "The request signature we calculated does not match"},
         AuthenticationError, "InvalidSignatureException"),
        ({"__type": "DocumentTooLargeException", "Message": "too big"}, RequestTooLargeError, "DocumentTooLargeException"),
    ],
)  # fmt: skip
def test_error_bodies_are_typed(body: dict[str, Any], error: type, code: str) -> None:
    with pytest.raises(error) as caught:
        parse(body)
    assert caught.value.code == code


@pytest.mark.parametrize(
    "raw",
    [[], "text", {"Blocks": "no"}, {"Blocks": [{"BlockType": "WORD"}]}, {"Blocks": [{"Id": "a", "BlockType": "WORD", "Text": 3,
     "Geometry": {"Polygon": []}}]}, {"JobStatus": "WAITING"}, {"Something": 1}],
)  # fmt: skip
def test_wrong_shapes_are_bad_responses_saying_where(raw: Any) -> None:
    with pytest.raises(BadResponseError):
        parse(raw)


@pytest.mark.parametrize("where", ["block", "metadata"])
def test_a_page_number_beyond_what_textract_reads_is_refused_not_allocated(where: str) -> None:
    """A damaged answer naming page 31,642,884,026 (found by the property test below) made a list
    of that many page sizes and ran out of memory; Textract reads at most 3,000 pages."""
    raw = copy.deepcopy(_SMALL)
    if where == "block":
        raw["Blocks"][-1]["Page"] = 31642884026.0
    else:
        raw["DocumentMetadata"] = {"Pages": 10**12}
    with pytest.raises(BadResponseError, match="3000"):
        parse(raw, size=(800, 600))


# -- damaged answers: every one parses or is refused as a bad response, never a crash ------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from unified_ocr import OcrResult  # noqa: E402

_SMALL = load("textractor-analyze-tables-forms-single-page-1")
_SCALARS = st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=True) | st.text(max_size=4)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                       max_leaves=6)  # fmt: skip


@st.composite
def damaged(draw: st.DrawFn) -> dict[str, Any]:
    """The real answer with a few of its blocks' values replaced, removed or given the wrong type."""
    raw = copy.deepcopy(_SMALL)
    blocks = raw["Blocks"]
    for _ in range(draw(st.integers(1, 4))):
        block = blocks[draw(st.integers(0, len(blocks) - 1))]
        key = draw(st.sampled_from(sorted(block) + ["Page", "RowSpan"]))
        if draw(st.booleans()):
            block.pop(key, None)
        else:
            block[key] = draw(_VALUES)
    return raw


@settings(max_examples=150, deadline=None)
@given(damaged())
def test_damaged_answers_parse_or_raise_only_bad_response_errors(raw: dict[str, Any]) -> None:
    try:
        result = parse(raw, (1226, 1514))
    except BadResponseError as exc:
        assert exc.vendor == "textract" and str(exc)
    else:
        assert isinstance(result, OcrResult)


def test_a_point_read_past_the_quick_path_is_read_strictly_or_refused_by_name() -> None:
    """Words are read by a quick path that takes only four points of plain floats: whole numbers
    and damaged points go to the strict reading, which gives the same figures or names the point."""
    raw = load("textractor-detect-text-single-page-1")
    word = next(b for b in raw["Blocks"] if b["BlockType"] == "WORD")
    before = parse(raw, (1226, 1514))
    whole = copy.deepcopy(raw)
    point = next(b for b in whole["Blocks"] if b["Id"] == word["Id"])["Geometry"]["Polygon"][0]
    point["X"], point["Y"] = 0, 1  # whole numbers are numbers too
    changed = next(w for w in parse(whole, (1226, 1514)).words if w.quad.points[0] == (0.0, 1514.0))
    assert changed.text == word["Text"] and len(parse(whole, (1226, 1514)).words) == len(before.words)
    for bad, said in ((float("nan"), "a finite number"), ("0.5", "a finite number"), (True, "a finite number")):
        damaged = copy.deepcopy(raw)
        next(b for b in damaged["Blocks"] if b["Id"] == word["Id"])["Geometry"]["Polygon"][2]["Y"] = bad
        with pytest.raises(BadResponseError, match=rf"WORD '{word['Id']}'\.Geometry\.Polygon\[2\]\.Y to be {said}"):
            parse(damaged, (1226, 1514))


def test_a_table_cell_holds_the_very_words_its_lines_hold() -> None:
    """Each WORD block is read once a page: a cell's words are the objects its lines hold."""
    result = parse(load("textractor-analyze-tables-forms-single-page-1"), (1226, 1514))
    in_lines = {id(w) for w in result.words}
    in_cells = [w for t in result.pages[0].tables for c in t.cells for line in c.lines for w in line.words]
    assert in_cells and all(id(w) in in_lines for w in in_cells)
