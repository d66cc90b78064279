"""Credentials inside an engine's URL (``http://user:pw@host/general?access_token=...``) are used for
the request and written nowhere: not in compare's summary, runs, report or CSVs, nor on stdout or
stderr, also when a call fails. The CLOVA emulator answers on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import pytest

from unified_ocr_clova import ClovaEmulator, ClovaOptions

from ..conftest import run_cli, text_image

KEY = "clova-url-s3cret-header"
PASSWORD = "pw-Qz8v-in-the-url"
TOKEN = "tok-7f3a91-NEVER-WRITTEN"
USER = "ocr-user-4471"


def answer() -> dict[str, Any]:
    box = [{"x": 10, "y": 10}, {"x": 90, "y": 10}, {"x": 90, "y": 40}, {"x": 10, "y": 40}]
    field = {"valueType": "ALL", "boundingPoly": {"vertices": box}, "inferText": "TOTAL", "inferConfidence": 0.99,
             "type": "NORMAL", "lineBreak": True}  # fmt: skip
    return {"version": "V2", "requestId": "r", "timestamp": 0, "images": [{
        "uid": "u", "name": "image", "inferResult": "SUCCESS", "message": "SUCCESS", "fields": [field]}]}  # fmt: skip


def url(base: str) -> str:
    host = base.split("://", 1)[1]
    return f"http://{USER}:{PASSWORD}@{host}/general?access_token={TOKEN}&lang=ko"


@pytest.fixture
def compared(tmp_path: Path) -> Any:
    images, replay, out = tmp_path / "images", tmp_path / "replay", tmp_path / "cmp"
    images.mkdir()
    replay.mkdir()
    cv2.imwrite(str(images / "slip.png"), text_image("TOTAL 1"))
    (replay / "slip.png").write_bytes((images / "slip.png").read_bytes())
    (replay / "slip.json").write_text(json.dumps(answer()), encoding="utf-8")
    with ClovaEmulator(key=KEY, replay=replay) as server:
        config = tmp_path / "unified-ocr.toml"
        config.write_text(
            f'[engines.clova]\nbackend = "clova"\ninvoke_url = "{url(server.url)}"\nsecret = {{ env = "URL_CLOVA_SECRET" }}\nretries = 0\n\n'
            f'[engines.down]\nbackend = "clova"\ninvoke_url = "{url("http://127.0.0.1:9")}"\nsecret = {{ env = "URL_CLOVA_SECRET" }}\n'
            "retries = 0\n",  # nothing listens on port 9: the failure's message must hold no credential either
            encoding="utf-8",
        )
        done = run_cli("compare", str(images), "--engine", "clova", "--engine", "down", "--config", str(config), "--out", str(out), "--rounds", "0",
                       env={"URL_CLOVA_SECRET": KEY})  # fmt: skip
        yield {"out": out, "done": done, "requests": server.stats["requests"]}


def test_the_request_is_made_and_no_credential_of_the_url_is_written(compared) -> None:
    done, out = compared["done"], compared["out"]
    assert done.returncode == 1, done.stderr  # the engine that cannot be reached failed; the other one read the image
    assert compared["requests"] == 1
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["engines"]["clova"]["failures"] == {} and summary["engines"]["down"]["failures"] == {"NetworkError": 1}
    shown = summary["engines"]["clova"]["options"]["invoke_url"]
    assert shown.startswith("http://***@127.0.0.1:") and shown.endswith("/general?access_token=***&lang=***")
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 5
    for path in files:
        data = path.read_bytes()
        for secret in (PASSWORD, TOKEN, USER, KEY):
            assert secret.encode() not in data, (secret, path)
    for secret in (PASSWORD, TOKEN, USER, KEY):
        assert secret not in done.stdout + done.stderr, secret


def test_a_url_option_is_shown_redacted() -> None:
    opts = ClovaOptions(invoke_url=url("http://127.0.0.1:9"))
    assert PASSWORD not in repr(opts) and TOKEN not in repr(opts)
    with pytest.raises(ValueError) as caught:
        ClovaOptions(invoke_url=f"ftp://{USER}:{PASSWORD}@example.invalid/general")
    assert PASSWORD not in str(caught.value) and "ftp://***@example.invalid/general" in str(caught.value)
