"""The LangChain loader on real images through the offline engine: documents as LangChain
takes them, the boxes where asked, nothing paid twice, failures named or skipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest
from langchain_core.documents import Document

import unified_ocr
from unified_ocr.batch import Outcome
from unified_ocr.integrations.langchain import SkippedSourceWarning, SourceFailedError, UnifiedOcrLoader

from ..conftest import ROOT, SAMPLE
from .conftest import EXAMPLES, SROIE


def quads(result: unified_ocr.OcrResult) -> list[list[list[float]]]:
    return [[[x, y] for x, y in line.quad.points] for _, line in result.iter_lines()]


@pytest.mark.slow
@pytest.mark.skipif(not SROIE.is_dir(), reason="needs the evaluation images in ../shared/eval")
def test_a_folder_of_receipts_loads_one_document_per_image_with_its_boxes_and_a_rerun_pays_nothing(offline, tmp_path) -> None:
    folder = tmp_path / "receipts"  # the heads of three SROIE receipts: real receipts enough for a folder, read in a third of the time
    folder.mkdir()
    for path in sorted(SROIE.iterdir())[:3]:
        head = cv2.imread(str(path))[:300]  # the shop's name and address: some twenty words, not a hundred
        cv2.imwrite(str(folder / f"{path.stem}.png"), head)
    outcomes: list[Outcome] = []
    loader = UnifiedOcrLoader(str(folder), engine=offline, boxes=True, cache=tmp_path / "cache", on_outcome=outcomes.append)
    documents = list(loader.lazy_load())

    images = sorted(p.name for p in folder.iterdir())
    assert len(images) == 3 and sorted(Path(d.metadata["source"]).name for d in documents) == images
    results = {o.source: o.result for o in outcomes}
    for document in documents:
        result = results[document.metadata["source"]]
        assert result is not None
        assert document.page_content == result.text
        assert [box["quad"] for box in document.metadata["boxes"]] == quads(result)
        assert [box["text"] for box in document.metadata["boxes"]] == [line.text for _, line in result.iter_lines()]
    assert sum(o.attempts for o in outcomes) == len(images)

    again: list[Outcome] = []
    rerun = list(UnifiedOcrLoader(str(folder), engine=offline, boxes=True, cache=tmp_path / "cache", on_outcome=again.append).lazy_load())
    assert sum(o.attempts for o in again) == 0 and all(o.cached for o in again)
    assert sorted((d.id, d.page_content) for d in rerun) == sorted((d.id, d.page_content) for d in documents)


def test_each_mode_cuts_the_result_as_it_says_and_the_metadata_is_plain_json(offline, shared_cache) -> None:
    result = unified_ocr.recognize(SAMPLE, engine=offline, cache=unified_ocr.batch.ResultCache(shared_cache))
    load = lambda **kw: UnifiedOcrLoader(SAMPLE, engine=offline, cache=shared_cache, **kw).load()  # noqa: E731

    (page,) = load()
    assert page.page_content == result.text and page.metadata["page"] == 0
    assert (page.metadata["page_width"], page.metadata["page_height"]) == (result.pages[0].width, result.pages[0].height)
    assert page.metadata["engine"] == "rapidocr" and page.metadata["profile"] == offline
    assert page.metadata["source"] == str(SAMPLE) and "boxes" not in page.metadata
    assert all(isinstance(v, (str, int, float)) for v in page.metadata.values()), "flat by default: every store takes it"

    (single,) = load(mode="single", boxes=True)
    assert single.page_content == result.text
    assert [(b["page"], b["text"]) for b in single.metadata["boxes"]] == [(0, line.text) for _, line in result.iter_lines()]

    lines = load(mode="lines", boxes=True)
    assert [d.page_content for d in lines] == [line.text for _, line in result.iter_lines()]
    assert [d.metadata["line"] for d in lines] == list(range(len(lines)))
    first = result.pages[0].lines[0]
    assert lines[0].metadata["quad"] == [[x, y] for x, y in first.quad.points]
    assert [w["text"] for w in lines[0].metadata["boxes"]] == [w.text for w in first.words]
    for document in [page, single, *lines]:
        assert json.loads(json.dumps(document.metadata, allow_nan=False)) == document.metadata
    assert len({d.id for d in [page, single, *lines]}) == 2 + len(lines), "ids differ between documents"
    assert load()[0].id == page.id, "the same image read the same way has the same id: a store upserts it"


def test_a_failed_image_stops_the_load_naming_it_or_is_skipped_with_a_warning(offline, shared_cache, receipts) -> None:
    (receipts / "broken.png").write_bytes(b"")
    with pytest.raises(SourceFailedError, match="broken.png: empty") as raised:
        list(UnifiedOcrLoader(receipts, engine=offline, cache=shared_cache, ordered=True).lazy_load())
    assert isinstance(raised.value.error, unified_ocr.EmptyImageError) and raised.value.__cause__ is raised.value.error
    assert "on_error='skip'" in str(raised.value)

    with pytest.warns(SkippedSourceWarning, match="skipped, no documents: .*broken.png: empty"):
        documents = UnifiedOcrLoader(receipts, engine=offline, cache=shared_cache, on_error="skip").load()
    assert sorted(Path(d.metadata["source"]).name for d in documents) == ["a.png", "b.png"]


def test_with_a_journal_a_rerun_loads_only_what_was_not_handed_over(offline, shared_cache, receipts, tmp_path) -> None:
    journal = tmp_path / "loaded.jsonl"
    first = UnifiedOcrLoader(receipts, engine=offline, cache=shared_cache, journal=journal).lazy_load()
    next(first)
    first.close()  # the pipeline died after one document
    rest = UnifiedOcrLoader(receipts, engine=offline, cache=shared_cache, journal=journal).load()
    assert len(rest) == 1
    assert UnifiedOcrLoader(receipts, engine=offline, cache=shared_cache, journal=journal).load() == []


def test_settings_are_checked_before_any_image_is_read() -> None:
    with pytest.raises(TypeError, match="concurency"):
        UnifiedOcrLoader("missing.png", concurency=4)
    with pytest.raises(unified_ocr.ConfigError, match="mode 'words'"):
        UnifiedOcrLoader("missing.png", mode="words")  # type: ignore[arg-type]
    with pytest.raises(unified_ocr.UnknownEngineError):
        UnifiedOcrLoader("missing.png", engine="no-such-engine")


def test_documents_are_langchain_documents_and_sources_may_be_bytes(offline, shared_cache) -> None:
    (document,) = UnifiedOcrLoader([SAMPLE.read_bytes()], engine=offline, cache=shared_cache).load()
    assert isinstance(document, Document) and document.metadata["source"] == "<bytes>"
    assert "UNIFIED MART" in document.page_content


def blocked(module: str) -> str:
    """Python that imports the loader as if ``module`` were not installed."""
    return f"import sys; sys.modules[{module!r}] = None\nimport unified_ocr.integrations.{{}}"


@pytest.mark.parametrize(("name", "framework", "extra"), [("langchain", "langchain_core", "langchain"),
                                                           ("llamaindex", "llama_index", "llamaindex")])  # fmt: skip
def test_importing_a_loader_without_its_extra_says_what_to_install(name, framework, extra) -> None:
    run = subprocess.run([sys.executable, "-c", blocked(framework).format(name)], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert f'ImportError: unified_ocr.integrations.{name} needs' in run.stderr
    assert f'pip install "unified-ocr[{extra}]"' in run.stderr


def test_the_example_prints_the_sample_receipt_with_its_boxes_and_pays_once(offline, tmp_path) -> None:
    env = {**os.environ, "UNIFIED_OCR_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, str(EXAMPLES / "langchain_loader.py"), "--engine", offline], capture_output=True,
                           text=True, env=env, cwd=ROOT, timeout=300) for _ in range(2)]  # fmt: skip
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert "page 0 (540x470, rapidocr): 8 lines" in run.stdout
        assert "  at (39, 37)  UNIFIED MART" in run.stdout
    assert runs[0].stdout.endswith("engine calls: 1\n") and runs[1].stdout.endswith("engine calls: 0\n")
