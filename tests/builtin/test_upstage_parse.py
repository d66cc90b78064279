"""The Upstage parser on every recorded real answer, checked against the raw JSON itself; tables from HTML cell for cell."""

from __future__ import annotations

import copy
import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from unified_ocr_upstage.html import parsed_lines, simple_lines, table_cells, text_lines
from unified_ocr_upstage.parse import parse

import unified_ocr
from unified_ocr import AuthenticationError, BadResponseError, ProviderError, Quad, QuotaExceededError, RateLimitError

from ..conftest import run_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upstage"
ALL = sorted(p.name.removesuffix(".json.gz") for p in FIXTURES.glob("*.json.gz"))
OCR = [name for name in ALL if "-ocr-" in name]
PARSE = [name for name in ALL if "document-parse" in name]


def load(name: str) -> Any:
    with gzip.open(FIXTURES / f"{name}.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def raw_words(answer: dict[str, Any], page: int) -> list[tuple[str, Quad, float]]:
    """Upstage's words of one page read straight from the JSON."""
    return [
        (w["text"], Quad([(v["x"], v["y"]) for v in w["boundingBox"]["vertices"]]), w["confidence"])
        for w in answer["pages"][page]["words"]
    ]


def test_the_fixture_set_is_all_there() -> None:
    assert len(OCR) == 5 and len(PARSE) == 2


@pytest.mark.parametrize("name", ALL)
def test_every_recorded_answer_parses_and_round_trips(name: str) -> None:
    raw = load(name)
    result = parse(raw)
    assert result.engine == "upstage" and result.pages
    assert unified_ocr.OcrResult.from_dict(result.to_dict()) == result
    assert unified_ocr.parse(raw, engine="upstage") == result  # through the registry, as `unified-ocr parse` reads it
    assert result.meta["upstage"]["billed_pages"] == len(result.pages)


@pytest.mark.parametrize("name", OCR)
def test_ocr_words_texts_quads_and_confidences_are_the_raw_ones(name: str) -> None:
    """Every word once, its quad the raw vertices in Upstage's order (IoU 1), wherever the layout put its line."""
    raw = load(name)
    result = parse(raw)
    for k, page in enumerate(result.pages):
        expected = raw_words(raw, k)
        got = [(w.text, w.quad, w.confidence) for w in page.words]
        assert Counter((t, q.points, c) for t, q, c in got) == Counter((t, q.points, c) for t, q, c in expected)
        for text, quad, _ in expected:
            assert any(w.text == text and w.quad.iou(quad) >= 0.99 for w in page.words)
        # every line is words of the page joined by a space, in the layout's reading order
        assert all(line.text == " ".join(w.text for w in line.words) for line in page.lines)


def test_page_sizes_come_from_the_metadata_and_differ_per_page() -> None:
    result = parse(load("cookbook-ocr-multi-page"))
    assert [(p.index, p.width, p.height) for p in result.pages] == [(0, 1242, 1755), (1, 1240, 1755), (2, 1240, 1755)]
    assert result.meta["upstage"] == {"api": "ocr", "model": "ocr-2.2.1", "api_version": "1.1", "billed_pages": 3}


def test_without_metadata_the_page_entry_gives_the_size_and_without_either_the_frame_sent() -> None:
    raw = load("cookbook-ocr-water-mark")
    del raw["metadata"]
    assert (parse(raw).pages[0].width, parse(raw).pages[0].height) == (602, 699)
    for page in raw["pages"]:
        del page["width"], page["height"]
    assert (parse(raw).pages[0].width, parse(raw).pages[0].height) == (0, 0)


def test_lines_are_rebuilt_by_the_layout_not_taken_from_the_text_field() -> None:
    """The answer's ``text`` runs the table's cells in Upstage's order; the page's lines are visual rows."""
    result = parse(load("cookbook-ocr-dpi-table"))
    lines = [line.text for line in result.pages[0].lines]
    assert "50 font size 10 N font size 6 N" in lines
    assert "150 font size 3 N font size 1 ~" in lines
    assert result.pages[0].blocks  # blocks cut the lines, as for every word-only engine


@pytest.mark.parametrize("name", PARSE)
def test_document_parse_elements_become_blocks_with_their_category(name: str) -> None:
    raw = load(name)
    result = parse(raw)
    info = result.meta["upstage"]
    assert info["api"] == "document-parse" and info["model"] == "document-parse-250116"
    per_page: dict[int, list[dict[str, Any]]] = {}
    for element in raw["elements"]:
        per_page.setdefault(element["page"] - 1, []).append(element)
    for page in result.pages:
        assert (page.width, page.height) == (1, 1)  # no page size in the answer: normalised, the core scales it
        elements = per_page[page.index]
        categories = info["pages"][page.index]["categories"]
        empty = info["pages"][page.index].get("empty", [])
        assert len(categories) + len(empty) == len(elements) == len(page.blocks) + len(empty)
        with_text = [e for e in elements if e["id"] not in empty]
        assert categories == [e["category"] for e in with_text]
        for block, element in zip(page.blocks, with_text):
            lines = page.lines[block.start : block.end]
            assert [line.text for line in lines] == text_lines(element["content"]["html"])
            box = Quad([(v["x"], v["y"]) for v in element["coordinates"]])
            assert block.quad == box
            assert block.kind == ("figure" if element["category"] in ("figure", "chart") else "text")
            # the lines cut the element's box top to bottom: together they are the box
            assert box.iou(lines[0].quad.union(*(line.quad for line in lines[1:]))) >= 0.99
        figures = [e["id"] for e in elements if e["category"] == "figure"]
        assert set(figures) <= set(empty)  # a figure without words makes no block


def test_document_parse_reads_html_breaks_as_lines() -> None:
    result = parse(load("cookbook-miney-document-parse-ih-7"))
    first = result.pages[0]
    assert first.lines[2].text == "대법원 2018. 9. 28. 선고 2015다254224 판결"
    assert first.lines[3].text == "[임대차보증금][미간행]"
    assert result.meta["upstage"]["pages"][0]["categories"][:3] == ["header", "header", "heading1"]


def test_document_parse_prefers_text_then_html_then_markdown() -> None:
    element = {
        "category": "paragraph",
        "page": 1,
        "id": 0,
        "coordinates": [{"x": 0.1, "y": 0.1}, {"x": 0.5, "y": 0.1}, {"x": 0.5, "y": 0.3}, {"x": 0.1, "y": 0.3}],
    }

    def one(content: dict[str, str]) -> list[str]:
        return [line.text for line in parse({"elements": [{**element, "content": content}]}).pages[0].lines]

    assert one({"text": "a\nb", "html": "<p>x</p>", "markdown": "y"}) == ["a", "b"]
    assert one({"text": "", "html": "<p>x<br>z</p>", "markdown": "y"}) == ["x", "z"]
    assert one({"text": "", "html": "", "markdown": "y"}) == ["y"]
    lines = parse({"elements": [{**element, "content": {"text": "a\nb"}}]}).pages[0].lines
    assert lines[0].quad.points == ((0.1, 0.1), (0.5, 0.1), (0.5, 0.2), (0.1, 0.2))
    assert lines[0].confidence is None and lines[0].words[0].confidence is None  # Upstage gives none: never a made-up 1.0


# A table element as Document Parse writes it: a header row, a cell spanning two rows, one spanning two columns, an empty cell.
TABLE_HTML = (
    "<table id='3' style='font-size:14px'><thead><tr><th>품목</th><th>수량</th><th>금액</th></tr></thead>"
    "<tbody><tr><td rowspan='2'>사과<br>부사</td><td>2</td><td>3,000</td></tr>"
    '<tr><td colspan="2">품절</td></tr>'
    "<tr><td>배</td><td></td><td>5,000</td></tr></tbody></table>"
)
TABLE_CELLS = [  # row, col, row_span, col_span, text
    (0, 0, 1, 1, "품목"), (0, 1, 1, 1, "수량"), (0, 2, 1, 1, "금액"),
    (1, 0, 2, 1, "사과\n부사"), (1, 1, 1, 1, "2"), (1, 2, 1, 1, "3,000"),
    (2, 1, 1, 2, "품절"),
    (3, 0, 1, 1, "배"), (3, 1, 1, 1, ""), (3, 2, 1, 1, "5,000"),
]  # fmt: skip


def test_a_table_element_becomes_cells_with_their_spans_cell_for_cell() -> None:
    box = [{"x": 0.1, "y": 0.2}, {"x": 0.9, "y": 0.2}, {"x": 0.9, "y": 0.6}, {"x": 0.1, "y": 0.6}]
    raw = {"elements": [{"category": "table", "page": 1, "id": 3, "coordinates": box,
                         "content": {"html": TABLE_HTML, "markdown": "", "text": ""}}], "usage": {"pages": 1}}  # fmt: skip
    page = parse(raw).pages[0]
    (table,) = page.tables
    assert [(c.row, c.col, c.row_span, c.col_span, c.text) for c in table.cells] == TABLE_CELLS
    assert (table.n_rows, table.n_cols) == (4, 3)
    assert table.to_grid()[2] == ["", "품절", ""]
    spanning = table.cells[3]
    assert spanning.quad is not None and [v for p in spanning.quad.points for v in p] == pytest.approx(
        [0.1, 0.3, 0.1 + 0.8 / 3, 0.3, 0.1 + 0.8 / 3, 0.5, 0.1, 0.5]
    )
    assert [b.kind for b in page.blocks] == ["table"] and [line.text for line in page.lines][:2] == [
        "품목 수량 금액",
        "사과 부사 2 3,000",
    ]


def test_html_table_placement_follows_browsers() -> None:
    cells = table_cells("<table><tr><td rowspan=3>a</td><td colspan=0>b</td></tr><tr><td>c</td></tr></table>")
    assert cells is not None
    # a rowspan past the last row stops there; a garbled colspan counts as 1
    assert [(c.row, c.col, c.row_span, c.col_span) for c in cells] == [(0, 0, 2, 1), (0, 1, 1, 1), (1, 1, 1, 1)]
    assert table_cells("<p>no table</p>") is None


def test_a_table_element_without_a_table_reads_as_text() -> None:
    raw = {"elements": [{"category": "table", "page": 1, "id": 0, "content": {"html": "<p>a</p>"}}]}
    page = parse(raw).pages[0]
    assert page.tables == () and page.text == "a" and page.blocks[0].quad == Quad([(0, 0), (1, 0), (1, 1), (0, 1)])


def test_pages_without_elements_are_kept_empty() -> None:
    raw = {"elements": [{"category": "paragraph", "page": 3, "id": 0, "content": {"text": "c"}}], "usage": {"pages": 4}}
    result = parse(raw)
    assert [(p.index, p.text) for p in result.pages] == [(0, ""), (1, ""), (2, "c"), (3, "")]


@pytest.mark.parametrize(
    ("mutate", "says"),
    [
        (lambda r: r.update(pages="x"), "pages"),
        (lambda r: r["pages"][0]["words"][0].update(text=3), "pages[0].words[0].text"),
        (lambda r: r["pages"][0]["words"][0]["boundingBox"]["vertices"].pop(), "pages[0].words[0].boundingBox.vertices"),
        (lambda r: r["pages"][0]["words"][0]["boundingBox"]["vertices"][1].update(x="12"), "vertices[1].x"),
        (lambda r: r["pages"][0]["words"][0].update(confidence=1.5), "confidence"),
        (lambda r: r["metadata"]["pages"][0].update(width=None), "metadata.pages[0].width"),
        (lambda r: r["pages"].append(copy.deepcopy(r["pages"][0])), "pages[1].id"),
    ],
)
def test_wrong_shapes_say_where(mutate: Any, says: str) -> None:
    raw = load("cookbook-ocr-water-mark")
    mutate(raw)
    with pytest.raises(BadResponseError, match=r"upstage: .*" + says.replace("[", r"\[").replace("]", r"\]")):
        parse(raw)


@pytest.mark.parametrize("raw", [None, [], {}, {"text": "x"}, {"elements": "x"}, {"elements": [{"page": 0}]},
                                 {"elements": [{"coordinates": [{"x": 1}]}]}])  # fmt: skip
def test_other_bodies_are_refused_as_bad_responses(raw: Any) -> None:
    with pytest.raises(BadResponseError):
        parse(raw)


@pytest.mark.parametrize(
    ("body", "kind", "code"),
    [
        (
            {"error": {"message": "Invalid API key", "type": "invalid_request_error", "code": "invalid_api_key"}},
            AuthenticationError,
            "invalid_api_key",
        ),
        ({"error": {"message": "slow down", "type": "rate_limit_error"}}, RateLimitError, "rate_limit_error"),
        ({"error": {"message": "no credit", "code": "insufficient_credit"}}, QuotaExceededError, "insufficient_credit"),
    ],
)
def test_an_error_body_saved_as_an_answer_is_its_typed_error(body: Any, kind: type, code: str) -> None:
    with pytest.raises(kind) as caught:
        parse(body)
    assert caught.value.code == code


def test_cli_parse_reads_saved_answers(tmp_path) -> None:
    saved = tmp_path / "answer.json"
    saved.write_text(json.dumps(load("cookbook-ocr-dpi-table"), ensure_ascii=False), encoding="utf-8")
    proc = run_cli("parse", str(saved), "--engine", "upstage", "--format", "text")
    assert proc.returncode == 0 and proc.stdout.startswith("dpi OCR 인식 가능 범위"), proc.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"images": []}')
    proc = run_cli("parse", str(bad), "--engine", "upstage")
    assert proc.returncode == 1 and "expected an Upstage answer" in proc.stderr and "Traceback" not in proc.stderr


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6)
KEYS = ["pages", "words", "text", "confidence", "boundingBox", "vertices", "x", "y", "metadata", "page", "width", "height",
        "id", "elements", "category", "coordinates", "content", "html", "usage", "error", "code"]  # fmt: skip
