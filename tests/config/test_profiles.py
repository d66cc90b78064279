"""Profiles from TOML: where the file is found, how options are checked, how secrets stay secret."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from unified_ocr import (
    ConfigError,
    Secret,
    UnknownEngineError,
    choose_engine,
    load_config,
)
from unified_ocr.config import Config, find_config
from unified_ocr.engines.registry import Registry

GOOD = """
default = "fast"

[engines.fast]
backend = "rapidocr"
text_score = 0.7
use_angle_cls = false

[engines.vendor]
backend = "echo"
api_key = { env = "ECHO_TEST_KEY" }
lang = ["ko", "ja"]
max_side = 640
"""


@pytest.fixture
def registry(third_party_site) -> Registry:
    return Registry()


def write(tmp_path: Path, text: str, name: str = "unified-ocr.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_profiles_pick_backends_and_typed_options(tmp_path, registry) -> None:
    cfg = load_config(write(tmp_path, GOOD))
    assert cfg.default == "fast"
    fast = choose_engine(None, cfg, registry)
    assert (fast.label, fast.engine.name) == ("fast", "rapidocr")
    assert fast.options.text_score == 0.7 and fast.options.use_angle_cls is False
    vendor = choose_engine("vendor", cfg, registry)
    assert vendor.options.lang == ("ko", "ja") and vendor.options.max_side == 640
    assert vendor.options.api_key == Secret(env="ECHO_TEST_KEY")


def test_an_engine_name_without_a_profile_uses_its_defaults(registry) -> None:
    choice = choose_engine("echo", Config(), registry)
    assert choice.options == choice.engine.Options()
    assert choose_engine(None, Config(), registry).engine.name == "rapidocr"  # the offline default


def test_search_order_explicit_then_env_then_cwd(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("UNIFIED_OCR_CONFIG", raising=False)
    assert find_config() is None and load_config().profiles == {}
    local = write(tmp_path, GOOD)
    assert find_config() == local
    env = write(tmp_path, GOOD, "env.toml")
    monkeypatch.setenv("UNIFIED_OCR_CONFIG", str(env))
    assert find_config() == env
    explicit = write(tmp_path, GOOD, "explicit.toml")
    assert find_config(explicit) == explicit


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('[engines.p]\nbackend = "rapidocr"\ntext_score = "high"\n', r"profile 'p': key 'text_score': expected a number, got 'high'"),
        ('[engines.p]\nbackend = "rapidocr"\ncolour = 1\n', r"profile 'p': key 'colour': not an option of engine 'rapidocr' \(options: max_side_len, "),
        ('[engines.p]\nbackend = "rapidocr"\nuse_angle_cls = 1\n', r"key 'use_angle_cls': expected true or false"),
        ('[engines.p]\nbackend = "nope"\n', r"profile 'p': key 'backend': unknown engine 'nope'; installed engines: azure, clova, echo, google, kakao, rapidocr"),
        ("[engines.p]\ntext_score = 1\n", r"profile 'p': key 'backend': required"),
        ('[engines.p]\nbackend = "echo"\napi_key = "sk-live-123"\n', r"key 'api_key': secrets are given by reference"),
        ('[engines.p]\nbackend = "echo"\napi_key = { env = "A", file = "b" }\n', r"key 'api_key': a secret reference has exactly one key"),
        ('[engines.p]\nbackend = "echo"\nmode = "pages"\n', r"key 'mode': expected one of 'line', 'words', got 'pages'"),
        ('default = "missing"\n[engines.p]\nbackend = "echo"\n', r"key 'default': 'missing' is not a profile here"),
        ("engines = 3\n", r"'engines' must be a table"),
        ("defualt = 'p'\n", r"unknown top-level key"),
        ("[engines.p\n", r"not valid TOML"),
    ],
)
def test_bad_config_names_file_profile_and_key(tmp_path, registry, body: str, expected: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError, match=expected) as info:
        choose_engine("p", load_config(path), registry)
    assert str(info.value).startswith(str(path))
    assert "sk-live-123" not in str(info.value)


def test_missing_explicit_file_is_a_config_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "nope.toml")


def test_unknown_name_lists_engines_and_profiles(tmp_path, registry) -> None:
    cfg = load_config(write(tmp_path, GOOD))
    with pytest.raises(UnknownEngineError) as info:
        choose_engine("clvoa", cfg, registry)
    message = str(info.value)
    assert "installed engines: azure, clova, echo, google, kakao, rapidocr" in message and "configured profiles: fast, vendor" in message


def test_secret_values_never_show(tmp_path, monkeypatch, caplog) -> None:
    monkeypatch.setenv("ECHO_TEST_KEY", "sk-live-123")
    key_file = tmp_path / "key.txt"
    key_file.write_text("file-secret-456\n")
    caplog.set_level(logging.DEBUG)
    for secret in (Secret(env="ECHO_TEST_KEY"), Secret(file=str(key_file)), Secret.of("code-secret-789")):
        shown = f"{secret!r} {secret} {secret.to_config()} {secret.where}"
        assert not any(v in shown for v in ("sk-live-123", "file-secret-456", "code-secret-789"))
    assert Secret(env="ECHO_TEST_KEY").reveal() == "sk-live-123"
    assert Secret(file=str(key_file)).reveal() == "file-secret-456"
    assert Secret.of("code-secret-789").reveal() == "code-secret-789"
    assert "sk-live-123" not in caplog.text


def test_an_unreadable_secret_says_where_it_was_looked_for(monkeypatch) -> None:
    monkeypatch.delenv("NO_SUCH_VAR", raising=False)
    with pytest.raises(ConfigError, match="environment variable NO_SUCH_VAR is not set"):
        Secret(env="NO_SUCH_VAR").reveal()
    with pytest.raises(ConfigError, match="exactly one"):
        Secret()


def test_an_undecodable_secret_file_is_a_config_error(tmp_path) -> None:
    key_file = tmp_path / "key.bin"
    key_file.write_bytes(b"\xff\xfe\xfa binary")
    with pytest.raises(ConfigError, match=r"file .*key.bin cannot be read \(UnicodeDecodeError\)"):
        Secret(file=str(key_file)).reveal()
