"""Small photographed pages made in the test, with the truth carried through the photo's warp.

A page is rows of words on white paper (Hershey letters, so no font is needed; or solid bars,
whose boxes a test can find again exactly). The photo sets it in perspective, turned, on a
dark textured table, lit from one side, so that every step of the flattening has work to do.
"""

from __future__ import annotations

import math

import attrs
import cv2
import numpy as np

WORDS = ("TOTAL", "CASH", "2,500", "Coffee", "RECEIPT", "No. 0042", "Tea x2", "VAT", "CHANGE", "Milk", "Bread", "Card")


@attrs.frozen
class Photo:
    pixels: np.ndarray = attrs.field(eq=False, repr=False)
    corners: np.ndarray = attrs.field(eq=False)  # the page's corners in the photo, clockwise from its top-left
    words: list[np.ndarray] = attrs.field(eq=False, repr=False)  # each word's 4 corners in the photo


def page(width: int = 320, height: int = 420, *, bars: bool = False, seed: int = 0) -> tuple[np.ndarray, list[np.ndarray]]:
    """White paper with rows of words, and each word's box (4 x 2, continuous coordinates)."""
    rng = np.random.default_rng(seed)
    paper = np.full((height, width, 3), 250, np.uint8)
    boxes = []
    y = 30
    while y < height - 30:
        x = 20
        while True:
            if bars:
                w, h = int(rng.integers(25, 70)), 9
                if x + w > width - 20:
                    break
                cv2.rectangle(paper, (x, y - h), (x + w - 1, y - 1), (30, 30, 30), -1)
                boxes.append(np.array([[x, y - h], [x + w, y - h], [x + w, y], [x, y]], np.float64))
            else:
                word = WORDS[int(rng.integers(len(WORDS)))]
                (w, h), _ = cv2.getTextSize(word, cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1)
                if x + w > width - 20:
                    break
                cv2.putText(paper, word, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (20, 20, 20), 1, cv2.LINE_AA)
                boxes.append(np.array([[x, y - h], [x + w, y - h], [x + w, y], [x, y]], np.float64))
            x += w + int(rng.integers(8, 16))
        y += 24
    return paper, boxes


def photograph(paper: np.ndarray, boxes: list[np.ndarray], angle: float, *, size: tuple[int, int] = (520, 560), seed: int = 0) -> Photo:
    """``paper`` turned ``angle`` degrees clockwise, slanted, on a table, lit unevenly."""
    rng = np.random.default_rng(seed)
    h, w = paper.shape[:2]
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    a = math.radians(angle)
    turn = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    target = (corners + rng.uniform(-0.04, 0.04, (4, 2)) * [w, h] - [w / 2, h / 2]) @ turn.T
    span = np.ptp(target, axis=0)
    scale = min((size[0] * 0.8) / span[0], (size[1] * 0.8) / span[1])
    target = (target - target.min(axis=0)) * scale + (np.array(size) - span * scale) / 2
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target.astype(np.float32))
    half = np.array([[1.0, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])  # continuous coordinates -> OpenCV's pixel centres
    by_index = np.linalg.inv(half) @ matrix @ half
    warped = cv2.warpPerspective(paper, by_index, size, flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), by_index, size, borderValue=0).astype(np.float32)[..., None] / 255
    table = cv2.GaussianBlur(rng.normal(90, 25, (size[1], size[0], 3)).astype(np.float32), (0, 0), 3)
    photo = mask * warped + (1 - mask) * table
    light = np.linspace(1.0, 0.7, size[0], dtype=np.float32)[None, :, None]  # darker to the right
    photo = np.clip(photo * light + rng.normal(0, 2, photo.shape), 0, 255).astype(np.uint8)

    def moved(points: np.ndarray) -> np.ndarray:
        return cv2.perspectiveTransform(points.reshape(-1, 1, 2), matrix).reshape(-1, 2)

    return Photo(photo, moved(corners), [moved(box) for box in boxes])


def row_angles(quads: list[np.ndarray]) -> np.ndarray:
    """Each quad's reading direction, degrees, folded into [-90, 90)."""
    angles = []
    for q in quads:
        dx, dy = (q[1] - q[0]) + (q[2] - q[3])
        angles.append((math.degrees(math.atan2(dy, dx)) + 90) % 180 - 90)
    return np.array(angles)
