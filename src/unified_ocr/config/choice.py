"""Which engine a name means: a profile of the configuration, else an installed engine.

``--engine NAME`` and ``engine="NAME"`` come here, as do options objects (whose class
names the engine: the options are its identity). An unknown name lists the engines and
profiles there are.
"""

from __future__ import annotations

import os
from typing import Union

import attrs

from ..engines.base import EngineChoice, EngineOptions
from ..engines.registry import Registry, default_registry
from ..errors import ConfigError, UnknownEngineError
from .profiles import Config, build_options, load_config

ConfigLike = Union[Config, str, os.PathLike, None]

__all__ = ["ConfigLike", "EngineChoice", "EngineLike", "choose_engine"]


EngineLike = Union[str, EngineOptions, EngineChoice, None]


def choose_engine(engine: EngineLike = None, config: ConfigLike = None, registry: Registry | None = None) -> EngineChoice:
    """Resolve a profile name, an engine name or an options object to an engine and its options.

    A name is looked up among the configuration's profiles first, then the installed
    engines (with their defaults). With no name: the configuration's default profile, else
    the offline default engine.
    """
    if isinstance(engine, EngineChoice):
        return engine
    registry = registry or default_registry()
    cfg = config if isinstance(config, Config) else load_config(config)
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
