"""Finding engines: the plugin manager, entry-point loading, and name lookup.

The core names no vendor. Built-in engines and third-party ones arrive the same way,
through the ``unified_ocr`` entry-point group; a plugin may also be passed explicitly
(tests, applications that embed unified-ocr). A plugin that fails to import is recorded
with its reason and shown by ``unified-ocr engines``; it never breaks the others.
"""

from __future__ import annotations

import importlib.metadata
import warnings
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, cast

import attrs
import pluggy

from ..errors import UnknownEngineError
from . import hookspecs
from .base import Engine, EngineOptions

ENTRY_POINT_GROUP = hookspecs.PROJECT


def _is_engine(candidate: Any) -> bool:
    return isinstance(candidate, type) and issubclass(candidate, Engine)


def _is_emulator(candidate: Any) -> bool:
    """An emulator class, told by its shape, so that finding engines does not load an HTTP server."""
    return isinstance(candidate, type) and callable(getattr(candidate, "handle", None)) and isinstance(getattr(candidate, "name", None), str)


def _is_exporter(candidate: Any) -> bool:
    """An export format, told by its shape: a name, a suffix and a render function."""
    return isinstance(getattr(candidate, "name", None), str) and isinstance(getattr(candidate, "suffix", None), str) and callable(
        getattr(candidate, "render", None)
    )


def _is_dataset_writer(candidate: Any) -> bool:
    """A dataset format, told by its shape: a class with a name, a kind (rec or det) and ``add``."""
    return isinstance(candidate, type) and isinstance(getattr(candidate, "name", None), str) and getattr(candidate, "kind", None) in (
        "rec", "det") and callable(getattr(candidate, "add", None))  # fmt: skip


def _is_truth_reader(candidate: Any) -> bool:
    """A truth format, told by its shape: a name, ``read`` and a ``sniff`` (``None``: only read when named)."""
    sniff = getattr(candidate, "sniff", None)
    return isinstance(getattr(candidate, "name", None), str) and callable(getattr(candidate, "read", None)) and (
        sniff is None or callable(sniff))  # fmt: skip


def _is_metric(candidate: Any) -> bool:
    """A metric, told by its shape: a class with a name, ``update`` and ``summary``."""
    return isinstance(candidate, type) and isinstance(getattr(candidate, "name", None), str) and callable(
        getattr(candidate, "update", None)) and callable(getattr(candidate, "summary", None))  # fmt: skip


def _is_normalizer(candidate: Any) -> bool:
    """A text normaliser, told by its shape: a name and ``apply(text) -> text``."""
    return isinstance(getattr(candidate, "name", None), str) and callable(getattr(candidate, "apply", None))


@attrs.frozen(slots=True)
class Kind:
    """One kind of thing plugins provide: the hook that returns them and how to tell a good one."""

    name: str  # "engine": used in messages ("unknown engine 'x'; installed engines: ...")
    hook: str  # the hookspec in hookspecs.py that returns them
    accepts: Callable[[Any], bool]
    what: str  # what an item must be, for a plugin problem ("an Engine subclass")


#: Every kind, by name. A new kind is one entry here and one hookspec in hookspecs.py.
KINDS: dict[str, Kind] = {
    "engine": Kind("engine", "register_engines", _is_engine, "an Engine subclass"),
    "emulator": Kind("emulator", "register_emulators", _is_emulator, "an Emulator subclass"),
    "exporter": Kind("exporter", "register_exporters", _is_exporter, "an Exporter (name, suffix, render)"),
    "dataset_writer": Kind("dataset format", "register_dataset_writers", _is_dataset_writer, "a DatasetWriter subclass"),
    "truth_reader": Kind("truth format", "register_truth_readers", _is_truth_reader, "a TruthReader (name, sniff, read)"),
    "metric": Kind("metric", "register_metrics", _is_metric, "a Metric subclass (name, update, summary)"),
    "normalizer": Kind("normaliser", "register_normalizers", _is_normalizer, "a Normalizer (name, apply)"),
}


@attrs.frozen(slots=True)
class Provided:
    """A class a plugin provides (an engine, an emulator, ...) and where it came from."""

    cls: Any
    origin: str


@attrs.frozen(slots=True)
class PluginProblem:
    """A plugin that could not be used, and why."""

    plugin: str
    origin: str
    reason: str


