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

from .cache import Entry, ResultCache, cache_key
from .config.choice import ConfigLike, EngineChoice, EngineLike, choose_engine
from .engines import scripts
from .engines.base import Engine
from .engines.calls import CallRecord, metered
from .engines.registry import Registry, default_registry
from .engines.responses import surely_writable, writable
from .engines.scope import EngineScope, shared_scope
from .errors import BadResponseError, ConfigError, InputError, InvalidResultError, UnifiedOcrError, UnknownEngineError
from .imaging.frames import unsent_upload, upload_frame
from .imaging.pdf import DEFAULT_DPI
from .imaging.prepare import document_upload, map_back, prepare, upload_count
from .imaging.sources import MAX_PIXELS, Source, SourceLike, display_path, open_source
from .model import OcrResult, Page
from .secrets import redact_url

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
    lang: str | None = None,
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
    image already recognised with the same engine setup is answered from disk, no call made;
    after the engine's ``revision`` was raised, by reading the kept answers again
    (:meth:`~.engines.base.Engine.read_answer`), where the engine can.
    Engines come from ``scope`` (an :class:`~.engines.scope.EngineScope`), else from the
    process's shared one, so that a model loads once.
    ``lang`` is the image's language (``"ko"``, ``"ja"``, ``"zh"``, ``"en"``; ``"ko,en"``): with no
    ``engine``, the best installed offline engine that reads it is used (a
    :class:`~unified_ocr.errors.ConfigError` names what to install when there is none); an
    ``engine`` that cannot read it is refused before any call (see :func:`choose_engine`).
    """
    return recognize_recorded(source, engine, config, dpi=dpi, max_pixels=max_pixels, cache=cache, registry=registry, scope=scope,
                              lang=lang)[0]  # fmt: skip


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
    lang: str | None = None,
) -> tuple[OcrResult, CallRecord]:
    """:func:`recognize`, and beside the result the :class:`~.engines.calls.CallRecord` of the call.

    The result describes the image (its ``meta`` says the source, the profile and, for a
    PDF, the dpi); the record says what getting it cost: calls, seconds, whether the cache
    answered, bytes sent, the sizes the engine saw.
    """
    started = time.perf_counter()
    choice = choose_engine(engine, config, registry, lang=lang)
    runner = (shared_scope() if scope is None else scope).get(choice)
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
                joined = _joined(kept, meta, _script_warnings(choice, registry, hit))
                return attrs.evolve(hit, meta=joined), meter.record(time.perf_counter() - started, cached=True)
            reread = _reread(store, src, choice, runner, dpi, meta, registry)
            if reread is not None:  # an earlier revision's answers, read by this one's parser: no call
                rebuilt, rebuilt_frames = reread
                store.put(key, rebuilt, revision=choice.engine.revision, uploads=rebuilt_frames)
                return rebuilt, meter.record(time.perf_counter() - started, cached=True)
        parts: list[OcrResult] = []
        frames: list[dict[str, Any]] = []
        for upload in prepare(src, runner.limits, dpi=dpi):
            before = meter.requests
            try:
                parts.append(map_back(runner.recognize(upload), upload))
            finally:
                if meter.requests == before:  # an in-process engine: one call, which reports no request
                    meter.requests += 1
                meter.bytes_sent += (meter.requests - before) * len(upload.data)
                meter.upload_sizes.extend(page.size for page in upload.pages)
            frames.append(upload_frame(upload))
        result = _assembled(choice, registry, src, meta, parts)
        if store is not None and key is not None:
            # with each upload's frame, so that a later revision reads the answers again; a cache
            # that cannot be written warns, and the paid result is kept
            store.put(key, result, revision=choice.engine.revision, uploads=frames)
        return result, meter.record(time.perf_counter() - started)


def _assembled(choice: EngineChoice, registry: Registry | None, src: Source, meta: Mapping[str, Any],
               parts: list[OcrResult]) -> OcrResult:  # fmt: skip
    """One result of the uploads' results (each mapped back already): their pages in the
    source's order, their answers (one, or a list of one per upload), what the engine said of
    them, and ``meta`` (the run's: source, profile...). The same for a call and for a rebuild."""
    pages = sorted((page for part in parts for page in part.pages), key=lambda p: p.index)
    raws = [part.raw for part in parts]
    found: dict[str, Any] = {}  # what the engine says of the result (a vendor's version, a document kind)
    for part in parts:
        found.update(part.meta)
    result = _writable(OcrResult(choice.engine.name, pages, raws[0] if len(raws) == 1 else raws, found))
    meta = dict(meta)
    if src.document:
        meta["coordinates"] = _document_frame(result.pages)
    return attrs.evolve(result, meta=_joined(result.meta, meta, _script_warnings(choice, registry, result)))


def _reread(store: ResultCache, src: Source, choice: EngineChoice, engine: Engine, dpi: float, meta: Mapping[str, Any],
            registry: Registry | None) -> tuple[OcrResult, list[dict[str, Any]]] | None:  # fmt: skip
    """The result an earlier revision's entry rebuilds with this revision's parser, and the
    entry's upload frames; ``None`` when no earlier entry kept its answers with their frames
    (one written before entries did: paid once more), or the engine cannot read them again."""
    for revision in range(choice.engine.revision - 1, 0, -1):
        entry = store.entry(_cache_key(src, choice, dpi, revision))
        if entry is None or entry.revision != revision:
            continue
        answers = entry.answers()
        if answers is None:
            continue
        parts = _read_answers(engine, answers, entry, display_path(src.name))
        if parts is None:
            return None
        # what was said of the answer when it came (a lone surrogate replaced) still holds
        said = _joined({}, meta, {"warnings": entry.result.meta.get("warnings")})
        return _assembled(choice, registry, src, said, parts), [dict(frame) for frame in entry.uploads]
    return None


def _read_answers(engine: Engine, answers: list[Any], entry: Entry, source: str) -> list[OcrResult] | None:
    """Each kept answer read by ``engine`` in its upload's frame and mapped back, as after a call;
    ``None`` when the engine reads no kept answer, or refuses one (then it is bought again)."""
    parts: list[OcrResult] = []
    for raw, frame in zip(answers, entry.uploads):
        try:
            upload = unsent_upload(frame, source)
        except (ValueError, KeyError, TypeError):  # a frame damaged on disk: not a hit
            return None
        try:
            read = engine.read_answer(raw, upload)
            if read is None:
                return None
            parts.append(map_back(read, upload))
        except UnifiedOcrError:
            return None
    return parts


def planned_calls(
    source: SourceLike | Source, engine: EngineLike = None, config: ConfigLike = None, *,
    dpi: float = DEFAULT_DPI, cache: ResultCache | bool | None = None, registry: Registry | None = None,
    scope: EngineScope | None = None, lang: str | None = None,
) -> int:  # fmt: skip
    """How many requests :func:`recognize` would make for ``source``, making none: 0 when the
    cache holds the answer, else one per upload (a PDF's pages, or runs of pages). Only the
    image's header is read. For a dry run."""
    choice = choose_engine(engine, config, registry, lang=lang)
    src = open_source(source)
    runner = (shared_scope() if scope is None else scope).get(choice)  # the engine is made, never called
    limits = runner.limits
    if src.document:  # refused as recognize refuses it
        document_upload(src, limits, engine=choice.engine.name, takers=_document_takers(registry, src.document))
    store = ResultCache() if cache is True else cache or None
    if store is not None:
        if store.get(_cache_key(src, choice, dpi)) is not None:
            return 0
        if _reread(store, src, choice, runner, dpi, {}, registry) is not None:  # read again, not bought again
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
    if surely_writable((result.raw, dict(result.meta))) and surely_writable(result.pages):  # nearly every result
        return result
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


def _script_warnings(choice: EngineChoice, registry: Registry | None, result: OcrResult | str) -> dict[str, Any]:
    """``{"warnings": [...]}`` when the profile's ``lang``, or the text read, needs a script the
    engine does not read, or when no language was given and the engine read Korean as Chinese
    characters the way it does (:func:`~.engines.scripts.misread_hangul`): each said once per
    process as a :class:`~.engines.scripts.ScriptWarning` too, however many images; else nothing.
    ``result`` may be a text alone, whose words' confidences are then unknown."""
    reads = choice.engine.reads(choice.options)
    text = result if isinstance(result, str) else result.text
    missing = scripts.unread(choice.lang, reads)
    lang = choice.lang
    if not missing and reads is not None:
        missing, lang = scripts.scripts_in(text) - reads, None
    if not missing:
        if (choice.lang is None and reads is not None and "Hang" not in reads and "Hani" in reads
                and isinstance(result, OcrResult) and scripts.misread_hangul(
                    (line.text, [(w.text, w.confidence) for w in line.words]) for _, line in result.iter_lines())):  # fmt: skip
            said = scripts.misread_message(choice.engine.name)
            scripts.warn_once(said)
            return {"warnings": [said]}
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


def _cache_key(source: Source, choice: EngineChoice, dpi: float, revision: int | None = None) -> str:
    """The image's content and what changes the engine's answer (never a secret, timeout or retry
    count); for a PDF the dpi too, since its pages are rendered at it. ``revision``: an earlier
    revision's key (default: the engine's own)."""
    setup = choice.engine.fingerprint(choice.options, revision=revision)
    if source.info is not None and source.info.format == "pdf":
        setup["dpi"] = dpi
    return cache_key(source.sha256(), setup)


#: Keys that results of 0.1 kept in ``meta`` and that now travel in a :class:`CallRecord`.
RUN_FIGURES = frozenset({"attempts", "seconds", "cached"})


def parse(
    raw: Any, engine: str, *, registry: Registry | None = None, image: SourceLike | Source | None = None,
    config: ConfigLike = None, dpi: float = DEFAULT_DPI,
) -> OcrResult:  # fmt: skip
    """Read a saved answer as a result, offline: no network.

    ``engine`` is an engine's name, for a response saved from its API (a decoded JSON object,
    or its text), or a document format that reads back (``hocr``, ``alto``, ``page``), for a
    document as ``str`` or ``bytes``. Either may be given as a path, and errors then name it.
    Coordinates stay in the frame the engine saw. A document that is not that format raises
    :class:`~unified_ocr.errors.MalformedDocumentError`; an unknown name lists the known ones.

    With ``image``, the image the answer is of: the answer is read as :func:`recognize` reads
    a call's (:meth:`~.engines.base.Engine.read_answer`) in the upload it would send for that
    image (fitted to the engine's limits; ``engine`` may then be a profile of ``config``, whose
    ``max_side`` decides it) and mapped back into the image as displayed. An image that makes
    more than one request of the engine (a PDF over its page limit) is refused.
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
    if reader is not None and image is not None:
        raise ConfigError(f"a {engine} document is in its page's pixels already: an image places only an engine's answer")
    if reader is not None:
        if not isinstance(raw, (str, bytes, bytearray)):
            raise InvalidResultError(f"a {engine} document is read from str, bytes or a path, not {type(raw).__name__}")
        return _writable(reader(bytes(raw) if isinstance(raw, bytearray) else raw, source))
    choice = choose_engine(engine, config, registry) if image is not None else None  # a profile's name too
    if choice is not None:
        cls = choice.engine
    else:
        try:  # looked up once (the listing of every engine, sorted, cost more than a small answer's reading)
            cls = registry.engine_class(engine)
        except UnknownEngineError:
            raise UnknownEngineError(engine, registry.readable(), kind="reader") from None
    if isinstance(raw, (str, bytes, bytearray)):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            where = "" if source == "<document>" else f"{source}: "
            raise BadResponseError(f"{where}the response is not JSON ({exc})", vendor=cls.name) from None
    if choice is None or image is None:
        return _writable(cls.parse(raw))
    return _placed(raw, choice, image, registry, dpi)


def _placed(raw: Any, choice: EngineChoice, image: SourceLike | Source, registry: Registry, dpi: float) -> OcrResult:
    """A saved answer read in the upload ``image`` would make, mapped back into the image: the
    path of a call, and of a rebuild from the cache, with the answer given instead of fetched."""
    src = open_source(image)
    engine = choice.engine(choice.options)  # for its limits and its reader: never called, so no credentials needed
    try:
        uploads = list(prepare(src, engine.limits, dpi=dpi))
        if len(uploads) != 1:
            raise InputError(src.name, f"makes {len(uploads)} requests of {choice.engine.name} (its pages do not fit in one), "
                                       "so one saved answer has no single frame to be placed in: parse it without the image")  # fmt: skip
        upload = uploads[0]
        read = engine.read_answer(raw, upload)
        result = map_back(read if read is not None else choice.engine.parse(raw), upload)
    finally:
        engine.close()
    meta: dict[str, Any] = {"source": src.name, "profile": choice.label, **_language(choice)}
    if src.info is not None and src.info.format == "pdf":
        meta["dpi"] = dpi
    if src.document:
        meta["document"] = src.document
    return _assembled(choice, registry, src, meta, [result])


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
