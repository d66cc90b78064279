"""The Python entry points: pick an engine, recognise a source, read a saved result.

One image flows one way: source -> probe -> prepare(engine limits) -> engine ->
map back to the original displayed frame.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import attrs

from .batch.cache import ResultCache, cache_key
from .config.choice import ConfigLike, EngineChoice, EngineLike, choose_engine
from .engines.registry import Registry, default_registry
from .engines.scope import EngineScope, shared_scope
from .errors import BadResponseError
from .imaging.pdf import DEFAULT_DPI
from .imaging.prepare import map_back, prepare
from .imaging.sources import MAX_PIXELS, Source, SourceLike, open_source
from .model import OcrResult, Page

__all__ = ["ConfigLike", "EngineChoice", "EngineLike", "choose_engine", "load_result", "parse", "recognize"]


def recognize(
    source: SourceLike | Source,
    engine: EngineLike = None,
    config: ConfigLike = None,
    *,
    dpi: float = DEFAULT_DPI,
    max_pixels: int = MAX_PIXELS,
    cache: ResultCache | bool | None = None,
    registry: Registry | None = None,
    scope: EngineScope | None = None,
) -> OcrResult:
    """Recognise one image and return the result in the original image's displayed frame.

    ``source`` is a path, bytes, a binary file object or a numpy array (BGR or gray), or an
    http(s) URL for engines whose service fetches images itself;
    ``engine`` a profile name, an engine name or an engine's options object; ``config`` a
    path to a TOML file or a loaded :class:`~unified_ocr.config.Config`. A multi-page TIFF or
    a PDF gives one page each; PDF pages are in the pixel frame of a rendering at ``dpi``.
    An image over ``max_pixels`` is refused from its header, before it is decoded.
    With ``cache`` (``True`` for the default folder, or a :class:`~.cache.ResultCache`), an
    image already recognised with the same engine setup is answered from disk, no call made.
    """
    choice = choose_engine(engine, config, registry)
    runner = (scope or shared_scope()).get(choice)
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        started = time.perf_counter()
        fetched = runner.recognize_url(source)  # the service fetches it; coordinates are that image's
        seconds = round(time.perf_counter() - started, 4)
        return attrs.evolve(fetched, meta={**fetched.meta, "source": source, "profile": choice.label, "seconds": seconds})
    src = open_source(source, max_pixels=max_pixels)  # input errors surface here, before the engine sees anything
    store = ResultCache() if cache is True else cache or None
    key = None
    if store is not None:
        setup = choice.engine.fingerprint(choice.options)
        if src.info is not None and src.info.format == "pdf":
            setup["dpi"] = dpi
        key = cache_key(src.sha256(), setup)
        hit = store.get(key)
        if hit is not None:
            return attrs.evolve(hit, meta={**hit.meta, "source": src.name, "profile": choice.label, "cached": True})
    pages: list[Page] = []
    raws: list[Any] = []
    meta: dict[str, Any] = {}
    attempts = 0
    started = time.perf_counter()
    for upload in prepare(src, runner.limits, dpi=dpi):
        result = map_back(runner.recognize(upload), upload)
        pages.extend(result.pages)
        raws.append(result.raw)
        meta.update(result.meta)
        attempts += int(result.meta.get("attempts", 1))
    seconds = time.perf_counter() - started
    meta.update(source=src.name, profile=choice.label, seconds=round(seconds, 4), attempts=attempts)
    if src.info is not None and src.info.format == "pdf":
        meta["dpi"] = dpi
    result = OcrResult(choice.engine.name, sorted(pages, key=lambda p: p.index), raws[0] if len(raws) == 1 else raws, meta)
    if store is not None and key is not None:
        store.put(key, result)
    return result


def parse(raw: Any, engine: str, *, registry: Registry | None = None) -> OcrResult:
    """Read a saved response of ``engine`` (a decoded JSON object, or its text) as a result.

    No network and no image: coordinates stay in the frame the engine saw.
    """
    cls = (registry or default_registry()).engine_class(engine)
    if isinstance(raw, (str, bytes, bytearray)):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise BadResponseError(f"the response is not JSON ({exc})", vendor=cls.name) from None
    return cls.parse(raw)


def load_result(path: str | os.PathLike) -> OcrResult:
    """Read a result saved with ``to_dict()`` (or ``unified-ocr recognize --format json``)."""
    with Path(path).open(encoding="utf-8") as f:
        return OcrResult.from_dict(json.load(f))