class Registry:
    """What the installed and the given plugins provide, by kind and name.

    Built-in plugins arrive through the same entry points and hooks as third-party ones. A
    plugin that cannot be imported, a hook that raises, an item of the wrong type or a name
    already taken is recorded in ``problems`` (shown by ``unified-ocr engines``), never raised.
    """

    def __init__(self, plugins: Iterable[Any] = (), *, entry_points: bool = True) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.problems: list[PluginProblem] = []
        self._origins: dict[int, str] = {}
        if entry_points:
            self._load_entry_points()
        for plugin in plugins:
            self.register(plugin, origin="registered in code")
        self._provided: dict[str, dict[str, Provided]] = {kind: self._collect(spec) for kind, spec in KINDS.items()}

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

    def _collect(self, kind: Kind) -> dict[str, Provided]:
        """Name -> (class, origin) of everything the plugins return from the kind's hook."""
        found: dict[str, Provided] = {}
        for impl in getattr(self.pm.hook, kind.hook).get_hookimpls():
            origin = self._origins.get(id(impl.plugin), impl.plugin_name)
            try:
                provided = list(cast("Iterable[Any]", impl.function() or []))
            except Exception as exc:
                self.problems.append(PluginProblem(impl.plugin_name, origin, f"{kind.hook} failed: {exc!r}"))
                continue
            for item in provided:
                name: str = getattr(item, "name", "")
                if not kind.accepts(item):
                    self.problems.append(PluginProblem(impl.plugin_name, origin, f"{item!r} is not {kind.what}"))
                elif name in found:
                    first = found[name].origin
                    self.problems.append(PluginProblem(impl.plugin_name, origin, f"the name {name!r} is taken by {first}"))
                else:
                    found[name] = Provided(item, origin)
        return found

    # -- by kind ----------------------------------------------------------------------------

    def all(self, kind: str) -> dict[str, Provided]:
        """Everything of ``kind`` ("engine", "emulator", ...), sorted by name."""
        return dict(sorted(self._provided[kind].items()))

    def get(self, kind: str, name: str) -> Any:
        """The class of ``kind`` called ``name``; an unknown name lists the known ones."""
        try:
            return self._provided[kind][name].cls
        except KeyError:
            raise UnknownEngineError(name, list(self._provided[kind]), kind=KINDS[kind].name if kind in KINDS else kind) from None

    # -- engines and emulators, by name ------------------------------------------------------

    @property
    def engines(self) -> dict[str, Provided]:
        return self.all("engine")

    def engine_class(self, name: str) -> type[Engine]:
        return cast("type[Engine]", self.get("engine", name))

    def document_reader(self, name: str) -> Callable[[str | bytes, str], Any] | None:
        """The ``read`` of document format ``name`` (an exporter that reads back: ``hocr``,
        ``alto``, ``page``) when ``name`` is one and is not an engine's name; else ``None``."""
        exporter = self._provided["exporter"].get(name)
        if name in self._provided["engine"] or exporter is None:
            return None
        return cast("Callable[[str | bytes, str], Any] | None", getattr(exporter.cls, "read", None))

    def readable(self) -> list[str]:
        """Every name :func:`unified_ocr.parse` reads: the engines', and the formats that read back."""
        formats = [n for n, e in self._provided["exporter"].items() if getattr(e.cls, "read", None) is not None]
        return sorted({*self._provided["engine"], *formats})

    @property
    def emulators(self) -> dict[str, Provided]:
        return self.all("emulator")

    def emulator_class(self, name: str) -> type:
        """The :class:`~.emulator.Emulator` subclass called ``name``, for ``unified-ocr emulate NAME``."""
        return cast(type, self.get("emulator", name))

    def engine_for_options(self, options: EngineOptions) -> type[Engine]:
        """The engine whose options class ``options`` is: the options are its identity."""
        for entry in self._provided["engine"].values():
            if type(options) is entry.cls.Options:
                return cast("type[Engine]", entry.cls)
        raise UnknownEngineError(type(options).__name__, list(self._provided["engine"]))

    def default_engine_name(self) -> str | None:
        """The engine used when nothing names one: the highest ``default_priority`` (ties: by name)."""
        candidates = [(-e.cls.default_priority, name) for name, e in self._provided["engine"].items() if e.cls.default_priority is not None]
        return min(candidates)[1] if candidates else None


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The registry of the installed plugins, built once per process."""
    return Registry()


def __getattr__(name: str) -> str | None:
    """``DEFAULT_ENGINE`` of 0.1, kept for one release: now the installed engines say which is the default.

    A function rather than a constant because the core names no vendor; goes in 0.3.
    """
    if name == "DEFAULT_ENGINE":
        warnings.warn(
            "DEFAULT_ENGINE is deprecated; use default_registry().default_engine_name() (it goes in unified-ocr 0.3)",
            DeprecationWarning,
            stacklevel=2,
        )
        return default_registry().default_engine_name()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
