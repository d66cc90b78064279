"""How a run goes: the options every job that reads many images shares, in one frozen object.

``batch``, ``compare`` and ``dataset`` (and :func:`~.runner.recognize_many` and
:func:`~.folder.run_batch` for a Python caller) take one :class:`RunOptions`, built once from
the command line's options or by the caller, and pass it whole down to the runner: a new
run option is one field here and one click option in :func:`unified_ocr.cli.common.run_options`,
not a parameter threaded through five signatures.

A Python caller may still name the options as keywords (``recognize_many(paths, "clova",
concurrency=8)``); :meth:`RunOptions.merged` folds them in, and refuses a name it does not know.
"""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import attrs

from ..cache import ResultCache
from ..errors import ConfigError
from ..imaging.pdf import DEFAULT_DPI

#: Later rounds for an image whose transient failures outlasted its tries, and the first wait before one.
ROUNDS = 3
ROUND_WAIT = 5.0


def _positive(instance: Any, attribute: attrs.Attribute, value: int) -> None:
    if value < 1:
        raise ConfigError(f"{attribute.name} must be at least 1, not {value}")


def _cache(value: ResultCache | str | Path | bool | None) -> ResultCache | None:
    """``True``: the user cache folder; ``False``/``None``: no cache; a path: a cache there."""
    if value is True:
        return ResultCache()
    if isinstance(value, (str, Path)):
        return ResultCache(value)
    return value or None


@attrs.frozen(slots=True)
class RunOptions:
    """The options of a run over many images, the same for every engine of it.

    >>> RunOptions(concurrency=8, cache=False).concurrency
    8
    >>> RunOptions.merged(RunOptions(concurrency=8), rounds=0).rounds
    0
    """

    #: images in flight at once (per engine, when several read side by side); for a web
    #: service, calls on the wire at once, while a few spare workers read the next images
    concurrency: int = attrs.field(default=4, validator=_positive)
    #: calls per second, retries included; ``None``: each profile's own
    rate_limit: float | None = None
    #: tries after the first for transient errors; ``None``: each profile's own
    retries: int | None = None
    #: later rounds for images whose transient failures outlast ``retries``, the first after ``round_wait`` s
    rounds: int = ROUNDS
    round_wait: float = ROUND_WAIT
    #: the result cache: ``True`` the user cache folder, a path or a :class:`~unified_ocr.cache.ResultCache`, ``False`` none
    cache: ResultCache | None = attrs.field(factory=ResultCache, converter=_cache)
    #: the pixel frame of PDF pages
    dpi: float = DEFAULT_DPI
    #: also try again, on a rerun into the same folder, images that failed because of the image itself;
    #: ``None``: the job's own default (a batch tries them again, a comparison or dataset does not)
    retry_failed: bool | None = None
    #: where images are read: ``None`` threads of this process; a Dask ``client.get_executor()`` a cluster
    executor: Executor | None = attrs.field(default=None, eq=False)

    @classmethod
    def merged(cls, options: RunOptions | None = None, **changes: Any) -> RunOptions:
        """``options`` (the defaults when ``None``) with ``changes``; an unknown name is a
        :class:`TypeError` naming the known ones, as a misspelt keyword argument is."""
        known = {f.name for f in attrs.fields(cls)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise TypeError(f"unknown run option(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        base = options if options is not None else cls()
        return attrs.evolve(base, **changes) if changes else base

    def retrying_failed(self, default: bool) -> bool:
        """Whether images that failed because of the image itself are tried again, in a job whose own default is ``default``."""
        return default if self.retry_failed is None else self.retry_failed

    @property
    def cache_folder(self) -> str | None:
        """The result cache's folder, as workers (threads or other machines) open it."""
        return str(self.cache.folder) if self.cache is not None else None
