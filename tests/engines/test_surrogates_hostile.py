"""Vendor text made writable: lone UTF-16 surrogates (legal in JSON as ``"\\ud800"``) replaced by
U+FFFD and counted, pairs joined, everything else left as it is (the same objects)."""

from __future__ import annotations

import json
import struct

from unified_ocr import Block, Cell, Field, Line, OcrResult, Page, Quad, Table, Word
from unified_ocr.engines.responses import writable, writable_text

BOX = Quad(((0, 0), (10, 0), (10, 5), (0, 5)))


def test_a_lone_surrogate_becomes_the_replacement_character_and_is_counted() -> None:
    assert writable_text("\ud800x") == ("\ufffdx", 1)
    assert writable_text("a\udfffb\udbff") == ("a\ufffdb\ufffd", 2)
    assert writable_text("\ud83d\ude00") == ("\U0001f600", 0)  # a split pair is the character it encodes
    assert writable_text("\ufffd already") == ("\ufffd already", 0)  # a replacement character already there is not counted
    text = "영수증 TOTAL 12,400 \U0001f600"
    fixed, n = writable_text(text)
    assert fixed is text and n == 0


def test_nested_answers_and_results_are_cleaned_throughout() -> None:
    answer = json.loads('{"images": [{"fields": [{"inferText": "\\ud800x"}], "\\udc00key": ["ok", "\\udfff"]}], "n": 1.5}')
    fixed, n = writable(answer)
    assert n == 3 and fixed == {"images": [{"fields": [{"inferText": "\ufffdx"}], "\ufffdkey": ["ok", "\ufffd"]}], "n": 1.5}
    json.dumps(fixed, ensure_ascii=False).encode("utf-8")
    word = Word("\ud800x", BOX, 0.5)
    result = OcrResult("acme", (Page(0, 10, 5, (Line("\ud800x", BOX, (word,), 0.5),)),), raw=("\udfff",), meta={"m": "\ud800"})
    clean, n = writable(result)
    assert n == 4 and clean.text == "\ufffdx" and clean.words[0].text == "\ufffdx" and clean.raw == ("\ufffd",)
    assert clean.meta == {"m": "\ufffd"} and clean.words[0].quad == BOX and clean.words[0].confidence == 0.5
    json.dumps(clean.to_dict(include_raw=True), ensure_ascii=False).encode("utf-8")


def test_what_holds_none_comes_back_as_the_same_object() -> None:
    result = OcrResult("acme", (Page(0, 10, 5, (Line.from_words([Word("fine", BOX, None)]),)),), raw={"a": ["b"]}, meta={})
    same, n = writable(result)
    assert same is result and n == 0
    marker = object()
    assert writable(marker) == (marker, 0)


def test_a_surrogate_is_found_in_every_part_of_a_page() -> None:
    """The model's lines, words, blocks, cells and fields are read directly, not by the general
    walk: a lone surrogate in any text of theirs is still found and replaced."""
    fine = Line.from_words([Word("fine", BOX, None)])
    places = {
        "line": Page(0, 10, 5, (Line("\ud800", BOX, fine.words),)),
        "word": Page(0, 10, 5, (Line("x", BOX, (Word("\ud800", BOX),)),)),
        "block": Page(0, 10, 5, (fine,), blocks=(Block(0, 1, None, "\ud800"),)),  # type: ignore[arg-type]
        "cell": Page(0, 10, 5, (fine,), tables=(Table((Cell(0, 0, lines=(Line("x", BOX, (Word("\ud800", BOX),)),)),)),)),
        "field": Page(0, 10, 5, (fine,), fields=(Field("name", "text", "\ud800"),)),
        "field's name": Page(0, 10, 5, (fine,), fields=(Field("\ud800", "text", "x"),)),
        "field's value": Page(0, 10, 5, (fine,), fields=(Field("name", "text", "x", value="\ud800"),)),
        "field's part": Page(0, 10, 5, (fine,), fields=(Field("name", "text", "x", parts=(Field("p", "text", "\ud800"),)),)),
        "a word of another shape": Page(0, 10, 5, (Line("x", BOX, (Word("x", BOX, dont_care="\ud800"),)),)),  # type: ignore[arg-type]
    }
    for where, page in places.items():
        clean, n = writable(OcrResult("acme", (page,), raw={"a": "b"}))
        assert n == 1, where
        json.dumps(clean.to_dict(), ensure_ascii=False).encode("utf-8")


def test_a_number_that_looks_like_a_surrogate_in_marshal_is_not_one() -> None:
    """A float whose eight bytes hold what a surrogate's UTF-8 would be: the answer is checked again,
    found clean, and comes back as the same object."""
    answer = {"x": struct.unpack("<d", b"\x00\x00\x00\xed\xa0\x80\x00\x40")[0], "text": "영수증"}
    assert writable(answer) == (answer, 0) and writable(answer)[0] is answer


def test_a_surrogate_among_numbers_that_look_like_one_is_still_found() -> None:
    """An answer of many points, some of whose floats read as a surrogate in marshal's bytes, is
    narrowed down to the parts that still show one: a real one is found at any depth, in a key
    too, and counted once; without one the answer comes back as the same object."""
    lookalike = struct.unpack("<d", b"\x00\x00\x00\xed\xa0\x80\x00\x40")[0]
    points = [{"x": lookalike if k % 7 == 0 else k / 3, "y": k * 0.1} for k in range(40)]

    def answer(text: str, key: str = "text") -> dict:
        symbols = [{"text": "단"}, {"text": "어"}]
        words = [{"boundingBox": {"vertices": points[:4]}, key: "단어", "symbols": list(symbols)} for _ in range(30)]
        words[17]["symbols"][1] = {"text": text}
        page = {"blocks": [{"words": words, "points": points}]}
        return {"responses": [{"fullTextAnnotation": {"pages": [page], "text": "단어"}}]}

    def words_of(answer: dict) -> list:
        return answer["responses"][0]["fullTextAnnotation"]["pages"][0]["blocks"][0]["words"]

    clean = answer("어")
    assert writable(clean) == (clean, 0) and writable(clean)[0] is clean
    fixed, n = writable(answer("\udc00"))
    assert n == 1 and words_of(fixed)[17]["symbols"][1] == {"text": "\ufffd"}
    fixed, n = writable(answer("어", key="te\ud800xt"))
    assert n == 30 and "te\ufffdxt" in words_of(fixed)[0]


def test_an_answer_nested_deeper_than_the_narrowing_goes_is_still_checked() -> None:
    """Nesting too deep for the narrowing's walk (but not for marshal) is searched in one dump
    with floats as digits: a lookalike float there is no surrogate, and the answer comes back as it is."""
    answer: object = {"x": struct.unpack("<d", b"\x00\x00\x00\xed\xa0\x80\x00\x40")[0]}
    for _ in range(1500):
        answer = [answer, "단어"]
    assert writable(answer) == (answer, 0) and writable(answer)[0] is answer
