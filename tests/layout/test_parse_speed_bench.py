"""The parse benchmark's floor builds what the parser built: the same pages, lines, words, blocks
and fields (tables left out), from values already read (benchmarks/parse_speed.py)."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import attrs
import pytest

import unified_ocr

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import parse_speed  # noqa: E402  (benchmarks/ is no package: its scripts import each other by name)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize(
    ("vendor", "name"),
    [("kakao", "mserver-vision-legacy.json"), ("clova", "agtm-receipt-1-hansot.json"),
     ("upstage", "cookbook-miney-document-parse-bh-1.json.gz"), ("azure", "fr20-labeling-ocr-invoice-1.json")],
)  # fmt: skip
def test_the_floor_builds_the_result_the_parser_built(vendor: str, name: str) -> None:
    data = (FIXTURES / vendor / name).read_bytes()
    result = unified_ocr.parse(json.loads(gzip.decompress(data) if name.endswith(".gz") else data), vendor)
    rebuilt = parse_speed.rebuilding(result)()
    assert rebuilt is not result and rebuilt.pages
    expected = [attrs.evolve(page, tables=()) for page in result.pages]
    assert list(rebuilt.pages) == expected
    assert sum(len(page.words) for page in rebuilt.pages) > 0
