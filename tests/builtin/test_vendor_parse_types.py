"""The six cloud readers build words, lines, quads and blocks without the model's converters
(issue 28): what they build must still be exactly what the model holds, whatever number types
an answer writes its values in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import unified_ocr
from unified_ocr import Block, Line, OcrResult, Quad, Word

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VENDORS = ("clova", "kakao", "google", "azure", "textract", "upstage")


def _answers() -> list[tuple[str, str]]:
    found = []
    for vendor in VENDORS:
        for path in sorted((FIXTURES / vendor).glob("*.json")):
            try:
                unified_ocr.parse(json.loads(path.read_text(encoding="utf-8")), vendor)
            except unified_ocr.UnifiedOcrError:
                continue  # an error body, a web demo's: refused on purpose, and tested where it is
            found.append((vendor, path.name))
    return found


ANSWERS = _answers()


def _assert_model_types(result: OcrResult) -> None:
    def quad_ok(quad: Any) -> None:
        assert type(quad) is Quad and len(quad.points) == 4
        assert all(type(point) is tuple and len(point) == 2 and all(type(v) is float for v in point) for point in quad.points)

    def score_ok(score: Any) -> None:
        assert score is None or (type(score) is float and 0.0 <= score <= 1.0)

    def line_ok(line: Any) -> None:
        assert type(line) is Line and type(line.text) is str and type(line.words) is tuple and line.dont_care is False
        quad_ok(line.quad)
        score_ok(line.confidence)
        for word in line.words:
            assert type(word) is Word and type(word.text) is str and word.dont_care is False
            quad_ok(word.quad)
            score_ok(word.confidence)

    for page in result.pages:
        for line in page.lines:
            line_ok(line)
        for block in page.blocks:
            assert type(block) is Block and type(block.start) is int and type(block.end) is int and type(block.kind) is str
            if block.quad is not None:
                quad_ok(block.quad)
        for table in page.tables:
            for cell in table.cells:
                for line in cell.lines:
                    line_ok(line)


def _retyped(value: Any, to_float: bool) -> Any:
    """``value`` with every whole number written the other way: ints as floats (``12.0``), or
    floats that are whole as ints (``695.0`` as ``695``), as another client or API version may."""
    if isinstance(value, dict):
        return {k: _retyped(v, to_float) for k, v in value.items()}
    if isinstance(value, list):
        return [_retyped(v, to_float) for v in value]
    if to_float and type(value) is int:
        return float(value)
    if not to_float and type(value) is float and value.is_integer():
        return int(value)
    return value


@pytest.mark.parametrize(("vendor", "name"), ANSWERS)
def test_a_recorded_answer_reads_into_exactly_the_models_types(vendor: str, name: str) -> None:
    raw = json.loads((FIXTURES / vendor / name).read_text(encoding="utf-8"))
    result = unified_ocr.parse(raw, vendor)
    _assert_model_types(result)
    assert OcrResult.from_dict(result.to_dict()).pages == result.pages  # what the public constructors make of it


@pytest.mark.parametrize(("vendor", "name"), ANSWERS)
@pytest.mark.parametrize("to_float", [True, False], ids=["ints-as-floats", "whole-floats-as-ints"])
def test_an_answer_reads_the_same_whatever_its_numbers_types(vendor: str, name: str, to_float: bool) -> None:
    raw = json.loads((FIXTURES / vendor / name).read_text(encoding="utf-8"))
    result = unified_ocr.parse(raw, vendor)
    variant = unified_ocr.parse(_retyped(raw, to_float), vendor)
    _assert_model_types(variant)
    assert variant.pages == result.pages
