"""OCR from an event loop: ``await arecognize`` in a handler, ``async for`` over a batch, a timeout.

    python examples/async_recognize.py                         # against the CLOVA emulator on loopback
    python examples/async_recognize.py --engine clova IMAGE... # a real profile (credentials in unified-ocr.toml)

With no engine it starts the CLOVA emulator on this machine (answering in 200 ms, without
OCR), so that it runs anywhere: twelve reads of the sample receipt, four in flight at once,
take three rounds of 200 ms while the loop goes on serving. The same code serves a FastAPI or
aiohttp handler: ``result = await unified_ocr.arecognize(upload_bytes, "clova")``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import unified_ocr
from unified_ocr import EngineOptions, Secret
from unified_ocr.emulator import Faults

SAMPLE = Path(__file__).resolve().with_name("sample-receipt.png")


@contextlib.contextmanager
def engine_or_emulator(name: str | None) -> Iterator[str | EngineOptions]:
    """The profile named, or the CLOVA emulator on loopback and the options that reach it."""
    if name:
        yield name
        return
    from unified_ocr_clova import ClovaEmulator, ClovaOptions

    with ClovaEmulator(key="example", faults=Faults(latency=0.2), canned=True) as server:
        yield ClovaOptions(invoke_url=server.url + "/general", secret=Secret.of("example"))


async def main(engine: str | EngineOptions, images: list[Path]) -> None:
    # one image, as a web handler would: the loop serves other requests meanwhile
    result = await unified_ocr.arecognize(images[0], engine, cache=False)
    print(f"one image: {result.text.splitlines()[0]!r}")

    # many at once: four in flight, the others wait their turn
    started = time.perf_counter()
    results = await asyncio.gather(*(unified_ocr.arecognize(image, engine, concurrency=4, cache=False) for image in images))
    print(f"{len(results)} images, 4 at a time: {time.perf_counter() - started:.1f} s")

    # a batch with the batch's options (journal, cache, retries), each outcome as it finishes
    async for outcome in unified_ocr.arecognize_many(images[:3], engine, concurrency=2, cache=False):
        print(f"{Path(outcome.source).name}: {'ok' if outcome.ok else outcome.error}")

    # a deadline: what was still waiting is never sent
    try:
        await asyncio.wait_for(
            asyncio.gather(*(unified_ocr.arecognize(image, engine, concurrency=1, cache=False) for image in images)), 0.1
        )
    except asyncio.TimeoutError:
        print("timed out after 0.1 s: the images still waiting were not sent")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", nargs="*", type=Path, help="images (default: the sample receipt, twelve times)")
    parser.add_argument("--engine", help="a profile or engine name (default: the CLOVA emulator on loopback)")
    args = parser.parse_args()
    with engine_or_emulator(args.engine) as chosen:
        asyncio.run(main(chosen, args.images or [SAMPLE] * 12))
