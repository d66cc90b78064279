"""How long engines live: a scope creates each engine on first use and closes them all at its end.

An engine instance holds loaded models or HTTP sessions. A run that uses several at once
(a batch, a comparison of three vendors) opens a scope, so that every engine it made is
closed when it ends, however it ends::

    with EngineScope() as engines:
        engine = engines.get(choice)     # made once per (engine, options) in this scope
        ...
                                          # every engine made here is closed

Calls that name no scope (``unified_ocr.recognize`` in a loop) share the process's scope,
:func:`shared_scope`, so a model loads once per process; it is closed at interpreter exit.
"""

from __future__ import annotations

import atexit
import logging
import threading
from typing import Any

from ..errors import EngineUnavailableError
from .base import Engine, EngineChoice, EngineOptions

log = logging.getLogger("unified_ocr.engines")


class EngineScope:
    """The engines one run uses; thread-safe, so the run's workers share them."""

    def __init__(self) -> None:
        self._engines: dict[tuple[type[Engine], EngineOptions], Engine] = {}
        self._lock = threading.Lock()
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{len(self._engines)} engine(s)"
        return f"EngineScope({state})"

    def get(self, choice: EngineChoice) -> Engine:
        """The engine for ``choice``, ready to use; checks availability before making it.

        Raises :class:`~unified_ocr.errors.EngineUnavailableError` (a missing extra,
        credential or setting) before any image is read.
        """
        reason = choice.engine.unavailable_reason(choice.options)
        if reason:
            raise EngineUnavailableError(choice.label, reason)
        key = (choice.engine, choice.options)
        with self._lock:
            if self._closed:
                raise RuntimeError("this EngineScope is closed; open a new one")
            engine = self._engines.get(key)
            if engine is None:
                engine = self._engines[key] = choice.engine(choice.options)
            return engine

    def __len__(self) -> int:
        return len(self._engines)

    def close(self) -> None:
        """Close every engine made in this scope; one engine failing to close does not stop the others."""
        with self._lock:
            engines, self._engines, self._closed = list(self._engines.values()), {}, True
        for engine in engines:
            try:
                engine.close()
            except Exception:  # closing must not hide the run's own outcome
                log.warning("closing engine %r failed", engine.name, exc_info=True)

    def __enter__(self) -> EngineScope:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        # Engines do not travel between processes: on a Dask worker a scope becomes that
        # worker's shared scope, so each worker loads a model once.
        return (shared_scope, ())


_shared: EngineScope | None = None
_shared_lock = threading.Lock()


def shared_scope() -> EngineScope:
    """The process's scope, for calls that name none; closed at interpreter exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = EngineScope()
            atexit.register(_shared.close)
        return _shared
