"""Text figures: CER equals a plain Levenshtein on the normalised strings, summed over images."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from unified_ocr.evaluation.normalize import Normalization
from unified_ocr.evaluation.text import TextScore, score_text


def reference_normalise(text: str) -> str:
    """The issue's definition, written out: NFKC, every whitespace run one space, ends stripped."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


texts = st.text(st.sampled_from(list("ab c\n\t가각값ＡＢ１2,.") + ["\u3000", "ﬁ"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=5))
def test_cer_is_levenshtein_on_the_normalised_strings_summed_over_images(pairs) -> None:
    score = TextScore(Normalization())
    for truth, predicted in pairs:
        score.update(truth, predicted)
    edits = sum(Levenshtein.distance(reference_normalise(t), reference_normalise(p)) for t, p in pairs)
    chars = sum(len(reference_normalise(t)) for t, _ in pairs)
    assert score.summary()["cer"] == (edits / chars if chars else None)


def test_wer_and_bag_of_words() -> None:
    page = score_text("Green tea 3,000\nTOTAL 12,400", "TOTAL 12,400 Green tea 3,000", Normalization())
    assert page.bow_precision == page.bow_recall == 1.0  # every word there: order costs nothing here
    assert page.wer == 0.8  # in reading order two words moved: deleted at one end, inserted at the other (4 of 5)
    assert page.word_edits == Levenshtein.distance("Green tea 3,000 TOTAL 12,400".split(), "TOTAL 12,400 Green tea 3,000".split())


def test_normalisation_options() -> None:
    assert Normalization().apply("  Ａ１\u3000 b\n") == "A1 b"
    assert Normalization(fold_case=True).apply("Straße") == "strasse"
    assert Normalization(drop_whitespace=True).apply("a b\tc") == "abc"
    assert Normalization(nfkc=False, collapse_whitespace=False).apply(" Ａ ") == " Ａ "
    assert Normalization.from_names("fold-case,jamo") == Normalization(fold_case=True, jamo=True)
    assert Normalization.from_names("none") == Normalization(nfkc=False, collapse_whitespace=False)
    with pytest.raises(ValueError, match="unknown normalisation 'loud'"):
        Normalization.from_names("loud")


def test_jamo_scoring_costs_a_wrong_final_consonant_a_third_of_a_syllable() -> None:
    syllables = score_text("값", "갑", Normalization())
    jamo = score_text("값", "갑", Normalization(jamo=True))
    assert syllables.cer == 1.0 and jamo.cer == pytest.approx(1 / 3)
    assert Normalization(jamo=True).apply("A값") == "A" + unicodedata.normalize("NFD", "값")
