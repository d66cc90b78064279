"""Which engine reads a language: ``--lang ko`` and ``lang = "ko"`` pick, check and pass it on.

A user who knows the images are Korean should not have to know which engine reads Hangul.
Told a language and no engine, the choice is the best engine installed and able to run here
whose scripts (:attr:`~.engines.base.Engine.scripts`, or ``reads(options)`` for an engine
whose languages are options) cover the language's: offline engines only, so that saying the
language never sends an image to a service nobody named, by ``default_priority`` (a profile of
the configuration before the bare engine of the same priority: it holds the user's settings).
When none can, the error says in one line what would: the reason the engine that reads it
cannot run here, which names what to install. Told a language and an engine that cannot read
it, the error says so before any image is read or any call made.

The language goes on to an engine with a ``lang`` option of its own when that option does not
already cover the language's scripts (Tesseract's ``kor+eng`` covers ``ko`` and is kept;
``ja`` becomes ``jpn``), and into :attr:`~.engines.base.EngineChoice.lang` always, from where
the result's ``meta["lang"]`` and the script warnings take it.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator

import attrs

from ..engines.base import EngineChoice
from ..engines.registry import Registry
from ..engines.scripts import LANGUAGE_SCRIPTS, SCRIPT_NAMES, scripts_of
from ..errors import ConfigError
from .profiles import Config

__all__ = ["engine_for_language", "reads_language", "told_language", "unable_to_read"]


def told_language(choice: EngineChoice, lang: str) -> EngineChoice:
    """``choice`` with ``lang`` as the language of its images, passed on to the engine's own
    ``lang`` option where it has one that does not already cover the language's scripts."""
    options = choice.options
    fields = {f.name: f for f in attrs.fields(type(options))}
    if "lang" in fields and not reads_language(choice.engine.reads(options), lang, strict=True):
        hint = typing.get_type_hints(type(options)).get("lang")
        parts = [p.strip() for p in re.split(r"[,+]", lang) if p.strip()]
        value: object = tuple(parts) if typing.get_origin(hint) in (tuple, list) else lang
        try:
            options = attrs.evolve(options, **{"lang": value})  # an option of this engine's own class
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"engine {choice.engine.name!r} does not take lang {lang!r}: {exc}") from None
    return attrs.evolve(choice, options=options, lang=lang)


def reads_language(reads: frozenset[str] | None, lang: str, *, strict: bool = False) -> bool:
    """Whether an engine that reads ``reads`` reads ``lang``: an engine that does not say
    (``None``), or a language whose scripts are not known, is taken at its word unless ``strict``."""
    needed = scripts_of(lang)
    if reads is None or not needed:
        return not strict
    return needed <= reads


def unable_to_read(choice: EngineChoice, lang: str, registry: Registry, config: Config) -> str | None:
    """Why ``choice`` cannot be used for images in ``lang`` (it reads none of a script the
    language needs), with the engine that does; ``None`` when it can."""
    reads = choice.engine.reads(choice.options)
    if reads_language(reads, lang):
        return None
    missing = ", ".join(SCRIPT_NAMES.get(s, s) for s in sorted(scripts_of(lang) - (reads or frozenset())))
    readers = [c.label for c in _readers(lang, config, registry)]
    hint = f"; {readers[0]} does: --engine {readers[0]}, or leave --engine out" if readers else f"; {_no_reader(lang, config, registry)}"
    return f"engine {choice.label!r} reads no {missing}, which lang {lang!r} needs{hint}"


def engine_for_language(lang: str, config: Config, registry: Registry) -> EngineChoice:
    """The best offline engine installed here that reads ``lang``; a :class:`ConfigError`
    saying in one line what to install when there is none."""
    if not scripts_of(lang):
        known = ", ".join(sorted(k for k in LANGUAGE_SCRIPTS if len(k) == 2))
        raise ConfigError(f"lang {lang!r}: not a language whose engines are known here ({known}); "
                          "name the engine that reads it with --engine")  # fmt: skip
    for choice in _readers(lang, config, registry):
        return choice
    raise ConfigError(_no_reader(lang, config, registry))


def _candidates(lang: str, config: Config, registry: Registry) -> Iterator[tuple[EngineChoice, bool]]:
    """Every profile of ``config`` and every installed engine, told ``lang``, each with whether it
    can run here; those that read it and need no network only, best first."""
    from .choice import choose_engine  # choose_engine asks this module when it is given a language

    found: list[tuple[tuple[object, ...], EngineChoice, bool]] = []
    named = [(name, True) for name in config.profiles] + [(name, False) for name in registry.engines]
    for name, is_profile in named:
        try:
            choice = told_language(choose_engine(name, config if is_profile else Config(), registry), lang)
        except ConfigError:  # a profile that is wrong is said when it is named, not here
            continue
        engine = choice.engine
        if engine.needs_network or not reads_language(engine.reads(choice.options), lang, strict=True):
            continue
        runs = engine.unavailable_reason(choice.options) is None
        priority = engine.default_priority
        found.append(((priority is None, -(priority or 0), not is_profile, choice.label), choice, runs))
    for _, choice, runs in sorted(found, key=lambda f: f[0]):
        yield choice, runs


def _readers(lang: str, config: Config, registry: Registry) -> list[EngineChoice]:
    return [choice for choice, runs in _candidates(lang, config, registry) if runs]


def _no_reader(lang: str, config: Config, registry: Registry) -> str:
    """One line: no engine here reads ``lang``, and what to install (the reason the engines that
    would read it give: the extra, the language data)."""
    scripts = " and ".join(SCRIPT_NAMES.get(s, s) for s in sorted(scripts_of(lang)))
    would = {choice.engine.name: choice for choice, runs in _candidates(lang, config, registry) if not runs}
    if not would:
        return f"no engine installed here reads {scripts} (lang {lang!r}) offline; install one that does (unified-ocr engines lists them)"
    said = "; or ".join(f"{name} would, but {choice.engine.unavailable_reason(choice.options)}" for name, choice in would.items())
    return f"no engine here reads {scripts} (lang {lang!r}) offline: {said}"