upstage_like = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=3), children, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(upstage_like)
def test_random_json_parses_or_raises_only_typed_errors(raw: Any) -> None:
    try:
        parse(raw)
    except ProviderError:  # a bad response, or an error body's typed error
        pass


# -- the common element shapes are read by a pattern: it must read them as lxml does ---------------

_TAGS = ["p", "h1", "h6", "header", "footer", "caption", "figcaption", "div", "span", "pre", "P", "li"]
_LETTERS = st.sampled_from(["a", "b", "판", " "])
_SPECIALS = st.sampled_from([*">\n\t\r<&;\x00\x0c\x1b\x85\u2028\u3000\ufeff\ufffe\ud800\U0001f600/='\"", "<br>", "&amp;", "<b>"])
_text = st.lists(_LETTERS | _SPECIALS, max_size=8).map("".join)
_attribute = st.sampled_from(["", " id='3'", ' style="font-size:14px"', " data-category='p'", " class=x", " alt='x'", " hidden"])


@st.composite
def _element_html(draw: st.DrawFn) -> str:
    lead = draw(st.sampled_from(["", "<br>", "<br/>"]))
    if draw(st.booleans()):
        tag = draw(st.sampled_from(_TAGS))
        pieces = draw(st.lists(_text, min_size=1, max_size=4))
        text = draw(st.sampled_from(["<br>", "<br />"])).join(pieces)
        return f"{lead}<{tag}{draw(_attribute)}{draw(_attribute)}>{text}</{tag}>"
    alt = draw(st.sampled_from(["", " alt=''", ' alt="{}"', " alt='{}'"])).format(draw(_text))
    return f"{lead}<figure{draw(_attribute)}><img{draw(_attribute)}{alt}{draw(_attribute)} /></figure>"


