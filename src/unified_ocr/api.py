"""The Python entry points: pick an engine, recognise a source, read a saved result.

One image flows one way: source -> probe -> prepare(engine limits) -> engine ->
map back to the original displayed frame.
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from .batch.cache import ResultCache, cache_key
from .config.choice import ConfigLike, EngineChoice, EngineLike, choose_engine
from .config.secrets import redact_url
from .engines import scripts
from .engines.calls import CallRecord, metered
from .engines.registry import Registry, default_registry
from .engines.responses import writable
from .engines.scope import EngineScope, shared_scope
from .errors import BadResponseError, InvalidResultError, UnknownEngineError
from .imaging.pdf import DEFAULT_DPI
from .imaging.prepare import document_upload, map_back, prepare, upload_count
from .imaging.sources import MAX_PIXELS, Source, SourceLike, open_source
from .model import OcrResult, Page

__all__ = ["ConfigLike", "EngineChoice", "EngineLike", "choose_engine", "export", "load_result", "parse", "recognize", "recognize_recorded"]


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
    A DOCX, PPTX, XLSX or HEIC file goes as it is to an engine whose limits take it (else an
    :class:`~unified_ocr.errors.UnsupportedImageError` naming the engines that do, before any
    call); its pages are the engine's, and ``meta`` says ``document`` (its format) and
    ``coordinates``: ``"normalised"`` (0..1, pages 1 x 1) or ``"pixels"`` of the engine's pages.
    With ``cache`` (``True`` for the default folder, or a :class:`~.cache.ResultCache`), an
    image already recognised with the same engine setup is answered from disk, no call made.
    Engines come from ``scope`` (an :class:`~.engines.scope.EngineScope`), else from the
    process's shared one, so that a model loads once.
    """
    return recognize_recorded(source, engine, config, dpi=dpi, max_pixels=max_pixels, cache=cache, registry=registry, scope=scope)[0]


def recognize_recorded(
    source: SourceLike | Source,
    engine: EngineLike = None,
    config: ConfigLike = None,
    *,
    dpi: float = DEFAULT_DPI,
    max_pixels: int = MAX_PIXELS,
    cache: ResultCache | bool | None = None,
    registry: Registry | None = None,
    scope: EngineScope | None = None,
) -> tuple[OcrResult, CallRecord]:
    """:func:`recognize`, and beside the result the :class:`~.engines.calls.CallRecord` of the call.

    The result describes the image (its ``meta`` says the source, the profile and, for a
    PDF, the dpi); the record says what getting it cost: calls, seconds, whether the cache
    answered, bytes sent, the sizes the engine saw.
    """
    started = time.perf_counter()
    choice = choose_engine(engine, config, registry)
    runner = (scope or shared_scope()).get(choice)
    with metered() as meter:
        if isinstance(source, str) and source.startswith(("http://", "https://")):
            fetched = _writable(runner.recognize_url(source))  # the service fetches it; coordinates are that image's
            result = attrs.evolve(fetched, meta={**fetched.meta, "source": redact_url(source), "profile": choice.label})
            meter.requests = max(meter.requests, 1)
            return result, meter.record(time.perf_counter() - started)
        src = open_source(source, max_pixels=max_pixels)  # input errors surface here, before the engine sees anything
        meta: dict[str, Any] = {"source": src.name, "profile": choice.label, **_language(choice)}
        if src.info is not None and src.info.format == "pdf":
            meta["dpi"] = dpi
        if src.document:  # refused here, before the cache or any call, naming the engines that take it
            document_upload(src, runner.limits, engine=choice.engine.name, takers=_document_takers(registry, src.document))
            meta["document"] = src.document
        store = ResultCache() if cache is True else cache or None
        key = _cache_key(src, choice, dpi) if store is not None else None
        if store is not None and key is not None:
            hit = store.get(key)
            if hit is not None:
                kept = {k: v for k, v in hit.meta.items() if k not in RUN_FIGURES}  # entries written by 0.1 held them
                joined = _joined(kept, meta, _script_warnings(choice, registry, hit.text))
                return attrs.evolve(hit, meta=joined), meter.record(time.perf_counter() - started, cached=True)
        pages: list[Page] = []
        raws: list[Any] = []
        found: dict[str, Any] = {}  # what the engine says of the result (a vendor's version, a document kind)
        for upload in prepare(src, runner.limits, dpi=dpi):
            before = meter.requests
            try:
                result = map_back(runner.recognize(upload), upload)
            finally:
                if meter.requests == before:  # an in-process engine: one call, which reports no request
                    meter.requests += 1
                meter.bytes_sent += (meter.requests - before) * len(upload.data)
                meter.upload_sizes.extend(page.size for page in upload.pages)
            pages.extend(result.pages)
            raws.append(result.raw)
            found.update(result.meta)
        result = _writable(OcrResult(choice.engine.name, sorted(pages, key=lambda p: p.index), raws[0] if len(raws) == 1 else raws, found))
        if src.document:
            meta["coordinates"] = _document_frame(result.pages)
        result = attrs.evolve(result, meta=_joined(result.meta, meta, _script_warnings(choice, registry, result.text)))
        if store is not None and key is not None:
            store.put(key, result)  # a cache that cannot be written warns; the paid result is kept
        return result, meter.record(time.perf_counter() - started)


