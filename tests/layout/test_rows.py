"""Rows by centre line, not by box overlap: receipts printed at a pitch near the glyph height,
read by detectors that pad their boxes, keep each row a line of its own."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unified_ocr import Quad, Word
from unified_ocr.layout import group_blocks, group_lines

from .test_lines import CHAR

GLYPH = 20.0  # glyph height in pixels
ITEMS = ["Green tea", "Rice crackers", "Kimchi 500g", "Sub Total", "Discount", "Rounding", "Total Incl. GST", "Cash"]


def receipt(
    pitch: float, pad: float = 1.0, degrees: float = 0.0, rows: int = 8, seed: int = 0, upright: bool = False
) -> list[Word]:
    """A receipt's rows (a label at the left, an amount across a gutter at the right), each word
    named ``r<row>:<text>``; rows ``pitch`` glyph heights apart, boxes ``pad`` times the glyph
    height about their centre line, the page turned by ``degrees`` (``upright``: the words move,
    their boxes stay upright, as some detectors draw them on a skewed photo)."""
    rng = random.Random(seed)
    words = []
    for r in range(rows):
        y = 100 + r * pitch * GLYPH
        label = ITEMS[r % len(ITEMS)].split() if r % 3 else ["Item", "with", "a", "long", "name", "here"]
        x = 40.0 + rng.uniform(0, 10)
        cells = [(x, label), (420.0 + rng.uniform(-5, 5), [f"{rng.randint(1, 99)},{rng.randint(100, 999)}"])]
        for start, tokens in cells:
            x = start
            for token in tokens:
                width = len(token) * CHAR * GLYPH
                half = pad * GLYPH / 2
                words.append(Word(f"r{r}:{token}", Quad.from_bbox(x, y - half, x + width, y + half)))
                x += width + 0.3 * GLYPH
    turn = math.radians(degrees)
    cos, sin = math.cos(turn), math.sin(turn)
    turned = [Word(w.text, Quad([(300 + (x - 300) * cos - (y - 300) * sin, 300 + (x - 300) * sin + (y - 300) * cos)
                                 for x, y in w.quad.points])) for w in words]  # fmt: skip
    if upright:
        turned = [Word(w.text, Quad.from_bbox(w.quad.center[0] - o.quad.width / 2, w.quad.center[1] - o.quad.height / 2,
                                              w.quad.center[0] + o.quad.width / 2, w.quad.center[1] + o.quad.height / 2))
                  for w, o in zip(turned, words)]  # fmt: skip
    rng.shuffle(turned)
    return turned


def row_of(word: Word) -> str:
    return word.text.split(":")[0]


def rows_of(words: list[Word]) -> dict[str, list[str]]:
    """Each truth row's words, left to right."""
    rows: dict[str, list[str]] = {}
    for word in sorted(words, key=lambda w: int(row_of(w)[1:]) * 10_000 + w.quad.center[0]):
        rows.setdefault(row_of(word), []).append(word.text)
    return rows


def test_two_rows_whose_padded_boxes_overlap_by_half_stay_two_lines() -> None:
    top = [Word("Sub", Quad.from_bbox(50, 100, 95, 130)), Word("Total", Quad.from_bbox(105, 100, 170, 130)),
           Word("15.00", Quad.from_bbox(400, 100, 460, 130))]  # fmt: skip
    below = [Word("Discount", Quad.from_bbox(50, 115, 150, 145)), Word("0.00", Quad.from_bbox(410, 115, 460, 145))]
    # the boxes overlap by 15 px of their 30: the centre lines lie 15 px (half a box) apart
    assert [line.text for line in group_lines(below + top)] == ["Sub Total 15.00", "Discount 0.00"]


def test_a_row_split_across_a_gutter_stays_one_line_even_padded_and_tight() -> None:
    words = receipt(pitch=0.8, pad=2.0)
    lines = group_lines(words)
    assert [[w.text for w in line.words] for line in lines] == list(rows_of(words).values())
    assert len(lines) == 8 and all(len({row_of(w) for w in line.words}) == 1 for line in lines)


def test_a_skewed_receipt_at_a_tight_pitch_rebuilds_every_row() -> None:
    for degrees in (4.0, -4.0):
        for upright in (False, True):  # boxes turned with the page, or drawn upright around its words
            words = receipt(pitch=0.85, pad=1.8, degrees=degrees, rows=12, seed=3, upright=upright)
            lines, blocks = group_blocks(words)
            assert [[w.text for w in line.words] for line in lines] == list(rows_of(words).values()), (degrees, upright)


def curled(words: list[Word], edge_degrees: float, middle: float = 250.0) -> list[Word]:
    """``words`` bent as a receipt lying curled on a table: each point moved down by a parabola
    along the page, lowest at ``middle``, leaning ``edge_degrees`` at the far (right) edge."""
    reach = 460.0 - middle
    depth = math.tan(math.radians(edge_degrees)) * reach / 2
    return [Word(w.text, Quad([(x, y + depth * ((x - middle) / reach) ** 2) for x, y in w.quad.points])) for w in words]


