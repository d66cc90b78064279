"""Crops: rotated text comes out upright, bounds are the image's, bad quads say so."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from unified_ocr import InvalidQuadError, Quad, crop, crop_many

from ..conftest import SAMPLE, text_image


def _score(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised correlation of two grey crops, after bringing ``a`` to ``b``'s size."""
    a = cv2.resize(cv2.cvtColor(a, cv2.COLOR_BGR2GRAY), (b.shape[1], b.shape[0]), interpolation=cv2.INTER_AREA)
    b = cv2.cvtColor(b, cv2.COLOR_BGR2GRAY)
    a, b = a.astype(np.float64) - a.mean(), b.astype(np.float64) - b.mean()
    return float((a * b).sum() / math.sqrt((a * a).sum() * (b * b).sum()))


def _turned(image: np.ndarray, quad: Quad, degrees: float) -> tuple[np.ndarray, Quad]:
    """The image turned clockwise by ``degrees`` on a canvas that holds it all, and the quad turned with it."""
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -degrees, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(math.ceil(w * cos + h * sin)), int(math.ceil(w * sin + h * cos))
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    turned = cv2.warpAffine(image, m, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    pts = np.hstack([quad.array, np.ones((4, 1))]) @ m.T
    return turned, Quad(pts)


@pytest.mark.parametrize("degrees", [90, 180, 30, -15, 270])
def test_turned_text_crops_upright(degrees: float) -> None:
    image = text_image("Upright 42", size=(420, 110))
    quad = Quad.from_bbox(8, 30, 300, 88)
    reference = crop(image, quad)
    turned, turned_quad = _turned(image, quad, degrees)
    got = crop(turned, turned_quad)
    assert abs(got.shape[1] - reference.shape[1]) <= 2 and abs(got.shape[0] - reference.shape[0]) <= 2
    upright = _score(got, reference)
    upside_down = _score(cv2.rotate(got, cv2.ROTATE_180), reference)
    assert upright > 0.8 and upright > upside_down + 0.3, (upright, upside_down)


def test_axis_aligned_crop_is_clipped_to_the_image() -> None:
    image = cv2.imread(str(SAMPLE))
    out = crop(image, Quad.from_bbox(-20, -10, 50, 40), rectify=False)
    assert out.shape == (40, 50, 3)
    assert np.array_equal(out, image[0:40, 0:50])
    assert crop(image, Quad.from_bbox(10, 10, 30, 20), rectify=False, padding=5).shape == (20, 30, 3)


def test_padding_grows_the_crop_along_and_across_the_text() -> None:
    image = text_image("pad", size=(200, 100))
    q = Quad.from_bbox(20, 20, 120, 60)
    assert crop(image, q).shape[:2] == (40, 100)
    assert crop(image, q, padding=4).shape[:2] == (48, 108)
    assert crop(image, q, padding_ratio=0.25).shape[:2] == (60, 120)


def test_crop_many_matches_one_by_one_and_reads_paths() -> None:
    image = cv2.imread(str(SAMPLE))
    quads = [Quad.from_bbox(30, 20, 320, 80), Quad([(300, 400), (40, 400), (40, 360), (300, 360)])]
    many = crop_many(SAMPLE, quads, padding=2)
    for got, q in zip(many, quads):
        assert np.array_equal(got, crop(image, q, padding=2))
    assert crop_many(image, []) == []


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([(5, 5), (5, 5), (5, 5), (5, 5)], "quad 0 has zero area"),
        ([(0, 0), (10, 0), (20, 0), (30, 0)], "zero area"),
        ([(0, 0), (float("nan"), 0), (10, 10), (0, 10)], "not finite"),
        ([(900, 900), (950, 900), (950, 950), (900, 950)], "lies outside the 540x470 image"),
    ],
)
def test_bad_quads_raise_a_clear_error(points, message) -> None:
    image = cv2.imread(str(SAMPLE))
    with pytest.raises(InvalidQuadError, match=message):  # points as given (a Quad itself refuses non-finite ones)
        crop(image, points)
    with pytest.raises(ValueError):  # also a ValueError, for callers that catch that
        crop(image, points, rectify=False)


HUGE = {  # quads a vendor or an annotator got wrong, on an 800 x 400 image
    "1e7 square": [(-1e7, -1e7), (1e7, -1e7), (1e7, 1e7), (-1e7, 1e7)],
    "30000 square": [(0, 0), (30000, 0), (30000, 30000), (0, 30000)],
    "turned 45 degrees": [(400, -20000), (20400, 0), (400, 20000), (-19600, 0)],
    "turned 180 degrees": [(30000, 30000), (-30000, 30000), (-30000, -30000), (30000, -30000)],
    "sheared": [(-5000, -100), (25000, -100), (35000, 500), (-2000, 500)],
    "long and thin": [(-1e7, 100), (1e7, 100), (1e7, 140), (-1e7, 140)],
    "one corner far out": [(10, 10), (790, 10), (1e8, 1e8), (10, 390)],
}


