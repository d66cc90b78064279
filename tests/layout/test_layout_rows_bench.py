"""The layout benchmark's transforms and scoring do what they say, so the benchmark cannot
quietly measure something else (benchmarks/layout_rows.py, benchmarks/layout_variants.py)."""

from __future__ import annotations

import math
import sys
from itertools import combinations
from pathlib import Path

import pytest

from unified_ocr import Line, Quad, Word
from unified_ocr.layout import group_blocks

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import layout_rows  # noqa: E402  (benchmarks/ is no package: its scripts import each other by name)
import layout_variants as v  # noqa: E402


def page(rows: int = 4, per_row: int = 3, height: float = 10.0, pitch: float = 20.0) -> v.TruthPage:
    """Rows of equal words, ``pitch`` apart, in reading order."""
    words, members = [], []
    for r in range(rows):
        members.append([])
        for k in range(per_row):
            x, y = 10 + 40 * k, 100 + pitch * r
            members[-1].append(len(words))
            words.append(Word(f"w{r}{k}", Quad.from_bbox(x, y, x + 30, y + height)))
    return v.TruthPage.build("test/page", words, members)


def centres(p: v.TruthPage) -> list[tuple[float, float]]:
    return [w.quad.center for w in p.words]


def test_rows_of_one_level_share_a_visual_line_and_rows_apart_do_not():
    p = page()
    assert len(set(p.lines)) == 4
    label, amount = Word("Total", Quad.from_bbox(0, 0, 50, 10)), Word("9.00", Quad.from_bbox(200, 2, 240, 12))
    assert v.TruthPage.build("t", [label, amount], [[0], [1]]).lines == (0, 0)


@pytest.mark.parametrize("scale", [1.3, 1.6, 2.0])
def test_padding_keeps_centres_and_widths_and_scales_heights(scale):
    p = v.rotated(page(), seed=7)  # slanted, so "about the centre line" is not just about y
    q = v.padded(p, scale)
    for a, b in zip(p.words, q.words):
        assert b.quad.center == pytest.approx(a.quad.center)
        assert b.quad.height == pytest.approx(scale * a.quad.height)
        assert b.quad.width == pytest.approx(a.quad.width)
        assert b.quad.angle == pytest.approx(a.quad.angle)


def test_pitch_becomes_08_of_the_glyph_height_with_words_unchanged():
    p = page(height=10, pitch=20)
    q = v.tightened(p, 0.8)
    assert v.pitch(p) == pytest.approx(20)
    assert v.pitch(q) == pytest.approx(8)
    ys = v.line_centres(q)
    assert [b - a for a, b in zip(ys, ys[1:])] == pytest.approx([8, 8, 8])
    for a, b in zip(p.words, q.words):
        assert b.quad.height == pytest.approx(a.quad.height) and b.quad.width == pytest.approx(a.quad.width)
        assert b.quad.center[0] == pytest.approx(a.quad.center[0])
    assert v.tightened(page(height=10, pitch=7), 0.8) == page(height=10, pitch=7)  # never moved apart


def test_pitch_is_measured_across_a_slanted_page():
    p = v.rotated(page(height=10, pitch=20), seed=3)
    assert v.pitch(v.tightened(p, 0.8)) == pytest.approx(8)


def test_rotation_turns_the_whole_page_by_at_most_5_degrees_and_keeps_its_words():
    p = page()
    for s in range(20):
        q = v.rotated(p, seed=s)
        assert len(q.words) == len(p.words) and q.rows == p.rows
        assert [w.text for w in q.words] == [w.text for w in p.words]
        angles = {round(w.quad.angle, 6) for w in q.words}
        assert len(angles) == 1 and abs(angles.pop()) <= 5
        for (a, b), (c, d) in zip(combinations(centres(p), 2), combinations(centres(q), 2)):
            assert math.dist(a, b) == pytest.approx(math.dist(c, d))  # rigid: nothing stretched
    assert v.rotated(p, seed=1) == v.rotated(p, seed=1)


def test_warp_is_a_moderate_perspective_and_repeatable():
    p = page(rows=10, per_row=6)
    q = v.warped(p, seed=5)
    assert len(q.words) == len(p.words) and q.rows == p.rows
    assert q == v.warped(p, seed=5) and q != v.warped(p, seed=6)
    assert all(abs(w.quad.angle) < 10 for w in q.words)
    ratios = [b.quad.height / a.quad.height for a, b in zip(p.words, q.words)]
    assert 0.8 < min(ratios) and max(ratios) < 1.25 and max(ratios) - min(ratios) > 1e-3  # sizes vary: not just turned


def test_dropping_takes_a_tenth_of_the_words_and_keeps_rows_consistent():
    p = page(rows=10, per_row=5)
    q = v.dropped(p, seed=2)
    assert len(q.words) == 45
    kept = {w.text for w in q.words}
    for row, line in zip(q.rows, q.lines):
        assert row and all(0 <= i < len(q.words) for i in row)
        r = int(q.words[row[0]].text[1])  # the row the words came from
        assert [q.words[i].text for i in row] == [p.words[i].text for i in p.rows[r] if p.words[i].text in kept]
        assert line == p.lines[r]
    assert sorted(i for row in q.rows for i in row) == list(range(45))


def test_all_transforms_together_keep_the_words_not_dropped():
    p = page(rows=10, per_row=5)
    q = v.TRANSFORMS["all"](p)
    assert len(q.words) == 45 and q.words != v.dropped(p, v.seed(p, "drop")).words


def test_a_segment_is_cut_into_words_by_characters():
    words = layout_rows.segment_words(Quad.from_bbox(0, 0, 50, 10), "AB CD")
    assert [w.text for w in words] == ["AB", "CD"]
    assert words[0].quad.bbox() == pytest.approx((0, 0, 20, 10))
    assert words[1].quad.bbox() == pytest.approx((30, 0, 50, 10))


def test_scoring_counts_exact_rows_interleaving_and_cer():
    p = page(rows=2, per_row=2)
    w = p.words
    perfect = [Line.from_words([w[0], w[1]]), Line.from_words([w[2], w[3]])]
    s = layout_rows.score(p, perfect)
    assert (s.exact, s.rows, s.interleaved, s.errors) == (2, 2, 0, 0)
    mixed = [Line.from_words([w[0], w[2], w[1], w[3]])]  # two rows read left to right: interleaved
    s = layout_rows.score(p, mixed)
    assert (s.exact, s.interleaved) == (0, 1) and s.errors > 0
    lines, _ = group_blocks(list(reversed(w)))
    assert layout_rows.score(p, lines).exact == 2


def test_the_baseline_is_the_layout_package_of_a_commit(tmp_path):
    base = layout_rows.layout_at("HEAD", tmp_path)
    p = page()
    lines, _ = base.group_blocks(list(p.words))
    assert sorted(w.text for line in lines for w in line.words) == sorted(w.text for w in p.words)


EVAL = layout_rows.EVAL


@pytest.mark.skipif(not (EVAL / "sroie" / "box").is_dir(), reason="the shared eval data is not here")
def test_sroie_rows_are_the_truth_segments_word_by_word():
    pages = layout_rows.sroie(EVAL / "sroie")
    assert pages
    from unified_ocr.evaluation.truth import read_truth

    first = pages[0]
    segments = [r.text.strip() for r in read_truth(EVAL / "sroie" / "box" / "000.csv", "icdar").words if r.text.strip()]
    assert [" ".join(first.words[i].text for i in row) for row in first.rows] == [" ".join(s.split()) for s in segments]
    assert layout_rows.run(pages[:2], "none", group_blocks).rows == sum(len(p.rows) for p in pages[:2])