def test_a_curled_receipt_s_labels_meet_their_amounts_though_each_leans_its_own_way() -> None:
    """Bent by a curl, a label leans one way and its amount the other while the row's two ends stay
    level; followed along the label's own lean alone, the amount is half a row or more off."""
    for degrees in (4.0, -4.0):
        for pitch in (1.3, 1.6):
            words = curled(receipt(pitch=pitch, pad=1.0, rows=10, seed=4), degrees)
            lines = group_lines(words)
            assert [[w.text for w in line.words] for line in lines] == list(rows_of(words).values()), (degrees, pitch)


def test_a_superscript_and_a_subscript_stay_in_their_row() -> None:
    base = [Word("E", Quad.from_bbox(50, 100, 70, 120)), Word("=", Quad.from_bbox(76, 100, 92, 120)),
            Word("mc", Quad.from_bbox(98, 100, 130, 120)), Word("2", Quad.from_bbox(131, 96, 139, 108)),  # raised
            Word("H", Quad.from_bbox(160, 100, 175, 120)), Word("2", Quad.from_bbox(176, 113, 184, 125)),  # lowered
            Word("O", Quad.from_bbox(186, 100, 201, 120))]  # fmt: skip
    above = [Word("Energy", Quad.from_bbox(50, 72, 130, 92))]
    below = [Word("and", Quad.from_bbox(50, 128, 90, 148)), Word("water", Quad.from_bbox(96, 128, 160, 148))]
    assert [line.text for line in group_lines(below + base[::-1] + above)] == ["Energy", "E = mc 2 H 2 O", "and water"]


@settings(max_examples=80, deadline=None)
@given(
    pitch=st.floats(0.8, 1.5),
    pad=st.floats(1.0, 2.0),
    degrees=st.floats(-5.0, 5.0),
    rows=st.integers(2, 12),
    seed=st.integers(0, 10_000),
    upright=st.booleans(),
)
def test_no_line_ever_holds_words_of_two_rows(pitch, pad, degrees, rows, seed, upright) -> None:
    words = receipt(pitch, pad, degrees, rows, seed, upright)
    lines = group_lines(words)
    assert sorted(w.text for line in lines for w in line.words) == sorted(w.text for w in words)
    for line in lines:
        assert len({row_of(w) for w in line.words}) == 1, [w.text for w in line.words]


def test_a_scribble_two_rows_tall_beside_a_row_neither_joins_it_nor_takes_the_row_below() -> None:
    """A handwritten amount or a stamp two rows tall, level with one row's top: joined to that
    row it would move the row's centre line onto the next one, whose amount then stood alone
    and was read before its label. It is a line of its own, and each row keeps its amount."""
    rows = [(767, "CHANGE", "1.00"), (743, "CASH", "10.00")]
    words = []
    for top, label, amount in rows:
        words += [Word(label, Quad.from_bbox(203, top, 272, top + 23)), Word(amount, Quad.from_bbox(407, top + 1, 447, top + 24))]
    words.append(Word("9.00", Quad.from_bbox(326, 772, 406, 830)))  # 58 px tall, its top at CHANGE's
    lines, _ = group_blocks(words)
    assert [line.text for line in lines] == ["CASH 10.00", "CHANGE 1.00", "9.00"]


def test_a_big_amount_on_a_small_label_s_baseline_stays_in_its_row() -> None:
    """Double-height print shares the baseline of the small text beside it: the tall word's
    bottom, not its centre, says its row."""
    words = [Word("TOTAL", Quad.from_bbox(20, 100, 90, 120)), Word("31.00", Quad.from_bbox(300, 75, 400, 121)),
             Word("Thanks", Quad.from_bbox(20, 140, 90, 160))]  # fmt: skip
    assert [line.text for line in group_lines(words)] == ["TOTAL 31.00", "Thanks"]


def test_short_cells_drawn_upright_on_a_turned_receipt_stay_in_their_rows_across_the_gutter() -> None:
    """A detector on a turned receipt gives a row's label as one turned piece and its amount,
    a short cell, as an upright box: a short box's edges say little of the row's slope, and
    trusting them half sent amounts across the gutter to the next row at a tight pitch."""
    from unified_ocr import Line
    from unified_ocr.layout import order_lines

    for degrees in (3.5, -3.5):
        turned = receipt(pitch=1.05, degrees=degrees, rows=10, seed=3)
        squared = {w.text: w for w in receipt(pitch=1.05, degrees=degrees, rows=10, seed=3, upright=True)}
        labels: dict[str, list[Word]] = {}
        pieces = []
        for word in turned:
            if "," in word.text:  # the amount: a short cell, boxed upright
                pieces.append(Line.from_words([squared[word.text]]))
            else:
                labels.setdefault(row_of(word), []).append(word)
        pieces += [Line.from_words(sorted(words, key=lambda w: w.quad.center[0])) for words in labels.values()]
        lines, _ = order_lines(pieces)
        assert [[row_of(w) for w in line.words] for line in lines if len({row_of(w) for w in line.words}) > 1] == []
        assert len(lines) <= 11, (degrees, "\n".join(line.text for line in lines))  # a doubtful join: two lines, never one of two rows


