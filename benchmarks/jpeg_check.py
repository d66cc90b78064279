"""Which damage each check on a JPEG sent as it is finds, and what each costs (run by hand).

    python benchmarks/jpeg_check.py [--width 2000] [--height 1500]

Checks: the probe (Pillow's header read and an end marker after the scan start), the marker
walk (``imaging.jpeg_markers``), libjpeg-turbo's decode at an eighth of the size (the check
before), and ``verify_jpeg`` as it ships (markers, then the decode when the coded data is
up to ``FULL_CHECK_BYTES``). Each kind of JPEG is damaged the ways files are: cut at 40
offsets with and without an end marker put back, 16/256/4096 bytes zeroed, a 0xFF 0x00
run, three bytes flipped, at 17 places in the coded data. A column counts the files that
the probe or that check refuses.
"""

from __future__ import annotations

import argparse
import collections
import io
from collections.abc import Callable, Iterator

import numpy as np
import simplejpeg
from PIL import Image
from prepare_bench import _photo  # benchmarks/, beside this script
from timing import best_of

from unified_ocr import InputError
from unified_ocr.imaging.jpeg_markers import read_structure
from unified_ocr.imaging.sources import FULL_CHECK_BYTES, probe, verify_jpeg


def variants(width: int, height: int) -> dict[str, bytes]:
    rgb = Image.fromarray(np.ascontiguousarray(_photo(width, height)[:, :, ::-1]))

    def save(image: Image.Image, **options: object) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=90, **options)
        return buffer.getvalue()

    exif = Image.Exif()
    exif[0x0112] = 6
    return {
        "baseline": save(rgb),
        "progressive": save(rgb, progressive=True),
        "restart every row": save(rgb, restart_marker_rows=1),
        "progressive, restarts": save(rgb, progressive=True, restart_marker_blocks=64),
        "greyscale": save(rgb.convert("L")),
        "CMYK": save(rgb.convert("CMYK")),
        "EXIF": save(rgb, exif=exif.tobytes()),
    }


def damaged(data: bytes) -> Iterator[tuple[str, bytes]]:
    sos = data.index(b"\xff\xda")
    start, end = sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big"), data.rindex(b"\xff\xd9")
    for share in np.linspace(0.02, 0.995, 40):
        at = start + int((end - start) * share)
        yield "cut", data[:at]
        yield "cut, end put back", data[:at] + b"\xff\xd9"
    rng = np.random.default_rng(0)
    for share in np.linspace(0.1, 0.9, 17):
        at = start + int((end - start) * share)
        for width in (16, 256, 4096):
            yield f"{width} bytes zeroed", data[:at] + bytes(width) + data[at + width :]
        yield "0xFF 0x00 run", data[:at] + b"\xff\x00" * 2048 + data[at + 4096 :]
        flipped = bytearray(data)
        for spot in rng.integers(start, end, 3):
            flipped[spot] ^= 0x5A
        yield "3 bytes flipped", bytes(flipped)


def _refused(check: Callable[[bytes], object], data: bytes) -> bool:
    try:
        check(data)
    except (InputError, ValueError):
        return True
    return False


def _decode(data: bytes) -> None:
    simplejpeg.decode_jpeg(data, fastdct=True, fastupsample=True, min_width=1, min_height=1)


def _markers(data: bytes) -> None:
    problem = read_structure(data).problem
    if problem:
        raise ValueError(problem)


CHECKS: dict[str, Callable[[bytes], object]] = {
    "markers": _markers,
    "decode 1/8": _decode,
    "verify_jpeg": lambda data: verify_jpeg(data, "x.jpg"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=2000)
    parser.add_argument("--height", type=int, default=1500)
    args = parser.parse_args()
    print(f"{args.width}x{args.height}; verify_jpeg decodes when the coded data is up to {FULL_CHECK_BYTES // 1024} KiB")
    for name, data in variants(args.width, args.height).items():
        costs = ", ".join(f"{check} {best_of(lambda c=fn, d=data: c(d), 7) * 1e3:.2f} ms" for check, fn in CHECKS.items())
        print(f"\n{name}: {len(data) / 1e3:.0f} kB, coded {read_structure(data).coded_bytes / 1e3:.0f} kB; {costs}")
        tally: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        for kind, bad in damaged(data):
            by_probe = _refused(lambda d: probe(d, "x.jpg"), bad)
            tally[kind]["files"] += 1
            tally[kind]["probe"] += by_probe
            for check, fn in CHECKS.items():
                tally[kind][check] += by_probe or _refused(fn, bad)
        print(f"  {'damage':<18} {'files':>5} {'probe':>6} " + " ".join(f"{check:>12}" for check in CHECKS))
        for kind, counts in tally.items():
            print(f"  {kind:<18} {counts['files']:5} {counts['probe']:6} " + " ".join(f"{counts[check]:12}" for check in CHECKS))


if __name__ == "__main__":
    main()
