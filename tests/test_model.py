"""The result model: geometry that later steps rely on, and exact JSON round-trips."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unified_ocr import (
    Block,
    Cell,
    Field,
    Line,
    OcrResult,
    Page,
    Quad,
    Table,
    Transform,
    Word,
    load_result,
)

coord = st.floats(min_value=-1e5, max_value=1e5, allow_nan=False, allow_infinity=False)
confidence = st.none() | st.floats(min_value=0, max_value=1)
quads = st.lists(st.tuples(coord, coord), min_size=4, max_size=4).map(Quad)
texts = st.text(max_size=12)
words = st.builds(Word, texts, quads, confidence)
lines = st.builds(Line, texts, quads, st.lists(words, max_size=3).map(tuple), confidence)
cells = st.builds(
    Cell, st.integers(0, 9), st.integers(0, 9), st.integers(1, 3), st.integers(1, 3),
    st.lists(lines, max_size=2).map(tuple), st.none() | quads, confidence,
)  # fmt: skip
tables = st.builds(Table, st.lists(cells, max_size=4).map(tuple), st.none() | quads, confidence)
leaf_fields = st.builds(
    Field, texts, st.sampled_from(["text", "multi_box", "checkbox"]), texts, st.none() | quads, confidence,
    st.none() | st.booleans(), st.just(()), st.none() | texts,
)  # fmt: skip
fields = st.builds(Field, texts, st.just("multi_box"), texts, st.none() | quads, confidence, st.none(),
                   st.lists(leaf_fields, max_size=2).map(tuple)) | leaf_fields  # fmt: skip


@st.composite
def pages(draw: st.DrawFn) -> Page:
    """A page whose lines are cut into blocks at random places (or not cut at all)."""
    page_lines = tuple(draw(st.lists(lines, max_size=4)))
    blocks: tuple[Block, ...] = ()
    if page_lines and draw(st.booleans()):
        cuts = sorted(draw(st.sets(st.integers(1, len(page_lines) - 1), max_size=3))) if len(page_lines) > 1 else []
        edges = [0, *cuts, len(page_lines)]
        kinds = st.sampled_from(["text", "table", "figure"])
        blocks = tuple(Block(a, b, draw(st.none() | quads), draw(kinds)) for a, b in zip(edges, edges[1:]))
    return Page(draw(st.integers(0, 50)), draw(st.integers(1, 10000)), draw(st.integers(1, 10000)), page_lines,
                tuple(draw(st.lists(tables, max_size=1))), tuple(draw(st.lists(fields, max_size=2))), blocks)  # fmt: skip


meta = st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5) | st.floats(allow_nan=False), max_size=3)
results = st.builds(OcrResult, st.sampled_from(["rapidocr", "clova", "kakao"]), st.lists(pages(), max_size=2).map(tuple),
                    st.none(), meta)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(results)
def test_json_round_trip_is_exact(result: OcrResult) -> None:
    text = json.dumps(result.to_dict(), ensure_ascii=False)
    back = OcrResult.from_dict(json.loads(text))
    assert back == result
    assert back.to_dict() == result.to_dict()


def test_load_result_reads_a_saved_file(tmp_path) -> None:
    q = Quad.from_bbox(1, 2, 30, 12)
    result = OcrResult("x", (Page(0, 40, 20, (Line("hi there", q, (Word("hi", q, 0.5),), 0.25),)),), raw={"a": 1})
    path = tmp_path / "r.json"
    path.write_text(json.dumps(result.to_dict()), encoding="utf-8")
    assert load_result(path) == result
    assert load_result(path).text == "hi there"


def test_raw_is_out_of_equality_and_repr() -> None:
    a = OcrResult("x", (), raw={"secret-looking": "vendor body"})
    b = OcrResult("x", (), raw=None)
    assert a == b
    assert "vendor body" not in repr(a)


def test_from_dict_refuses_other_documents() -> None:
    with pytest.raises(ValueError, match="not a unified-ocr result"):
        OcrResult.from_dict({"pages": []})
    with pytest.raises(ValueError, match="newer"):
        OcrResult.from_dict({"schema": "unified-ocr/result", "version": 999, "engine": "x", "pages": []})


def test_confidence_must_be_a_probability_or_none() -> None:
    q = Quad.from_bbox(0, 0, 1, 1)
    assert Word("a", q).confidence is None
    assert Word("a", q, 1).confidence == 1.0
    with pytest.raises(ValueError, match="0..1"):
        Word("a", q, 1.5)


NON_FINITE = st.sampled_from([math.nan, -math.nan, math.inf, -math.inf])


@settings(max_examples=200)
@given(points=st.lists(st.tuples(coord, coord), min_size=4, max_size=4), corner=st.integers(0, 3), axis=st.integers(0, 1),
       bad=NON_FINITE, form=st.sampled_from(["tuples", "numpy", "strings"]))  # fmt: skip
def test_a_quad_refuses_a_point_that_is_not_finite_in_any_form(points: list, corner: int, axis: int, bad: float, form: str) -> None:
    """Issue 20: a NaN or infinite point would reach figures, drawings and JSON (as bare NaN); the model refuses it."""
    from unified_ocr.geometry import NonFiniteQuadError

    pts = [list(p) for p in points]
    pts[corner][axis] = bad
    given_points = np.array(pts) if form == "numpy" else [[str(v) for v in p] for p in pts] if form == "strings" else pts
    with pytest.raises(NonFiniteQuadError, match="finite") as raised:
        Quad(given_points)
    assert isinstance(raised.value, ValueError)
    document = OcrResult("x", (Page(0, 10, 10, (Line("a", Quad.from_bbox(0, 0, 1, 1)),)),)).to_dict()
    document["pages"][0]["lines"][0]["quad"] = pts
    with pytest.raises(ValueError):
        OcrResult.from_dict(document)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "nan"])
def test_confidence_refuses_what_is_not_a_finite_number(value: object) -> None:
    with pytest.raises(ValueError, match="0..1"):
        Word("a", Quad.from_bbox(0, 0, 1, 1), value)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="0..1"):
        Field("total", confidence=value)  # type: ignore[arg-type]


def rotated(cx: float, cy: float, w: float, h: float, degrees: float) -> Quad:
    """A w x h box at (cx, cy) whose text reads at ``degrees``, points from the text's own top-left."""
    t = math.radians(degrees)
    u = np.array([math.cos(t), math.sin(t)])
    v = np.array([-u[1], u[0]])
    c = np.array([cx, cy])
    return Quad([c - u * w / 2 - v * h / 2, c + u * w / 2 - v * h / 2, c + u * w / 2 + v * h / 2, c - u * w / 2 + v * h / 2])


