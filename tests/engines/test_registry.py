"""Engines arrive through entry points, built-in or third-party, with no change to the core."""

from __future__ import annotations

import json
import sys

import pytest

import unified_ocr
from unified_ocr import EngineUnavailableError, Secret, UnknownEngineError
from unified_ocr.engines.registry import Registry

from ..conftest import SAMPLE, TEST_PLUGINS, run_cli, write_dist


def test_installed_third_party_plugin_is_found_and_a_broken_one_is_reported(third_party_site) -> None:
    registry = Registry()
    assert set(registry.engines) == {"azure", "clova", "echo", "google", "kakao", "rapidocr", "tesseract", "textract", "upstage"}
    assert registry.engines["echo"].origin == "unified-ocr-echo 0.1"
    assert registry.engines["rapidocr"].origin.startswith("unified-ocr ")  # the built-in, by the same path
    (problem,) = registry.problems
    assert problem.plugin == "broken" and "a_module_that_does_not_exist" in problem.reason


def test_a_plugin_registered_in_code(monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(TEST_PLUGINS))
    import unified_ocr_echo

    registry = Registry([unified_ocr_echo], entry_points=False)
    assert list(registry.engines) == ["echo"]
    assert registry.engines["echo"].origin == "registered in code"
    options = unified_ocr_echo.EchoOptions(api_key=Secret.of("k"))
    assert registry.engine_for_options(options) is unified_ocr_echo.EchoEngine
    with pytest.raises(UnknownEngineError, match="installed engines: echo"):
        registry.engine_class("rapidocr")


def test_recognize_with_a_third_party_engine_maps_back(third_party_site, monkeypatch) -> None:
    monkeypatch.setenv("ECHO_TEST_KEY", "k")
    registry = Registry()
    import unified_ocr_echo

    options = unified_ocr_echo.EchoOptions(api_key=Secret(env="ECHO_TEST_KEY"), max_side=270)
    result = unified_ocr.recognize(SAMPLE, engine=options, registry=registry)
    # the sample is 540x470: the engine saw it halved, the user sees the original frame
    assert result.text == "png 270x235"
    page = result.pages[0]
    assert (page.width, page.height) == (540, 470)
    assert page.lines[0].quad.bbox() == pytest.approx((0, 0, 540, 470))


def test_missing_credentials_stop_before_any_image_is_read(third_party_site, monkeypatch) -> None:
    monkeypatch.delenv("ECHO_TEST_KEY", raising=False)
    import unified_ocr_echo

    options = unified_ocr_echo.EchoOptions(api_key=Secret(env="ECHO_TEST_KEY"))
    with pytest.raises(EngineUnavailableError, match="missing credentials: api_key from environment variable ECHO_TEST_KEY is not set"):
        unified_ocr.recognize("does-not-exist.png", engine=options, registry=Registry())
    with pytest.raises(EngineUnavailableError, match="missing settings: api_key"):
        unified_ocr.recognize(SAMPLE, engine="echo", registry=Registry())


def test_cli_engines_lists_each_engine_its_origin_and_why_it_cannot_run(third_party_site, tmp_path) -> None:
    config = tmp_path / "unified-ocr.toml"
    config.write_text('[engines.vendor]\nbackend = "echo"\napi_key = { env = "ECHO_TEST_KEY" }\n')
    paths = [third_party_site, TEST_PLUGINS]
    proc = run_cli("engines", "--json", "--config", str(config), pythonpath=paths)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    rows = {row["name"]: row for row in report["engines"]}
    assert rows["rapidocr"]["usable"] is True and rows["rapidocr"]["default"] is True
    assert rows["rapidocr"]["network"] is False
    assert rows["echo"]["usable"] is False and "missing settings: api_key" in rows["echo"]["reason"]
    assert rows["echo"]["from"] == "unified-ocr-echo 0.1"
    assert rows["vendor"]["kind"] == "profile"
    assert "ECHO_TEST_KEY is not set" in rows["vendor"]["reason"]
    assert report["plugin_problems"][0]["plugin"] == "broken"

    proc = run_cli("engines", "--config", str(config), env={"ECHO_TEST_KEY": "sk-live-123"}, pythonpath=paths)
    assert proc.returncode == 0, proc.stderr
    vendor_line = next(line for line in proc.stdout.splitlines() if line.startswith("vendor"))
    assert "profile" in vendor_line and " usable" in vendor_line
    assert "broken" in proc.stderr and "a_module_that_does_not_exist" in proc.stderr
    assert "sk-live-123" not in proc.stdout + proc.stderr


def test_cli_recognize_with_a_profile_of_a_third_party_engine(third_party_site, tmp_path) -> None:
    config = tmp_path / "unified-ocr.toml"
    config.write_text('default = "vendor"\n[engines.vendor]\nbackend = "echo"\napi_key = { env = "ECHO_TEST_KEY" }\nmax_side = 100\n')
    env = {"ECHO_TEST_KEY": "sk-live-123"}
    proc = run_cli("recognize", str(SAMPLE), "--config", str(config), env=env, pythonpath=[third_party_site, TEST_PLUGINS])
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["engine"] == "echo" and result["meta"]["profile"] == "vendor"
    assert result["pages"][0]["lines"][0]["text"] == "png 100x87"
    assert "sk-live-123" not in proc.stdout + proc.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")
