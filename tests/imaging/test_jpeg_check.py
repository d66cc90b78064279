"""The check on a JPEG sent as it is: a corpus of damaged files, and which check refuses which.

Every kind of JPEG a user may have (baseline and progressive, with and without restart
markers, 4:2:0 to 4:4:4, greyscale, CMYK, EXIF, an ICC profile, two pictures in one MPO
file) is damaged in the ways files are damaged (cut at many offsets with and without an
end marker put back, bytes zeroed in the middle, data replaced by 0xFF 0x00 runs, bytes
flipped). The marker walk must refuse what it promises and never a whole file;
``verify_jpeg`` must refuse every file that libjpeg's decode refuses, as long as the file is
within the size it decodes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import cv2
import numpy as np
import pytest
import simplejpeg
from PIL import Image

from unified_ocr import CorruptImageError
from unified_ocr.imaging.jpeg_markers import read_structure
from unified_ocr.imaging.sources import FULL_CHECK_BYTES, verify_jpeg


def _picture(width: int, height: int) -> np.ndarray:
    """A page-like photo (RGB): a soft gradient, dark text strokes, a little sensor noise."""
    y, x = np.mgrid[0:height, 0:width]
    page = np.dstack([180 + 40 * np.sin(x / 37.0), 200 + 30 * np.cos(y / 23.0), 170 + 0.1 * (x + y) % 60])
    rng = np.random.default_rng(4)
    for row in range(12, height - 12, 19):
        for col in range(8, width - 30, 34):
            cv2.line(page, (col, row), (col + int(rng.integers(8, 28)), row + int(rng.integers(-3, 4))), (20, 20, 40), 2)
    return np.clip(page + rng.normal(0, 3, page.shape), 0, 255).astype(np.uint8)


def _pillow(image: Image.Image, fmt: str = "JPEG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, quality=88, **options)
    return buffer.getvalue()


def _variants() -> dict[str, bytes]:
    rgb = Image.fromarray(_picture(317, 229))  # not a whole number of MCUs either way
    bgr = np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1])
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Camera"
    return {
        "baseline 4:2:0": _pillow(rgb),
        "baseline 4:4:4": _pillow(rgb, subsampling=0),
        "baseline 4:2:2": _pillow(rgb, subsampling=1),
        "optimized tables": _pillow(rgb, optimize=True),
        "progressive": _pillow(rgb, progressive=True),
        "restart every 7 MCUs": _pillow(rgb, restart_marker_blocks=7),
        "restart every row": _pillow(rgb, restart_marker_rows=1),
        "progressive with restarts": _pillow(rgb, progressive=True, restart_marker_blocks=5),
        "greyscale": _pillow(rgb.convert("L")),
        "greyscale progressive": _pillow(rgb.convert("L"), progressive=True),
        "CMYK": _pillow(rgb.convert("CMYK")),
        "EXIF": _pillow(rgb, exif=exif.tobytes()),
        "ICC profile over two segments": _pillow(rgb, icc_profile=bytes(range(256)) * 300),
        "MPO, two pictures": _pillow(rgb, "MPO", save_all=True, append_images=[rgb.rotate(90)]),
        "OpenCV": cv2.imencode(".jpg", bgr)[1].tobytes(),
        "OpenCV restarts": cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_RST_INTERVAL, 3])[1].tobytes(),
        "OpenCV progressive": cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])[1].tobytes(),
    }


VARIANTS = _variants()


def _scan_data(data: bytes) -> tuple[int, int]:
    """Where the first picture's coded data starts (after its first scan header) and where its end marker is."""
    sos = data.index(b"\xff\xda")
    return sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big"), data.index(b"\xff\xd9", sos)