@pytest.mark.parametrize("degrees", [0, 30, 90, 180, 270, -45])
def test_size_and_angle_follow_the_text(degrees: float) -> None:
    q = rotated(100, 80, 60, 20, degrees)
    assert q.width == pytest.approx(60)
    assert q.height == pytest.approx(20)
    assert math.cos(math.radians(q.angle - degrees)) == pytest.approx(1)
    assert q.area == pytest.approx(1200)
    assert q.center == pytest.approx((100, 80))


def test_180_degree_text_starts_at_the_page_bottom_right_and_canonical_reorders() -> None:
    q = rotated(50, 50, 40, 10, 180)
    assert q.points[0] == pytest.approx((70, 55))  # the text's top-left is the page's bottom-right
    assert q.canonical().points[0] == pytest.approx((30, 45))
    assert q.canonical().bbox() == pytest.approx(q.bbox())
    assert q.bbox() == pytest.approx((30, 45, 70, 55))


def test_points_outside_the_image_are_kept() -> None:
    q = Quad([(-5, -3), (10, -3), (10, 4), (-5, 4)])
    assert q.points[0] == (-5.0, -3.0)


def test_iou() -> None:
    a = Quad.from_bbox(0, 0, 10, 10)
    assert a.iou(a) == pytest.approx(1)
    assert a.iou(Quad.from_bbox(5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert a.iou(Quad.from_bbox(20, 20, 30, 30)) == 0
    assert a.iou(rotated(5, 5, 10, 10, 90)) == pytest.approx(1)
    assert a.iou(Quad([(0, 0), (0, 0), (0, 0), (0, 0)])) == 0


def test_union_of_words_reads_like_the_words() -> None:
    w1, w2 = rotated(20, 50, 30, 10, 30), rotated(60, 73, 30, 10, 30)
    line = w1.union(w2)
    assert math.cos(math.radians(line.angle - 30)) == pytest.approx(1)
    for p in (*w1.points, *w2.points):  # every word corner lies inside the line's rectangle
        assert _inside(line, p)
    line = Line.from_words([Word("a", w1, 0.9), Word("b", w2, None)])
    assert line.text == "a b" and line.confidence is None


upright = st.tuples(coord, coord, coord, coord).map(lambda b: Quad([(b[0], b[1]), (b[2], b[1]), (b[2], b[3]), (b[0], b[3])]))


@settings(max_examples=300, deadline=None)
@given(st.one_of(quads, upright))
def test_a_quad_alone_encloses_itself_as_enclosing_does(quad: Quad) -> None:
    """A line of one word takes its quad from ``union()`` alone, computed without enclosing()'s lists
    (and as the box of the points when upright): the same points, to the last bit."""
    assert quad.union().points == Quad.enclosing([quad], angle=quad.angle).points


@settings(max_examples=200, deadline=None)
@given(st.lists(upright, min_size=1, max_size=5), st.sampled_from([None, 0.0, 30.0]))
def test_upright_quads_are_enclosed_by_the_box_of_their_points(boxes: list[Quad], angle: float | None) -> None:
    """At angle 0 the enclosing rectangle is the box of the points, taken directly; at any other
    angle it still holds every corner."""
    line = Quad.enclosing(boxes, angle=angle)
    if angle == 0.0 or (angle is None and boxes[0].angle == 0):
        xs, ys = [x for q in boxes for x, _ in q.points], [y for q in boxes for _, y in q.points]
        assert line.points == ((min(xs), min(ys)), (max(xs), min(ys)), (max(xs), max(ys)), (min(xs), max(ys)))
    assert all(_inside(line, p, eps=1e-3) or line.area == 0 for q in boxes for p in q.points)


def _inside(q: Quad, p, eps: float = 1e-6) -> bool:
    pts = q.array
    def cross(a, b):
        return a[0] * b[1] - a[1] * b[0]

    return all(cross(pts[(i + 1) % 4] - pts[i], np.asarray(p) - pts[i]) >= -eps for i in range(4))


def test_transforms_map_every_quad_and_compose() -> None:
    down = Transform.scale((100, 50), (400, 200))
    q = Quad.from_bbox(10, 5, 20, 15)
    assert q.mapped(down).bbox() == pytest.approx((40, 20, 80, 60))
    np.testing.assert_allclose(q.mapped(down).mapped(down.inverse()).array, q.array)
    shift = Transform([[1, 0, 7], [0, 1, -3], [0, 0, 1]], (400, 200), (400, 200))
    assert q.mapped(down.then(shift)).bbox() == pytest.approx((47, 17, 87, 57))
    w = Word("w", q, 0.5)
    table = Table((Cell(0, 0, 1, 2, (Line("w", q, (w,)),), q),), q)
    field = Field("f", "multi_box", "x", q, None, None, (Field("p", quad=q),))
    page = Page(0, 100, 50, (Line("w", q, (w,)),), (table,), (field,)).mapped(down)
    assert (page.width, page.height) == (400, 200)
    expected = (40, 20, 80, 60)
    for mapped_quad in (page.lines[0].quad, page.words[0].quad, page.tables[0].quad, page.tables[0].cells[0].quad,
                        page.tables[0].cells[0].lines[0].words[0].quad, page.fields[0].quad, page.fields[0].parts[0].quad):  # fmt: skip
        assert mapped_quad.bbox() == pytest.approx(expected)


def test_result_text_joins_lines_and_pages() -> None:
    q = Quad.from_bbox(0, 0, 1, 1)
    p0 = Page(0, 1, 1, (Line("a", q), Line("b", q)))
    p1 = Page(1, 1, 1, (Line("c", q),))
    assert OcrResult("x", (p0, p1)).text == "a\nb\fc"
    assert Page(0, 1, 1, fields=(Field("total", text="12"),)).field("total").text == "12"
    with pytest.raises(KeyError, match="total"):
        Page(0, 1, 1, fields=(Field("total"),)).field("date")


def test_blocks_cut_the_lines_into_runs_in_reading_order() -> None:
    q = Quad.from_bbox(0, 0, 10, 10)
    three = (Line("a", q), Line("b", Quad.from_bbox(0, 20, 10, 30)), Line("c", q))
    page = Page(0, 100, 100, three, blocks=(Block(0, 2, kind="text"), Block(2, 3, q, "table")))
    assert [(b.kind, [line.text for line in ls]) for b, ls in page.iter_blocks()] == [("text", ["a", "b"]), ("table", ["c"])]
    for bad in ((Block(0, 2),), (Block(1, 3),), (Block(0, 2), Block(1, 3)), (Block(0, 0), Block(0, 3)), (Block(0, 3), Block(3, 4))):
        with pytest.raises(ValueError, match="block"):
            Page(0, 100, 100, three, blocks=bad)


def test_block_indices_are_integers() -> None:
    assert Block(np.int64(0), np.int64(2)) == Block(0, 2) and type(Block(np.int64(0), 2).start) is int
    for start, end in ((0, 1.0), (False, True), ("0", 1)):
        with pytest.raises(ValueError, match="line indices"):
            Block(start, end)
    with pytest.raises(ValueError, match="line indices"):
        Block.from_dict({"start": 0, "end": 1.0, "kind": "text", "quad": None})


def test_a_page_without_blocks_reads_as_one_block_of_all_its_lines() -> None:
    page = Page(0, 100, 100, (Line("a", Quad.from_bbox(0, 0, 10, 10)), Line("b", Quad.from_bbox(5, 20, 40, 30))))
    ((block, block_lines),) = page.iter_blocks()
    assert (block.start, block.end, block.kind) == (0, 2, "text") and block_lines == page.lines
    assert block.quad is not None and block.quad.bbox() == (0, 0, 40, 30)
    assert list(Page(0, 1, 1).iter_blocks()) == []


def test_mapping_moves_block_quads() -> None:
    q = Quad.from_bbox(10, 10, 20, 20)
    page = Page(0, 100, 50, (Line("a", q),), blocks=(Block(0, 1, q),)).mapped(Transform.scale((100, 50), (400, 200)))
    assert page.blocks[0].quad is not None and page.blocks[0].quad.bbox() == pytest.approx((40, 40, 80, 80))


def test_a_version_1_document_is_read_and_a_newer_one_refused() -> None:
    q = Quad.from_bbox(0, 0, 10, 10)
    v2 = OcrResult("x", (Page(0, 10, 10, (Line("a", q),), blocks=(Block(0, 1, q),)),)).to_dict()
    assert v2["version"] == 2 and v2["pages"][0]["blocks"] == [{"start": 0, "end": 1, "kind": "text", "quad": [[0, 0], [10, 0], [10, 10], [0, 10]]}]
    v1 = json.loads(json.dumps(v2))
    v1["version"] = 1
    del v1["pages"][0]["blocks"]
    assert OcrResult.from_dict(v1) == OcrResult("x", (Page(0, 10, 10, (Line("a", q),)),))
    with pytest.raises(ValueError, match="newer than this unified-ocr reads"):
        OcrResult.from_dict({**v2, "version": 3})


@settings(max_examples=200)
@given(points=st.lists(st.tuples(coord, coord), min_size=4, max_size=4), text=texts, score=confidence)
def test_the_parsers_constructors_make_what_the_classes_make(points: list, text: str, score: float | None) -> None:
    """Issue 28: checked_quad, checked_word and checked_line (the parsers' constructors, which convert
    nothing) give objects equal to, hashed as and written as the classes' own."""
    from unified_ocr.geometry import checked_quad
    from unified_ocr.model import checked_field, checked_line, checked_word

    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    quad = checked_quad(x0, y0, x1, y1, x2, y2, x3, y3)
    assert quad == Quad(points) and hash(quad) == hash(Quad(points)) and type(quad) is Quad
    word = checked_word(text, quad, score)
    assert word == Word(text, Quad(points), score) and word.to_dict() == Word(text, Quad(points), score).to_dict()
    line = checked_line(text, quad, (word,), score)
    assert line == Line(text, Quad(points), (word,), score) and repr(line) == repr(Line(text, Quad(points), [word], score))
    assert Line.from_words([word, word]) == Line(f"{text} {text}", quad.union(quad), (word, word), score)
    part = checked_field(f"{text}[0]", "checkbox", text, None, score, True)
    field = checked_field(text, "multi_box", text, quad, score, None, (part,), text or None)
    assert field == Field(text, "multi_box", text, Quad(points), score, None, [Field(f"{text}[0]", "checkbox", text, None, score, True)],
                          text or None)  # fmt: skip
    assert Field.from_dict(field.to_dict()) == field


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 2e300])
def test_checked_quad_still_refuses_a_point_not_finite_or_beyond_its_limit(bad: float) -> None:
    from unified_ocr.geometry import NonFiniteQuadError, checked_quad

    with pytest.raises(NonFiniteQuadError, match="finite"):
        checked_quad(0.0, 0.0, 1.0, 0.0, 1.0, bad, 0.0, 1.0, limit=1e300)
    with pytest.raises(TypeError):
        checked_quad(0.0, 0.0, "1", 0.0, 1.0, 1.0, 0.0, 1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "quad", "score", "error"),
    [("a", Quad.from_bbox(0, 0, 1, 1), 1.5, ValueError), ("a", Quad.from_bbox(0, 0, 1, 1), math.nan, ValueError),
     ("a", Quad.from_bbox(0, 0, 1, 1), 1, ValueError), (b"a", Quad.from_bbox(0, 0, 1, 1), None, TypeError),
     ("a", [(0, 0), (1, 0), (1, 1), (0, 1)], None, TypeError), (None, Quad.from_bbox(0, 0, 1, 1), 0.5, TypeError)],
)  # fmt: skip
def test_the_parsers_constructors_refuse_values_of_the_wrong_type_or_range(text: object, quad: object, score: object,
                                                                          error: type[Exception]) -> None:  # fmt: skip
    """A parser that hands on a value it did not check gets an error (its answer is then refused as
    a bad response), never a word or line the model would not make."""
    from unified_ocr.model import checked_field, checked_line, checked_word

    with pytest.raises(error):
        checked_word(text, quad, score)  # type: ignore[arg-type]
    with pytest.raises(error):
        checked_line(text, quad, (), score)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        checked_line("a", Quad.from_bbox(0, 0, 1, 1), [], None)  # type: ignore[arg-type]
    with pytest.raises(error):
        checked_field("total", "text", text, quad if error is not ValueError else None, score)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        checked_field("total", "text", "a", None, None, "yes")  # type: ignore[arg-type]
