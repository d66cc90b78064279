"""Input images: every bad input gets a typed error that names it; good ones are probed and prepared."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from unified_ocr import (
    CorruptImageError,
    EmptyImageError,
    ImageNotFoundError,
    Limits,
    UnsupportedImageError,
)
from unified_ocr.imaging.prepare import prepare
from unified_ocr.imaging.sources import open_source, probe

from ..conftest import SAMPLE


def jpeg_bytes(width: int = 64, height: int = 48, orientation: int | None = None) -> bytes:
    img = Image.fromarray(np.random.default_rng(0).integers(0, 255, (height, width, 3), dtype=np.uint8))
    buf = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    img.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda p: p / "missing.jpg", ImageNotFoundError, "missing.jpg: no such file"),
        (lambda p: p, ImageNotFoundError, "not a file"),
        (lambda p: _write(p / "empty.jpg", b""), EmptyImageError, r"empty.jpg: empty \(0 bytes\)"),
        (lambda p: _write(p / "notes.jpg", b"shopping list\nmilk\n"), UnsupportedImageError, "notes.jpg: not an image"),
        (lambda p: _write(p / "cut.jpg", jpeg_bytes()[:-600]), CorruptImageError, "cut.jpg: truncated JPEG"),
        (lambda p: _write(p / "cut.png", SAMPLE.read_bytes()[:-5000]), CorruptImageError, "cut.png: .*truncated"),
        (lambda p: _write(p / "head.jpg", jpeg_bytes()[:40]), CorruptImageError, "head.jpg: "),
        (lambda p: _write(p / "doc.pdf", b"%PDF-1.7\n..."), CorruptImageError, "doc.pdf: damaged or truncated PDF"),
        (lambda p: _write(p / "x.ico", _ico()), UnsupportedImageError, "ICO images are not supported"),
    ],
)
def test_bad_files_raise_typed_errors_naming_the_file(tmp_path, make, error, message) -> None:
    path = make(tmp_path)
    with pytest.raises(error, match=message) as info:
        open_source(path)
    assert info.value.source == str(path)


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _ico() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buf, "ICO")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("array", "error", "message"),
    [
        (np.zeros((0, 5, 3), np.uint8), EmptyImageError, "no pixels"),
        (np.zeros((4, 5, 2), np.uint8), UnsupportedImageError, "shape"),
        (np.zeros((4, 5, 3), np.float32), UnsupportedImageError, "float32"),
    ],
)
def test_bad_arrays(array, error, message) -> None:
    with pytest.raises(error, match=message):
        open_source(array)


def test_decompression_bomb_is_refused_from_the_header() -> None:
    with pytest.raises(UnsupportedImageError, match="64x48 is over the 1,000 pixel limit"):
        open_source(jpeg_bytes(64, 48), "big.jpg", max_pixels=1000)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels and holds almost none (a header to probe)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


def test_our_pixel_guard_leaves_pillows_process_wide_limit_alone() -> None:
    before = Image.MAX_IMAGE_PIXELS
    assert before is not None  # importing unified_ocr did not turn the user's guard off
    big = _png_header_only(20_000, 9_500)  # 190 MP: over Pillow's default limit, which would raise
    info = probe(big, "big.png", max_pixels=200_000_000)  # within ours, as the caller set it
    assert (info.width, info.height) == (20_000, 9_500) and Image.MAX_IMAGE_PIXELS == before
    with pytest.raises(UnsupportedImageError, match="over the 180,000,000 pixel limit"):
        probe(big, "big.png")
    with pytest.raises(Image.DecompressionBombError):  # the user's own Pillow calls keep Pillow's guard
        Image.open(io.BytesIO(big))


def test_probe_reads_the_header() -> None:
    info = probe(jpeg_bytes(64, 48, orientation=6))
    assert (info.format, info.width, info.height, info.orientation) == ("jpeg", 64, 48, 6)
    assert info.displayed_size == (48, 64)


@pytest.mark.parametrize("kind", ["path", "bytes", "file", "gray", "bgra", "uint16"])
def test_every_kind_of_source_decodes_to_bgr(kind, tmp_path) -> None:
    base = cv2.imread(str(SAMPLE))
    source = {
        "path": SAMPLE,
        "bytes": SAMPLE.read_bytes(),
        "file": io.BytesIO(SAMPLE.read_bytes()),
        "gray": cv2.cvtColor(base, cv2.COLOR_BGR2GRAY),
        "bgra": cv2.cvtColor(base, cv2.COLOR_BGR2BGRA),
        "uint16": base.astype(np.uint16) * 257,
    }[kind]
    pixels = open_source(source).decode()
    assert pixels.shape == base.shape and pixels.dtype == np.uint8
    assert np.abs(pixels.astype(int) - base.astype(int)).max() <= 1


def test_fitting_bytes_pass_through_untouched() -> None:
    data = SAMPLE.read_bytes()
    upload = next(prepare(open_source(data), Limits(max_side=4096, max_bytes=10_000_000)))
    assert upload.data == data and upload.transform.is_identity and upload.pixels is None


def test_large_images_shrink_and_map_back() -> None:
    upload = next(prepare(open_source(SAMPLE), Limits(max_side=200, formats=frozenset({"jpeg"}))))
    assert upload.format == "jpeg" and max(upload.size) == 200 and upload.data[:2] == b"\xff\xd8"
    np.testing.assert_allclose(upload.transform.apply([[200, 174]]), [[540, 470]], rtol=0.01)


def test_exif_rotation_is_applied_when_the_engine_ignores_it() -> None:
    data = jpeg_bytes(64, 48, orientation=6)
    upload = next(prepare(open_source(data), Limits()))
    assert upload.size == (48, 64) and upload.data != data
    assert next(prepare(open_source(data), Limits(honours_exif=True))).data == data


def test_byte_limit_steps_down_to_jpeg(tmp_path) -> None:
    noise = np.random.default_rng(1).integers(0, 255, (300, 300, 3), dtype=np.uint8)
    upload = next(prepare(open_source(noise), Limits(max_bytes=120_000)))
    assert upload.format == "jpeg" and len(upload.data) <= 120_000
    with pytest.raises(UnsupportedImageError, match="cannot be encoded within the engine's limits"):
        next(prepare(open_source(noise), Limits(max_bytes=1000)))


def test_a_png_with_bytes_after_its_end_is_read_and_a_cut_one_refused() -> None:
    png = SAMPLE.read_bytes()
    assert open_source(png + b"\x00" * 100 + b"trailing data a tool appended").info.format == "png"
    with pytest.raises(CorruptImageError, match="truncated PNG"):
        open_source(png[: len(png) - 40])


def test_a_jpeg_cut_short_with_its_end_marker_put_back_is_damaged_not_grey(capfd) -> None:
    data = jpeg_bytes(320, 240)
    cut = data[: len(data) * 2 // 3] + b"\xff\xd9"
    source = open_source(cut, "cut.jpg")  # the header is whole: the damage shows when decoding
    with pytest.raises(CorruptImageError, match="cut.jpg: damaged JPEG"):
        source.decode()
    assert capfd.readouterr().err == ""  # and no decoder warning on stderr


def test_a_cut_jpeg_that_would_be_sent_as_it_is_is_refused_before_any_call(capfd) -> None:
    """A vendor takes JPEG as it is, so nothing decodes it here: it is checked all the same."""
    data = jpeg_bytes(320, 240)
    cut = data[: len(data) * 2 // 3] + b"\xff\xd9"
    limits = Limits(formats=frozenset({"jpeg", "png"}))
    assert next(prepare(open_source(data), limits)).data == data  # a whole one goes as it is
    with pytest.raises(CorruptImageError, match="cut.jpg: damaged JPEG"):
        next(prepare(open_source(cut, "cut.jpg"), limits))
    assert capfd.readouterr().err == ""
