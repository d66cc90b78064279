"""Detection figures by the ICDAR 2015 rules: pinned on a hand-computed set, and equal to a
line-for-line reading of the official script (Challenge 4, Task 4.1) on random pages."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unified_ocr import Quad
from unified_ocr.evaluation.detection import DetectionScore, match_page

from .icdar15_reference import reference_icdar15


def ours(pages: list[tuple[list[tuple[Quad, str]], list[Quad]]]) -> dict[str, float]:
    score = DetectionScore()
    for gts, dets in pages:
        score.update([q for q, _ in gts], [t for _, t in gts], dets, [""] * len(dets), str)
    return {k: v for k, v in score.summary().items() if k in ("precision", "recall", "hmean", "matched", "truth_care", "detection_care")}


def turned(cx: float, cy: float, w: float, h: float, degrees: float) -> Quad:
    t = math.radians(degrees)
    u, v = (math.cos(t), math.sin(t)), (-math.sin(t), math.cos(t))
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    return Quad([(cx + a * u[0] + b * v[0], cy + a * u[1] + b * v[1]) for a, b in corners])


# A set small enough to score by hand (figures below), with each rule in it.
HELLO = Quad.from_bbox(0, 0, 100, 20)
DONT_CARE_REGION = Quad.from_bbox(0, 40, 100, 60)
SIGN = turned(300, 100, 120, 30, 30)  # a rotated word
WORD = Quad.from_bbox(0, 0, 100, 20)
PAGES = [
    (
        [(HELLO, "HELLO"), (DONT_CARE_REGION, "###"), (SIGN, "SIGN")],
        [
            Quad.from_bbox(2, 1, 101, 21),  # HELLO: IoU about 0.95
            Quad.from_bbox(10, 42, 90, 58),  # inside the do-not-care region: not counted either way
            turned(302, 101, 118, 30, 31),  # the rotated word, found turned a degree more
            Quad.from_bbox(500, 500, 560, 520),  # nothing there: a false detection
        ],
    ),
    (
        [(WORD, "WORD")],
        [Quad.from_bbox(0, 0, 60, 20), Quad.from_bbox(40, 0, 100, 20)],  # one word split in two: IoU 0.6 each
    ),
    ([], [Quad.from_bbox(0, 0, 10, 10)]),  # no truth at all: the detection is false
]


def test_the_hand_computed_set() -> None:
    """Page 1: care truth HELLO and SIGN, care detections 3 (the one in ### is not counted), matched 2.
    Page 2: the split word matches its first half only (one to one); the second half is false.
    Page 3: one false detection. Sum: matched 3, care truth 3, care detections 6."""
    got = ours(PAGES)
    assert (got["matched"], got["truth_care"], got["detection_care"]) == (3, 3, 6)
    assert got["recall"] == 1.0 and got["precision"] == 0.5 and got["hmean"] == pytest.approx(2 / 3)
    assert got == pytest.approx(reference_icdar15(PAGES))


def test_page_figures_follow_the_scripts_conventions_for_empty_pages() -> None:
    assert match_page([], [], []).figures() == {"precision": 1.0, "recall": 1.0, "hmean": 1.0}
    assert match_page([], [], [WORD]).figures() == {"precision": 0.0, "recall": 1.0, "hmean": 0.0}
    assert match_page([WORD], ["WORD"], []).figures() == {"precision": 0.0, "recall": 0.0, "hmean": 0.0}
    only_dont_care = match_page([WORD], ["###"], [WORD])
    assert only_dont_care.detection_dont_care == (True,) and only_dont_care.figures()["precision"] == 1.0


def test_an_iou_of_exactly_one_half_does_not_match() -> None:
    """The script asks for IoU > 0.5: two halves of a word each overlap it by exactly 0.5."""
    page = match_page([WORD], ["WORD"], [Quad.from_bbox(0, 0, 50, 20), Quad.from_bbox(50, 0, 100, 20)])
    assert page.matched == 0


def test_end_to_end_counts_matched_pairs_that_read_alike() -> None:
    score = DetectionScore()
    _, e2e = score.update([HELLO, SIGN], ["HELLO", "SIGN"], [HELLO, SIGN], ["hello", "SlGN"], str.casefold)
    assert e2e == 1 and score.summary()["e2e_precision"] == 0.5 and score.summary()["hmean"] == 1.0


boxes = st.builds(
    turned,
    st.floats(0, 400), st.floats(0, 300), st.floats(4, 160), st.floats(4, 40), st.sampled_from([0, 0, 0, 5, -12, 30, 90, 180]),
)  # fmt: skip


@st.composite
def pages(draw: st.DrawFn) -> list[tuple[list[tuple[Quad, str]], list[Quad]]]:
    out = []
    for _ in range(draw(st.integers(1, 3))):
        truth = [(q, draw(st.sampled_from(["word", "word", "word", "###"]))) for q in draw(st.lists(boxes, max_size=12))]
        detections = draw(st.lists(boxes, max_size=12))
        # detections near the truth, so that matches, splits and do-not-care overlaps happen often
        for q, _ in truth:
            if draw(st.booleans()):
                dx, dy, grow = draw(st.floats(-8, 8)), draw(st.floats(-4, 4)), draw(st.floats(0.7, 1.3))
                c = q.center
                detections.append(turned(c[0] + dx, c[1] + dy, q.width * grow, q.height, q.angle + draw(st.floats(-5, 5))))
        out.append((truth, draw(st.permutations(detections))))
    return out


@settings(max_examples=300, deadline=None)
@given(pages())
def test_figures_equal_the_official_rules_on_random_pages(sample) -> None:
    assert ours(sample) == pytest.approx(reference_icdar15(sample), abs=1e-12)