def test_missing_extra_is_explained(tmp_path) -> None:
    # Hide rapidocr the way an install without the 'local' extra would.
    blocker = tmp_path / "rapidocr"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('hidden by the test')\n")
    sitecustomize = tmp_path / "sitecustomize.py"
    sitecustomize.write_text(
        "import importlib.util, sys\n"
        "_find = importlib.util.find_spec\n"
        "importlib.util.find_spec = lambda name, *a: None if name == 'rapidocr' else _find(name, *a)\n"
    )
    proc = run_cli("engines", pythonpath=[tmp_path])
    assert proc.returncode == 0, proc.stderr
    assert "not usable" in proc.stdout and "pip install 'unified-ocr[local]'" in proc.stdout
    proc = run_cli("recognize", str(SAMPLE), pythonpath=[tmp_path])
    assert proc.returncode == 2
    assert "engine 'rapidocr' cannot run: rapidocr not installed; install the 'local' extra" in proc.stderr
    assert "Traceback" not in proc.stderr


#: What importing the 0.1 plugin loads afresh (so that it is warned), and forgets afterwards.
LEGACY_MODULES = ("legacy_ocr_plugin", "unified_ocr.engine", "unified_ocr.prepare")


@pytest.fixture
def legacy_site(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A site folder holding 'unified-ocr-legacy', a plugin written against the 0.1 module paths."""
    site = tmp_path / "site"
    write_dist(site, "unified-ocr-legacy", {"legacy": "legacy_ocr_plugin"})
    monkeypatch.syspath_prepend(str(TEST_PLUGINS))
    monkeypatch.syspath_prepend(str(site))
    for name in LEGACY_MODULES:
        monkeypatch.delitem(sys.modules, name, raising=False)
    yield site
    for name in LEGACY_MODULES:  # monkeypatch then puts back any that were there before
        sys.modules.pop(name, None)


def test_a_plugin_written_for_0_1_still_works_and_is_told_where_modules_went(legacy_site) -> None:
    with (
        pytest.warns(DeprecationWarning, match="unified_ocr.prepare has moved to unified_ocr.imaging.prepare"),
        pytest.warns(DeprecationWarning, match="unified_ocr.engine has moved to unified_ocr.engines.base") as warned,
    ):
        registry = Registry()
    said = {str(w.message).split(";")[0] for w in warned if w.category is DeprecationWarning}
    assert said == {"unified_ocr.engine has moved to unified_ocr.engines.base", "unified_ocr.prepare has moved to unified_ocr.imaging.prepare"}
    assert all(w.filename.endswith("legacy_ocr_plugin/__init__.py") for w in warned if w.category is DeprecationWarning)  # at the plugin
    assert registry.engines["legacy"].origin == "unified-ocr-legacy 0.1" and not registry.problems
    result = unified_ocr.recognize(SAMPLE, engine="legacy", registry=registry)
    assert result.text == "legacy" and (result.pages[0].width, result.pages[0].height) == (540, 470)
    from unified_ocr.engines import base

    assert sys.modules["unified_ocr.engine"] is base  # the same classes, not copies


def test_the_0_1_default_engine_constant_still_answers_with_a_warning() -> None:
    from unified_ocr.engines import registry

    with pytest.warns(DeprecationWarning, match=r"DEFAULT_ENGINE is deprecated; use default_registry\(\).default_engine_name\(\)"):
        name = registry.DEFAULT_ENGINE
    assert name == registry.default_registry().default_engine_name() == "rapidocr"
    with pytest.raises(AttributeError, match="no attribute 'NO_SUCH_NAME'"):
        registry.NO_SUCH_NAME  # noqa: B018


class _Plugin:
    """A plugin registered in code, providing what it is given for each hook."""

    def __init__(self, engines=(), emulators=()) -> None:  # type: ignore[no-untyped-def]
        self._engines, self._emulators = list(engines), list(emulators)

    @unified_ocr.hookimpl
    def register_engines(self):  # type: ignore[no-untyped-def]
        return self._engines

    @unified_ocr.hookimpl
    def register_emulators(self):  # type: ignore[no-untyped-def]
        return self._emulators


def test_one_registry_for_every_kind(monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(TEST_PLUGINS))
    import unified_ocr_echo

    from unified_ocr_clova import ClovaEmulator
    from unified_ocr_kakao import KakaoEmulator

    registry = Registry([_Plugin([unified_ocr_echo.EchoEngine, "not a class"], [KakaoEmulator, ClovaEmulator])], entry_points=False)
    assert list(registry.all("emulator")) == ["clova", "kakao"] and registry.get("emulator", "kakao") is KakaoEmulator
    assert registry.get("engine", "echo") is unified_ocr_echo.EchoEngine is registry.engine_class("echo")
    with pytest.raises(UnknownEngineError, match="unknown emulator 'acme'; installed emulators: clova, kakao"):
        registry.emulator_class("acme")
    (problem,) = registry.problems
    assert problem.reason == "'not a class' is not an Engine subclass"


def test_the_default_engine_is_the_one_with_the_highest_priority(monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(TEST_PLUGINS))
    import unified_ocr_echo

    from unified_ocr_rapidocr import RapidOcrEngine

    class Preferred(unified_ocr_echo.EchoEngine):
        name = "preferred"
        default_priority = 500

    assert Registry([_Plugin([unified_ocr_echo.EchoEngine])], entry_points=False).default_engine_name() is None
    assert Registry([_Plugin([unified_ocr_echo.EchoEngine, RapidOcrEngine])], entry_points=False).default_engine_name() == "rapidocr"
    registry = Registry([_Plugin([RapidOcrEngine, Preferred])], entry_points=False)
    assert registry.default_engine_name() == "preferred"
    assert unified_ocr.choose_engine(None, unified_ocr.Config(), registry).engine is Preferred
    with pytest.raises(unified_ocr.ConfigError, match=r"no offline default engine is installed; install one: pip install 'unified-ocr\[local\]'"):
        unified_ocr.choose_engine(None, unified_ocr.Config(), Registry([_Plugin([unified_ocr_echo.EchoEngine])], entry_points=False))