def planned_calls(
    source: SourceLike | Source, engine: EngineLike = None, config: ConfigLike = None, *,
    dpi: float = DEFAULT_DPI, cache: ResultCache | bool | None = None, registry: Registry | None = None,
    scope: EngineScope | None = None,
) -> int:  # fmt: skip
    """How many requests :func:`recognize` would make for ``source``, making none: 0 when the
    cache holds the answer, else one per upload (a PDF's pages, or runs of pages). Only the
    image's header is read. For a dry run."""
    choice = choose_engine(engine, config, registry)
    src = open_source(source)
    limits = (scope or shared_scope()).get(choice).limits  # the engine is made, never called
    if src.document:  # refused as recognize refuses it
        document_upload(src, limits, engine=choice.engine.name, takers=_document_takers(registry, src.document))
    store = ResultCache() if cache is True else cache or None
    if store is not None:
        if store.get(_cache_key(src, choice, dpi)) is not None:
            return 0
    return upload_count(src, limits)


def _language(choice: EngineChoice) -> dict[str, str]:
    """``{"lang": ...}`` when the profile says the images' language (its ``lang``, or the engine's
    own ``lang`` option): the documents that carry a language (hOCR, ALTO) write it."""
    lang: Any = choice.lang or getattr(choice.options, "lang", None)
    if isinstance(lang, (tuple, list)):
        lang = ",".join(map(str, lang))
    return {"lang": lang} if isinstance(lang, str) and lang else {}


def _writable(result: OcrResult) -> OcrResult:
    """The engine's result with every text made writable, once, before anything writes it.

    An answer may legally hold a lone UTF-16 surrogate (JSON's ``"\\ud800"``), which no UTF-8
    writer accepts: left in, the result of a paid call would be lost at the first file, journal,
    cache or terminal it reaches. Each is replaced by U+FFFD in the text, ``meta`` and ``raw``
    (see :func:`~.engines.responses.writable`) and counted in ``meta["warnings"]``: counted in the
    answer as received (``raw``), else in the result when the engine keeps no raw answer. Only
    the engine's output is touched: the source's name is the caller's, and travels as given.
    """
    raw, in_raw = writable(result.raw)
    pages, in_pages = writable(result.pages)
    meta, in_meta = writable(dict(result.meta))
    replaced = in_raw or in_pages + in_meta
    if not replaced:
        return result
    said = (f"{replaced} unpaired surrogate{'s' if replaced != 1 else ''} (UTF-16 halves that are not text) "
            f"in {result.engine}'s answer replaced with U+FFFD")  # fmt: skip
    return OcrResult(result.engine, pages, raw, _joined(meta, {}, {"warnings": [said]}))


def _joined(found: Mapping[str, Any], meta: Mapping[str, Any], said: Mapping[str, Any]) -> dict[str, Any]:
    """``found`` (what the engine or the cache gave) updated with ``meta``, their warnings and
    ``said``'s kept together, each once."""
    warnings = [w for d in (found, meta, said) for w in _listed(d.get("warnings"))]
    joined = {**found, **meta}
    if warnings:
        joined["warnings"] = list(dict.fromkeys(warnings))
    return joined


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value] if value else []


def _script_warnings(choice: EngineChoice, registry: Registry | None, text: str = "") -> dict[str, Any]:
    """``{"warnings": [...]}`` when the profile's ``lang``, or the text read, needs a script the
    engine does not read (said once per process as a :class:`~.engines.scripts.ScriptWarning`
    too), else nothing."""
    reads = choice.engine.reads(choice.options)
    missing = scripts.unread(choice.lang, reads)
    lang = choice.lang
    if not missing and reads is not None:
        missing, lang = scripts.scripts_in(text) - reads, None
    if not missing:
        return {}
    readers = _offline_readers(registry or default_registry(), choice.engine.name, missing)
    said = scripts.message(choice.engine.name, lang, missing, readers)
    scripts.warn_once(said)
    return {"warnings": [said]}


