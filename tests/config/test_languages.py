"""A language picks the engine that reads it, refuses one that does not, and goes on to the engine."""

from __future__ import annotations

from types import SimpleNamespace
from typing import ClassVar

import pytest

import unified_ocr
from unified_ocr import ConfigError, EngineOptions, OcrResult, Upload, choose_engine
from unified_ocr.config import Config
from unified_ocr.engines import Engine
from unified_ocr.engines.registry import Registry, default_registry

installed = default_registry().engines
tesseract_runs = "tesseract" in installed and installed["tesseract"].cls.unavailable_reason() is None
needs_tesseract = pytest.mark.skipif(not tesseract_runs, reason="Tesseract with Korean data is not installed here")


class _Hangul(Engine[EngineOptions]):
    """An offline engine that reads Hangul and cannot run: its extra is missing, as a user's would be."""

    name = "hangul-reader"
    scripts: ClassVar[frozenset[str] | None] = frozenset({"Hang", "Latn"})

    @classmethod
    def missing_dependencies(cls) -> str | None:
        return "hangulocr not installed; install the 'hangul' extra: pip install 'unified-ocr[hangul]'"

    def recognize(self, upload: Upload) -> OcrResult:
        raise AssertionError("never called")


class _HangulService(_Hangul):
    """One that reads Hangul over the network, ready to run: never picked by language alone."""

    name = "hangul-service"
    needs_network = True

    @classmethod
    def missing_dependencies(cls) -> str | None:
        return None


def _registry(*engines: type[Engine]) -> Registry:
    """The installed offline default engine and ``engines``, as a plugin would register them."""
    plugin = SimpleNamespace(register_engines=unified_ocr.hookimpl(lambda: list(engines)))
    default = installed["rapidocr"].cls
    own = SimpleNamespace(register_engines=unified_ocr.hookimpl(lambda: [default]))
    return Registry([own, plugin], entry_points=False)


@needs_tesseract
def test_korean_picks_the_engine_that_reads_hangul_and_keeps_its_languages() -> None:
    choice = choose_engine(None, Config(), lang="ko")
    assert choice.engine.name == "tesseract" and choice.lang == "ko"
    assert choice.options.lang == "kor+eng"  # covers ko already: kept, English too
    assert choose_engine(None, Config(), lang="ko,en").engine.name == "tesseract"


def test_japanese_chinese_and_english_stay_with_the_default_engine() -> None:
    for lang in ("ja", "zh", "en", "zh-TW"):
        choice = choose_engine(None, Config(), lang=lang)
        assert choice.engine.name == "rapidocr" and choice.lang == lang


def test_a_named_engine_that_reads_no_hangul_is_refused_naming_one_that_does() -> None:
    with pytest.raises(ConfigError, match=r"engine 'rapidocr' reads no Hangul, which lang 'ko' needs") as caught:
        choose_engine("rapidocr", Config(), lang="ko")
    if tesseract_runs:
        assert "--engine tesseract" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_language_goes_on_to_an_engine_option_that_does_not_cover_it() -> None:
    assert choose_engine("tesseract", Config(), lang="ja").options.lang == "jpn"
    assert choose_engine("tesseract", Config(), lang="ko").options.lang == "kor+eng"
    assert choose_engine("google", Config(), lang="ko,en").options.lang == ("ko", "en")  # hints to an engine that does not say
    assert choose_engine("clova", Config(), lang="ko").lang == "ko"


def test_no_engine_that_reads_it_says_what_to_install_in_one_line() -> None:
    with pytest.raises(ConfigError) as caught:
        choose_engine(None, Config(), _registry(_Hangul, _HangulService), lang="ko")
    said = str(caught.value)
    assert "Hangul" in said and "pip install 'unified-ocr[hangul]'" in said and "\n" not in said
    assert "hangul-service" not in said  # a service is named by the user, never picked for them
    with pytest.raises(ConfigError, match="no engine installed here reads Hangul"):
        choose_engine(None, Config(), _registry(), lang="ko")


def test_an_unknown_language_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"lang 'xx'.*ko"):
        choose_engine(None, Config(), lang="xx")
    with pytest.raises(ConfigError, match="expected a language"):
        choose_engine(None, Config(), lang=" ")


@needs_tesseract
def test_the_configuration_s_lang_picks_when_nothing_names_an_engine(tmp_path) -> None:
    config = Config.from_dict({"lang": "ko"})
    assert choose_engine(None, config).engine.name == "tesseract"
    named = choose_engine("rapidocr", config)  # named: the images' language, warned about, not refused
    assert named.engine.name == "rapidocr" and named.lang == "ko"
    own = Config.from_dict({"lang": "ko", "engines": {"english": {"backend": "tesseract", "lang": "eng"}}})
    assert choose_engine("english", own).options.lang == "eng"  # the profile says its own
    with pytest.raises(ConfigError, match="key 'lang'"):
        Config.from_dict({"lang": 5})


@needs_tesseract
def test_a_profile_is_preferred_to_the_bare_engine_and_the_default_profile_when_it_reads_the_language() -> None:
    config = Config.from_dict({"default": "fast", "engines": {
        "fast": {"backend": "rapidocr"}, "korean": {"backend": "tesseract", "psm": 4}}})  # fmt: skip
    assert choose_engine(None, config, lang="ko").label == "korean"
    assert choose_engine(None, config, lang="ja").label == "fast"
