"""Flattening photographed pages: the page found, its rows laid flat at any angle, every quad mapped back; scans untouched."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from unified_ocr import Limits, Quad, open_source
from unified_ocr.imaging.flatten import flatten, text_angle
from unified_ocr.imaging.prepare import prepare

from .photos import page, photograph, row_angles


@pytest.fixture(scope="module")
def paper() -> tuple[np.ndarray, list[np.ndarray]]:
    return page()


def corner_error(found: np.ndarray, truth: np.ndarray) -> float:
    """The largest distance between matching corners, whichever corner the found page starts at."""
    return min(float(np.abs(np.roll(found, k, axis=0) - truth).max()) for k in range(4))


@pytest.mark.parametrize("angle", [-27, 45, 90, 4])
def test_a_turned_photo_comes_out_with_level_rows(paper, angle) -> None:
    photo = photograph(*paper, angle)
    flat = flatten(photo.pixels)
    assert flat.page is not None
    assert corner_error(flat.page, photo.corners) < 3.0  # pixels, in a 520 x 560 photo
    back = flat.transform.inverse()  # the photo -> the flattened page
    rows = row_angles([back.apply(word) for word in photo.words])
    assert np.abs(rows).max() < 1.0
    assert flat.transform.target_size == (520, 560)
    assert flat.transform.source_size == flat.pixels.shape[1::-1]


@pytest.mark.parametrize("angle", [4, -27])
def test_a_photo_turned_a_quarter_flattens_to_the_very_pixels_of_it_upright(paper, angle) -> None:
    """Rows found running down the page are turned a quarter by whole pixels and that image is
    flattened from the start: no second warp, so the page comes out as the same photo given
    upright does (or given upside down: which quarter is told by the rows' direction, mod 180,
    and the engine's orientation step turns the rest)."""
    photo = photograph(*paper, angle).pixels
    ways = [flatten(photo).pixels, flatten(cv2.rotate(photo, cv2.ROTATE_180)).pixels]
    for code in (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE):
        flat = flatten(cv2.rotate(photo, code))
        assert any(flat.pixels.shape == way.shape and np.array_equal(flat.pixels, way) for way in ways)
        assert abs(abs(flat.angle) - 90) < 45 and flat.transform.target_size == photo.shape[:2]  # the turned photo: height and width swapped


@pytest.mark.parametrize("angle", [10, -27])
def test_a_long_narrow_receipt_is_found(angle) -> None:
    photo = photograph(*page(150, 520, seed=3), angle, size=(420, 600), seed=3)
    flat = flatten(photo.pixels)
    assert flat.page is not None and corner_error(flat.page, photo.corners) < 3.0
    assert np.abs(row_angles([flat.transform.inverse().apply(word) for word in photo.words])).max() < 1.0


@pytest.mark.parametrize("angle", [10, -27, 30])
def test_a_receipt_a_sixth_as_wide_as_it_is_long_is_found_by_the_corners_its_sides_meet_at(angle) -> None:
    # the smoothing rounds its tips as much as a page's: the rough corners on them cut off a
    # tenth of the strip, and it was taken for no page (then the table was turned level too)
    photo = photograph(*page(100, 600, seed=3), angle, size=(420, 700), seed=3)
    flat = flatten(photo.pixels)
    assert flat.page is not None and corner_error(flat.page, photo.corners) < 4.0  # pixels, on a narrow strip
    assert np.abs(row_angles([flat.transform.inverse().apply(word) for word in photo.words])).max() < 1.0


def test_words_found_on_the_flattened_page_map_back_onto_the_photo() -> None:
    """What an engine reports on the flattened page (here: the bars' boxes, found again)
    lands on the words in the photo."""
    photo = photograph(*page(bars=True, seed=1), -27, seed=1)
    flat = flatten(photo.pixels)
    gray = cv2.cvtColor(flat.pixels, cv2.COLOR_BGR2GRAY)
    count, _, stats, _ = cv2.connectedComponentsWithStats((gray < 128).astype(np.uint8))
    found = [Quad.from_bbox(x, y, x + w, y + h).mapped(flat.transform) for x, y, w, h, area in stats[1:] if area > 40]
    truth = [Quad(word) for word in photo.words]
    assert len(found) == len(truth)
    for word in truth:
        best = max(found, key=word.iou)
        assert word.iou(best) > 0.75
        assert np.abs(best.canonical().array - word.canonical().array).max() < 3.0


def test_a_scan_passes_unchanged(paper) -> None:
    scan = paper[0]
    flat = flatten(scan)
    assert flat.pixels is scan and flat.unchanged and flat.page is None
    upload = next(prepare(open_source(scan), Limits(takes_pixels=True, flatten_photos=True)))
    assert upload.transform.is_identity and not upload.pages[0].flattened
    assert np.array_equal(upload.pixels, scan)


def test_prepare_flattens_only_for_an_engine_that_asks(tmp_path, paper) -> None:
    photo = photograph(*paper, -27)
    path = tmp_path / "photo.jpg"
    cv2.imwrite(str(path), photo.pixels, [cv2.IMWRITE_JPEG_QUALITY, 95])
    as_is = next(prepare(open_source(path), Limits()))
    assert as_is.format == "jpeg" and as_is.transform.is_identity  # the bytes, untouched
    for limits in (Limits(flatten_photos=True), Limits(takes_pixels=True, flatten_photos=True), Limits(max_side=300, flatten_photos=True)):
        upload = next(prepare(open_source(path), limits))
        assert upload.transform.target_size == (520, 560) and upload.transform.source_size == upload.size
        assert upload.pages[0].flattened  # an engine can tell a flattened photo from a scan
        rows = row_angles([upload.transform.inverse().apply(word) for word in photo.words])
        assert np.abs(rows).max() < 1.5, limits
        if limits.max_side:
            assert max(upload.size) <= 300


def test_prepare_flattens_the_photo_as_displayed(tmp_path, paper) -> None:
    """A photo stored turned with an EXIF orientation is flattened as the viewer shows it."""
    from PIL import Image

    photo = photograph(*paper, -27)
    stored = Image.fromarray(cv2.cvtColor(photo.pixels, cv2.COLOR_BGR2RGB)).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned back a quarter clockwise
    path = tmp_path / "turned.jpg"
    stored.save(path, "JPEG", quality=95, exif=exif.tobytes())
    upload = next(prepare(open_source(path), Limits(takes_pixels=True, honours_exif=True, flatten_photos=True)))
    assert upload.transform.target_size == (520, 560)
    rows = row_angles([upload.transform.inverse().apply(word) for word in photo.words])
    assert np.abs(rows).max() < 1.5


@pytest.mark.parametrize(
    "pixels",
    [
        np.full((120, 90, 3), 255, np.uint8),  # blank
        np.full((60, 80), 128, np.uint8),  # one grey level, one channel
        np.zeros((5, 7, 3), np.uint8),  # tiny
        np.full((1, 300, 3), 200, np.uint8),  # a pixel high
        np.full((300, 1), 30, np.uint8),  # a pixel wide
        np.random.default_rng(0).integers(0, 256, (80, 100, 3), dtype=np.uint8),  # noise
    ],
    ids=["blank", "grey", "tiny", "1px-high", "1px-wide", "noise"],
)
def test_images_with_no_page_do_not_break_it(pixels) -> None:
    flat = flatten(pixels)
    h, w = pixels.shape[:2]
    assert flat.transform.target_size == (w, h)
    assert flat.transform.source_size == flat.pixels.shape[1::-1]
    if pixels.std() == 0:
        assert flat.pixels is pixels
    upload = next(prepare(open_source(pixels), Limits(takes_pixels=True, flatten_photos=True)))
    assert upload.transform.target_size == (w, h)


def test_too_little_text_gives_no_angle() -> None:
    blank = np.full((200, 200), 255, np.uint8)
    cv2.line(blank, (20, 30), (180, 150), 0, 2)  # one stroke is no row of text
    assert text_angle(blank) == 0.0


def test_light_print_on_a_dark_unevenly_lit_panel_is_not_evened_into_its_ground(paper) -> None:
    """Dividing by a paper that is not there (white print on a blue panel, lit from one side)
    washed the print into the ground; dark print on the same light falloff is still evened."""
    dark_on_light = paper[0]
    falloff = np.linspace(1.0, 0.45, dark_on_light.shape[1], dtype=np.float32)[None, :, None]
    light_on_dark = (255 - dark_on_light).astype(np.float32) * np.array([0.9, 0.55, 0.25], np.float32)  # BGR: white on blue
    light_on_dark += np.array([90, 40, 10], np.float32)
    for image, evened in ((dark_on_light, True), (light_on_dark, False)):
        lit = np.clip(image.astype(np.float32) * falloff, 0, 255).astype(np.uint8)
        flat = flatten(lit)
        assert flat.evened is evened
        if not evened:  # the print still stands out of its ground as much as it did
            assert np.array_equal(flat.pixels, lit) or float(flat.pixels.std()) >= 0.9 * float(lit.std())


def test_the_rows_of_light_print_on_a_dark_ground_are_its_light_marks() -> None:
    """On white print on blue, the dark marks are the ground between the letters: the rows of a
    quotation turned a quarter were not found running down it (it was left on its side), and the
    upright one's were found at -89.7 degrees, the turned one's at -4 (it was tilted). The light
    marks are the rows."""
    rows = ["Como o presente e tudo o que podemos controlar, sua tarefa e voltar a",
            "ele repetidamente para lembrar que a vida e muito maior do que nossas",
            "preocupacoes nos fazem acreditar.", "", "CYNTHIA KANE, COMO MEDITAR COMO UM BUDISTA, PAG 13"]  # fmt: skip
    panel = np.zeros((160, 560, 3), np.uint8)
    panel[:] = (150, 80, 20)  # BGR: blue
    for k, row in enumerate(rows):
        cv2.putText(panel, row, (12, 26 + 26 * k), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (255, 255, 255), 1, cv2.LINE_AA)
    assert flatten(panel).angle == 0.0
    for code in (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE):
        turned = cv2.rotate(panel, code)
        assert abs(flatten(turned).angle) == 90.0
        assert flatten(turned, quarter_turns=False).angle == 0.0


def test_a_grainy_table_beside_a_page_not_found_does_not_outvote_its_rows(paper) -> None:
    """Tall patches of grain (a wooden table either side of a receipt whose outline was not
    found) close into blobs far thicker than a word; counted by their area they outvoted every
    row and the upright receipt was laid on its side."""
    scan = cv2.cvtColor(paper[0], cv2.COLOR_BGR2GRAY) if paper[0].ndim == 3 else paper[0]
    h, w = scan.shape
    rng = np.random.default_rng(7)
    grain = np.where(rng.random((h, w // 2)) < 0.45, 60, 200).astype(np.uint8)  # speckle: dark marks everywhere
    grain[:, : w // 8] = 200  # a patch taller than wide, as a strip of table beside the page
    image = np.hstack([grain, scan, grain])
    assert abs(text_angle(image)) < 3


def test_a_crop_of_a_few_words_is_not_laid_on_its_side(paper) -> None:
    """A word crop (a dataset's, a label) holds a blob or two: their shapes tell no direction,
    and a quarter turn taken from them put a word on its side."""
    scan = cv2.cvtColor(paper[0], cv2.COLOR_BGR2GRAY) if paper[0].ndim == 3 else paper[0]
    crop = np.full((90, 260), 230, np.uint8)
    cv2.putText(crop, "HOTEL", (20, 62), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 40, 5)
    crop[:, 200:206] = 40  # a tall stroke beside the word, as a sign's edge
    assert text_angle(crop) == 0.0
    assert abs(text_angle(scan)) < 3  # a page of rows still has its direction
