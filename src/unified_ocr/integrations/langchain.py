"""A LangChain document loader: images (or PDFs) in, one ``Document`` per page, per source or
per line out, read by any engine or profile, with the boxes in the metadata when asked.

::

    from unified_ocr.integrations.langchain import UnifiedOcrLoader

    loader = UnifiedOcrLoader("scans/", engine="receipts", boxes=True, concurrency=8, journal="scans.jsonl")
    for document in loader.lazy_load():
        print(document.metadata["source"], document.page_content[:40])

It runs through :func:`unified_ocr.recognize_many`, so the run options are the batch's
(:class:`unified_ocr.RunOptions`: concurrency, rate limit, retries, cache...), the result
cache is on by default and a rerun pays for nothing it read before. What the metadata holds
and how a failed image is treated: :mod:`unified_ocr.integrations.pages` and docs/integrations.md.
Needs ``pip install "unified-ocr[langchain]"`` (``langchain-core`` only).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..api import ConfigLike, EngineLike
from .pages import Mode, OnError, PassageReader, SkippedSourceWarning, SourceFailedError, required

try:
    from langchain_core.document_loaders import BaseLoader
    from langchain_core.documents import Document
except ImportError as exc:  # pragma: no cover - the extra is installed where the tests run
    raise required("langchain", "langchain", exc) from exc

__all__ = ["SkippedSourceWarning", "SourceFailedError", "UnifiedOcrLoader"]


class UnifiedOcrLoader(BaseLoader):
    """Loads ``paths_or_sources`` (one or many: image or PDF paths, folders, ``.txt`` lists of
    paths, bytes, binary files, numpy arrays) as LangChain documents.

    ``mode``: ``"page"`` (a document per page, the default), ``"single"`` (one per source, its
    pages joined by a form feed) or ``"lines"`` (one per line). ``boxes=True`` adds each line's
    quad (``"lines"``: the line's quad and its words'). ``on_error``: ``"raise"`` (the default)
    stops at the first image that fails with a :class:`SourceFailedError` naming it;
    ``"skip"`` warns (:class:`SkippedSourceWarning`) and goes on. ``options`` and keywords such
    as ``concurrency=8, cache=False`` are the run's :class:`~unified_ocr.RunOptions`; with a
    ``journal``, sources it holds as done are not loaded again; ``on_outcome`` is called with
    every image's :class:`~unified_ocr.batch.Outcome` (what it cost, whether the cache answered).
    The settings are checked here, before any image is read.
    """

    def __init__(self, paths_or_sources: Any, engine: EngineLike = None, config: ConfigLike = None, *, mode: Mode = "page",
                 boxes: bool = False, on_error: OnError = "raise", **settings: Any) -> None:  # fmt: skip
        self.paths_or_sources = paths_or_sources
        self._reader = PassageReader(engine, config, mode=mode, boxes=boxes, on_error=on_error, **settings)

    def lazy_load(self) -> Iterator[Document]:
        """The documents, one at a time as images finish: memory stays flat over any number of sources."""
        for passage in self._reader.read(self.paths_or_sources):
            yield Document(page_content=passage.text, metadata=passage.metadata, id=passage.id)
