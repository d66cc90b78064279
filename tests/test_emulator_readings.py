"""The emulators answer an image they were sent lately from memory: the offline engine reads it
the same every time, and a retrying client, a resumed batch or the emulators of one comparison
send the same image again and again."""

from __future__ import annotations

import pytest

from unified_ocr import emulator
from unified_ocr_kakao import KakaoEmulator

from .conftest import SAMPLE

pytest.importorskip("rapidocr", reason="needs the offline engine: pip install 'unified-ocr[local]'")


@pytest.mark.slow
def test_an_image_read_lately_is_answered_from_memory_by_every_emulator() -> None:
    image = SAMPLE.read_bytes()
    first = KakaoEmulator().recognize(image)
    assert first.text.strip()
    assert KakaoEmulator(key="another").recognize(image) is first  # another emulator, the same process
    assert len(emulator._READINGS) <= emulator._READINGS_KEPT
