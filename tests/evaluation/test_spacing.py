"""Spacing is scored apart from the characters: CER with whitespace removed, and the spacing
error rate (spaces inserted and lost, from the alignment CER counts, over the truth's spaces)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.text import TextScore, score_text

FATHER = "아버지가 방에 들어가신다"  # "Father enters the room"
BAG = "아버지 가방에 들어가신다"  # the same syllables spaced one place off: "Father enters the bag"


def test_every_syllable_right_but_spaced_wrongly_is_told_from_a_misreading() -> None:
    """By hand: both texts have 13 characters, 11 syllables and 2 spaces. The alignment
    inserts a space after 아버지 and loses the one after 가: 2 edits, one space inserted and
    one lost, so CER = 2/13 and the spacing error rate = (1 + 1) / 2 = 1.0, while the
    syllables, read without spaces, are all right: CER without spaces = 0/11. Words:
    아버지가 방에 들어가신다 against 아버지 가방에 들어가신다, 2 of 3 wrong."""
    page = score_text(FATHER, BAG, Normalization())
    assert (page.char_edits, page.chars, page.space_insertions, page.space_deletions, page.spaces) == (2, 13, 1, 1, 2)
    assert page.cer == 2 / 13 and page.spacing_error_rate == 1.0
    assert (page.char_edits_no_spaces, page.chars_no_spaces, page.cer_no_spaces) == (0, 11, 0.0)
    assert page.wer == 2 / 3
    # one syllable misread, spaced right: 방에 read as 방애 (ㅔ for ㅐ): CER 1/13 and 1/11 without spaces, spacing 0
    misread = score_text(FATHER, "아버지가 방애 들어가신다", Normalization())
    assert (misread.cer, misread.cer_no_spaces, misread.spacing_error_rate) == (1 / 13, 1 / 11, 0.0)
    assert page.figures()["spacing_error_rate"] == 1.0 and misread.figures()["cer_no_spaces"] == 1 / 11


def test_a_space_read_as_a_character_is_lost_and_a_character_read_as_a_space_is_inserted() -> None:
    lost = score_text("ab cd", "abxcd", Normalization())  # the space substituted: lost
    assert (lost.space_insertions, lost.space_deletions, lost.spaces, lost.char_edits) == (0, 1, 1, 1)
    inserted = score_text("abcde", "ab de", Normalization())  # c substituted by a space: inserted
    assert (inserted.space_insertions, inserted.space_deletions, inserted.spaces) == (1, 0, 0)
    assert inserted.spacing_error_rate is None  # no spaces in the truth: nothing to divide by
    # without collapsing, a line break read as a space is a character edit but no spacing error
    kept = score_text("ab\ncd", "ab cd", Normalization(collapse_whitespace=False))
    assert (kept.char_edits, kept.space_insertions, kept.space_deletions, kept.spacing_error_rate) == (1, 0, 0, 0.0)


def test_where_the_normalisation_drops_whitespace_spacing_is_not_scored() -> None:
    page = score_text(FATHER, BAG, Normalization(drop_whitespace=True))
    assert page.spaces == 0 and page.spacing_error_rate is None
    assert page.cer == page.cer_no_spaces == 0.0
    score = TextScore(Normalization(drop_whitespace=True))
    score.update(FATHER, BAG)
    assert score.summary()["spacing_error_rate"] is None and score.summary()["cer_no_spaces"] == 0.0


def test_the_summary_sums_the_counts_over_pages_before_dividing() -> None:
    score = TextScore(Normalization())
    score.update(FATHER, BAG)  # 2 space errors of 2 spaces, 0 of 11 syllables
    score.update("서울 부산 대구", "서울 부산 대구")  # 0 of 2 spaces, 0 of 6
    score.update("하나", "하 나")  # 1 inserted, no spaces, 0 of 2
    summary = score.summary()
    assert (summary["spaces"], summary["space_insertions"], summary["space_deletions"]) == (4, 2, 1)
    assert summary["spacing_error_rate"] == 3 / 4 and summary["cer_no_spaces"] == 0.0
    assert summary["cer"] == (2 + 0 + 1) / (13 + 8 + 2)  # CER as before


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text("ab 가\n", max_size=25), st.text("ab 가\n", max_size=25)), max_size=4))
def test_cer_is_unchanged_and_the_no_space_cer_is_levenshtein_without_whitespace(pairs: list[tuple[str, str]]) -> None:
    norm = Normalization()
    for truth, read in pairs:
        page = score_text(truth, read, norm)
        t, r = norm.apply(truth), norm.apply(read)
        assert page.char_edits == Levenshtein.distance(t, r)
        bare_t, bare_r = "".join(t.split()), "".join(r.split())
        assert (page.char_edits_no_spaces, page.chars_no_spaces) == (Levenshtein.distance(bare_t, bare_r), len(bare_t))
        assert page.spaces == t.count(" ") and page.space_insertions + page.space_deletions <= page.char_edits
