"""Which engine a name means: a profile of the configuration, else an installed engine.

``--engine NAME`` and ``engine="NAME"`` come here, as do options objects (whose class
names the engine: the options are its identity). An unknown name lists the engines and
profiles there are. A language (``--lang ko``, ``lang="ko"``, or the configuration's
``lang``) picks the engine when none is named, and is checked against the one that is
(:mod:`.languages`).
"""

from __future__ import annotations

import os
from typing import Union

import attrs

from ..engines.base import EngineChoice, EngineOptions
from ..engines.registry import Registry, default_registry
from ..errors import ConfigError, UnknownEngineError
from .languages import engine_for_language, told_language, unable_to_read
from .profiles import Config, build_options, load_config

ConfigLike = Union[Config, str, os.PathLike, None]

__all__ = ["ConfigLike", "EngineChoice", "EngineLike", "choose_engine"]


EngineLike = Union[str, EngineOptions, EngineChoice, None]


def choose_engine(engine: EngineLike = None, config: ConfigLike = None, registry: Registry | None = None, *,
                  lang: str | None = None) -> EngineChoice:  # fmt: skip
    """Resolve a profile name, an engine name or an options object to an engine and its options.

    A name is looked up among the configuration's profiles first, then the installed
    engines (with their defaults). With no name: the configuration's default profile, else
    the offline default engine.

    ``lang`` is the images' language (``ko``, ``ja``, ``zh``, ``en``; ``ko,en``). With no name,
    it picks the best installed offline engine that reads it (the default profile when that
    one does); with a name, an engine that reads none of a script it needs is refused. Either
    way it is passed on to an engine with a language option of its own. The configuration's
    ``lang`` does the same when nothing names an engine, and is only the language of the images
    (a warning where the engine does not read it) when something does.
    """
    if lang is not None and (not isinstance(lang, str) or not lang.strip()):
        raise ConfigError(f"lang: expected a language such as \"ko\" or \"ko,en\", got {lang!r}")
    if isinstance(engine, EngineChoice) and lang is None:
        return engine
    registry = registry or default_registry()
    cfg = config if isinstance(config, Config) else load_config(config)
    if engine is None and lang is None and cfg.lang is not None and cfg.default is None:
        return engine_for_language(cfg.lang, cfg, registry)
    if engine is None and lang is not None:
        default = _named(cfg.default, cfg, registry) if cfg.default else None
        if default is None or unable_to_read(default, lang, registry, cfg):
            return engine_for_language(lang, cfg, registry)
        return told_language(default, lang)
    choice = engine if isinstance(engine, EngineChoice) else _named(engine, cfg, registry)
    if lang is not None:
        told = told_language(choice, lang)
        refused = unable_to_read(told, lang, registry, cfg)
        if refused:
            raise ConfigError(refused)
        return told
    if cfg.lang is not None and choice.lang is None and not _sets_lang(choice, cfg):
        return told_language(choice, cfg.lang)
    return choice


def _sets_lang(choice: EngineChoice, cfg: Config) -> bool:
    """Whether the profile ``choice`` came from says its own language (which the configuration's does not override)."""
    profile = cfg.profiles.get(choice.label)
    return profile is not None and "lang" in profile.settings


def _named(engine: str | EngineOptions | None, cfg: Config, registry: Registry) -> EngineChoice:
    """What a name (a profile's, else an engine's), an options object or nothing (the default) means."""
    if isinstance(engine, EngineOptions):
        cls = registry.engine_for_options(engine)
        return EngineChoice(cls.name, cls, engine)
    name = engine or cfg.default or registry.default_engine_name()
    if name is None:
        raise ConfigError(
            "no engine is named (--engine, or 'default' in the configuration) and no offline default engine is installed; "
            "install one: pip install 'unified-ocr[local]'"
        )
    profile = cfg.profiles.get(name)
    if profile is not None:
        where = f"{cfg.label}: profile {profile.name!r}"
        try:
            cls = registry.engine_class(profile.backend)
        except UnknownEngineError as exc:
            raise ConfigError(f"{where}: key 'backend': {exc}") from None
        settings, lang = dict(profile.settings), None
        if "lang" in settings and "lang" not in {f.name for f in attrs.fields(cls.Options)}:
            lang = settings.pop("lang")  # what the images are in, not an option of this engine: checked against what it reads
            if not isinstance(lang, str) or not lang.strip():
                raise ConfigError(f"{where}: key 'lang': expected a language such as \"ko\" or \"ko,en\", got {lang!r}")
        return EngineChoice(name, cls, build_options(cls, settings, where), profile.price_per_1000, lang)
    try:
        cls = registry.engine_class(name)
    except UnknownEngineError as exc:
        raise UnknownEngineError(name, exc.known, list(cfg.profiles)) from None
    return EngineChoice(name, cls, cls.Options())
