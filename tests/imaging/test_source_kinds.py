"""Whatever is passed as a source, a wrong one is a typed input error that says what is accepted."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest

import unified_ocr
from unified_ocr import ImageNotFoundError, InputError, InvalidSourceError, UnsupportedImageError
from unified_ocr.imaging.sources import open_source

from ..conftest import SAMPLE


@pytest.mark.parametrize("wrong", [None, 5, 3.5, [str(SAMPLE)], {"path": str(SAMPLE)}])
def test_things_that_are_not_sources_are_input_errors_saying_what_is_accepted(wrong) -> None:
    with pytest.raises(InvalidSourceError, match="pass a path, bytes, a binary file object") as info:
        unified_ocr.recognize(wrong)
    assert isinstance(info.value, InputError) and isinstance(info.value, TypeError)


def test_text_mode_and_closed_files_are_input_errors(tmp_path) -> None:
    with open(SAMPLE, encoding="latin-1") as text:
        with pytest.raises(InvalidSourceError, match="text mode"):
            open_source(text)
    closed = open(SAMPLE, "rb")
    closed.close()
    with pytest.raises(InvalidSourceError, match="cannot be read"):
        open_source(closed)
    assert open_source(io.BytesIO(SAMPLE.read_bytes())).info.format == "png"  # noqa: SIM115


def test_paths_that_are_not_image_files_say_what_they_are(tmp_path) -> None:
    with pytest.raises(ImageNotFoundError, match="an empty path"):
        unified_ocr.recognize("")
    with pytest.raises(ImageNotFoundError, match="a folder, not a file"):
        open_source(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ImageNotFoundError, match="not a regular file"):
        open_source(fifo)


def test_the_pixel_guard_covers_arrays() -> None:
    big = np.broadcast_to(np.zeros((1, 1, 3), np.uint8), (14_000, 13_000, 3))  # 182 MP, no memory used
    with pytest.raises(UnsupportedImageError, match="13000x14000 is over the 180,000,000 pixel limit"):
        open_source(big)
    assert open_source(big, max_pixels=200_000_000).info.width == 13_000
