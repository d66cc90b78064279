"""Blocks from the shared layout: columns and paragraphs apart, rows of cells as a table,
and always a partition of the lines that leaves their reading order alone."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from unified_ocr import Line, Page, Quad, Word
from unified_ocr.layout import group_blocks, group_lines, order_lines

from .test_lines import PARAGRAPH, page_words, turned


def blocks_of(words: list[Word]) -> list[tuple[str, list[str]]]:
    lines, blocks = group_blocks(words)
    return [(b.kind, [line.text for line in lines[b.start : b.end]]) for b in blocks]


def test_a_title_then_one_block_per_column() -> None:
    left = [(50, 140 + 30 * k, f"left column line {k} runs on") for k in range(5)]
    right = [(400, 140 + 30 * k, f"right column line {k} runs on") for k in range(5)]
    title = [(50, 90, "A title that spans both of the two columns on this page")]
    got = blocks_of(page_words(title + right + left))
    assert got == [("text", [title[0][2]]), ("text", [t for _, _, t in left]), ("text", [t for _, _, t in right])]


def test_a_blank_line_starts_a_new_block_and_close_lines_stay_together() -> None:
    second = [(50, 290 + 30 * k, f"second paragraph line {k}") for k in range(3)]  # 70 px below: a blank line
    got = blocks_of(page_words(PARAGRAPH + second))
    assert got == [("text", [t for _, _, t in PARAGRAPH]), ("text", [t for _, _, t in second])]


def test_rows_of_label_and_value_are_a_table_block() -> None:
    header = [(50, 40, "UNIFIED MART"), (50, 70, "12 Harbour Road, Busan")]
    names = [(50, 140 + 30 * k, name) for k, name in enumerate(["Green tea", "Rice crackers", "Kimchi 500g"])]
    prices = [(420, 140 + 30 * k, price) for k, price in enumerate(["3,000", "2,500", "6,900"])]
    got = blocks_of(page_words(header + prices + names))
    assert got == [
        ("text", ["UNIFIED MART", "12 Harbour Road, Busan"]),
        ("table", ["Green tea 3,000", "Rice crackers 2,500", "Kimchi 500g 6,900"]),  # a row's cells are one visual line
    ]


def test_block_quads_enclose_their_lines() -> None:
    lines, blocks = group_blocks(page_words(PARAGRAPH))
    (block,) = blocks
    x0, y0, x1, y1 = block.quad.bbox()  # type: ignore[union-attr]
    for line in lines:
        lx0, ly0, lx1, ly1 = line.quad.bbox()
        assert x0 <= lx0 + 1e-6 and y0 <= ly0 + 1e-6 and lx1 <= x1 + 1e-6 and ly1 <= y1 + 1e-6
    assert group_blocks([]) == ([], [])


@settings(max_examples=60, deadline=None)
@given(n_rows=st.integers(1, 10), degrees=st.floats(-30, 30), seed=st.integers(0, 10_000))
def test_blocks_partition_the_lines_in_reading_order(n_rows, degrees, seed) -> None:
    rng = random.Random(seed)
    rows = [(rng.uniform(20, 600), 100 + rng.choice([30, 30, 60, 90]) * k, " ".join(f"w{k}x{j}" for j in range(rng.randint(1, 4))))
            for k in range(n_rows)]  # fmt: skip
    words = turned(page_words(rows), degrees)
    rng.shuffle(words)
    lines, blocks = group_blocks(words)
    assert [line.text for line in lines] == [line.text for line in group_lines(words)]  # the same order as ever
    Page(0, 1000, 1000, lines, blocks=blocks)  # raises unless the blocks cut the lines into runs, in order
    assert blocks[0].start == 0 and blocks[-1].end == len(lines)


def test_a_word_only_engine_s_page_gets_its_blocks() -> None:
    words = [Word("TOTAL", Quad.from_bbox(50, 100, 150, 120)), Word("12,400", Quad.from_bbox(400, 100, 470, 120))]
    lines, blocks = group_blocks(words)
    assert [b.kind for b in blocks] == ["table"] and [line.text for line in lines] == ["TOTAL 12,400"]
    assert [w.text for w in lines[0].words] == ["TOTAL", "12,400"]  # the pieces are kept as its words


def piece(text: str, x0: float, y0: float, x1: float, y1: float, confidence: float | None = 0.9) -> Line:
    word = Word(text, Quad.from_bbox(x0, y0, x1, y1), confidence)
    return Line(text, word.quad, (word,), confidence)


def test_an_engines_fragments_become_the_pages_visual_lines() -> None:
    """A detector's pieces of one row (a receipt's cells), given in any order, are one line;
    their words are kept, the line's confidence is the lowest, and rows keep their order."""
    fragments = [piece("3,000", 420, 100, 480, 120), piece("Green tea", 50, 101, 150, 121), piece("2", 300, 100, 312, 120, 0.5),
                 piece("TOTAL", 50, 200, 120, 220), piece("12,400", 410, 199, 480, 219, None)]  # fmt: skip
    lines, blocks = order_lines(fragments)
    assert [line.text for line in lines] == ["Green tea 2 3,000", "TOTAL 12,400"]
    assert [w.text for w in lines[0].words] == ["Green tea", "2", "3,000"]
    assert lines[0].confidence == 0.5 and lines[1].confidence is None
    assert blocks[0].start == 0 and blocks[-1].end == 2
    x0, _, x1, _ = lines[0].quad.bbox()
    assert x0 == 50 and x1 == 480


def test_pieces_read_another_way_stay_apart_and_a_separator_can_be_empty() -> None:
    up = Word("세로", Quad([(40, 160), (40, 100), (60, 100), (60, 160)]))  # reads up the page, level with the row
    row = [piece("가나다라", 100, 110, 180, 130), piece("마바사", 185, 110, 245, 130), Line("세로", up.quad, (up,))]
    lines, _ = order_lines(row, separator="")
    assert sorted(line.text for line in lines) == ["가나다라마바사", "세로"]
