"""Named engine profiles from a TOML file, so that switching vendors is one word.

::

    default = "receipts"
    lang = "ko"          # the images' language, when neither --lang nor the profile says

    [engines.receipts]
    backend = "clova"
    invoke_url = "https://.../general"
    secret = { env = "CLOVA_OCR_SECRET" }

The file is found at an explicit path, then ``$UNIFIED_OCR_CONFIG``, then
``./unified-ocr.toml``. A profile's ``backend`` picks the engine; every other key is an
option of that engine, checked against its options class. Errors name the file, the
profile and the key. A top-level ``lang`` is the language of the images when nothing else
says it: with no default profile it picks the engine that reads it (:mod:`.languages`).
"""

from __future__ import annotations

import math
import os
import sys
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union

import attrs

from ..errors import ConfigError
from ..secrets import Secret

if TYPE_CHECKING:  # engines import secrets from this package; profiles need them only as types
    from ..engines.base import Engine, EngineOptions

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_ENV = "UNIFIED_OCR_CONFIG"
CONFIG_FILENAME = "unified-ocr.toml"


@attrs.frozen(slots=True)
class Profile:
    """One named engine setup: the backend and its option values as written."""

    name: str
    backend: str
    settings: Mapping[str, Any] = attrs.field(factory=dict, repr=lambda s: f"<{len(s)} settings>")
    #: what 1,000 calls cost, in the account's currency, for cost estimates (``compare``)
    price_per_1000: float | None = None


@attrs.frozen(slots=True)
class Config:
    """A loaded configuration: profiles by name, the default profile, the file it came from,
    and the language of the images when nothing else says it."""

    profiles: Mapping[str, Profile] = attrs.field(factory=dict)
    default: str | None = None
    path: Path | None = None
    lang: str | None = None

    @property
    def label(self) -> str:
        return str(self.path) if self.path else "configuration"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: Path | None = None) -> Config:
        label = str(path) if path else "configuration"
        unknown = set(data) - {"default", "lang", "engines"}
        if unknown:
            raise ConfigError(f"{label}: unknown top-level key(s) {sorted(unknown)}; expected 'default', 'lang' and [engines.NAME] tables")
        lang = data.get("lang")
        if lang is not None and (not isinstance(lang, str) or not lang.strip()):
            raise ConfigError(f"{label}: key 'lang': expected a language such as \"ko\" or \"ko,en\", got {lang!r}")
        engines = data.get("engines", {})
        if not isinstance(engines, Mapping):
            raise ConfigError(f"{label}: 'engines' must be a table of profiles, [engines.NAME]")
        profiles: dict[str, Profile] = {}
        for name, body in engines.items():
            if not isinstance(body, Mapping):
                raise ConfigError(f"{label}: profile {name!r}: must be a table")
            backend = body.get("backend")
            if not isinstance(backend, str) or not backend:
                raise ConfigError(f"{label}: profile {name!r}: key 'backend': required, the engine to use (for example \"rapidocr\")")
            price = body.get("price_per_1000")
            if price is not None and (isinstance(price, bool) or not isinstance(price, (int, float)) or not 0 <= price < math.inf):
                raise ConfigError(f"{label}: profile {name!r}: key 'price_per_1000': expected a number >= 0, got {price!r}")
            settings = {k: v for k, v in body.items() if k not in ("backend", "price_per_1000")}
            profiles[name] = Profile(name, backend, settings, None if price is None else float(price))
        default = data.get("default")
        if default is not None and (not isinstance(default, str) or default not in profiles):
            raise ConfigError(f"{label}: key 'default': {default!r} is not a profile here; profiles: {sorted(profiles)}")
        return cls(profiles, default, path, lang)


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The configuration file to use: the explicit path, ``$UNIFIED_OCR_CONFIG``, then ``./unified-ocr.toml``."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    local = Path.cwd() / CONFIG_FILENAME
    return local if local.is_file() else None


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load the configuration that :func:`find_config` finds, or an empty one when there is none."""
    found = find_config(path)
    if found is None:
        return Config()
    try:
        text = found.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{found}: configuration file not found") from None
    except OSError as exc:
        raise ConfigError(f"{found}: cannot be read ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{found}: not valid TOML: {exc}") from None
    return Config.from_dict(data, found)


def build_options(engine: type[Engine], settings: Mapping[str, Any], where: str) -> EngineOptions:
    """The engine's options from a profile's settings; ``where`` prefixes every error."""
    cls = engine.Options
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in attrs.fields(cls)}
    values = {}
    for key, value in settings.items():
        if key not in fields:
            known = ", ".join(sorted(fields)) or "none"
            raise ConfigError(f"{where}: key {key!r}: not an option of engine {engine.name!r} (options: {known})")
        try:
            values[fields[key].alias] = _convert(value, hints[key])
        except (TypeError, ValueError, ConfigError) as exc:
            raise ConfigError(f"{where}: key {key!r}: {exc}") from None
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _convert(value: Any, hint: Any) -> Any:
    """Check and convert one TOML value to the annotated type; the message says what was expected."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        args = typing.get_args(hint)
        errors = []
        for arg in args:
            if arg is type(None) and value is not None:
                continue
            try:
                return _convert(value, arg)
            except (TypeError, ValueError, ConfigError) as exc:
                errors.append(str(exc))
        raise ValueError(" or ".join(dict.fromkeys(errors)))
    if hint is type(None):
        if value is None:
            return None
        raise ValueError("expected nothing")
    if hint is Secret:
        return Secret.from_config(value)
    if origin is Literal:
        choices = typing.get_args(hint)
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(map(repr, choices))}, got {value!r}")
        return value
    if origin in (tuple, list):
        (item, *_rest) = typing.get_args(hint) or (Any,)
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise ValueError(f"expected a list, got {value!r}")
        return tuple(_convert(v, item) for v in items)  # tuples keep options hashable
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise ValueError(f"expected true or false, got {value!r}")
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ValueError(f"expected a whole number, got {value!r}")
    if hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise ValueError(f"expected a number, got {value!r}")
    if hint is str:
        if isinstance(value, str):
            return value
        raise ValueError(f"expected a string, got {value!r}")
    return value
