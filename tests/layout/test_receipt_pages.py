"""The synthetic receipts' truth is what their pixels show, at the pitch asked, and the same seed
makes the same files (benchmarks/receipt_pages.py), so that figures measured on them mean what
they say and can be measured again."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from unified_ocr.drawing.fonts import find_hangul_font
from unified_ocr.evaluation.truth import read_truth

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import receipt_pages as rp  # noqa: E402  (benchmarks/ is no package: its scripts are imported by name)


def test_truth_reads_back_as_sroie_box_files(tmp_path):
    for variant in ("none", "rotate"):
        receipt = rp.make_receipt(1, 0, variant=variant)
        path = tmp_path / f"{variant}.csv"
        path.write_text(receipt.csv(), encoding="utf-8")
        truth = read_truth(path, "icdar")
        assert [r.text for r in truth.words] == [text for _, text in receipt.segments]
        for region, (points, _) in zip(truth.words, receipt.segments):
            assert np.allclose(np.array(region.quad.points), points, atol=0.51)
        assert any(" " in r.text for r in truth.words) and any("," in r.text for r in truth.words)  # segments, commas kept
        assert all(r.text == r.text.strip() and "  " not in r.text for r in truth.words)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_quad_holds_its_ink_tightly_and_nothing_is_inked_outside_them(seed):
    receipt = rp.make_receipt(seed, 0, pitch=(1.2, 1.3))  # rows apart: no neighbour's ink inside a quad
    dark = receipt.pixels[:, :, 0] < 255  # any ink, its faintest antialiased edge too (the paper is 255)
    for points, text in receipt.segments:
        (x0, y0), (x1, y1) = points[0].astype(int), points[2].astype(int)
        ys, xs = np.nonzero(dark[y0:y1, x0:x1])
        assert len(xs), text
        assert xs.min() <= 1 and ys.min() <= 1, text  # one pixel of margin, no more
        assert xs.max() >= x1 - x0 - 2 and ys.max() >= y1 - y0 - 2, text
    assert uncovered(receipt, threshold=250) == 0


def test_turned_and_warped_quads_move_with_the_ink():
    for variant in ("rotate", "warp"):
        receipt = rp.make_receipt(4, 0, variant=variant)
        assert uncovered(receipt, threshold=160) == 0, variant
        dark = receipt.pixels[:, :, 0] < 160
        for points, text in receipt.segments:
            mask = np.zeros(dark.shape, np.uint8)
            cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1)
            assert dark[mask > 0].mean() > 0.08, (variant, text)  # the quad is on its text, not beside it


def uncovered(receipt: rp.Receipt, threshold: int) -> int:
    """Pixels darker than ``threshold`` outside every truth quad and dashed rule (grown by a pixel for interpolation)."""
    covered = np.zeros(receipt.pixels.shape[:2], np.uint8)
    for points in [q for q, _ in receipt.segments] + receipt.separators:
        cv2.fillPoly(covered, [np.round(points).astype(np.int32)], 1)
    covered = cv2.dilate(covered, np.ones((3, 3), np.uint8))
    return int(((receipt.pixels[:, :, 0] < threshold) & (covered == 0)).sum())


@pytest.mark.parametrize("pitch", [(1.0, 1.3), (1.05, 1.1), (1.0, 1.0)])
def test_rows_are_printed_at_the_pitch_asked(pitch):
    for index in range(3):
        receipt = rp.make_receipt(7, index, pitch=pitch)
        meta = receipt.meta
        assert pitch[0] <= meta["pitch"] <= pitch[1] and 14 <= meta["glyph_height"] <= 22
        assert 380 <= meta["width"] <= 600
        rows = meta["rows"]
        steps = [(b["baseline"] - a["baseline"]) / (a["ascent"] + a["descent"])
                 for a, b in zip(rows, rows[1:]) if b["after_text"] and a["font"] == b["font"]]  # fmt: skip
        assert len(steps) > 10
        assert all(pitch[0] - 1e-6 <= s <= pitch[1] + 1e-6 for s in steps)
        for points, text in receipt.segments:  # every segment inside one row's glyph cell (with its pixel of margin)
            top, bottom = points[0][1] + 1, points[2][1] - 1
            assert any(r["baseline"] - r["ascent"] - 1 <= top and bottom <= r["baseline"] + r["descent"] + 1 for r in rows), text


def test_the_same_seed_writes_the_same_bytes(tmp_path):
    for variant in ("photo", "none"):
        first, again = rp.make_receipt(5, 2, variant=variant), rp.make_receipt(5, 2, variant=variant)
        assert first.png() == again.png() and first.csv() == again.csv()
        assert rp.make_receipt(6, 2, variant=variant).csv() != first.csv()
    rp.main([str(tmp_path / "a"), "--count", "2", "--seed", "3", "--variant", "warp", "--pitch", "1.0-1.1"])
    rp.main([str(tmp_path / "b"), "--count", "2", "--seed", "3", "--variant", "warp", "--pitch", "1.0-1.1"])
    written = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert [str(p) for p in written] == ["box/000.csv", "box/001.csv", "images/000.png", "images/001.png", "pages.json"]
    for name in written:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_photo_is_a_jpeg_looking_colour_page_on_a_grey_background():
    receipt = rp.make_receipt(2, 0, variant="photo")
    corner = receipt.pixels[:10, :10].astype(float)
    assert 60 < corner.mean() < 190  # the background, not the paper
    assert receipt.pixels.ndim == 3 and receipt.pixels.shape[2] == 3


@pytest.mark.skipif(find_hangul_font() is None, reason="no font that draws Hangul is installed")
def test_korean_receipts_write_hangul_truth(tmp_path):
    receipt = rp.make_receipt(0, 0, korean=True)
    path = tmp_path / "ko.csv"
    path.write_text(receipt.csv(), encoding="utf-8")
    texts = [r.text for r in read_truth(path, "icdar").words]
    assert any("\uac00" <= c <= "\ud7a3" for t in texts for c in t)
    assert uncovered(receipt, threshold=250) == 0
