"""The layout speed benchmark's chainer swap measures what it says: the layout really chains
rows through the swapped function, and a replay of the chainer's own answers (the "no rows"
figure: the layout with chaining free) gives the very same lines and blocks (benchmarks/layout_speed.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from unified_ocr import Quad, Word
from unified_ocr.layout import group_blocks
from unified_ocr.layout import lines as layout_lines

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import layout_speed  # noqa: E402  (benchmarks/ is no package: its scripts import each other by name)


def two_columns() -> list[Word]:
    """Twelve rows of a label, a gutter and an amount: rows chained across and cut into two blocks."""
    words = []
    for row in range(12):
        y = 20 + 30 * row + (40 if row >= 6 else 0)  # a paragraph break after six rows
        words += [Word(f"item{row}", Quad.from_bbox(10, y, 70, y + 16)), Word(f"x{row}", Quad.from_bbox(80, y, 100, y + 16)),
                  Word(f"{row},000", Quad.from_bbox(400, y, 460, y + 16))]  # fmt: skip
    return words[::-1]


def test_a_replay_of_the_chainer_s_answers_gives_the_same_lines_and_blocks() -> None:
    words = two_columns()
    recorded: list[Any] = []
    own = layout_lines.chain_rows
    with layout_speed.chainer(layout_speed.recording(recorded)):
        expected = group_blocks(words)
    assert len(recorded) >= 2  # the words into rows, and the rows' pieces into visual lines
    with layout_speed.chainer(layout_speed.replaying(recorded)):
        assert group_blocks(words) == expected
    assert layout_lines.chain_rows is own
    lines, blocks = expected
    assert [line.text for line in lines[:2]] == ["item0 x0 0,000", "item1 x1 1,000"] and len(lines) == 12
    assert [(block.start, block.end) for block in blocks] == [(0, 6), (6, 12)]


def test_the_swapped_chainer_is_the_one_the_layout_uses() -> None:
    words = two_columns()
    with layout_speed.chainer(lambda frame, items, ratio, max_gap=None: [[i] for i in items]):  # every word a row of its own
        lines, _ = group_blocks(words)
    assert all(len(line.words) == 1 for line in lines)
    assert all(len(line.words) == 3 for line in group_blocks(words)[0])


def test_words_are_counted_as_the_parse_benchmark_counts_them() -> None:
    words = two_columns()
    lines, _ = group_blocks(words)
    assert layout_speed.words_in(words) == layout_speed.words_in(lines) == 36
