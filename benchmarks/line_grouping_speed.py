"""How the shared line grouping scales with words on a page (run by hand).

Dense synthetic pages (four columns of level rows, eight words a line) of 1,000 to 10,000
words go through ``group_blocks``; the baseline, run in the same process, is the pairwise
linking the layout used before (an N x N matrix of every pair of words), on the same words.

    python benchmarks/line_grouping_speed.py
"""

from __future__ import annotations

import argparse
import random

import numpy as np
from timing import best_of  # benchmarks/timing.py, beside this script

from unified_ocr import Quad, Word
from unified_ocr.layout import group_blocks


def page(n_words: int, seed: int = 0) -> list[Word]:
    rng = random.Random(seed)
    words: list[Word] = []
    rows = n_words // 32  # four columns of eight words a line
    for row in range(rows):
        for column in range(4):
            x = 40 + column * 700
            for k in range(8):
                width = rng.uniform(30, 70)
                words.append(Word(f"r{row}c{column}w{k}", Quad.from_bbox(x, 40 + 26 * row, x + width, 58 + 26 * row)))
                x += width + 9
    rng.shuffle(words)
    return words


def pairwise_links(words: list[Word], max_gap: float = 1.5) -> int:
    """The former linking: every pair of words compared at once."""
    x0, y0, x1, y1 = np.array([w.quad.bbox() for w in words]).T  # upright words: boxes in the page frame
    h = np.maximum(y1 - y0, 1e-6)
    cy = (y0 + y1) / 2
    overlap = np.minimum(y1[:, None], y1[None, :]) - np.maximum(y0[:, None], y0[None, :])
    small, tall = np.minimum(h[:, None], h[None, :]), np.maximum(h[:, None], h[None, :])
    gap = np.maximum(x0[None, :] - x1[:, None], x0[:, None] - x1[None, :])
    linked = (overlap >= 0.5 * small) & (np.abs(cy[:, None] - cy[None, :]) <= 0.5 * tall) & (gap <= max_gap * tall)
    return int(np.count_nonzero(np.triu(linked, 1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'words':>7}  {'group_blocks s':>14}  {'pairwise linking alone s':>24}  {'ratio':>6}  lines  blocks")
    for n in (1_000, 3_000, 10_000):
        words = page(n)
        ours = best_of(lambda words=words: group_blocks(words), args.repeat)
        base = best_of(lambda words=words: pairwise_links(words), 1)
        lines, blocks = group_blocks(words)
        print(f"{n:>7}  {ours:>14.3f}  {base:>24.3f}  {base / ours:>5.1f}x  {len(lines):>5}  {len(blocks):>6}")


if __name__ == "__main__":
    main()