def _damaged(data: bytes) -> Iterator[tuple[str, bytes]]:
    start, end = _scan_data(data)
    for share in np.linspace(0.02, 0.995, 24):
        at = start + int((end - start) * share)
        yield "cut", data[:at]
        yield "cut, end marker put back", data[:at] + b"\xff\xd9"
    rng = np.random.default_rng(5)
    for share in np.linspace(0.1, 0.9, 6):
        at = start + int((end - start) * share)
        for width in (16, 256):
            yield f"{width} bytes zeroed", data[:at] + bytes(width) + data[at + width :]
        yield "0xFF 0x00 run", data[:at] + b"\xff\x00" * 512 + data[at + 1024 :]
        flipped = bytearray(data)
        for spot in rng.integers(start, end, 3):
            flipped[spot] ^= 0x5A
        yield "3 bytes flipped", bytes(flipped)


def _damage(data: bytes) -> str | None:
    return read_structure(data).problem


def _decode_refuses(data: bytes) -> bool:
    """The check as it was: libjpeg's decode at an eighth of the size, strict."""
    try:
        simplejpeg.decode_jpeg(data, fastdct=True, fastupsample=True, min_width=1, min_height=1)
    except ValueError:
        return True
    return False


def _refuses(check: Callable[[bytes, str], None], data: bytes) -> bool:
    try:
        check(data, "x.jpg")
    except CorruptImageError:
        return True
    return False


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_kind_of_whole_jpeg_passes_both_checks(variant: str) -> None:
    data = VARIANTS[variant]
    structure = read_structure(data)
    assert structure.problem is None
    assert 0 < structure.coded_bytes <= FULL_CHECK_BYTES  # so that the decode runs on the damaged copies below
    assert structure.clean_end is (None if "progressive" in variant else True)
    verify_jpeg(data, "x.jpg")
    verify_jpeg(data + b"\x00 bytes a tool appended after the end", "x.jpg")


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_check_refuses_every_damaged_file_the_decode_refuses(variant: str) -> None:
    for kind, data in _damaged(VARIANTS[variant]):
        if _decode_refuses(data):
            assert _refuses(verify_jpeg, data), f"{variant}, {kind}: sent although libjpeg finds it damaged"


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_markers_alone_refuse_every_cut_file_with_nothing_put_back(variant: str) -> None:
    data = VARIANTS[variant]
    start, end = _scan_data(data)  # of the first picture: an MPO's second one is no service's to read
    for at in [*range(2, start, max(1, start // 40)), *range(start, end + 1, max(1, (end - start) // 60))]:
        assert _damage(data[:at]) is not None, f"{variant} cut at {at} of {len(data)}"


@pytest.mark.parametrize("variant", [name for name in VARIANTS if "restart" in name.lower()])
def test_the_markers_alone_refuse_a_cut_with_the_end_put_back_when_restart_markers_follow(variant: str) -> None:
    """A cut with an end marker put back leaves fewer restart markers than the frame needs,
    wherever it falls before the last one."""
    data = VARIANTS[variant]
    start, _ = _scan_data(data)
    last_restart = max(data.rfind(bytes([0xFF, 0xD0 + m])) for m in range(8))
    assert last_restart > start
    for at in range(start, last_restart, max(1, (last_restart - start) // 50)):
        assert _damage(data[:at] + b"\xff\xd9"), f"{variant} cut at {at}"


@pytest.mark.parametrize("variant", [name for name in VARIANTS if "progressive" in name.lower()])
def test_the_markers_alone_refuse_a_progressive_file_cut_between_its_scans(variant: str) -> None:
    """libjpeg shows such a file as a blurred picture without a word; its scans do not code every bit."""
    data = VARIANTS[variant]
    scans = [i for i in range(len(data) - 1) if data[i : i + 2] == b"\xff\xda"]
    assert len(scans) > 3
    for at in scans[1:]:
        cut = data[:at] + b"\xff\xd9"
        assert "missing scans" in (_damage(cut) or ""), f"{variant} cut before the scan at {at}"
        assert not _decode_refuses(cut)  # what the decode alone lets through


def test_a_large_photo_cut_with_its_end_put_back_is_refused_by_its_restart_markers() -> None:
    """Over the decoding size only the markers check: a camera's restart markers still give the cut away."""
    photo = cv2.resize(_picture(317, 229), (1600, 1200), interpolation=cv2.INTER_CUBIC)
    data = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 92, cv2.IMWRITE_JPEG_RST_INTERVAL, 100])[1].tobytes()
    assert read_structure(data).coded_bytes > FULL_CHECK_BYTES
    verify_jpeg(data, "photo.jpg")
    with pytest.raises(CorruptImageError, match=r"photo.jpg: damaged JPEG \(\d+ restart markers in a scan that needs \d+"):
        verify_jpeg(data[: len(data) // 2] + b"\xff\xd9", "photo.jpg")


#: How many cuts of the photo are tried.
CUTS = 64


@pytest.mark.parametrize(("mode", "at_least"), [("RGB", 0.4), ("L", 0.8)])
def test_a_large_photo_cut_with_its_end_put_back_is_mostly_refused_by_how_it_ends(mode: str, at_least: float) -> None:
    """Without restart markers, a cut's last bits are rarely an encoder's end (the last block's
    end-of-block code, then 1-bits): those files are decoded, whatever their size, and refused.
    A colour photo's end-of-block code is two bits, a greyscale one's four: one cut in two and
    one in sixteen look whole by chance. Sixty-four cuts, so that chance does not decide the share:
    sixteen gave 5 refused of a colour photo's cuts once a release of the encoder changed its bytes
    (64 give 35 of 65, and 57 of 65 of a greyscale one's)."""
    grainy = cv2.resize(_picture(317, 229), (1200, 900), interpolation=cv2.INTER_CUBIC) + np.random.default_rng(6).normal(0, 9, (900, 1200, 3))
    data = _pillow(Image.fromarray(np.clip(grainy, 0, 255).astype(np.uint8)).convert(mode))
    start, end = _scan_data(data)
    assert read_structure(data).clean_end
    refused = 0
    # from one byte over the decoding size: a file of exactly that much coded data is decoded whatever its end
    cuts = range(start + FULL_CHECK_BYTES + 1, end - 1, (end - start - FULL_CHECK_BYTES) // CUTS)
    for at in cuts:
        cut = data[:at] + b"\xff\xd9"
        structure = read_structure(cut)
        assert structure.problem is None  # the markers alone see nothing wrong
        assert _refuses(verify_jpeg, cut) is (structure.clean_end is False)
        refused += structure.clean_end is False
    assert refused >= at_least * len(cuts), (refused, len(cuts))


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda d: d.replace(b"\xff\xdb\x00\x43", b"\xff\xdb\xff\xf0", 1), "runs past the end of the file"),
        (lambda d: d[: d.index(b"\xff\xda")] + b"\xff\xd9", "ends before any image data"),
        (lambda d: _without_segment(d, b"\xff\xc0"), "image data before the frame header"),
        (lambda d: d[:2] + b"\x00" + d[2:], "a byte other than a marker at offset 2"),
        (lambda d: d[:-2] + b"\xff\xd8" + d[-2:], "a second start-of-image"),
        (lambda d: _swap_restarts(d), "restart marker 1 out of sequence"),
    ],
)
def test_the_markers_name_the_damage(damage: Callable[[bytes], bytes], says: str) -> None:
    data = VARIANTS["restart every 7 MCUs"]
    with pytest.raises(CorruptImageError, match=f"cut.jpg: damaged JPEG \\(.*{says}"):
        verify_jpeg(damage(data), "cut.jpg")


def _without_segment(data: bytes, marker: bytes) -> bytes:
    at = data.index(marker)
    return data[:at] + data[at + 2 + int.from_bytes(data[at + 2 : at + 4], "big") :]


def _swap_restarts(data: bytes) -> bytes:
    first, second = data.index(b"\xff\xd0"), data.index(b"\xff\xd1")
    swapped = bytearray(data)
    swapped[first + 1], swapped[second + 1] = 0xD1, 0xD0
    return bytes(swapped)
