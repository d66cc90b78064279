"""The LlamaIndex reader on real images through the offline engine: documents LlamaIndex
takes, as ``SimpleDirectoryReader``'s reader of images too, with no network used."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from llama_index.core import SimpleDirectoryReader
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import Document, MetadataMode

import unified_ocr
from unified_ocr.batch import Outcome
from unified_ocr.integrations.langchain import UnifiedOcrLoader
from unified_ocr.integrations.llamaindex import SkippedSourceWarning, SourceFailedError, UnifiedOcrReader

from ..conftest import ROOT, SAMPLE
from .conftest import EXAMPLES


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every connection or name lookup is refused and noted: the test fails on any attempt."""
    tried: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        tried.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return tried


def test_load_data_gives_the_same_documents_as_the_langchain_loader(offline, shared_cache) -> None:
    reader = UnifiedOcrReader(engine=offline, mode="lines", boxes=True, cache=shared_cache)
    documents = reader.load_data(SAMPLE)
    loaded = UnifiedOcrLoader(SAMPLE, engine=offline, mode="lines", boxes=True, cache=shared_cache).load()
    assert all(isinstance(d, Document) for d in documents)
    assert [(d.text, d.metadata, d.id_) for d in documents] == [(d.page_content, d.metadata, d.id) for d in loaded]


def test_boxes_stay_out_of_what_is_embedded_and_shown_to_the_llm(offline, shared_cache, no_network) -> None:
    (document,) = UnifiedOcrReader(engine=offline, boxes=True, cache=shared_cache).load_data([SAMPLE])
    assert document.metadata["boxes"] and document.metadata["page_width"] == 540
    for mode in (MetadataMode.EMBED, MetadataMode.LLM):
        shown = document.get_content(metadata_mode=mode)
        assert shown.startswith(f"source: {SAMPLE}\npage: 0\n\nUNIFIED MART"), shown
        assert "quad" not in shown and "sha256" not in shown
    nodes = SentenceSplitter(chunk_size=128, chunk_overlap=0).get_nodes_from_documents([document])
    assert nodes and nodes[0].metadata["boxes"] == document.metadata["boxes"]
    assert no_network == []


def test_it_reads_the_images_of_a_simple_directory_reader(offline, shared_cache, receipts, no_network) -> None:
    calls: list[Outcome] = []
    reader = UnifiedOcrReader(engine=offline, cache=shared_cache, on_outcome=calls.append)
    documents = SimpleDirectoryReader(str(receipts), file_extractor={".png": reader}).load_data()
    assert sorted(d.metadata["file_name"] for d in documents) == ["a.png", "b.png"]  # the directory reader's own
    assert all("UNIFIED MART" in d.text and d.metadata["engine"] == "rapidocr" for d in documents)
    assert len(calls) == 2 and sum(o.attempts for o in calls) <= 1, "the same image again is answered by the cache"
    assert no_network == []


def test_a_failed_image_raises_naming_it(offline, shared_cache, tmp_path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(SourceFailedError, match="empty.jpg: empty") as raised:
        UnifiedOcrReader(engine=offline, cache=shared_cache).load_data(empty)
    assert isinstance(raised.value.error, unified_ocr.EmptyImageError)
    with pytest.warns(SkippedSourceWarning, match=r"skipped, no documents: .*empty.jpg: empty \(0 bytes\) \(EmptyImageError\)"):
        documents = UnifiedOcrReader(engine=offline, cache=shared_cache, on_error="skip").load_data([empty, SAMPLE])
    assert [d.metadata["source"] for d in documents] == [str(SAMPLE)]


def test_the_example_prints_what_is_embedded_and_the_nodes(offline, tmp_path) -> None:
    env = {**os.environ, "UNIFIED_OCR_CACHE_DIR": str(tmp_path / "cache")}
    run = subprocess.run([sys.executable, str(EXAMPLES / "llamaindex_reader.py"), "--engine", offline], capture_output=True,
                         text=True, env=env, cwd=ROOT, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "page 0: 8 lines, id " in run.stdout
    assert f"source: {SAMPLE}\npage: 0\n\nUNIFIED MART\n" in run.stdout
    assert run.stdout.endswith("1 node(s) for the index\n")
