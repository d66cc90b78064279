"""Batch runs against the emulator over real sockets: faults, kills, resume, cache, rate limits, Dask."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pytest

from unified_ocr import AuthenticationError, CorruptImageError, Secret
from unified_ocr.batch import BatchAbortedError, expand_inputs, recognize_many
from unified_ocr.batch.journal import Journal
from unified_ocr.cache import ResultCache
from unified_ocr.emulator import Faults
from unified_ocr_clova import ClovaEmulator, ClovaOptions

from ..conftest import ROOT

KEY = "batch-s3cret-NEVER-SHOWN"


def make_images(folder: Path, n: int) -> list[Path]:
    """``n`` distinct small PNGs (the index is written into the pixels)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        pixels = np.full((16, 48), 255, np.uint8)
        pixels[0, :32] = [255 * ((i >> bit) & 1) for bit in range(32)]
        path = folder / f"img{i:05d}.png"
        cv2.imwrite(str(path), pixels)
        paths.append(path)
    return paths


def options(server: ClovaEmulator, **kw) -> ClovaOptions:
    kw.setdefault("retries", 10)
    kw.setdefault("backoff", 0.01)
    kw.setdefault("max_backoff", 0.05)
    return ClovaOptions(invoke_url=server.url + "/general", secret=Secret.of(KEY), **kw)


def test_a_fault_storm_loses_nothing_and_a_second_run_makes_no_calls(tmp_path) -> None:
    images = make_images(tmp_path / "in", 1000)
    faults = Faults(error_rate=0.10, throttle_rate=0.05, drop_rate=0.02, stall_rate=0.02, stall_seconds=1.0,
                    malformed_rate=0.01, seed=7)  # fmt: skip
    cache = ResultCache(tmp_path / "cache")
    journal = tmp_path / "journal.jsonl"
    with ClovaEmulator(key=KEY, faults=faults, canned=True) as server:
        opts = options(server, timeout=0.3)
        outcomes = list(recognize_many(map(str, images), opts, concurrency=16, cache=cache, journal=journal))
        assert len(outcomes) == 1000 and all(o.ok for o in outcomes), Counter(type(o.error).__name__ for o in outcomes)
        stats = dict(server.stats)
        for fault in ("server_error", "rate_limited", "dropped", "stalled", "malformed"):
            assert stats.get(fault, 0) > 0, stats  # every kind of fault happened, and was retried through
        assert sum(o.attempts for o in outcomes) == stats["requests"]
        entries = list(Journal(journal).entries())
        assert len(entries) == 1000 and {e["source"] for e in entries} == set(map(str, images))
        assert all(e["status"] == "ok" and len(e["sha256"]) == 64 for e in entries)
        assert max(e["attempts"] for e in entries) > 1

        again = list(recognize_many(map(str, images), opts, concurrency=16, cache=cache, journal=journal))
        assert again == [] and server.stats["requests"] == stats["requests"]  # the journal skips them all
        fresh = list(recognize_many(map(str, images), opts, concurrency=16, cache=cache, journal=tmp_path / "other.jsonl"))
        assert len(fresh) == 1000 and all(o.cached and o.attempts == 0 for o in fresh)
        assert server.stats["requests"] == stats["requests"]  # the cache answered every one


