"""Grouping words into lines and lines into reading order, on layouts built to be hard."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unified_ocr import Quad, Word
from unified_ocr.layout import group_lines

CHAR = 0.55  # width of a character, in text heights


def page_words(rows: list[tuple[float, float, str]], height: float = 20.0) -> list[Word]:
    """Words laid out left to right from (x, y, text) rows; a space is 0.3 heights."""
    words = []
    for x, y, text in rows:
        for token in text.split():
            width = len(token) * CHAR * height
            words.append(Word(token, Quad.from_bbox(x, y, x + width, y + height)))
            x += width + 0.3 * height
    return words


def turned(words: list[Word], degrees: float, centre=(500.0, 500.0)) -> list[Word]:
    t = math.radians(degrees)
    rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    c = np.array(centre)
    return [Word(w.text, Quad((w.quad.array - c) @ rot.T + c)) for w in words]


def texts(words: list[Word], **kw) -> list[str]:
    return [line.text for line in group_lines(words, **kw)]


PARAGRAPH = [
    (50, 100, "Minutes of the meeting"),
    (50, 130, "Date: 2 May 2024, 10 am"),
    (50, 160, "Present: Kim, Lee, Park"),
    (50, 190, "Item 1. launch schedule"),
]


def test_lines_in_order_whatever_order_the_words_come_in() -> None:
    words = page_words(PARAGRAPH)
    random.Random(0).shuffle(words)
    assert texts(words) == [text for _, _, text in PARAGRAPH]
    assert group_lines([]) == []
    (only,) = group_lines(words[:1])
    assert only.text == words[0].text


@pytest.mark.parametrize("degrees", [7, -12, 25, 90, 180, -90])
def test_slanted_and_turned_pages_are_read_in_their_own_frame(degrees) -> None:
    words = turned(page_words(PARAGRAPH), degrees)
    random.Random(1).shuffle(words)
    lines = group_lines(words)
    assert [line.text for line in lines] == [text for _, _, text in PARAGRAPH]
    for line in lines:  # a line's quad reads the way its words do
        assert math.cos(math.radians(line.quad.angle - degrees)) > 0.99


def test_two_columns_are_read_one_after_the_other_under_a_full_width_title() -> None:
    left = [(50, 140 + 30 * k, f"left column line {k} runs on") for k in range(5)]
    right = [(400, 140 + 30 * k, f"right column line {k} runs on") for k in range(5)]  # level with the left
    title = [(50, 90, "A title that spans both of the two columns on this page")]
    words = page_words(title + right + left)
    assert texts(words) == [title[0][2]] + [t for _, _, t in left] + [t for _, _, t in right]


def test_receipt_rows_are_read_across_even_with_wide_gaps() -> None:
    rows = [(50, 100 + 30 * k, name) for k, name in enumerate(["Green tea", "Rice crackers", "Kimchi 500g"])]
    prices = [(420, 100 + 30 * k, price) for k, price in enumerate(["3,000", "2,500", "6,900"])]
    got = texts(page_words(prices + rows))  # cells of a row are read across, as one visual line
    assert got == ["Green tea 3,000", "Rice crackers 2,500", "Kimchi 500g 6,900"]
    assert texts(page_words(prices + rows), max_gap=40) == got


STAGGERED = [("Green tea", "3,000", "2", "6,000"), ("Rice crackers", "2,500", "1", "2,500"), ("Kimchi 500g", "6,900", "3", "20,700"),
             ("Tofu", "1,800", "2", "3,600"), ("Soy milk 1L", "2,200", "1", "2,200")]  # fmt: skip


def staggered_receipt(pitch: float = 30.0) -> tuple[list[Word], list[str]]:
    """A receipt that prints each item's name on one row and its price, count and amount on the
    next, under a header row of level cells; and its rows in reading order."""
    rows = [(50, 60, "Item"), (260, 60, "Price"), (370, 60, "Qty"), (440, 60, "Amount")]
    expected = ["Item Price Qty Amount"]
    for k, (name, price, count, amount) in enumerate(STAGGERED):
        y = 100 + 2 * pitch * k
        rows += [(50, y, name), (260, y + pitch, price), (380, y + pitch, count), (440, y + pitch, amount)]
        expected += [name, f"{price} {count} {amount}"]
    return page_words(rows), expected


@pytest.mark.parametrize("degrees", [0, 4, -6])
def test_staggered_receipt_rows_are_read_down_the_page_not_as_two_columns(degrees) -> None:
    # names on one row, amounts on the next: the two sides of the gutter take turns down the page;
    # read as columns, every name came first and every amount after (a whole receipt out of order)
    words, expected = staggered_receipt()
    words = turned(words, degrees)
    random.Random(2).shuffle(words)
    assert texts(words) == expected


def test_columns_whose_lines_are_not_level_are_still_read_one_after_the_other() -> None:
    # two columns of running text, the right one's lines half a line lower: they take turns
    # down the page too, but their lines are long, as a table's cells are not
    left = [(50, 100 + 30 * k, f"left column line {k} runs on and on") for k in range(5)]
    right = [(420, 115 + 30 * k, f"right column line {k} runs on and on") for k in range(5)]
    assert texts(page_words(right + left)) == [t for _, _, t in left] + [t for _, _, t in right]


def test_words_of_very_different_heights_share_a_line() -> None:
    big = Word("TOTAL", Quad.from_bbox(50, 100, 250, 160))  # 60 px tall
    small = Word("12,400", Quad.from_bbox(270, 138, 340, 158))  # 20 px, on the same baseline
    above = Word("Thanks", Quad.from_bbox(50, 60, 130, 80))
    assert texts([small, above, big]) == ["Thanks", "TOTAL 12,400"]


def test_a_tall_word_does_not_chain_two_lines_together() -> None:
    tall = Word("|", Quad.from_bbox(40, 100, 46, 150))
    words = page_words([(50, 100, "first line of text"), (50, 128, "second line of text")]) + [tall]
    lines = texts(words)
    assert "first line of text" in " ".join(lines) and not any("first" in t and "second" in t for t in lines)


@settings(max_examples=60, deadline=None)
@given(
    n_lines=st.integers(1, 8),
    degrees=st.floats(-30, 30),
    seed=st.integers(0, 10_000),
)
def test_every_word_lands_in_exactly_one_line(n_lines, degrees, seed) -> None:
    rng = random.Random(seed)
    rows = [(rng.uniform(20, 80), 100 + 32 * k, " ".join(f"w{k}x{j}" for j in range(rng.randint(1, 6)))) for k in range(n_lines)]
    words = turned(page_words(rows), degrees)
    rng.shuffle(words)
    lines = group_lines(words)
    seen = [id(w) for line in lines for w in line.words]
    assert sorted(seen) == sorted(id(w) for w in words)
    assert [line.text for line in lines] == [text for _, _, text in rows]


def test_level_cells_of_a_row_read_left_to_right_whatever_their_tops() -> None:
    cells = [Word("Green", Quad.from_bbox(50, 101, 110, 121)), Word("2", Quad.from_bbox(300, 100.5, 312, 120.5)),
             Word("3,000", Quad.from_bbox(420, 100, 480, 120))]  # fmt: skip
    below = [Word("Rice", Quad.from_bbox(50, 131, 100, 151)), Word("2,500", Quad.from_bbox(420, 130, 480, 150))]
    assert texts(below + cells[::-1]) == ["Green 2 3,000", "Rice 2,500"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=40))
def test_the_cuts_median_is_the_standard_library_s(values) -> None:
    """The reading order's own median (it sorts in place and checks nothing) is statistics.median to the bit."""
    import statistics

    from unified_ocr.layout.lines import _median

    assert _median(list(values)) == statistics.median(values)
