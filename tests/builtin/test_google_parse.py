"""The Google Cloud Vision parser on every recorded real answer, checked against the raw JSON itself."""

from __future__ import annotations

import copy
import gzip
import importlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from unified_ocr_google.errors import provider_error
from unified_ocr_google.parse import parse, responses

import unified_ocr
from unified_ocr import (
    AuthenticationError,
    BadResponseError,
    ImageFailedError,
    ProviderError,
    Quad,
    RateLimitError,
    ServiceError,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "google"
ALL = sorted(p.name.removesuffix(".json.gz") for p in FIXTURES.glob("*.json.gz"))
REFUSED = {
    "gcloudnotes-error-403-api-disabled": (AuthenticationError, "PERMISSION_DENIED"),
    "pdfdoc-error-bad-image-data": (ImageFailedError, "INVALID_ARGUMENT"),
    "groupproject2-sample15-nodeclient-v023.NOT-REST": (BadResponseError, "NOT_REST"),
}
READ = [name for name in ALL if name not in REFUSED]
#: the answers whose image was recorded with them (the parser is checked on every answer all the same)
WITH_IMAGE = ["darude-multifeature-photo", "ingreedy-IMG_0096-document", "ingreedy-IMG_0100-document",
              "ingreedy-IMG_0222-document", "layoutparser-gcv-document", "ocrtest-vcard1-vaccination-card",
              "tripflex-jp-menu13-text", "tripflex-jp-poster12-text"]  # fmt: skip
LINE_ENDS = {"EOL_SURE_SPACE", "LINE_BREAK", "HYPHEN"}


def load(name: str) -> Any:
    with gzip.open(FIXTURES / f"{name}.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def raw_lines(response: dict[str, Any]) -> list[list[tuple[str, list[tuple[float, float]]]]]:
    """Google's lines read straight from the JSON: (word text, points) per word, cut at line-ending breaks."""
    page = response["fullTextAnnotation"]["pages"][0]
    w, h = page.get("width", 0), page.get("height", 0)
    lines: list[list[tuple[str, list[tuple[float, float]]]]] = []
    for block in page.get("blocks", []):
        for paragraph in block.get("paragraphs", []):
            current: list[tuple[str, list[tuple[float, float]]]] = []
            for word in paragraph.get("words", []):
                box = word["boundingBox"]
                if box.get("vertices"):
                    points = [(v.get("x", 0), v.get("y", 0)) for v in box["vertices"]]
                else:
                    points = [(v.get("x", 0) * w, v.get("y", 0) * h) for v in box["normalizedVertices"]]
                current.append(("".join(s["text"] for s in word["symbols"]), points))
                last = word["symbols"][-1].get("property", {}).get("detectedBreak", {}).get("type")
                if last in LINE_ENDS:
                    lines.append(current)
                    current = []
            if current:
                lines.append(current)
    return lines


def first_response(raw: Any) -> dict[str, Any]:
    return responses(raw)[1][0][0]


def same_quad(quad: Quad, points: list[tuple[float, float]]) -> bool:
    raw = Quad(points)
    if raw.area <= 1e-9 or quad.area <= 1e-9:  # degenerate boxes ({} vertices): compare the points
        return all(abs(a - b) < 1e-6 for p, q in zip(quad.points, raw.points) for a, b in zip(p, q))
    return quad.iou(raw) >= 0.99


@pytest.mark.parametrize("name", ALL)
def test_every_recorded_answer_parses_or_is_refused_as_documented(name: str) -> None:
    raw = load(name)
    if name in REFUSED:
        kind, code = REFUSED[name]
        with pytest.raises(kind) as caught:
            parse(raw)
        assert caught.value.code == code
        assert caught.value.vendor == "google"
        return
    for mode in ("visual", "vendor"):
        result = parse(raw, lines=mode)
        assert result.engine == "google" and result.pages and result.words
        assert result.raw is raw
        json.dumps(result.to_dict())  # writable


@pytest.mark.parametrize("name", READ)
def test_vendor_lines_rebuild_googles_own_text_exactly(name: str) -> None:
    """Breaks decide spaces and line ends: the lines, joined, are Google's ``fullTextAnnotation.text``."""
    response = first_response(load(name))
    result = parse(response, lines="vendor")
    assert "\n".join(line.text for line in result.pages[0].lines) == response["fullTextAnnotation"]["text"].rstrip("\n")


@pytest.mark.parametrize("name", READ)
def test_words_lines_and_quads_match_the_raw_json(name: str) -> None:
    response = first_response(load(name))
    expected = raw_lines(response)
    vendor = parse(response, lines="vendor").pages[0]
    assert [[w.text for w in line.words] for line in vendor.lines] == [[t for t, _ in line] for line in expected]
    for line, raw in zip(vendor.lines, expected):
        for word, (_, points) in zip(line.words, raw):
            assert same_quad(word.quad, points), (word.text, word.quad.points, points)
    # visual lines join whole vendor lines and never split one; every word is still there, with its quad
    visual = parse(response).pages[0]
    left = Counter(tuple(key(w) for w in line.words) for line in vendor.lines)
    for line in visual.lines:
        pieces = split_into(tuple(key(w) for w in line.words), left)
        assert pieces is not None, f"{line.text!r} is not made of whole vendor lines"
        left -= Counter(pieces)
    assert not +left, "a vendor line is in no visual line"


def key(word: Any) -> tuple[str, tuple[tuple[float, float], ...]]:
    return word.text, word.quad.points


def split_into(words: tuple, lines: Counter) -> list[tuple] | None:
    """``words`` cut into a run of whole lines from ``lines`` (each used at most as often as it is there)."""
    if not words:
        return []
    for end in range(len(words), 0, -1):
        head = words[:end]
        if lines[head] > 0:
            rest = split_into(words[end:], lines - Counter([head]))
            if rest is not None:
                return [head, *rest]
    return None


@pytest.mark.parametrize("name", WITH_IMAGE)
def test_answers_with_their_image_have_the_images_frame(name: str) -> None:
    page = parse(load(name)).pages[0]
    assert (page.width, page.height) != (0, 0)


def test_exif_rotated_photo_is_answered_in_the_displayed_frame() -> None:
    """The image is stored 4032x3024 with orientation 6; Google's page and boxes are in the upright 3024x4032 frame."""
    page = parse(load("ingreedy-IMG_0096-document")).pages[0]
    assert (page.width, page.height) == (3024, 4032)
    xs = [x for w in page.words for x, _ in w.quad.points]
    ys = [y for w in page.words for _, y in w.quad.points]
    assert max(xs) <= 3024 + 50 and max(ys) > 3024  # y runs past the stored height: the frame is the turned one


def test_negative_and_omitted_coordinates_are_kept_not_clamped() -> None:
    page = parse(load("ingreedy-IMG_0100-document")).pages[0]
    assert min(x for w in page.words for x, _ in w.quad.points) < 0
    selen = parse(load("nijisanji-schedule-selen-text"), lines="vendor").pages[0]
    assert selen.blocks[1].quad is not None and selen.blocks[1].quad.points[0] == (-14.0, 311.0)
    # the recorded answers leave zeros out only in crop hints (vertices like {} and {"x": 3023}); a word may too
    raw = load("tripflex-jp-poster12-text")
    word = raw["fullTextAnnotation"]["pages"][0]["blocks"][0]["paragraphs"][0]["words"][0]
    word["boundingBox"]["vertices"] = [{}, {"x": 42}, {"x": 41, "y": 32}, {"y": 32}]
    assert parse(raw, lines="vendor").words[0].quad.points == ((0, 0), (42, 0), (41, 32), (0, 32))


def test_normalized_vertices_are_scaled_by_the_page_in_the_async_pdf_output() -> None:
    raw = load("medicalocr-async-pdf-hebrew-output-1-to-1")
    result = parse(raw)
    page = result.pages[0]
    assert (page.width, page.height) == (595, 841)
    assert result.meta["google"]["shape"] == "async-output"
    assert result.meta["google"]["pages"][0]["languages"][0]["code"] == "iw"
    first = raw["responses"][0]["fullTextAnnotation"]["pages"][0]["blocks"][0]["paragraphs"][0]["words"][0]
    want = [(v.get("x", 0) * 595, v.get("y", 0) * 841) for v in first["boundingBox"]["normalizedVertices"]]
    assert any(same_quad(w.quad, want) for w in page.words)
    # right to left: Google's lines are kept as they are, not joined left to right
    assert [line.text for line in page.lines] == [line.text for line in parse(raw, lines="vendor").pages[0].lines]


def test_pages_are_placed_by_context_page_number() -> None:
    raw = load("medicalocr-async-pdf-hebrew-output-1-to-1")
    one = raw["responses"][0]
    two = copy.deepcopy(one)
    two["context"]["pageNumber"] = 3
    files = {"responses": [{"responses": [two, one], "totalPages": 3}]}  # files:annotate, pages out of order
    result = parse(files)
    assert [p.index for p in result.pages] == [0, 2]
    assert result.meta["google"]["shape"] == "files"
    with pytest.raises(BadResponseError, match="page 1"):
        parse({"responses": [{"responses": [one, one]}]})


def test_the_three_top_level_shapes_read_the_same() -> None:
    bare = load("tripflex-jp-poster12-text")
    texts = {parse(shape).text for shape in (bare, {"responses": [bare]}, [bare])}
    assert texts == {parse(bare).text}
    assert parse([bare]).meta["google"]["shape"] == "array"


def test_text_annotations_are_read_where_there_is_no_full_text_annotation() -> None:
    raw = load("tripflex-jp-poster12-text")
    del raw["fullTextAnnotation"]
    result = parse(raw)
    entries = raw["textAnnotations"][1:]
    assert sorted(w.text for w in result.words) == sorted(e["description"] for e in entries)
    want = Counter(
        (e["description"], tuple((float(v.get("x", 0)), float(v.get("y", 0))) for v in e["boundingPoly"]["vertices"]))
        for e in entries
    )
    assert Counter(key(w) for w in result.words) == want  # the quads exactly as Google gave them, in its order
    assert result.meta["google"]["format"] == "textAnnotations"
    assert result.meta["google"]["pages"][0]["languages"] == [{"code": "ja"}]
    assert all(w.confidence is None for w in result.words)  # TEXT_DETECTION words carry none; never a made-up 1.0


def test_confidences_and_languages() -> None:
    result = parse(load("layoutparser-gcv-document"))
    assert all(w.confidence is not None and 0 <= w.confidence <= 1 for w in result.words)
    assert result.meta["google"]["pages"][0]["languages"][0] == {"code": "en", "confidence": pytest.approx(0.54)}
    assert all(w.confidence is None for w in parse(load("nijisanji-schedule-selen-text")).words)


def test_an_image_with_no_text_is_an_empty_page() -> None:
    result = parse({"responses": [{}]})
    assert len(result.pages) == 1 and result.text == ""


def test_block_kinds_in_vendor_mode() -> None:
    page = parse(load("layoutparser-gcv-document"), lines="vendor").pages[0]
    assert len(page.blocks) == 170 and {b.kind for b in page.blocks} == {"text"}


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (
            lambda r: r["fullTextAnnotation"]["pages"][0]["blocks"][0]["paragraphs"][0]["words"][0]["boundingBox"][
                "vertices"
            ].pop(),
            "four vertices",
        ),
        (
            lambda r: r["fullTextAnnotation"]["pages"][0]["blocks"][0]["paragraphs"][0]["words"][0]["boundingBox"]["vertices"][
                0
            ].update(x="12"),
            "vertices[0].x",
        ),
        (
            lambda r: r["fullTextAnnotation"]["pages"][0]["blocks"][0]["paragraphs"][0]["words"][0].pop("boundingBox"),
            "boundingBox",
        ),
        (lambda r: r["fullTextAnnotation"]["pages"][0].update(blocks="x"), "blocks"),
    ],
)
def test_a_body_of_the_wrong_shape_says_where(mutate: Any, where: str) -> None:
    raw = load("tripflex-jp-poster12-text")
    mutate(raw)
    with pytest.raises(BadResponseError, match="expected") as caught:
        parse(raw)
    assert where in str(caught.value)


