"""The label filters: each drops for its own reason, and the charset can replace instead."""

from __future__ import annotations

import pytest

from unified_ocr import ConfigError, Quad
from unified_ocr.datasets import Filters, Region, read_charset, split_of
from unified_ocr.datasets.splits import parse_split

QUAD = Quad.from_bbox(0, 0, 40, 10)


def region(label: str, *confidences: float | None) -> Region:
    return Region(QUAD, label, "word", 0, tuple(f"e{k}" for k in range(len(confidences))), confidences)


def test_each_filter_drops_for_its_reason(tmp_path) -> None:
    charset = tmp_path / "dict.txt"
    charset.write_text("가\n나\n다\n1\n2\n \n", encoding="utf-8")
    chars = read_charset(charset)
    assert chars == frozenset("가나다12 ")
    assert Filters(charset=chars).label(region("가나"))[:2] == ("가나", None)
    assert Filters(charset=chars).label(region("가X"))[:2] == (None, "outside-charset")
    assert Filters(charset=chars, replace="?").label(region("가X")) == ("가?", None, True)
    assert Filters(pattern=r"\d+").label(region("12a"))[1] == "pattern"
    assert Filters(pattern=r"\d+").label(region("12"))[1] is None
    assert Filters(min_confidence=0.9).label(region("가", 0.95, 0.5))[1] == "low-confidence"  # the lowest of the engines counts
    assert Filters(min_confidence=0.9).label(region("가", 0.95, None))[1] == "low-confidence"  # one gave none: not trusted
    assert Filters(min_confidence=0.9).label(Region(QUAD, "truth", "word"))[1] is None  # truth has no confidence to doubt
    assert Filters(min_length=3).label(region("가나"))[1] == "too-short"
    assert Filters(max_length=3).label(region("가나다라"))[1] == "too-long"
    assert Filters().label(region("  "))[1] == "empty-label"
    assert Filters().label(region("a\x00b"))[1] == "control-character"
    assert Filters().label(region("###"))[1] == "do-not-care"
    assert Filters(min_height=12).size(10.0) == "too-small" and Filters(min_height=12).size(12.0) is None


def test_bad_settings_are_refused_with_what_to_do() -> None:
    with pytest.raises(ConfigError, match="one character"):
        Filters(replace="ab")
    with pytest.raises(ConfigError, match="not a regular expression"):
        Filters(pattern="([")
    with pytest.raises(ConfigError, match="keep, rotate, drop"):
        Filters(vertical="flip")
    for text, message in (("train=0.5", "sum to 0.5"), ("train=x", "NAME=SHARE"), ("a=0.5,a=0.5", "named twice"), ("../x=1", "plain name")):
        with pytest.raises(ConfigError, match=message):
            parse_split(text)


def test_splits_follow_the_image_bytes_and_the_seed_only() -> None:
    shares = parse_split("train=0.8,val=0.2")
    digests = [f"{k:064x}" for k in range(2000)]
    first = [split_of(d, 0, shares) for d in digests]
    assert first == [split_of(d, 0, shares) for d in digests]  # stable
    assert abs(first.count("train") / len(first) - 0.8) < 0.04  # in the shares asked for
    assert first != [split_of(d, 1, shares) for d in digests]  # another seed, another draw