@pytest.mark.parametrize("points", list(HUGE.values()), ids=list(HUGE))
@pytest.mark.parametrize(("padding", "ratio"), [(0, 0), (4, 0), (0, 0.25)])
def test_a_quad_far_larger_than_the_image_gives_a_crop_no_larger_than_the_image_plus_padding(points, padding, ratio) -> None:
    """Cut at full size these took gigabytes (or OpenCV ran out of memory); the crop is the part inside."""
    image = np.random.default_rng(0).integers(0, 256, (400, 800, 3), np.uint8)
    margin = padding + ratio * 800  # the text height a ratio counts is at most the image's longest side
    got = crop(image, points, padding=padding, padding_ratio=ratio)
    h, w = got.shape[:2]
    assert h * w <= (800 + 2 * margin) * (400 + 2 * margin) + 1  # in pixels, so in memory
    assert max(h, w) <= math.hypot(800 + 2 * margin, 400 + 2 * margin) + 1
    assert got.nbytes <= (800 + 2 * margin) * (400 + 2 * margin) * 3 + 3


def test_the_part_inside_keeps_the_quads_own_scale_and_turn() -> None:
    image = np.random.default_rng(1).integers(0, 256, (400, 800, 3), np.uint8)
    assert np.array_equal(crop(image, HUGE["30000 square"]), image)  # upright, from the image's top-left: the image
    upside_down = crop(image, HUGE["turned 180 degrees"])  # read from the bottom-right: as the image's own quad turned so
    assert np.array_equal(upside_down, crop(image, [(800, 400), (0, 400), (0, 0), (800, 0)]))
    assert np.array_equal(upside_down[1:, 1:], image[::-1, ::-1][:-1, :-1])  # points sit on pixel centres: one row repeats
    line = crop(image, HUGE["long and thin"])  # a line across the whole image: its height kept, its length the image's
    assert line.shape[:2] == (40, 800) and np.array_equal(line, image[100:140])
    edge = crop(image, [(700, 300), (20000, 300), (20000, 340), (700, 340)], padding=5)  # past the right edge, padded
    assert edge.shape[:2] == (50, 110) and np.array_equal(edge[5:45, 5:105], image[300:340, 700:800])


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([(0, 0), (200, 100), (200, 0), (0, 50)], "sides that cross"),
        ([(-1e12, 0), (10, 0), (10, 10), (0, 10)], "pixels away"),
        ([(-30000, -30000), (-100, -30000), (-100, -100), (-30000, -100)], "lies outside the 800x400 image"),
    ],
)
def test_self_crossing_absurd_and_off_image_quads_raise(points, message) -> None:
    image = np.zeros((400, 800, 3), np.uint8)
    with pytest.raises(InvalidQuadError, match=message):
        crop(image, points)


def test_rectified_crops_of_many_quads_match_opencvs_own_warp_of_each() -> None:
    """The maps solved together are OpenCV's, quad by quad (to a grey level, its solver being float32)."""
    rng = np.random.default_rng(5)
    image = rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)
    image = cv2.GaussianBlur(image, (0, 0), 3)  # smooth: a sub-pixel difference in the map moves a grey level, not 255
    quads = []
    for _ in range(40):
        cx, cy, w, h, theta = rng.uniform(80, 320), rng.uniform(60, 240), rng.uniform(20, 90), rng.uniform(10, 30), rng.uniform(-3.1, 3.1)
        u, v = np.array([np.cos(theta), np.sin(theta)]), np.array([-np.sin(theta), np.cos(theta)])
        c = np.array([cx, cy])
        quads.append([c - u * w / 2 - v * h / 2, c + u * w / 2 - v * h / 2 + rng.normal(0, 2, 2), c + u * w / 2 + v * h / 2, c - u * w / 2 + v * h / 2])
    crops = crop_many(image, [[tuple(p) for p in q] for q in quads])
    for quad, got in zip(quads, crops):
        src = np.float32(quad)
        height, width = got.shape[:2]
        m = cv2.getPerspectiveTransform(src, np.float32([[0, 0], [width, 0], [width, height], [0, height]]))
        want = cv2.warpPerspective(image, m, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        assert np.abs(got.astype(int) - want.astype(int)).max() <= 2


def test_the_area_on_the_page_is_what_geos_measures_whether_a_quad_is_in_the_image_or_across_its_edge() -> None:
    """Quads wholly in the image are measured by their own area, without GEOS: the same figure."""
    import shapely

    from unified_ocr.imaging.crop import measure_quads

    rng = np.random.default_rng(5)
    centres = rng.uniform(-50, 250, (400, 1, 2))
    pts = centres + rng.uniform(-60, 60, (400, 4, 2)) * [[1, 1]]
    pts[:100] = centres[:100] + np.array([[-20, -8], [20, -8], [20, 8], [-20, 8]])  # some upright boxes, most inside
    m = measure_quads(pts, 200, 150)
    polygons = shapely.polygons(pts)
    expected = np.zeros(len(pts))
    expected[~m.crossing] = shapely.area(shapely.intersection(polygons[~m.crossing], shapely.box(0, 0, 200, 150)))
    within = (pts >= 0).all(axis=(1, 2)) & (pts[:, :, 0] <= 200).all(axis=1) & (pts[:, :, 1] <= 150).all(axis=1)
    assert within.sum() >= 50 and (~within & ~m.crossing).sum() >= 50  # both ways measured
    np.testing.assert_allclose(m.on_page, expected, rtol=1e-9, atol=1e-9)