@pytest.mark.parametrize("raw", [None, "text", 3, {"images": []}, {"responses": "x"}])
def test_what_is_not_an_answer_is_refused(raw: Any) -> None:
    with pytest.raises(BadResponseError):
        parse(raw)


def test_the_not_rest_dump_is_refused_with_what_to_do() -> None:
    with pytest.raises(BadResponseError) as caught:
        parse(load("groupproject2-sample15-nodeclient-v023.NOT-REST"))
    assert "REST" in str(caught.value) and "images:annotate" in str(caught.value)


@pytest.mark.parametrize(
    ("error", "http", "per_image", "kind", "code"),
    [
        ({"code": 403, "status": "PERMISSION_DENIED", "message": "disabled"}, 403, False, AuthenticationError, "PERMISSION_DENIED"),
        ({"code": 400, "status": "INVALID_ARGUMENT", "message": "API key not valid. Please pass a valid API key.",
          "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}]},
         400, False, AuthenticationError, "INVALID_ARGUMENT"),
        ({"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "Quota exceeded for quota metric 'Requests'"}, 429, False, RateLimitError, "RESOURCE_EXHAUSTED"),
        ({"code": 503, "status": "UNAVAILABLE", "message": "The service is currently unavailable."}, 503, False, ServiceError, "UNAVAILABLE"),
        ({"code": 13, "message": "Internal server error."}, None, True, ServiceError, "INTERNAL"),
        ({"code": 3, "message": "Bad image data."}, None, True, ImageFailedError, "INVALID_ARGUMENT"),
    ],
)  # fmt: skip
def test_error_objects_are_typed(error: dict, http: int | None, per_image: bool, kind: type, code: str) -> None:
    exc = provider_error(error, http_status=http, per_image=per_image)
    assert type(exc) is kind and exc.code == code and exc.status == http


def test_parse_through_the_public_api() -> None:
    raw = load("tripflex-jp-poster12-text")
    assert unified_ocr.parse(raw, engine="google").text == parse(raw).text


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*path, i))
    return out


POSTER = load("tripflex-jp-poster12-text")
POSTER_PATHS = _paths(POSTER)[1:]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(POSTER_PATHS), JSON)
def test_a_real_answer_with_any_value_replaced_reads_or_says_what_is_wrong(path: tuple, value: Any) -> None:
    raw = copy.deepcopy(POSTER)
    node = raw
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    try:
        result = parse(raw)
    except ProviderError as exc:  # a BadResponseError naming the place, or the typed error of an error object
        assert exc.vendor == "google" and str(exc)
        return
    json.dumps(result.to_dict())


