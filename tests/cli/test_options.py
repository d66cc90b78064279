"""Numbers on the command line and in profiles are checked before anything runs: nan, inf
and rates too small to mean anything are usage errors (exit 2), never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import unified_ocr
from unified_ocr import ConfigError, Secret
from unified_ocr.cli import cli
from unified_ocr_clova import ClovaOptions

from ..conftest import SAMPLE


@pytest.mark.parametrize(
    "args",
    [["batch", str(SAMPLE), "-o", "OUT", "--rate-limit", value] for value in ("nan", "inf", "1e-300", "0", "-1")]
    + [[command, str(SAMPLE), *(["-o", "OUT"] if command == "batch" else []), "--dpi", value]
       for command in ("batch", "recognize") for value in ("nan", "inf", "-inf")]
    + [["emulate", "clova", "--error-rate", "nan"]],
)  # fmt: skip
def test_numbers_that_mean_nothing_are_usage_errors(args, tmp_path) -> None:
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "Invalid value" in result.output and not (tmp_path / "out").exists()  # refused before anything ran


def test_a_rate_limit_that_means_nothing_is_a_config_error_in_python_and_in_profiles(tmp_path) -> None:
    options = ClovaOptions(invoke_url="http://127.0.0.1:9/general", secret=Secret.of("k"))
    for rate in (float("nan"), 1e-300, float("inf")):
        with pytest.raises(ConfigError, match="rate_limit is calls per second"):
            list(unified_ocr.recognize_many([str(SAMPLE)], options, rate_limit=rate))
    config = tmp_path / "unified-ocr.toml"
    config.write_text('[engines.c]\nbackend = "clova"\ninvoke_url = "http://127.0.0.1:9/general"\nrate_limit = nan\n')
    with pytest.raises(ConfigError, match="profile 'c'.*rate_limit is calls per second"):
        unified_ocr.choose_engine("c", config)
