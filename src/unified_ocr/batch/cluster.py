"""A Dask cluster as the executor of a run: ``--scheduler tcp://host:8786`` or ``local``.

The runner takes any ``concurrent.futures.Executor``; a Dask client's ``get_executor()`` is
one, so a run goes past one machine with nothing else changed: the images in flight stay
bounded by ``concurrency``, each worker opens the engine once (an
:class:`~unified_ocr.engines.scope.EngineScope` travels as an empty scope) and writes the
shared result cache, and this process alone writes the journal and the results. The workers
must see the image paths, and the cache folder, where this process does.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from ..errors import ConfigError

#: ``--scheduler local``: a cluster of worker processes on this machine (to try a setup, or to use every core).
LOCAL = "local"


@contextmanager
def dask_executor(address: str) -> Iterator[Executor]:
    """The executor of the Dask cluster at ``address`` (``local``: one started here and
    stopped at the end), open for the ``with`` block."""
    try:
        import distributed
    except ImportError:
        raise ConfigError('running on a Dask cluster needs the dask extra: pip install "unified-ocr[dask]"') from None
    if address == LOCAL:
        with distributed.LocalCluster(processes=True, dashboard_address=None) as cluster, distributed.Client(cluster) as client:
            yield client.get_executor()
        return
    try:
        client = distributed.Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"no Dask scheduler answers at {address} ({exc}); start one (dask scheduler) or give its address") from None
    with client:
        yield client.get_executor()