@settings(max_examples=400, deadline=None)
@given(_element_html())
@example("<p>a\rb</p>")
@example("<h1>a\x00b<br/>c&amp;d</h1>")
@example("<figure><img alt='a\ud800b' /></figure>")
def test_elements_read_without_the_parser_read_as_the_parser_reads_them(html: str) -> None:
    assert text_lines(html) == parsed_lines(html)


def test_the_common_element_shapes_skip_the_parser() -> None:
    """The test above could pass with the pattern never taking anything: the recorded shapes it must take."""
    for name in PARSE:
        elements = load(name)["elements"]
        taken = [e for e in elements if simple_lines(e["content"]["html"]) is not None]
        assert len(taken) >= len(elements) - 2
        assert all(simple_lines(e["content"]["html"]) == parsed_lines(e["content"]["html"]) for e in taken)


@pytest.mark.parametrize(
    ("mutate", "says"),
    [
        (lambda e: e.update(page=True), "elements[4].page"),
        (lambda e: e.update(page=0), "elements[4].page"),
        (lambda e: e.update(category=3), "elements[4].category"),
        (lambda e: e["content"].update(text=0), "elements[4].content.text"),
        (lambda e: e["content"].update(html=["<p>a</p>"]), "elements[4].content.html"),
        (lambda e: e["coordinates"][2].update(x=True), "elements[4].coordinates[2].x"),
        (lambda e: e["coordinates"][2].update(y=float("nan")), "elements[4].coordinates[2].y"),
        (lambda e: e["coordinates"][2].update(y=2e9), "elements[4].coordinates[2]"),
        (lambda e: e["coordinates"].pop(), "elements[4].coordinates"),
    ],
)
def test_document_parse_wrong_shapes_say_where(mutate: Any, says: str) -> None:
    """The elements read at once still refuse what the strict reading refuses, naming the place."""
    raw = load("cookbook-miney-document-parse-ih-7")
    mutate(raw["elements"][4])
    with pytest.raises(BadResponseError, match=r"upstage: .*" + says.replace("[", r"\[").replace("]", r"\]")):
        parse(raw)