@functools.lru_cache(maxsize=64)
def _offline_readers(registry: Registry, engine: str, missing: frozenset[str]) -> tuple[str, ...]:
    """The usable offline engines besides ``engine`` that read ``missing``: looked up once per
    run, not once per image of a batch (it asks every engine whether it can run here)."""
    return tuple(
        name for name, entry in registry.engines.items()
        if name != engine and missing <= (entry.cls.reads(None) or frozenset()) and not entry.cls.needs_network
        and entry.cls.unavailable_reason() is None
    )  # fmt: skip


def _document_takers(registry: Registry | None, fmt: str) -> dict[str, str]:
    """The installed engines some setting of which takes documents of ``fmt`` as they are, each
    with that setting (``""``: any): for the message to a user whose engine does not."""
    engines = (registry or default_registry()).engines
    return {name: need for name, entry in engines.items() if (need := entry.cls.document_formats.get(fmt)) is not None}


def _document_frame(pages: tuple[Page, ...]) -> str:
    """What a document's coordinates are in, since no image of it gives a frame: ``"normalised"``
    (0..1 of each page: every page 1 x 1, as engines that render documents answer) or ``"pixels"``
    (of the page as the engine rendered or decoded it; its size is the page's)."""
    return "normalised" if pages and all((p.width, p.height) == (1, 1) for p in pages) else "pixels"


def _cache_key(source: Source, choice: EngineChoice, dpi: float) -> str:
    """The image's content and what changes the engine's answer (never a secret, timeout or retry
    count); for a PDF the dpi too, since its pages are rendered at it."""
    setup = choice.engine.fingerprint(choice.options)
    if source.info is not None and source.info.format == "pdf":
        setup["dpi"] = dpi
    return cache_key(source.sha256(), setup)


#: Keys that results of 0.1 kept in ``meta`` and that now travel in a :class:`CallRecord`.
RUN_FIGURES = frozenset({"attempts", "seconds", "cached"})


def parse(raw: Any, engine: str, *, registry: Registry | None = None) -> OcrResult:
    """Read a saved answer as a result, offline: no network and no image.

    ``engine`` is an engine's name, for a response saved from its API (a decoded JSON object,
    or its text), or a document format that reads back (``hocr``, ``alto``, ``page``), for a
    document as ``str`` or ``bytes``. Either may be given as a path, and errors then name it.
    Coordinates stay in the frame the engine saw. A document that is not that format raises
    :class:`~unified_ocr.errors.MalformedDocumentError`; an unknown name lists the known ones.
    """
    registry = registry or default_registry()
    source = "<document>"
    if isinstance(raw, os.PathLike):
        source = os.fspath(raw)
        try:
            raw = Path(raw).read_bytes()
        except OSError as exc:
            raise InvalidResultError(f"{source}: cannot be read ({exc.strerror or exc})") from None
    reader = registry.document_reader(engine)
    if reader is not None:
        if not isinstance(raw, (str, bytes, bytearray)):
            raise InvalidResultError(f"a {engine} document is read from str, bytes or a path, not {type(raw).__name__}")
        return _writable(reader(bytes(raw) if isinstance(raw, bytearray) else raw, source))
    if engine not in registry.engines:
        raise UnknownEngineError(engine, registry.readable(), kind="reader")
    cls = registry.engine_class(engine)
    if isinstance(raw, (str, bytes, bytearray)):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            where = "" if source == "<document>" else f"{source}: "
            raise BadResponseError(f"{where}the response is not JSON ({exc})", vendor=cls.name) from None
    return _writable(cls.parse(raw))


def export(result: OcrResult, format: str, *, registry: Registry | None = None, **options: Any) -> str | bytes:
    """``result`` in export ``format`` (``tsv``, ``jsonl``, ``csv``, ``fields-json``, ... or a plugin's);
    an unknown format raises :class:`~unified_ocr.errors.UnknownEngineError` listing the known ones."""
    exporter = (registry or default_registry()).get("exporter", format)
    return exporter.render(result, **options)


def load_result(path: str | os.PathLike) -> OcrResult:
    """Read a result saved with ``to_dict()`` (or ``unified-ocr recognize --format json``).

    A file that is missing, unreadable, not JSON or not a result raises
    :class:`~unified_ocr.errors.InvalidResultError` naming it.
    """
    try:
        with Path(path).open(encoding="utf-8") as f:
            return OcrResult.from_dict(json.load(f))
    except OSError as exc:
        raise InvalidResultError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except (ValueError, KeyError, TypeError) as exc:  # not JSON, not UTF-8, or not shaped like a result
        raise InvalidResultError(f"{path}: not a unified-ocr result ({type(exc).__name__}: {exc})") from None
