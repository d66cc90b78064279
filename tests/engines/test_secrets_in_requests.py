"""A secret with stray whitespace works; one that no header can carry stops the run before
any image, as a configuration error, and its value never reaches any output."""

from __future__ import annotations

import logging

import pytest

import unified_ocr
from unified_ocr import ConfigError, EngineUnavailableError, Secret
from unified_ocr.engines.calls import metered
from unified_ocr.engines.http import HttpClient
from unified_ocr.engines.retry import RetryPolicy
from unified_ocr_clova import ClovaEmulator, ClovaOptions

from ..conftest import SAMPLE, run_cli

KEY = "Zq7secretVALUE"


@pytest.mark.parametrize("shape", [KEY + "\n", " " + KEY, KEY + "\r\n", "\t" + KEY + "  \n"])
def test_surrounding_whitespace_is_dropped_as_for_file_secrets(shape, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SHAPED_SECRET", shape)
    assert Secret(env="SHAPED_SECRET").reveal() == KEY
    key_file = tmp_path / "key"
    key_file.write_text(shape)
    assert Secret(file=str(key_file)).reveal() == KEY


@pytest.mark.parametrize("shape", ["Zq7sec\nretVALUE", "Zq7sec\tretVALUE", "Zq7sec\x7fretVALUE", "   ", ""])
def test_a_secret_no_header_can_carry_stops_the_engine_without_showing_it(shape, monkeypatch) -> None:
    monkeypatch.setenv("SHAPED_SECRET", shape)
    options = ClovaOptions(invoke_url="http://127.0.0.1:9/general", secret=Secret(env="SHAPED_SECRET"))
    with pytest.raises(EngineUnavailableError) as info:
        unified_ocr.recognize(SAMPLE, options)
    said = str(info.value)
    assert "environment variable SHAPED_SECRET" in said and ("control character" in said or "is empty" in said)
    assert (shape.strip() or "@@") not in said
    assert "control character" in str(Secret.of("Zq7sec\x00retVALUE").missing_reason())


def test_a_bad_header_is_a_config_error_before_any_request_and_its_value_never_shows() -> None:
    client = HttpClient("acme", policy=RetryPolicy(retries=3), timeout=1, connect_timeout=1, check=lambda r: None)
    with metered() as meter, pytest.raises(ConfigError) as info:
        client.post_json("http://127.0.0.1:9/x", headers={"X-Api-Key": KEY + "\n"}, data={})
    assert meter.requests == 0 and KEY not in str(info.value) and "X-Api-Key header" in str(info.value)


def test_every_output_of_a_batch_stays_clean_of_every_secret_shape(tmp_path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    config = tmp_path / "unified-ocr.toml"
    with ClovaEmulator(key=KEY) as server:
        config.write_text(f'[engines.c]\nbackend = "clova"\ninvoke_url = "{server.url}/general"\nsecret = {{ env = "K" }}\n')
        for shape, code in ((KEY + "\n", 0), (" " + KEY, 0), ("Zq7sec\nretVALUE", 2)):
            out = tmp_path / f"out{code}{len(shape)}"
            proc = run_cli("batch", str(SAMPLE), "-e", "c", "-c", str(config), "-o", str(out), "--no-cache", env={"K": shape})
            assert proc.returncode == code, proc.stderr
            written = "".join(p.read_text() for p in out.rglob("*") if p.is_file()) if out.exists() else ""
            for text in (proc.stdout, proc.stderr, written):
                assert "Zq7sec" not in text and "retVALUE" not in text
        options = ClovaOptions(invoke_url=server.url + "/general", secret=Secret.of(KEY), retries=1, backoff=0.01)
        outcomes = list(unified_ocr.recognize_many([str(SAMPLE)], options, cache=False))
        assert outcomes[0].ok
    assert "Zq7sec" not in caplog.text
