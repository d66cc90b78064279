"""The confusion table: every edit of the alignment CER counts, tallied as ``truth -> read``,
at character level and, for Hangul, at jamo level by position, each with its worst image."""

from __future__ import annotations

from unified_ocr import Line, OcrResult, Page, Quad, Word
from unified_ocr.evaluation.confusions import ConfusionsMetric, ConfusionTable, jamo_edits, syllable_jamo
from unified_ocr.evaluation.normalize import Normalization

#: (image, truth, read): each alignment has one minimal form, worked out by hand below
PAGES = [
    ("a.png", "서울 어린이 0", "서울 오린이 O"),  # 어->오, 0->O: 2 edits of 8 characters, CER 0.25
    ("b.png", "값이 어디", "갑이 오디"),  # 값->갑 (final ㅄ->ㅂ), 어->오: 2 of 5, CER 0.4
    ("c.png", "각 하나", "가 하나!"),  # 각->가 (final ㄱ lost), ! inserted: 2 of 4, CER 0.5
    ("d.png", "ABC", "AC"),  # B lost: 1 of 3, CER 1/3
    ("e.png", "같다", "같다"),  # read right: no edits
]


def rows(table: list[dict[str, object]], *keys: str) -> list[tuple[object, ...]]:
    return [tuple(row[k] for k in keys) for row in table]


def test_a_known_alignment_gives_the_table_computed_by_hand() -> None:
    """By hand: 어->오 occurs twice (a.png at CER 0.25, b.png at 0.4: the worst is b.png);
    every other edit once. Equal counts go worst image first (c.png 0.5, b.png 0.4, d.png
    1/3, a.png 0.25), then by kind (insertion before substitution). At jamo level, 어->오 is
    ㅓ->ㅗ in the medial place twice; 각->가 loses the final ㄱ; 값->갑 reads the final ㅄ as ㅂ."""
    table = ConfusionTable()
    for image, truth, read in PAGES:
        table.update(image, truth, read)
    summary = table.summary()
    assert (summary["images"], summary["edits"]) == (5, 7)
    assert rows(summary["characters"], "kind", "truth", "read", "count", "example") == [
        ("substitution", "어", "오", 2, "b.png"),
        ("insertion", "", "!", 1, "c.png"),
        ("substitution", "각", "가", 1, "c.png"),
        ("substitution", "값", "갑", 1, "b.png"),
        ("deletion", "B", "", 1, "d.png"),
        ("substitution", "0", "O", 1, "a.png"),
    ]
    assert rows(summary["jamo"], "kind", "truth", "read", "position", "count", "example") == [
        ("substitution", "ㅓ", "ㅗ", "medial", 2, "b.png"),
        ("deletion", "ㄱ", "", "final", 1, "c.png"),
        ("substitution", "ㅄ", "ㅂ", "final", 1, "b.png"),
    ]
    assert rows(summary["worst_images"], "image", "edits", "chars") == [
        ("c.png", 2, 4),
        ("b.png", 2, 5),
        ("d.png", 1, 3),
        ("a.png", 2, 8),
    ]
    assert [w["cer"] for w in summary["worst_images"]] == [0.5, 0.4, 1 / 3, 0.25]


def test_jamo_are_compared_place_by_place_so_an_initial_and_a_final_consonant_stay_apart() -> None:
    assert syllable_jamo("강") == ("ㄱ", "ㅏ", "ㅇ") and syllable_jamo("힣") == ("ㅎ", "ㅣ", "ㅎ")
    assert jamo_edits("안", "잔") == [("substitution", "ㅇ", "ㅈ", "initial")]
    assert jamo_edits("강", "갖") == [("substitution", "ㅇ", "ㅈ", "final")]
    assert jamo_edits("가", "각") == [("insertion", "", "ㄱ", "final")]
    assert jamo_edits("뭐", "와") == [("substitution", "ㅁ", "ㅇ", "initial"), ("substitution", "ㅝ", "ㅘ", "medial")]
    assert jamo_edits("가", "A") == [] and jamo_edits("가", "") == []  # a syllable lost whole is a character edit only


def test_only_the_top_fifty_are_kept_and_an_empty_truth_read_as_something_is_the_worst() -> None:
    table = ConfusionTable()
    table.update("many.png", "".join(chr(0x41 + k) for k in range(60)), "".join(chr(0x61 + k) for k in range(60)))
    table.update("blank.png", "", "x")
    summary = table.summary()
    assert len(summary["characters"]) == 50 and summary["edits"] == 61
    assert summary["worst_images"][0] == {"image": "blank.png", "cer": None, "edits": 1, "chars": 0}


def result(text: str, source: str | None = None) -> OcrResult:
    quad = Quad.from_bbox(0, 0, 100, 20)
    page = Page(0, 100, 20, (Line(text, quad, (Word(text, quad, None),), None),))
    return OcrResult("test", (page,), meta={"source": source} if source else {})


def test_the_metric_names_images_by_their_source_and_leaves_failed_readings_out() -> None:
    metric = ConfusionsMetric(Normalization())
    assert metric.summary() is None
    assert metric.update(result("어린이"), result("오린이", "scans/a.png")) == {}
    assert metric.update(result("어른"), None) == {}  # failed: its lost text is no confusion
    summary = metric.summary()
    assert summary is not None and (summary["images"], summary["failed_images"]) == (1, 1)
    assert rows(summary["characters"], "truth", "read", "example") == [("어", "오", "scans/a.png")]


def test_under_the_jamo_normalisation_each_jamo_edit_keeps_its_place() -> None:
    metric = ConfusionsMetric(Normalization(jamo=True))
    metric.update(result("어린이 각"), result("오린이 가", "a.png"))
    summary = metric.summary()
    assert summary is not None
    assert rows(summary["jamo"], "kind", "truth", "read", "position") == [
        ("deletion", "ㄱ", "", "final"),
        ("substitution", "ㅓ", "ㅗ", "medial"),
    ]
    assert summary["edits"] == 2  # one jamo each, not a syllable each
