"""Scripts an engine reads: a profile's lang that needs another gives a warning, said once, kept in meta."""

from __future__ import annotations

import warnings

import pytest

import unified_ocr
from unified_ocr.config import Config
from unified_ocr.engines import scripts
from unified_ocr.engines.scripts import ScriptWarning, scripts_of, unread

from ..conftest import SAMPLE, run_cli


def test_languages_map_to_their_scripts() -> None:
    assert scripts_of("ko") == {"Hang"} and scripts_of("kor+eng") == {"Hang", "Latn"} and scripts_of("ko-KR, en") == {"Hang", "Latn"}
    assert scripts_of("ja") == {"Hira", "Kana", "Hani"} and scripts_of("xx") == frozenset()
    assert unread("ko", frozenset({"Latn", "Hani"})) == {"Hang"}
    # Tesseract's script models, by name or in tessdata's script/ folder, read Latin beside their script
    assert scripts_of("Hangul") == scripts_of("script/Hangul_vert") == {"Hang", "Latn"}
    assert scripts_of("script/Japanese") == {"Hira", "Kana", "Hani", "Latn"} and scripts_of("HanS+HanT_vert") == {"Hani", "Latn"}
    assert unread("ko", None) == frozenset() and unread(None, frozenset()) == frozenset()


def test_a_profile_lang_is_not_an_option_of_an_engine_without_one() -> None:
    config = Config.from_dict({"engines": {"photos": {"backend": "rapidocr", "lang": "ko"}}})
    choice = unified_ocr.choose_engine("photos", config)
    assert choice.lang == "ko" and not hasattr(choice.options, "lang")
    with pytest.raises(unified_ocr.ConfigError, match="key 'lang'"):
        unified_ocr.choose_engine("photos", Config.from_dict({"engines": {"photos": {"backend": "rapidocr", "lang": 5}}}))


@pytest.mark.slow
def test_reading_korean_with_an_engine_that_reads_no_hangul_warns_once_and_says_so_in_meta(monkeypatch) -> None:
    monkeypatch.setattr(scripts, "_said", set())
    config = Config.from_dict({"engines": {"photos": {"backend": "rapidocr", "lang": "ko"}}})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = unified_ocr.recognize(SAMPLE, engine="photos", config=config, cache=False)
        second = unified_ocr.recognize(SAMPLE, engine="photos", config=config, cache=False)
    said = [w for w in caught if issubclass(w.category, ScriptWarning)]
    assert len(said) == 1 and "reads no Hangul" in str(said[0].message)
    assert first.meta["warnings"] == second.meta["warnings"] and "Hangul" in first.meta["warnings"][0]
    english = Config.from_dict({"engines": {"receipts": {"backend": "rapidocr", "lang": "en"}}})
    assert "warnings" not in unified_ocr.recognize(SAMPLE, engine="receipts", config=english, cache=False).meta


@pytest.mark.slow
def test_the_command_prints_the_warning_as_one_line(tmp_path) -> None:
    config = tmp_path / "unified-ocr.toml"
    config.write_text('[engines.photos]\nbackend = "rapidocr"\nlang = "ko"\n', encoding="utf-8")
    proc = run_cli("recognize", str(SAMPLE), "--engine", "photos", "--config", str(config), "--format", "text", "--no-cache")
    assert proc.returncode == 0
    lines = [line for line in proc.stderr.splitlines() if "Hangul" in line]
    assert len(lines) == 1 and lines[0].startswith("warning: engine 'rapidocr' reads no Hangul")
    listing = run_cli("engines", "--config", str(config))
    assert "warning: lang = 'ko' needs Hangul, which rapidocr does not read" in listing.stdout


def test_text_in_a_script_the_engine_does_not_read_is_said_too(monkeypatch) -> None:
    """An engine's text holding letters it does not declare (no lang given) is flagged the same way."""
    from unified_ocr.api import _script_warnings
    from unified_ocr.engines.scripts import scripts_in

    monkeypatch.setattr(scripts, "_said", set())
    assert scripts_in("가나 abc 漢字 カナ ひら 123") == {"Hang", "Latn", "Hani", "Kana", "Hira"} and scripts_in("123 -,.") == set()
    choice = unified_ocr.choose_engine("rapidocr")
    with pytest.warns(ScriptWarning, match="reads no Hangul, which the page's text shows"):
        said = _script_warnings(choice, None, "합계 12,400")
    assert said["warnings"] and _script_warnings(choice, None, "TOTAL 12,400") == {}