# -- words of the usual shape are read at once: they must read as the strict reading does -----------

#: The module (the package's ``parse`` is the function of that name).
google_parse = importlib.import_module("unified_ocr_google.parse")
WORDS = [
    (word, (page.get("width", 0), page.get("height", 0)))
    for name in ("tripflex-jp-poster12-text", "medicalocr-async-pdf-hebrew-output-1-to-1")
    for response, _ in responses(load(name))[1]
    for page in response["fullTextAnnotation"]["pages"]
    for block in page["blocks"]
    for paragraph in block["paragraphs"]
    for word in paragraph["words"][:3]
]
SPOILERS = st.sampled_from(
    [None, True, 0, -1, 1.5, 1.0005, float("nan"), float("inf"), 1e300, "x", "", [], {}, {"type": "SPACE"}]
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(WORDS), st.data())
def test_a_word_read_at_once_reads_as_the_strict_reading(word_and_size: tuple[Any, tuple[int, int]], data: st.DataObject) -> None:
    word, size = copy.deepcopy(word_and_size[0]), word_and_size[1]
    paths = _paths(word)[1:]
    for _ in range(data.draw(st.integers(0, 2))):  # none, one or two values replaced
        path = data.draw(st.sampled_from(paths))
        node = word
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = copy.deepcopy(data.draw(SPOILERS | JSON))  # a copy: SPOILERS' {} and [] are shared, and a later step may write into them
        paths = _paths(word)[1:]
    fast = google_parse._plain_word(word, size)
    if fast is not None:
        assert fast == google_parse._word(word, "word", size)


