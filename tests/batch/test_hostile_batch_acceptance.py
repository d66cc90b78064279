"""What must hold of a hostile batch: 100 images against the CLOVA emulator on 127.0.0.1, one
answered with a lone surrogate (legal JSON, ``"\\ud800x"``) and one named in CP949, end with
100 results written and no traceback; a rerun makes no call."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from unified_ocr.batch.journal import Journal
from unified_ocr_clova import ClovaEmulator

from .test_names_hostile import KEY, clova_config, cp949_image, invoke
from .test_runner import make_images


def surrogate_answer() -> dict:
    box = [{"x": 0, "y": 0}, {"x": 40, "y": 0}, {"x": 40, "y": 12}, {"x": 0, "y": 12}]
    field = {"valueType": "ALL", "boundingPoly": {"vertices": box}, "inferText": "\ud800x", "inferConfidence": 0.9,
             "type": "NORMAL", "lineBreak": True}  # fmt: skip
    return {"version": "V2", "requestId": "r", "timestamp": 0, "images": [{
        "uid": "u", "name": "image", "inferResult": "SUCCESS", "message": "SUCCESS",
        "validationResult": {"result": "NO_REQUESTED"}, "fields": [field]}]}  # fmt: skip


def test_a_hundred_images_with_a_lone_surrogate_and_a_cp949_name_all_come_through(tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    images = tmp_path / "in"
    make_images(images, 98)
    named = cp949_image(images, seed=40)  # its pixels differ from every other's
    hostile = make_images(tmp_path / "extra", 99)[98].rename(images / "slip.png")  # a 99th distinct image
    replay = tmp_path / "replay"
    replay.mkdir()
    (replay / "slip.png").write_bytes(hostile.read_bytes())
    (replay / "slip.json").write_text(json.dumps(surrogate_answer()), encoding="ascii")  # sent as the escape \ud800
    monkeypatch.setenv("NAMES_HOSTILE_SECRET", KEY)
    out = tmp_path / "out"
    with ClovaEmulator(key=KEY, canned=True, replay=replay) as server:
        config = clova_config(tmp_path, server)
        first = invoke("batch", images, "--engine", "clova", "--config", config, "--out", out, "-j", "8")
        assert first.exit_code == 0, first.output
        assert "Traceback" not in first.output and server.stats["requests"] == 100
        again = invoke("batch", images, "--engine", "clova", "--config", config, "--out", out, "--no-cache")
        assert again.exit_code == 0 and "Traceback" not in again.output, again.output
        assert server.stats["requests"] == 100  # the rerun made no call
    assert len(list((out / "results").glob("*.json"))) == 100
    entries = Journal(out / "journal.jsonl").last_entries()
    assert len(entries) == 100 and all(e["status"] == "ok" for e in entries.values())
    assert os.fsencode(named) in {os.fsencode(source) for source in entries}
    slip = json.loads((out / entries[str(hostile)]["result"]).read_text(encoding="utf-8"))
    assert slip["pages"][0]["lines"][0]["text"] == "\ufffdx"  # made writable where the answer was read
