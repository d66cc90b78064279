"""A CLOVA answer holding a lone surrogate (legal JSON: ``"\\ud800x"``) is made writable where
the answer is read, once: ``recognize``, ``batch`` and ``compare`` write their results, exit 0
and count the replaced characters in the result's warnings. The emulator replays the answer
over a real socket on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import os
import threading
from pathlib import Path
from typing import Any

import cv2
import pytest
from click.testing import CliRunner

import unified_ocr
from unified_ocr import InvalidRequestError, Secret
from unified_ocr.cli import cli
from unified_ocr_clova import ClovaEmulator, ClovaOptions

from ..conftest import text_image

KEY = "clova-surrogate-s3cret"
WARNING = "unpaired surrogate"


def answer() -> dict[str, Any]:
    """A General V2 answer whose second word is a lone high surrogate followed by ``x``."""
    def field(text: str, x: int, line_break: bool) -> dict[str, Any]:
        box = [{"x": x, "y": 10}, {"x": x + 80, "y": 10}, {"x": x + 80, "y": 40}, {"x": x, "y": 40}]
        return {"valueType": "ALL", "boundingPoly": {"vertices": box}, "inferText": text, "inferConfidence": 0.99,
                "type": "NORMAL", "lineBreak": line_break}  # fmt: skip
    return {"version": "V2", "requestId": "r", "timestamp": 0, "images": [{
        "uid": "u", "name": "image", "inferResult": "SUCCESS", "message": "SUCCESS",
        "validationResult": {"result": "NO_REQUESTED"},
        "fields": [field("TOTAL", 10, False), field("\ud800x", 100, False), field("\udfff", 200, True)],
    }]}  # fmt: skip


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An image folder, a replay folder answering that image with a lone surrogate, the emulator, a profile."""
    images, replay = tmp_path / "images", tmp_path / "replay"
    images.mkdir()
    replay.mkdir()
    cv2.imwrite(str(images / "slip.png"), text_image("TOTAL 1"))
    (replay / "slip.png").write_bytes((images / "slip.png").read_bytes())
    (replay / "slip.json").write_text(json.dumps(answer()), encoding="ascii")  # the escape as sent: \ud800
    monkeypatch.setenv("SURROGATE_CLOVA_SECRET", KEY)
    with ClovaEmulator(key=KEY, replay=replay) as server:
        config = tmp_path / "unified-ocr.toml"
        config.write_text(
            f'[engines.clova]\nbackend = "clova"\ninvoke_url = "{server.url}/general"\n'
            'secret = { env = "SURROGATE_CLOVA_SECRET" }\nretries = 0\n',
            encoding="utf-8",
        )
        yield {"images": images, "config": config, "server": server, "root": tmp_path}


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def replaced(result: dict[str, Any]) -> None:
    """The text came through with U+FFFD in place of each lone surrogate, and the warning counts them."""
    words = [w["text"] for p in result["pages"] for line in p["lines"] for w in line["words"]]
    assert words == ["TOTAL", "\ufffdx", "\ufffd"]
    warnings = [w for w in result["meta"]["warnings"] if WARNING in w]
    assert len(warnings) == 1 and warnings[0].startswith("2 "), result["meta"]["warnings"]


def test_recognize_writes_the_result_and_counts_the_replaced_characters(hostile) -> None:
    out = hostile["root"] / "result.json"
    done = invoke("recognize", str(hostile["images"] / "slip.png"), "--engine", "clova", "--config", str(hostile["config"]),
                  "--out", str(out))  # fmt: skip
    assert done.exit_code == 0, done.output
    saved = json.loads(out.read_text(encoding="utf-8"))
    replaced(saved)
    assert "\ud800" not in json.dumps(saved.get("raw", ""))  # nor the raw answer, if written
    printed = invoke("recognize", str(hostile["images"] / "slip.png"), "--engine", "clova", "--config", str(hostile["config"]),
                     "--format", "text")  # fmt: skip  # from the cache now: still writable, still warned
    assert printed.exit_code == 0 and "\ufffdx" in printed.stdout


def test_batch_writes_every_result_and_a_rerun_makes_no_call(hostile) -> None:
    out = hostile["root"] / "batch"
    args = ["batch", str(hostile["images"]), "--engine", "clova", "--config", str(hostile["config"]), "--out", str(out)]
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    (saved,) = (out / "results").glob("*.json")
    replaced(json.loads(saved.read_text(encoding="utf-8")))
    entries = [json.loads(line) for line in (out / "journal.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["status"] for e in entries] == ["ok"]
    calls = hostile["server"].stats["requests"]
    again = invoke(*args)
    assert again.exit_code == 0, again.output
    assert hostile["server"].stats["requests"] == calls


def test_compare_writes_its_report(hostile) -> None:
    out = hostile["root"] / "cmp"
    done = invoke("compare", str(hostile["images"]), "--engine", "clova", "--config", str(hostile["config"]), "--out", str(out))
    assert done.exit_code == 0, done.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["engines"]["clova"]["failures"] == {}
    assert (out / "report.html").is_file() and (out / "images.csv").is_file()
    (saved,) = (out / "runs").glob("clova-*/results/*.json")
    replaced(json.loads(saved.read_text(encoding="utf-8")))


def test_a_saved_answer_reads_the_same_way(tmp_path) -> None:
    saved = tmp_path / "answer.json"
    saved.write_text(json.dumps(answer()), encoding="ascii")
    result = unified_ocr.parse(saved, "clova")
    replaced(result.to_dict())
    json.dumps(result.to_dict(include_raw=True), ensure_ascii=False).encode("utf-8")  # every writer can encode it


class _Refusing(http.server.BaseHTTPRequestHandler):
    """Answers every POST with CLOVA's error body, its message ending in a lone surrogate."""

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"code": "0011", "message": "Request body invalid \ud800", "path": "/general"}).encode("ascii")
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_an_error_answer_with_a_lone_surrogate_is_writable_too(tmp_path) -> None:
    image = tmp_path / "slip.png"
    cv2.imwrite(str(image), text_image("TOTAL 1"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        opts = ClovaOptions(invoke_url=f"http://127.0.0.1:{server.server_port}/general", secret=Secret.of(KEY), retries=0)
        with pytest.raises(InvalidRequestError) as caught:
            unified_ocr.recognize(image, engine=opts, cache=False)
    finally:
        server.shutdown()
        server.server_close()
    assert "\ufffd" in caught.value.message
    str(caught.value).encode("utf-8")  # the journal and the terminal can write it


def test_a_file_name_that_is_not_utf8_is_sent_writable_and_is_not_counted(hostile, tmp_path) -> None:
    """CLOVA echoes the image's name: a CP949 name (surrogate-escaped here) goes out with U+FFFD, so the
    request can be encoded and the echo is not counted as the vendor's doing."""
    folder = tmp_path / "cp949"
    folder.mkdir()
    name = os.path.join(os.fsencode(folder), b"\xbf\xb5\xbc\xf6\xc1\xf5.png")  # "영수증" in CP949
    with open(name, "wb") as f:
        f.write((hostile["images"] / "slip.png").read_bytes())
    opts = ClovaOptions(invoke_url=hostile["server"].url + "/general", secret=Secret.of(KEY), retries=0)
    result = unified_ocr.recognize(os.fsdecode(name), engine=opts, cache=False)
    assert result.raw["images"][0]["name"] == "\ufffd" * 6
    replaced(result.to_dict())  # still the two of the answer's text, not eight