def test_real_words_are_read_at_once() -> None:
    """The test above could pass with nothing ever read at once."""
    assert all(google_parse._plain_word(word, size) is not None for word, size in WORDS)


def _set(path: tuple, value: Any) -> Any:
    def change(word: Any) -> None:
        node = word
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return change


@pytest.mark.parametrize(
    "change",
    [
        _set(("boundingBox", "vertices", 1, "x"), 1e300),  # the bound: a coordinate must be below it
        _set(("boundingBox", "vertices", 2, "y"), True),
        _set(("boundingBox", "vertices", 0, "x"), None),  # null is 0 to the strict reading
        _set(("symbols", 0, "property"), {"detectedBreak": {"type": "SPACE"}}),  # a space inside the word
        _set(("symbols", 0, "property"), {"detectedBreak": {"type": 3}}),
        _set(("symbols", 1, "text"), None),
        _set(("confidence",), 1.0005),  # rounding: clamped to 1
    ],
)
def test_the_edges_of_a_word_read_at_once(change: Any) -> None:
    word, size = next((w, s) for w, s in WORDS if len(w["symbols"]) > 1 and "vertices" in w["boundingBox"])
    spoilt = copy.deepcopy(word)
    change(spoilt)
    fast = google_parse._plain_word(spoilt, size)
    try:
        strict = google_parse._word(spoilt, "word", size)
    except BadResponseError:
        assert fast is None
        return
    assert fast is None or fast == strict
