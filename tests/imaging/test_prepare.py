"""Fitting images to engine limits and mapping coordinates back: EXIF, resizing, pages, formats."""

from __future__ import annotations

import io
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps

from unified_ocr import Limits, OcrResult, Page, Quad, Word, open_source
from unified_ocr.engines import Upload, UploadPage
from unified_ocr.geometry import Transform
from unified_ocr.imaging.prepare import map_back, prepare
from unified_ocr.model import Line

from ..conftest import SAMPLE

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

#: Pillow's transpose for each EXIF orientation (the reference for what "displayed" means) and its inverse.
TO_DISPLAY = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}  # fmt: skip
TO_STORED = {**TO_DISPLAY, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}


def stored_with_orientation(displayed: Image.Image, orientation: int, fmt: str = "JPEG") -> bytes:
    """Bytes that a viewer shows as ``displayed``: pixels stored turned, plus the EXIF tag."""
    stored = displayed if orientation == 1 else displayed.transpose(TO_STORED[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    stored.save(buf, fmt, exif=exif.tobytes(), **({"quality": 95} if fmt == "JPEG" else {}))
    data = buf.getvalue()
    with Image.open(io.BytesIO(data)) as check:  # Pillow agrees that this displays as intended
        assert ImageOps.exif_transpose(check).size == displayed.size
    return data


@settings(max_examples=120, deadline=None)
@given(
    orientation=st.integers(1, 8),
    width=st.integers(8, 240),
    height=st.integers(8, 240),
    ratio=st.floats(0.1, 1.0),
    points=st.lists(st.tuples(st.floats(-50, 300), st.floats(-50, 300)), min_size=4, max_size=4),
)
def test_quads_round_trip_through_the_upload_frame(orientation, width, height, ratio, points) -> None:
    data = stored_with_orientation(Image.new("RGB", (width, height), "white"), orientation)
    source = open_source(data)
    assert source.displayed_size == (width, height)
    max_side = max(1, round(max(width, height) * ratio))
    upload = next(prepare(source, Limits(max_side=max_side)))
    assert max(upload.size) <= max_side
    t = upload.transform
    assert t.source_size == upload.size and t.target_size == (width, height)
    np.testing.assert_allclose(t.apply([upload.size]), [[width, height]], atol=1e-9)
    quad = Quad(points)
    back = quad.mapped(t.inverse()).mapped(t)
    assert np.abs(back.array - quad.array).max() <= 0.5


def _dark_centroid(pixels: np.ndarray) -> tuple[float, float]:
    """Darkness-weighted centre of a marker, in continuous pixel coordinates (pixel i spans [i, i+1))."""
    gray = cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY).astype(np.float64)
    weight = np.clip(200.0 - gray, 0, None)
    ys, xs = np.indices(gray.shape)
    return float((weight * (xs + 0.5)).sum() / weight.sum()), float((weight * (ys + 0.5)).sum() / weight.sum())


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("ratio", [1.0, 0.5, 0.1])
def test_a_marker_comes_back_where_it_is_displayed(orientation: int, ratio: float) -> None:
    displayed = Image.new("RGB", (400, 300), "white")
    marker = (310.0, 70.0)  # centre of a 24x24 black square, off every axis of symmetry
    displayed.paste((0, 0, 0), (298, 58, 322, 82))
    data = stored_with_orientation(displayed, orientation)
    upload = next(prepare(open_source(data), Limits(max_side=round(400 * ratio))))
    sent = cv2.imdecode(np.frombuffer(upload.data, np.uint8), cv2.IMREAD_COLOR)  # exactly what the engine gets
    assert (sent.shape[1], sent.shape[0]) == upload.size
    (x, y), = upload.transform.apply([_dark_centroid(sent)])
    tolerance = 0.5 / ratio + 0.5
    assert abs(x - marker[0]) <= tolerance and abs(y - marker[1]) <= tolerance, (orientation, ratio, x, y)


def test_the_exif_6_receipt_fixture_has_every_quad_inside_the_displayed_image() -> None:
    source = open_source(FIXTURES / "clova" / "agtm-receipt-3-handondang.jpg")
    assert (source.info.width, source.info.height, source.info.orientation) == (259, 194, 6)
    width, height = source.displayed_size
    assert (width, height) == (194, 259)
    vertices = list(_vertices(json.loads((FIXTURES / "clova" / "agtm-receipt-3-handondang.json").read_text())))
    assert len(vertices) > 50
    assert all(0 <= x <= width and 0 <= y <= height for x, y in vertices)
    assert max(y for _, y in vertices) > 194  # the stored frame could not hold them: they are displayed coordinates


def _vertices(node):
    if isinstance(node, dict):
        if set(node) >= {"x", "y"} and all(isinstance(node[k], (int, float)) for k in "xy"):
            yield float(node["x"]), float(node["y"])
        for value in node.values():
            yield from _vertices(value)
    elif isinstance(node, list):
        for value in node:
            yield from _vertices(value)


def test_fitting_bytes_pass_through_without_decoding(monkeypatch) -> None:
    data = SAMPLE.read_bytes()
    source = open_source(data)
    monkeypatch.setattr(cv2, "imdecode", lambda *a: pytest.fail("the image was decoded"))
    upload = next(prepare(source, Limits(max_side=4096, max_bytes=10_000_000)))
    assert upload.data is source.data and upload.transform.is_identity and upload.pixels is None


def test_photos_are_sent_as_jpeg_and_line_art_as_png() -> None:
    photo = cv2.GaussianBlur(np.random.default_rng(3).integers(0, 255, (600, 800, 3), dtype=np.uint8), (5, 5), 0)
    ok, jpeg = cv2.imencode(".jpg", photo)
    upload = next(prepare(open_source(jpeg.tobytes()), Limits(max_side=400)))
    assert upload.format == "jpeg" and upload.size == (400, 300)
    upload = next(prepare(open_source(SAMPLE), Limits(max_side=270)))
    assert upload.format == "png" and upload.size == (270, 235)


def test_transparency_is_flattened_onto_white() -> None:
    rgba = np.zeros((40, 60, 4), np.uint8)  # fully transparent black
    rgba[10:30, 10:50] = (0, 0, 0, 255)  # opaque black text
    ok, png = cv2.imencode(".png", rgba)
    source = open_source(png.tobytes())
    assert source.info.alpha
    pixels = source.decode()
    assert pixels[0, 0].tolist() == [255, 255, 255] and pixels[20, 20].tolist() == [0, 0, 0]
    palette = Image.fromarray(rgba[:, :, 3]).convert("P")
    buf = io.BytesIO()
    palette.save(buf, "PNG", transparency=0)
    pixels = open_source(buf.getvalue()).decode()
    assert pixels[0, 0].tolist() == [255, 255, 255] and pixels[20, 20].tolist() == [255, 255, 255]


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_16_bit_images_are_scaled_not_clipped(fmt: str) -> None:
    ramp = (np.arange(256, dtype=np.uint16) * 257).reshape(16, 16)
    buf = io.BytesIO()
    Image.fromarray(ramp).save(buf, fmt)
    pixels = open_source(buf.getvalue()).decode()
    assert pixels.dtype == np.uint8 and pixels.shape == (16, 16, 3)
    assert pixels[0, 0, 0] == 0 and pixels[-1, -1, 0] == 255 and 120 <= pixels[8, 0, 0] <= 135


def test_cmyk_and_grayscale_jpegs_decode_to_the_right_colours() -> None:
    rgb = np.zeros((32, 64, 3), np.uint8)
    rgb[:, :32] = (200, 30, 60)
    rgb[:, 32:] = (20, 150, 240)
    buf = io.BytesIO()
    Image.fromarray(rgb).convert("CMYK").save(buf, "JPEG", quality=95)
    pixels = open_source(buf.getvalue()).decode()
    assert np.abs(pixels[16, 16].astype(int) - [60, 30, 200]).max() <= 6  # BGR
    assert np.abs(pixels[16, 48].astype(int) - [240, 150, 20]).max() <= 6
    buf = io.BytesIO()
    Image.fromarray(rgb).convert("L").save(buf, "JPEG")
    assert open_source(buf.getvalue()).decode().shape == (32, 64, 3)


def _tiff(sizes: list[tuple[int, int]]) -> bytes:
    frames = [Image.new("RGB", s, (i * 60, 0, 0)) for i, s in enumerate(sizes)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    return buf.getvalue()


def test_multi_page_tiff_becomes_pages_with_their_own_sizes() -> None:
    sizes = [(120, 80), (60, 90), (200, 50)]
    source = open_source(_tiff(sizes))
    assert source.pages == 3 and source.page_sizes() == sizes
    uploads = list(prepare(source, Limits(max_side=100)))
    assert [u.pages[0].index for u in uploads] == [0, 1, 2]
    assert [u.pages[0].transform.target_size for u in uploads] == sizes
    assert [u.size for u in uploads] == [(100, 67), (60, 90), (100, 25)]
    assert open_source(uploads[1].data).decode()[5, 5].tolist() == [0, 0, 60]  # page 1's own pixels
    whole = list(prepare(source, Limits(formats=frozenset({"tiff"}), max_pages=5)))
    assert len(whole) == 1 and whole[0].data == source.data and len(whole[0].pages) == 3


def _pdf(pages: int) -> bytes:
    sample = Image.open(SAMPLE).convert("RGB")
    buf = io.BytesIO()
    sample.save(buf, "PDF", resolution=100, save_all=True, append_images=[sample] * (pages - 1))
    return buf.getvalue()


def test_pdf_pages_are_rendered_for_image_engines_at_the_chosen_dpi() -> None:
    source = open_source(_pdf(2))
    assert source.info.format == "pdf" and source.pages == 2
    assert source.page_sizes(200) == [(1080, 940), (1080, 940)]  # 5.4 x 4.7 inches
    uploads = list(prepare(source, Limits(max_side=2000), dpi=200))
    assert [(u.format, u.size, u.pages[0].index) for u in uploads] == [("png", (1080, 940), 0), ("png", (1080, 940), 1)]


def test_pdf_over_the_page_limit_is_split_for_engines_that_take_pdf() -> None:
    source = open_source(_pdf(5))
    uploads = list(prepare(source, Limits(formats=frozenset({"pdf", "jpeg"}), max_pages=2)))
    assert [[p.index for p in u.pages] for u in uploads] == [[0, 1], [2, 3], [4]]
    assert [open_source(u.data).pages for u in uploads] == [2, 2, 1]
    fits = list(prepare(source, Limits(formats=frozenset({"pdf"}), max_pages=10)))
    assert len(fits) == 1 and fits[0].data == source.data


def test_map_back_moves_every_page_and_rescales_an_engine_s_own_page_frame() -> None:
    pages = (UploadPage(3, (1000, 1400), Transform.identity(1000, 1400)),
             UploadPage(4, (500, 500), Transform.scale((500, 500), (2000, 2000))))  # fmt: skip
    upload = Upload(b"", "pdf", "doc.pdf", pages)
    quad = Quad.from_bbox(10, 10, 20, 20)
    line = Line("x", quad, (Word("x", quad, 0.9),))
    result = OcrResult("e", (Page(0, 500, 700, (line,)), Page(1, 500, 500, (line,))))  # engine rendered page 0 at half size
    back = map_back(result, upload)
    assert [p.index for p in back.pages] == [3, 4]
    assert back.pages[0].words[0].quad.bbox() == pytest.approx((20, 20, 40, 40))
    assert (back.pages[0].width, back.pages[0].height) == (1000, 1400)
    assert back.pages[1].lines[0].quad.bbox() == pytest.approx((40, 40, 80, 80))


@pytest.mark.slow
def test_recognize_a_pdf_gives_one_page_each_in_the_rendered_frame() -> None:
    import unified_ocr

    result = unified_ocr.recognize(_pdf(2), dpi=200)
    assert [p.index for p in result.pages] == [0, 1] and result.meta["dpi"] == 200
    for page in result.pages:
        assert (page.width, page.height) == (1080, 940)
        total = next(line for line in page.lines if line.text == "TOTAL 12,400")
        x0, y0, _, _ = total.quad.bbox()
        assert 60 <= x0 <= 100 and 630 <= y0 <= 680  # twice where make_sample.py drew it (40, 327)


def test_png_orientation_is_read_from_the_header_and_applied() -> None:
    displayed = Image.new("RGB", (90, 40), "white")
    displayed.paste((0, 0, 0), (70, 5, 85, 20))
    source = open_source(stored_with_orientation(displayed, 6, "PNG"))
    assert source.info.orientation == 6 and source.displayed_size == (90, 40)
    pixels = source.decode()
    assert pixels.shape == (40, 90, 3) and pixels[12, 77].tolist() == [0, 0, 0] and pixels[30, 10].tolist() == [255] * 3


def test_grayscale_scans_stay_one_channel_until_an_engine_needs_colour() -> None:
    scan = np.full((300, 400), 255, np.uint8)
    cv2.putText(scan, "scan", (20, 150), cv2.FONT_HERSHEY_SIMPLEX, 3, 0, 6)
    ok, png = cv2.imencode(".png", scan)
    source = open_source(png.tobytes())
    assert source.info.gray and source.decode().shape == (300, 400, 3)
    upload = next(prepare(source, Limits(max_side=200)))
    assert upload.format == "png" and cv2.imdecode(np.frombuffer(upload.data, np.uint8), cv2.IMREAD_UNCHANGED).ndim == 2
    assert upload.decode().shape == (150, 200, 3)
    assert next(prepare(source, Limits(max_side=200, takes_pixels=True))).pixels.shape == (150, 200, 3)


def test_pages_over_the_pixel_limit_are_refused_before_rendering() -> None:
    from unified_ocr import UnsupportedImageError

    source = open_source(_pdf(1), max_pixels=2_000_000)
    assert source.decode(0, dpi=100).shape == (470, 540, 3)
    with pytest.raises(UnsupportedImageError, match="page 0 at 600 dpi would be 3240x2820, over the 2,000,000 pixel limit"):
        source.decode(0, dpi=600)
    tiff = open_source(_tiff([(100, 100), (3000, 1000)]), max_pixels=1_000_000)
    with pytest.raises(UnsupportedImageError, match="page 1 is 3000x1000"):
        list(prepare(tiff, Limits()))
