"""A LlamaIndex reader: images (or PDFs) in, one ``Document`` per page, per source or per
line out, read by any engine or profile, with the boxes in the metadata when asked.

::

    from unified_ocr.integrations.llamaindex import UnifiedOcrReader

    documents = UnifiedOcrReader(engine="receipts", boxes=True).load_data("scans/")

It also serves ``SimpleDirectoryReader`` as the reader of image files
(``file_extractor={".jpg": UnifiedOcrReader()}``), which calls ``load_data(file, extra_info=...)``.
The machine-only metadata (boxes, sizes, engine...) is kept out of what LlamaIndex embeds and
shows the LLM. The rest is as for the LangChain loader (:mod:`.langchain`). Needs
``pip install "unified-ocr[llamaindex]"`` (``llama-index-core``, which downloads nothing
for this: the reader uses only its document classes).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..api import ConfigLike, EngineLike
from ..errors import ConfigError
from .pages import MACHINE_KEYS, Mode, OnError, PassageReader, SkippedSourceWarning, SourceFailedError, required

try:
    from llama_index.core.readers.base import BaseReader
    from llama_index.core.schema import Document
except ImportError as exc:  # pragma: no cover - the extra is installed where the tests run
    raise required("llamaindex", "llamaindex", exc) from exc

__all__ = ["SkippedSourceWarning", "SourceFailedError", "UnifiedOcrReader"]


class UnifiedOcrReader(BaseReader):
    """Reads images as LlamaIndex documents; the settings are those of
    :class:`~unified_ocr.integrations.langchain.UnifiedOcrLoader` (``engine``, ``config``,
    ``mode``, ``boxes``, ``on_error``, run options, ``journal``, ``on_outcome``), checked here.
    The sources are given to :meth:`load_data`."""

    def __init__(self, engine: EngineLike = None, config: ConfigLike = None, *, mode: Mode = "page", boxes: bool = False,
                 on_error: OnError = "raise", **settings: Any) -> None:  # fmt: skip
        self._reader = PassageReader(engine, config, mode=mode, boxes=boxes, on_error=on_error, **settings)

    def lazy_load_data(self, file: Any, extra_info: Mapping[str, Any] | None = None, fs: Any = None) -> Iterator[Document]:  # type: ignore[override]
        """The documents of ``file`` (one source or many, as the loader takes them), one at a
        time as images finish; ``extra_info`` is added to each one's metadata."""
        if fs is not None:
            raise ConfigError("UnifiedOcrReader reads local files, bytes or arrays; for another file system, "
                              "pass the bytes (fs.open(path, 'rb').read())")  # fmt: skip
        for passage in self._reader.read(file):
            metadata = {**(extra_info or {}), **passage.metadata}
            hidden = [key for key in MACHINE_KEYS if key in metadata]
            yield Document(text=passage.text, metadata=metadata, id_=passage.id,
                           excluded_embed_metadata_keys=list(hidden), excluded_llm_metadata_keys=list(hidden))  # fmt: skip

    def load_data(self, file: Any, extra_info: Mapping[str, Any] | None = None, fs: Any = None) -> list[Document]:  # type: ignore[override]
        """All the documents of ``file`` in a list (see :meth:`lazy_load_data`)."""
        return list(self.lazy_load_data(file, extra_info, fs))
