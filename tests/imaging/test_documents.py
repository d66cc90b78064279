"""Documents that only an engine reads (DOCX, PPTX, XLSX, HEIC): recognised by their bytes, refused
before any call by an engine that does not take them (naming those that do), over the engine's
byte limit, or by anything that needs pixels; a batch over a folder fails such a file alone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import unified_ocr
from unified_ocr import Limits, OcrResult, Page, Quad, UnsupportedImageError
from unified_ocr.api import planned_calls
from unified_ocr.batch import recognize_many
from unified_ocr.batch.inputs import expand_inputs
from unified_ocr.cli import cli
from unified_ocr.datasets.build_options import BuildOptions
from unified_ocr.datasets.records import Region
from unified_ocr.datasets.samples import samples_of as prepare_samples
from unified_ocr.imaging.documents import document_format
from unified_ocr.imaging.prepare import map_back, prepare
from unified_ocr.imaging.sources import IMAGE_SUFFIXES, open_source

from ..conftest import SAMPLE
from . import documents

MADE = {"docx": documents.docx, "pptx": documents.pptx, "xlsx": documents.xlsx, "heic": documents.heic}


@pytest.mark.parametrize("fmt", sorted(MADE))
def test_documents_are_recognised_by_their_bytes_whatever_their_name(fmt: str, tmp_path: Path) -> None:
    data = MADE[fmt]()
    assert document_format(data) == fmt
    misnamed = tmp_path / "scan.png"  # the bytes say what it is, not the ending
    misnamed.write_bytes(data)
    source = open_source(misnamed)
    assert source.document == fmt and source.pages == 1 and source.page_sizes() == [(0, 0)]


def test_other_zips_and_heif_containers_are_not_documents(tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "a.zip", "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert document_format((tmp_path / "a.zip").read_bytes()) is None
    assert document_format(documents.avif()) is None
    assert document_format(b"PK\x03\x04 not really a zip") is None
    assert document_format(SAMPLE.read_bytes()) is None
    with pytest.raises(UnsupportedImageError):
        open_source((tmp_path / "a.zip").read_bytes())


def test_a_document_is_sent_as_it_is_and_its_pages_are_the_engines() -> None:
    data = documents.docx()
    (upload,) = prepare(open_source(data), Limits(formats=frozenset({"png", "docx"}), max_bytes=len(data)))
    assert upload.data == data and upload.format == "docx" and upload.is_document
    answer = OcrResult("x", (Page(0, 1, 1), Page(1, 1, 1, ())))
    assert map_back(answer, upload) is answer  # two pages from a one-slot upload, sizes as given


def test_a_document_over_the_byte_limit_or_of_a_format_not_taken_is_refused_by_prepare() -> None:
    data = documents.docx(padding=2000)
    with pytest.raises(UnsupportedImageError, match=r"over the 1,000 bytes the engine takes; .*cannot be shrunk"):
        list(prepare(open_source(data), Limits(formats=frozenset({"docx"}), max_bytes=1000)))
    with pytest.raises(UnsupportedImageError, match="does not take DOCX"):
        list(prepare(open_source(data), Limits()))


def test_the_offline_engine_refuses_a_docx_before_any_work_naming_the_engines_that_take_it(tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    path.write_bytes(documents.docx())
    with pytest.raises(UnsupportedImageError, match=r"engine 'rapidocr' does not take DOCX; engines that take it: upstage \(model = \"document-parse\"\)") as caught:
        unified_ocr.recognize(path, "rapidocr")
    assert caught.value.source == str(path)
    with pytest.raises(UnsupportedImageError, match="engines that take it: upstage$"):
        unified_ocr.recognize(documents.heic(), "rapidocr")
    with pytest.raises(UnsupportedImageError, match="does not take DOCX; engines that take it: upstage"):  # a dry run too
        planned_calls(path, "rapidocr")


def test_a_folder_walk_lists_documents_and_a_batch_fails_only_them(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "a-receipt.png")
    (folder / "b-letter.docx").write_bytes(documents.docx())
    (folder / "c-notes.txt").write_text("not listed")
    assert {".docx", ".pptx", ".xlsx", ".heic"} <= IMAGE_SUFFIXES
    listed = list(expand_inputs([folder]))
    assert [Path(p).name for p in listed] == ["a-receipt.png", "b-letter.docx"]
    outcomes = {Path(o.source).name: o for o in recognize_many(listed, "rapidocr", cache=False, concurrency=2)}
    assert outcomes["a-receipt.png"].ok and outcomes["a-receipt.png"].result is not None
    failed = outcomes["b-letter.docx"]
    assert not failed.ok and isinstance(failed.error, UnsupportedImageError) and "upstage" in str(failed.error)


def _saved(tmp_path: Path, source: Path) -> Path:
    result = OcrResult("upstage", (Page(0, 1, 1),), meta={"source": str(source), "document": "docx", "coordinates": "normalised"})
    saved = tmp_path / "result.json"
    saved.write_text(json.dumps(result.to_dict()), encoding="utf-8")
    return saved


def test_draw_says_why_a_document_cannot_be_drawn_on(tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    path.write_bytes(documents.docx())
    run = CliRunner().invoke(cli, ["draw", str(path), "--result", str(_saved(tmp_path, path)), "--out", str(tmp_path / "out")])
    assert run.exit_code != 0 and not isinstance(run.exception, (AttributeError, TypeError, ValueError, IndexError))
    assert "in DOCX format" in run.output and "an overlay cannot be had" in run.output


def test_dataset_samples_and_crops_say_why_a_document_has_none(tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    path.write_bytes(documents.docx())
    region = Region(Quad.from_bbox(0.1, 0.1, 0.5, 0.2), "Hello", "word", engines=("upstage",), confidences=(0.9,))
    with pytest.raises(UnsupportedImageError, match="DOCX format .* crops or pages for a dataset cannot be had"):
        prepare_samples((region,), str(path), BuildOptions(), "rec")
    with pytest.raises(UnsupportedImageError, match="in DOCX format"):
        unified_ocr.crop(path, region.quad)