def test_a_killed_run_resumes_with_nothing_done_twice_and_nothing_missing(tmp_path) -> None:
    images = make_images(tmp_path / "in", 120)
    out = tmp_path / "out"
    config = tmp_path / "unified-ocr.toml"
    with ClovaEmulator(key=KEY, faults=Faults(latency=0.05), canned=True) as server:
        config.write_text(f'[engines.c]\nbackend = "clova"\ninvoke_url = "{server.url}/general"\nsecret = {{ env = "K" }}\n')
        command = [sys.executable, "-m", "unified_ocr", "batch", str(tmp_path / "in"), "--engine", "c", "--config", str(config),
                   "--out", str(out), "-j", "4", "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
        env = {**os.environ, "K": KEY}
        run = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        journal = out / "journal.jsonl"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (not journal.exists() or journal.read_text().count("\n") < 40):
            time.sleep(0.05)
        run.send_signal(signal.SIGKILL)
        run.wait()
        first = journal.read_text().count("\n")
        assert 40 <= first < 120
        proc = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
    ok = Counter(e["source"] for e in Journal(journal).entries() if e["status"] == "ok")
    assert set(ok) == {str(p) for p in images} and set(ok.values()) == {1}
    assert len(list((out / "results").glob("*.json"))) == 120
    summary = json.loads((out / "summary.json").read_text())
    assert summary["skipped_as_done_before"] == first and summary["done"] == 120 - first
    assert KEY not in journal.read_text() + proc.stderr + (out / "summary.json").read_text()


def test_a_corrupt_image_is_reported_and_the_others_finish(tmp_path) -> None:
    folder = tmp_path / "in"
    make_images(folder, 5)
    (folder / "broken.png").write_bytes((folder / "img00000.png").read_bytes()[:60])
    with ClovaEmulator(key=KEY, canned=True) as server:
        config = tmp_path / "unified-ocr.toml"
        config.write_text(f'[engines.c]\nbackend = "clova"\ninvoke_url = "{server.url}/general"\nsecret = {{ env = "K" }}\n')
        command = [sys.executable, "-m", "unified_ocr", "batch", str(folder), "-e", "c", "-c", str(config), "-o", str(tmp_path / "out"),
                   "--no-cache"]  # fmt: skip
        proc = subprocess.run(command, env={**os.environ, "K": KEY}, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "failed with CorruptImageError: 1" in proc.stderr and "done 5, failed 1" in proc.stderr
    entries = Journal(tmp_path / "out" / "journal.jsonl").last_entries()
    assert entries[str(folder / "broken.png")]["error"]["type"] == "CorruptImageError"
    assert entries[str(folder / "broken.png")]["attempts"] == 0  # refused before any call
    assert sum(e["status"] == "ok" for e in entries.values()) == 5


def test_authentication_failures_stop_the_batch_early(tmp_path) -> None:
    images = make_images(tmp_path / "in", 60)
    with ClovaEmulator(key=KEY, canned=True) as server:
        wrong = ClovaOptions(invoke_url=server.url + "/general", secret=Secret.of("wrong"), retries=0)
        seen = []
        with pytest.raises(BatchAbortedError, match="3 authentication failures in a row"):
            for outcome in recognize_many(map(str, images), wrong, concurrency=2, cache=False):
                seen.append(outcome)
        assert all(isinstance(o.error, AuthenticationError) for o in seen)
        assert server.stats["requests"] < 10


def test_the_client_rate_limit_holds_the_vendor_s(tmp_path) -> None:
    images = make_images(tmp_path / "in", 30)
    with ClovaEmulator(key=KEY, faults=Faults(rate_limit=10.0), canned=True) as server:
        started = time.monotonic()
        outcomes = list(recognize_many(map(str, images), options(server, retries=0), concurrency=8, rate_limit=10.0, cache=False))
        elapsed = time.monotonic() - started
    assert all(o.ok for o in outcomes) and server.stats.get("rate_limited", 0) == 0
    assert elapsed >= 2.5  # 30 calls spaced at 0.1 s


def test_sources_are_pulled_lazily_and_pairs_unpack(tmp_path) -> None:
    image = make_images(tmp_path / "in", 1)[0].read_bytes()
    endless = (image for _ in itertools.count())  # memory must stay flat: nothing reads ahead unboundedly
    with ClovaEmulator(key=KEY, canned=True) as server:
        taken = list(itertools.islice(recognize_many(endless, options(server), concurrency=2, cache=False), 10))
    assert len(taken) == 10
    source, value = taken[0]
    assert source == "<bytes>" and value.text == "emulated"


def test_expand_inputs_walks_folders_and_reads_lists(tmp_path) -> None:
    make_images(tmp_path / "a" / "b", 2)
    (tmp_path / "a" / "notes.md").write_text("not an image")
    (tmp_path / "a" / "scan.PDF").write_bytes(b"%PDF-")
    listing = tmp_path / "list.txt"
    listing.write_text("# images\na/b/img00001.png\n\n/abs/x.jpg\n")
    got = list(expand_inputs([tmp_path / "a", listing, tmp_path / "missing.png"]))
    assert got == [str(tmp_path / "a" / "scan.PDF"), str(tmp_path / "a" / "b" / "img00000.png"),
                   str(tmp_path / "a" / "b" / "img00001.png"), str(tmp_path / "a/b/img00001.png"), "/abs/x.jpg",
                   str(tmp_path / "missing.png")]  # fmt: skip


def test_a_torn_journal_line_is_dropped_and_the_journal_goes_on(tmp_path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_text('{"source": "a.png", "status": "ok"}\n{"source": "b.png", "sta')
    journal = Journal(path)
    assert journal.done() == {"a.png"}
    from unified_ocr.batch import Outcome

    journal.record(Outcome("c.png", None, CorruptImageError("c.png", "truncated")))
    journal.close()
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["error"]["type"] == "CorruptImageError"


def test_runs_on_a_dask_cluster(tmp_path) -> None:
    distributed = pytest.importorskip("distributed")
    images = make_images(tmp_path / "in", 40)
    with ClovaEmulator(key=KEY, canned=True) as server:
        with distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
            with distributed.Client(cluster) as client:
                outcomes = list(recognize_many(map(str, images), options(server), executor=client.get_executor(),
                                               concurrency=8, cache=ResultCache(tmp_path / "cache")))  # fmt: skip
        assert len(outcomes) == 40 and all(o.ok for o in outcomes)
        assert server.stats["requests"] == 40
        assert len(list((tmp_path / "cache").rglob("*.json"))) == 40  # the workers wrote the shared cache
