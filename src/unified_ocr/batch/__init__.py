"""Batches: many images through one engine setup, with a journal to resume from, a result
cache, progress and a summary.

The runner is loaded on first use: :mod:`unified_ocr.api` uses the cache from this
package, and the runner uses :mod:`unified_ocr.api`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..cache import ResultCache, cache_key, default_cache_dir
from .inputs import LIST_SUFFIXES, expand_inputs
from .journal import Journal

if TYPE_CHECKING:
    from .runner import AUTH_FAILURES_TO_STOP, BatchAbortedError, Outcome, recognize_many

__all__ = [
    "AUTH_FAILURES_TO_STOP", "BatchAbortedError", "Journal", "LIST_SUFFIXES", "Outcome", "ResultCache", "cache_key",
    "default_cache_dir", "expand_inputs", "recognize_many",
]  # fmt: skip

_RUNNER = {"AUTH_FAILURES_TO_STOP", "BatchAbortedError", "Outcome", "recognize_many"}


def __getattr__(name: str) -> Any:
    if name in _RUNNER:
        from . import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