def test_a_cell_as_near_two_rows_lines_joins_neither() -> None:
    """An amount across a gutter whose centre lies midway between two rows' lines (rows at a
    tight pitch, the amount's box a little lower than its label's, the page's slope misread
    by a degree) is a line of its own: joining either row would be a guess, and a wrong
    guess gives one line holding two rows' words."""
    label, below = Quad.from_bbox(20, 100, 90, 120), Quad.from_bbox(20, 116, 110, 136)
    for offset in (7.0, 8.0, 9.0):  # the amount's centre between the rows' (110 and 126)
        amount = Word("8,800", Quad.from_bbox(400, 100 + offset, 460, 120 + offset))
        lines = group_lines([Word("Tea", label), Word("Water", below), amount])
        assert sorted(line.text for line in lines) == ["8,800", "Tea", "Water"], offset
    near = Word("8,800", Quad.from_bbox(400, 102, 460, 122))  # clearly on the first row's line
    assert [line.text for line in group_lines([Word("Tea", label), Word("Water", below), near])] == ["Tea 8,800", "Water"]


def test_a_word_with_coordinates_far_out_is_grouped_at_once() -> None:
    """A vendor's answer with a coordinate of 10^21 (a damaged or hostile body) must not make the
    row model walk 10^21 empty rows: grouping takes the same time as for any other page."""
    import time

    words = [Word("a", Quad.from_bbox(0, 0, 30, 10)), Word("b", Quad.from_bbox(40, 0, 2.0**70, 10)),
             Word("c", Quad.from_bbox(50, 20, 80, 30)), Word("d", Quad.from_bbox(90, 20, 120, 30))]  # fmt: skip
    started = time.perf_counter()
    lines = group_lines(words)
    assert time.perf_counter() - started < 1.0
    assert sorted(w.text for line in lines for w in line.words) == ["a", "b", "c", "d"]


@settings(max_examples=25, deadline=None)
@given(
    pitch=st.floats(0.8, 2.5), pad=st.floats(0.8, 2.0), degrees=st.floats(-6, 6), rows=st.integers(45, 90),
    seed=st.integers(0, 10_000), upright=st.booleans(),
)  # fmt: skip
def test_a_large_page_s_pitch_from_arrays_is_the_plain_loop_s(pitch, pad, degrees, rows, seed, upright) -> None:
    """A page of many words measures its pitch with numpy; the figure is the loop's to the bit."""
    from unified_ocr.layout import rows as row_model

    words = receipt(pitch, pad, degrees, rows, seed, upright)
    random.Random(seed).shuffle(words)
    frame = row_model.Frame([w.quad for w in words], degrees)
    assert len(frame) * 3 // 4 >= row_model._PITCH_ARRAYS
    items = sorted(random.Random(seed + 1).sample(range(len(frame)), len(frame) * 3 // 4))
    from_arrays = (row_model.pitch_ratio(frame), row_model.pitch_ratio(frame, items))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(row_model, "_PITCH_ARRAYS", math.inf)  # the plain loop, at any size
        assert (row_model.pitch_ratio(frame), row_model.pitch_ratio(frame, items)) == from_arrays
    if not upright:  # and the figure is the page's: its rows' pitch over their boxes' height
        assert from_arrays[0] == pytest.approx(pitch / pad, rel=0.02)


coordinate = st.floats(-5000, 5000, allow_nan=False, allow_infinity=False)
corner = st.tuples(coordinate, coordinate)


@settings(max_examples=40, deadline=None)
@given(
    quads=st.lists(st.tuples(corner, corner, corner, corner), min_size=1, max_size=90),
    degrees=st.floats(-180, 180), receipt_rows=st.integers(0, 40),
)  # fmt: skip
def test_a_page_s_frame_from_arrays_is_the_frame_one_quad_at_a_time(quads, degrees, receipt_rows) -> None:
    """A frame of many quads is worked out with numpy; every figure is the plain loop's to the
    bit, whatever the quads (crossed, flat, a point, turned any way) and the frame's angle."""
    from unified_ocr.layout import rows as row_model

    given_quads = [Quad(points) for points in quads]
    # a receipt's quads too, with a few of the flat and crossed ones among them
    given_quads += [w.quad for w in receipt(1.3, 1.5, degrees / 30, receipt_rows, receipt_rows)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(row_model, "_FRAME_ARRAYS", 0)
        whole = row_model.Frame(given_quads, degrees)
        patch.setattr(row_model, "_FRAME_ARRAYS", math.inf)
        plain = row_model.Frame(given_quads, degrees)
    for name in ("x0", "x1", "cx", "cy", "h", "s", "y0", "y1"):
        assert getattr(whole, name) == getattr(plain, name), name
    assert [a.tolist() for a in whole.arrays] == [a.tolist() for a in plain.arrays]
