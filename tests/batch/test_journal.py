"""A journal damaged by a kill or a disk is still read: what cannot be used is dropped and counted."""

from __future__ import annotations

import json

from unified_ocr import Secret
from unified_ocr.batch.folder import run_batch
from unified_ocr.batch.journal import Journal
from unified_ocr_clova import ClovaEmulator, ClovaOptions

from .test_runner import make_images

KEY = "journal-s3cret"


def test_a_line_torn_inside_a_korean_character_is_dropped_and_counted(tmp_path) -> None:
    path = tmp_path / "journal.jsonl"
    good = json.dumps({"source": "영수증-1.jpg", "status": "ok"}, ensure_ascii=False) + "\n"
    damaged = "not json at all\n".encode()
    torn = json.dumps({"source": "영수증-2.jpg", "status": "ok"}, ensure_ascii=False).encode()[:18]  # mid-character
    path.write_bytes(good.encode() + b"\xff\xfe garbage\n" + damaged + good.replace("1", "3").encode() + torn)
    journal = Journal(path)
    assert journal.done() == {"영수증-1.jpg", "영수증-3.jpg"} and journal.dropped == 3


def test_a_run_resumes_after_a_torn_multi_byte_tail_and_says_what_it_dropped(tmp_path) -> None:
    folder = tmp_path / "사진"
    images = make_images(folder, 3)
    out = tmp_path / "out"
    with ClovaEmulator(key=KEY, canned=True) as server:
        options = ClovaOptions(invoke_url=server.url + "/general", secret=Secret.of(KEY))
        first = run_batch([str(folder)], out, options, cache=False)
        assert first.ok and first.summary["done"] == 3
        journal = out / "journal.jsonl"
        lines = journal.read_bytes().splitlines(keepends=True)
        journal.write_bytes(b"".join(lines[:2]) + lines[2][: lines[2].index("사".encode()) + 1])  # killed mid-character
        again = run_batch([str(folder)], out, options, cache=False)
    assert again.ok and again.summary["done"] == 1 and again.summary["skipped_as_done_before"] == 2
    assert again.summary["journal_lines_dropped"] == 1
    assert any("1 damaged or torn line(s) dropped" in line for line in again.lines)
    assert {e["source"] for e in Journal(journal).entries()} == {str(p) for p in images}
