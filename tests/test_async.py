"""``arecognize`` and ``arecognize_many``: the sync API's results, cache and typed errors from a
running event loop, over real sockets against the CLOVA emulator; bounded, and cancellable
without sending what was still waiting or leaving a thread behind."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import unified_ocr
from unified_ocr import AuthenticationError, ConfigError, ImageNotFoundError, Secret, UnknownEngineError
from unified_ocr.aio import THREAD_NAME
from unified_ocr.batch import BatchAbortedError, Outcome
from unified_ocr.emulator import Faults
from unified_ocr_clova import ClovaEmulator, ClovaOptions

KEY = "async-key"


def png(n: int) -> bytes:
    """A small PNG that differs from every other ``n``."""
    image = Image.new("L", (40, 12), 255)
    image.putdata([0 if (n >> (x % 16)) & 1 and y < 2 else 255 for y in range(12) for x in range(40)])
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def images(folder: Path, n: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(n):
        path = folder / f"img{k:03d}.png"
        path.write_bytes(png(k))
        paths.append(str(path))
    return paths


@pytest.fixture
def emulator(request: pytest.FixtureRequest) -> Iterator[ClovaEmulator]:
    latency = getattr(request, "param", 0.0)
    with ClovaEmulator(key=KEY, faults=Faults(latency=latency), canned=True) as server:
        yield server


def clova(server: ClovaEmulator, key: str = KEY) -> ClovaOptions:
    return ClovaOptions(invoke_url=server.url + "/general", secret=Secret.of(key), retries=0)


def workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_NAME)]


def settle(server: ClovaEmulator, requests: int, timeout: float = 5.0) -> None:
    """Wait until the emulator saw ``requests`` requests and every thread of ours ended."""
    deadline = time.monotonic() + timeout
    while (server.stats["requests"] < requests or workers()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not workers(), workers()


async def until(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


@pytest.mark.parametrize("emulator", [0.3], indirect=True)
def test_arecognize_gives_what_recognize_gives_while_the_loop_runs_on(emulator: ClovaEmulator) -> None:
    options = clova(emulator)

    async def main() -> tuple[unified_ocr.OcrResult, int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        result = await unified_ocr.arecognize(png(1), options)
        ticker.cancel()
        return result, ticks

    result, ticks = asyncio.run(main())
    assert result == unified_ocr.recognize(png(1), options) and result.text == "emulated"
    assert ticks >= 10  # the loop went on while the engine waited 0.3 s on its socket
    settle(emulator, 2)


def test_arecognize_raises_the_same_typed_errors(emulator: ClovaEmulator, tmp_path: Path) -> None:
    with pytest.raises(UnknownEngineError):
        asyncio.run(unified_ocr.arecognize(png(1), "no-such-engine"))
    with pytest.raises(ImageNotFoundError):
        asyncio.run(unified_ocr.arecognize(tmp_path / "missing.png", clova(emulator)))
    with pytest.raises(AuthenticationError):
        asyncio.run(unified_ocr.arecognize(png(1), clova(emulator, key="wrong")))
    # the language is taken as recognize takes it: an engine that reads no Hangul is refused
    with pytest.raises(ConfigError, match="Hangul"):
        asyncio.run(unified_ocr.arecognize(png(1), "rapidocr", lang="ko"))


@pytest.mark.parametrize("emulator", [0.1], indirect=True)
def test_concurrency_bounds_the_calls_in_flight_and_no_thread_is_left(emulator: ClovaEmulator) -> None:
    options = clova(emulator)

    async def main() -> list[unified_ocr.OcrResult]:
        return await asyncio.gather(*(unified_ocr.arecognize(png(k), options, concurrency=3) for k in range(10)))

    started = time.perf_counter()
    assert [r.text for r in asyncio.run(main())] == ["emulated"] * 10
    assert time.perf_counter() - started >= 4 * 0.1  # 10 calls, 3 at a time: four rounds of the emulator's 0.1 s
    settle(emulator, 10)
    assert emulator.stats["requests"] == 10


@pytest.mark.parametrize("emulator", [0.5], indirect=True)
def test_cancelling_arecognize_never_sends_the_calls_waiting_their_turn(emulator: ClovaEmulator) -> None:
    options = clova(emulator)

    async def main() -> None:
        calls = asyncio.gather(*(unified_ocr.arecognize(png(k), options, concurrency=2) for k in range(8)))
        await until(lambda: emulator.stats["requests"] == 2)
        calls.cancel()
        with pytest.raises(asyncio.CancelledError):
            await calls

    asyncio.run(main())
    settle(emulator, 2)  # the two sent are answered and their threads end
    time.sleep(0.2)
    assert emulator.stats["requests"] == 2  # the six waiting their turn were never sent


def test_arecognize_many_yields_outcomes_and_a_rerun_is_answered_from_the_cache(emulator: ClovaEmulator, tmp_path: Path) -> None:
    paths = images(tmp_path / "in", 5)
    options = clova(emulator)

    async def run() -> list[Outcome]:
        return [o async for o in unified_ocr.arecognize_many(paths, options, concurrency=2, cache=tmp_path / "cache")]

    first = asyncio.run(run())
    assert sorted(o.source for o in first) == paths and all(o.ok and not o.cached for o in first)
    again = asyncio.run(run())
    settle(emulator, 5)
    assert all(o.ok and o.cached for o in again) and emulator.stats["requests"] == 5  # no call paid twice


def test_arecognize_many_raises_the_runs_own_errors(emulator: ClovaEmulator, tmp_path: Path) -> None:
    paths = images(tmp_path / "in", 6)

    async def run(engine: Any) -> list[Outcome]:
        seen: list[Outcome] = []
        async for outcome in unified_ocr.arecognize_many(paths, engine, concurrency=1, cache=False, rounds=0):
            seen.append(outcome)
        return seen

    with pytest.raises(UnknownEngineError):
        asyncio.run(run("no-such-engine"))
    with pytest.raises(BatchAbortedError, match="3 authentication failures"):
        asyncio.run(run(clova(emulator, key="wrong")))
    settle(emulator, 0)


@pytest.mark.parametrize("emulator", [0.5], indirect=True)
@pytest.mark.parametrize("how", ["cancel", "break"])
def test_stopping_arecognize_many_cancels_the_images_not_yet_sent(emulator: ClovaEmulator, tmp_path: Path, how: str) -> None:
    paths = images(tmp_path / "in", 20)
    options = clova(emulator)

    async def consume() -> None:
        async for _outcome in unified_ocr.arecognize_many(paths, options, concurrency=2, cache=False):
            if how == "break":
                break

    async def main() -> None:
        task = asyncio.create_task(consume())
        if how == "cancel":
            await until(lambda: emulator.stats["requests"] == 2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        else:
            await task  # leaves at the first outcome: the other sent image, and the one that took its place, finish

    asyncio.run(main())
    settle(emulator, 2)
    sent = emulator.stats["requests"]
    time.sleep(0.6)  # longer than an answer takes: anything started late would have been counted
    assert emulator.stats["requests"] == sent and sent <= (2 if how == "cancel" else 4)  # of 20: the queued never started


def test_the_example_runs_against_the_emulator() -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "async_recognize.py"
    done = subprocess.run([sys.executable, str(example)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "one image: 'emulated'" and lines[1].startswith("12 images, 4 at a time: ")
    assert lines[2:5] == ["sample-receipt.png: ok"] * 3 and lines[5].startswith("timed out after 0.1 s")
    assert float(lines[1].split(": ")[1].removesuffix(" s")) >= 0.6  # three rounds of 0.2 s: four in flight, not twelve
