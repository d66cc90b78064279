"""The offline engine keeps the narrow spaces its recogniser half-sees (``TOTAL : 9.00``, not ``TOTAL: 9.00``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

import unified_ocr
from unified_ocr.drawing.fonts import font_folders, open_font

pytest.importorskip("rapidocr")

from rapidocr.ch_ppocr_rec.utils import CTCLabelDecode  # noqa: E402

from unified_ocr_rapidocr.spaces import SPACE_WEIGHT, SpaceFavouringDecoder  # noqa: E402

#: Label-value rows as receipts print them, a narrow space around the punctuation.
ROWS = ("TOTAL : 9.00", "TEL : 07-5547360 / 016-7993391", "INV# 003281900", "CASH : 100.00",
        "Total Sales (RM) : 80.91", "WA43-A - 24", "GST ID : 000849", "FAX : 07-5624059")  # fmt: skip


def frames(decoder: CTCLabelDecode, *columns: dict[str, float]) -> np.ndarray:
    """A recogniser's output for one line: one frame per column, each a probability per character
    (``"blank"``: nothing here), whatever a column leaves over going to the blank."""
    preds = np.zeros((1, len(columns), len(decoder.character)), dtype=np.float32)
    for t, column in enumerate(columns):
        for char, p in column.items():
            preds[0, t, decoder.dict[char]] = p
        preds[0, t, 0] += 1 - sum(column.values())
    return preds


@pytest.fixture(scope="module")
def decoder() -> CTCLabelDecode:
    return CTCLabelDecode(character=list("ABT:0123456789"))


def test_a_space_the_frame_gives_over_a_quarter_of_the_blank_is_kept(decoder: CTCLabelDecode) -> None:
    preds = frames(decoder, {"T": 0.99}, {}, {" ": 0.35}, {":": 0.98}, {}, {"9": 0.97})
    [(plain, _)], _ = decoder(preds)
    [(text, score)], _ = SpaceFavouringDecoder(decoder, decoder.dict[" "], SPACE_WEIGHT)(preds)
    assert plain == "T:9"  # the blank's 0.65 wins the frame as RapidOCR decodes it
    assert text == "T :9"
    assert score == pytest.approx((0.99 + 0.35 + 0.98 + 0.97) / 4, abs=1e-4)  # the space keeps its own probability


def test_a_faint_space_and_everything_else_stay_as_decoded(decoder: CTCLabelDecode) -> None:
    preds = frames(decoder, {"A": 0.9}, {" ": 0.15}, {"B": 0.6, "8": 0.3}, {"B": 0.5}, {}, {"0": 0.45, " ": 0.1})
    assert SpaceFavouringDecoder(decoder, decoder.dict[" "], SPACE_WEIGHT)(preds)[0] == decoder(preds)[0]


def test_words_split_at_a_kept_space(decoder: CTCLabelDecode) -> None:
    preds = frames(decoder, {"A": 0.99}, {}, {"B": 0.99}, {" ": 0.4}, {"1": 0.99}, {}, {"2": 0.99})
    [(text, _)], [info] = SpaceFavouringDecoder(decoder, decoder.dict[" "], SPACE_WEIGHT)(
        preds, True, wh_ratio_list=[2.0], max_wh_ratio=2.0)  # fmt: skip
    assert text == "AB 12"
    assert info.words == [["A", "B"], ["1", "2"]]


def _font(name: str) -> Path:
    for folder in font_folders():
        found = next(folder.rglob(name), None) if folder.is_dir() else None
        if found is not None:
            return found
    pytest.skip(f"{name} is not installed")


@pytest.mark.slow
def test_the_engine_reads_label_value_rows_with_their_spaces() -> None:
    font = open_font(_font("DejaVuSans.ttf"), 16)
    page = Image.new("L", (700, 40 + 32 * len(ROWS)), 255)
    draw = ImageDraw.Draw(page)
    for k, row in enumerate(ROWS):
        draw.text((20, 20 + 32 * k), row, font=font, fill=0)
    lines = [line.text for line in unified_ocr.recognize(np.array(page), "rapidocr", cache=False).pages[0].lines]
    exact = [row for row in ROWS if row in lines]
    assert len(exact) >= 6, lines  # 4 of 8 with RapidOCR's own decoding: "CASH:100.00", "FAX:07-5624059"
    assert {"CASH : 100.00", "GST ID : 000849"} <= set(exact), lines
