"""A file name that is not UTF-8 (a Korean name saved in CP949, as files from Windows machines
and zip archives are) never ends a command: ``recognize``, ``batch`` and ``compare`` run on it
through the CLI against the CLOVA emulator on 127.0.0.1, write results that name the file
exactly, show it with replacement characters, and resume with no call."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from click.testing import CliRunner

from unified_ocr.batch.journal import Journal
from unified_ocr.cli import cli
from unified_ocr.files import json_text, write_text_atomic
from unified_ocr.imaging.sources import display_path
from unified_ocr_clova import ClovaEmulator

KEY = "names-hostile-s3cret"
#: 영수증.png ("receipt") as a Korean Windows machine saves it: CP949, not UTF-8.
CP949_NAME = b"\xbf\xb5\xbc\xf6\xc1\xf5.png"


def cp949_image(folder: Path, seed: int = 0) -> Path:
    """A small PNG under the CP949 name, created from its bytes as Linux keeps them."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / os.fsdecode(CP949_NAME)
    pixels = np.full((16, 48), 255, np.uint8)
    pixels[1, : seed + 1] = 0
    assert cv2.imencode(".png", pixels)[0]
    path.write_bytes(cv2.imencode(".png", pixels)[1].tobytes())
    assert os.fsencode(path).endswith(CP949_NAME) and CP949_NAME in os.listdir(os.fsencode(folder))
    return path


def clova_config(root: Path, server: ClovaEmulator, secret_env: str = "NAMES_HOSTILE_SECRET") -> Path:
    config = root / "unified-ocr.toml"
    config.write_text(f'[engines.clova]\nbackend = "clova"\ninvoke_url = "{server.url}/general"\n'
                      f'secret = {{ env = "{secret_env}" }}\nretries = 0\n', encoding="utf-8")  # fmt: skip
    return config


@pytest.fixture
def emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("NAMES_HOSTILE_SECRET", KEY)
    with ClovaEmulator(key=KEY, canned=True) as server:
        yield server, clova_config(tmp_path, server)


def invoke(*args: str | Path) -> Any:
    """The command as a user runs it; any exception but the exit is a failure of the test (a traceback)."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def test_json_text_keeps_a_cp949_name_exactly_and_writes_valid_utf8(tmp_path: Path) -> None:
    name = str(tmp_path / os.fsdecode(CP949_NAME))
    text = json_text({"source": name, "text": "영수증"})
    data = text.encode("utf-8")  # the whole point: UTF-8 can encode it
    assert "영수증" in text and "\\udcbf" in text  # Korean text stays readable; the undecodable byte is escaped
    assert os.fsencode(json.loads(data.decode("utf-8"))["source"]) == os.fsencode(tmp_path) + b"/" + CP949_NAME


def test_the_atomic_writer_never_fails_on_a_name_in_its_text_or_its_path(tmp_path: Path) -> None:
    target = tmp_path / (os.fsdecode(CP949_NAME) + "x" * 240)  # 256 bytes with ".png": at the limit, as names go
    write_text_atomic(target, f"image {os.fsdecode(CP949_NAME)} and a stray \ud800")
    assert target.read_text(encoding="utf-8") == "image \ufffd\ufffd\ufffd\ufffd\ufffd\ufffd.png and a stray \ufffd"
    assert display_path(os.fsdecode(CP949_NAME)) == "\ufffd" * 6 + ".png" == display_path(CP949_NAME)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left behind


def test_recognize_writes_and_prints_a_result_naming_the_file_exactly(tmp_path: Path, emulator: Any) -> None:
    server, config = emulator
    image = cp949_image(tmp_path / "in")
    out = tmp_path / "result.json"
    done = invoke("recognize", image, "--engine", "clova", "--config", config, "--out", out)
    assert done.exit_code == 0, done.output
    assert os.fsencode(json.loads(out.read_text(encoding="utf-8"))["meta"]["source"]) == os.fsencode(image)
    assert display_path(image) in done.stderr  # shown with replacement characters
    printed = invoke("recognize", image, "--engine", "clova", "--config", config)
    assert printed.exit_code == 0 and server.stats["requests"] == 1, printed.output  # the second from the cache
    assert os.fsencode(json.loads(printed.stdout)["meta"]["source"]) == os.fsencode(image)
    text = invoke("recognize", image, tmp_path / "missing.png", "--engine", "clova", "--config", config, "-f", "text")
    assert text.exit_code == 1 and f"==> {display_path(image)} <==" in text.stdout and "emulated" in text.stdout


def test_batch_journals_the_name_so_that_a_rerun_resumes_with_no_call(tmp_path: Path, emulator: Any) -> None:
    server, config = emulator
    image = cp949_image(tmp_path / "in")
    out = tmp_path / "out"
    first = invoke("batch", tmp_path / "in", "--engine", "clova", "--config", config, "--out", out, "-f", "tsv", "-f", "hocr")
    assert first.exit_code == 0 and server.stats["requests"] == 1, first.output
    assert display_path(image) in first.stderr
    [entry] = Journal(out / "journal.jsonl").entries()
    assert entry["status"] == "ok" and os.fsencode(entry["source"]) == os.fsencode(image)
    assert sorted(p.suffix for p in (out / "results").iterdir()) == [".hocr", ".json", ".tsv"]
    again = invoke("batch", tmp_path / "in", "--engine", "clova", "--config", config, "--out", out, "--no-cache")
    assert again.exit_code == 0 and server.stats["requests"] == 1, again.output  # no call, not even uncached
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["skipped_as_done_before"] == 1


def test_compare_reads_scores_and_reports_the_file_and_a_rerun_makes_no_call(tmp_path: Path, emulator: Any) -> None:
    server, config = emulator
    image = cp949_image(tmp_path / "in")
    truth = tmp_path / "gt"
    truth.mkdir()
    (truth / (os.fsdecode(CP949_NAME.removesuffix(b".png")) + ".txt")).write_text("emulated\n", encoding="utf-8")
    out = tmp_path / "cmp"
    first = invoke("compare", tmp_path / "in", "--engine", "clova", "--config", config, "--truth", truth, "--out", out)
    assert first.exit_code == 0 and server.stats["requests"] == 1, first.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["engines"]["clova"]["text"]["cer"] == 0.0  # the truth was found by the name's stem
    assert (out / "report.html").is_file()
    again = invoke("compare", tmp_path / "in", "--engine", "clova", "--config", config, "--truth", truth, "--out", out)
    assert again.exit_code == 0 and server.stats["requests"] == 1, again.output
    assert image.exists()
