"""Finding engines: the plugin manager, entry-point loading, and name lookup.

The core names no vendor. Built-in engines and third-party ones arrive the same way,
through the ``unified_ocr`` entry-point group; a plugin may also be passed explicitly
(tests, applications that embed unified-ocr). A plugin that fails to import is recorded
with its reason and shown by ``unified-ocr engines``; it never breaks the others.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, cast

import attrs
import pluggy

from ..errors import UnknownEngineError
from . import hookspecs
from .base import Engine, EngineOptions

ENTRY_POINT_GROUP = hookspecs.PROJECT

#: The engine used when neither the call nor the configuration names one: offline, no account.
DEFAULT_ENGINE = "rapidocr"


def _is_engine(candidate: Any) -> bool:
    return isinstance(candidate, type) and issubclass(candidate, Engine)


def _is_emulator(candidate: Any) -> bool:
    """An emulator class, checked by its shape: the emulator base uses the API, which uses the registry."""
    return isinstance(candidate, type) and callable(getattr(candidate, "handle", None)) and isinstance(getattr(candidate, "name", None), str)


@attrs.frozen(slots=True)
class Provided:
    """A class a plugin provides (an engine or an emulator) and where it came from."""

    cls: Any  # type[Engine] | type[Emulator]
    origin: str


@attrs.frozen(slots=True)
class PluginProblem:
    """A plugin that could not be used, and why."""

    plugin: str
    origin: str
    reason: str


class Registry:
    """The engines that the installed and the given plugins provide."""

    def __init__(self, plugins: Iterable[Any] = (), *, entry_points: bool = True) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.problems: list[PluginProblem] = []
        self._origins: dict[int, str] = {}
        if entry_points:
            self._load_entry_points()
        for plugin in plugins:
            self.register(plugin, origin="registered in code")
        self._engines: dict[str, Provided] = self._collect("register_engines", _is_engine, "Engine subclass")
        self._emulators: dict[str, Provided] = self._collect("register_emulators", _is_emulator, "Emulator subclass")

    def register(self, plugin: Any, origin: str, name: str | None = None) -> None:
        self.pm.register(plugin, name=name)
        self._origins[id(plugin)] = origin

    def _load_entry_points(self) -> None:
        seen: set[str] = set()
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in seen:  # the same distribution found twice on sys.path
                continue
            seen.add(ep.name)
            dist = ep.dist
            origin = f"{dist.name} {dist.version}" if dist is not None else "entry point"
            try:
                plugin = ep.load()
            except Exception as exc:  # a broken plugin must not take the others down
                self.problems.append(PluginProblem(ep.name, origin, f"cannot be imported: {exc!r}"))
                continue
            self.register(plugin, origin=origin, name=ep.name)

    def _collect(self, hook: str, accepts: Callable[[Any], bool], kind: str) -> dict[str, Provided]:
        """Name -> (class, origin) of everything the plugins return from ``hook``."""
        found: dict[str, Provided] = {}
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            origin = self._origins.get(id(impl.plugin), impl.plugin_name)
            try:
                provided = list(cast("Iterable[Any]", impl.function() or []))
            except Exception as exc:
                self.problems.append(PluginProblem(impl.plugin_name, origin, f"{hook} failed: {exc!r}"))
                continue
            for item in provided:
                name: str = getattr(item, "name", "")
                if not accepts(item):
                    self.problems.append(PluginProblem(impl.plugin_name, origin, f"{item!r} is not an {kind}"))
                elif name in found:
                    first = found[name].origin
                    self.problems.append(PluginProblem(impl.plugin_name, origin, f"the name {name!r} is taken by {first}"))
                else:
                    found[name] = Provided(item, origin)
        return found

    @property
    def engines(self) -> dict[str, Provided]:
        return dict(sorted(self._engines.items()))

    def engine_class(self, name: str) -> type[Engine]:
        try:
            return self._engines[name].cls
        except KeyError:
            raise UnknownEngineError(name, list(self._engines)) from None

    @property
    def emulators(self) -> dict[str, Provided]:
        return dict(sorted(self._emulators.items()))

    def emulator_class(self, name: str) -> type:
        """The :class:`~.emulator.Emulator` subclass called ``name``, for ``unified-ocr emulate NAME``."""
        try:
            return self._emulators[name].cls
        except KeyError:
            raise UnknownEngineError(name, list(self._emulators)) from None

    def engine_for_options(self, options: EngineOptions) -> type[Engine]:
        """The engine whose options class ``options`` is: the options are its identity."""
        for entry in self._engines.values():
            if type(options) is entry.cls.Options:
                return entry.cls
        raise UnknownEngineError(type(options).__name__, list(self._engines))


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The registry of the installed plugins, built once per process."""
    return Registry()
