"""The share of the detector's lines a page's reading covers (``coverage.covered``), against OpenCV's point-in-polygon test."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from unified_ocr_tesseract.coverage import CHUNK, covered


def reference(lines: list[np.ndarray], centres: np.ndarray) -> float:
    """The same share, one line and one word at a time."""
    lengths = [max(np.linalg.norm(p[1] - p[0]), np.linalg.norm(p[2] - p[1])) for p in lines]
    held = [any(cv2.pointPolygonTest(p.astype(np.float32), (float(x), float(y)), False) >= 0 for x, y in centres) for p in lines]
    return float(sum(length for length, h in zip(lengths, held, strict=True) if h) / sum(lengths))


def test_the_share_covered_is_the_same_word_by_word_with_more_words_than_one_chunk() -> None:
    """Words are weighed against the lines a chunk at a time (a page of 300 lines and 2,000 words
    held 77 MB at once): the share is the same as counted one word at a time, lines given either way round."""
    rng = np.random.default_rng(7)
    for trial in range(12):
        corner, size, angle = rng.uniform(0, 900, (40, 2)), rng.uniform([20, 8], [300, 40], (40, 2)), rng.uniform(-0.4, 0.4, 40)
        lines = []
        for (x, y), (w, h), a in zip(corner, size, angle, strict=True):
            along, across = np.array([np.cos(a), np.sin(a)]), np.array([-np.sin(a), np.cos(a)])
            quad = np.array([[x, y], [x, y] + w * along, [x, y] + w * along + h * across, [x, y] + h * across])
            lines.append(quad if trial % 2 else quad[::-1])
        centres = rng.uniform(0, 1000, (CHUNK * 2 + 17, 2))
        assert covered(lines, centres) == pytest.approx(reference(lines, centres), abs=1e-12)
