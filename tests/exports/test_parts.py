"""Formats that hold one page (PAGE-XML) or one table (CSV) a file write one file per part,
from every command that writes files: export, recognize and batch."""

from __future__ import annotations

import csv
import json

import numpy as np
from PIL import Image

import unified_ocr
from unified_ocr import Cell, Line, OcrResult, Page, Quad, Table, Word

from ..conftest import run_cli


def table(text: str) -> Table:
    line = Line.from_words([Word(text, Quad.from_bbox(10, 10, 60, 30), 0.9)])
    return Table((Cell(0, 0, 1, 2, (line,), Quad.from_bbox(5, 5, 100, 35)), Cell(1, 0, quad=Quad.from_bbox(5, 35, 50, 60))))


def two_pages() -> OcrResult:
    pages = tuple(Page(k, 200, 100, (Line.from_words([Word(f"page {k}", Quad.from_bbox(10, 60, 90, 80), 0.8)]),), (table(f"t{k}"),))
                  for k in range(2))  # fmt: skip
    return OcrResult("test", pages, meta={"source": "scan.tif"})


def test_export_writes_a_page_xml_file_per_page_and_a_csv_file_per_table(tmp_path) -> None:
    saved = tmp_path / "scan.json"
    saved.write_text(json.dumps(two_pages().to_dict()), encoding="utf-8")
    one = tmp_path / "one.json"
    one.write_text(json.dumps(OcrResult("test", (two_pages().pages[0],)).to_dict()), encoding="utf-8")
    out = tmp_path / "out"
    for fmt in ("page", "csv", "hocr"):
        proc = run_cli("export", str(saved), str(one), "--format", fmt, "--out", str(out))
        assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == ["one.csv", "one.hocr", "one.page.xml", "scan.hocr", "scan.p1.page.xml", "scan.p2.page.xml",
                     "scan.table-1.csv", "scan.table-2.csv"]  # fmt: skip
    for k in range(2):
        back = unified_ocr.parse(out / f"scan.p{k + 1}.page.xml", engine="page")
        assert back.text == f"page {k}" and back.pages[0].tables[0].cells[0].col_span == 2
        rows = list(csv.reader((out / f"scan.table-{k + 1}.csv").open(encoding="utf-8")))
        assert rows == [[f"t{k}", ""], ["", ""]]
    assert len(unified_ocr.parse(out / "scan.hocr", engine="hocr").pages) == 2  # hOCR and ALTO: every page in one document
    proc = run_cli("export", str(saved), "--format", "page")  # on stdout: each page's document, headed
    assert proc.returncode == 0 and proc.stdout.count("<?xml") == 2 and f"==> {saved} (p2) <==" in proc.stdout


def test_recognize_and_batch_write_a_file_per_page_of_a_multi_page_tiff(tmp_path) -> None:
    pages = [Image.fromarray(np.full((120, 320, 3), 255 - 40 * k, np.uint8)) for k in range(2)]
    (tmp_path / "in").mkdir()
    pages[0].save(tmp_path / "in" / "scan.tif", save_all=True, append_images=pages[1:])
    proc = run_cli("recognize", str(tmp_path / "in" / "scan.tif"), "--engine", "rapidocr", "--format", "page",
                   "--out", str(tmp_path / "rec") + "/", "--no-cache")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "rec").iterdir()) == ["scan.p1.page.xml", "scan.p2.page.xml"]
    proc = run_cli("batch", str(tmp_path / "in"), "--engine", "rapidocr", "--out", str(tmp_path / "out"),
                   "--format", "page", "--format", "alto", "--no-cache")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (tmp_path / "out" / "results").iterdir())
    stem = names[0].split(".")[0] + "." + names[0].split(".")[1]
    assert names == sorted([f"{stem}.json", f"{stem}.alto.xml", f"{stem}.p1.page.xml", f"{stem}.p2.page.xml"])
    alto = unified_ocr.parse(tmp_path / "out" / "results" / f"{stem}.alto.xml", engine="alto")
    assert [p.width for p in alto.pages] == [320, 320]
