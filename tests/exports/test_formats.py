"""Export formats found by name through the plugin registry, on results parsed from the real fixtures."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import unified_ocr
from unified_ocr import Field, Line, OcrResult, Page, Quad, UnknownEngineError, Word
from unified_ocr.engines.registry import Registry
from unified_ocr.exports.csvcells import safe_rows

from ..conftest import SAMPLE, TEST_PLUGINS, cli_here, run_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def clova(name: str) -> OcrResult:
    return unified_ocr.parse(json.loads((FIXTURES / "clova" / name).read_text(encoding="utf-8")), "clova")


def hostile() -> OcrResult:
    """Text that breaks naive writers: tabs, quotes, newlines, XML characters, Hangul; a turned quad."""
    turned = Word('a\t"b"\n<&>', Quad([(100, 40), (100, 10), (110, 10), (110, 40)]), 0.5)
    plain = Word("합계", Quad.from_bbox(10, 50, 40, 60), None)
    return OcrResult("test", (Page(0, 200, 100, (Line(turned.text, turned.quad, (turned,)), Line("합계", plain.quad, (plain,)))),))


def test_the_built_in_formats_are_found_by_name_and_an_unknown_one_lists_them() -> None:
    names = set(Registry().all("exporter"))
    assert {"text", "json", "tsv", "jsonl", "csv", "html", "markdown", "fields-json", "fields-csv"} <= names
    with pytest.raises(UnknownEngineError, match="unknown exporter 'alto2'; installed exporters: alto, csv, .*tsv"):
        unified_ocr.export(hostile(), "alto2")


def test_tsv_has_a_row_per_word_with_its_quad_from_the_texts_top_left() -> None:
    result = hostile()
    rows = list(csv.reader(io.StringIO(unified_ocr.export(result, "tsv")), delimiter="\t"))  # type: ignore[arg-type]
    assert rows[0][:5] == ["page", "line", "word", "text", "confidence"] and len(rows) == 1 + len(result.words)
    assert rows[1][3] == 'a\t"b"\n<&>' and rows[1][4] == "0.5000" and rows[2][4] == ""  # read back whole; no made-up confidence
    assert [float(v) for v in rows[1][5:13]] == [100, 40, 100, 10, 110, 10, 110, 40]
    assert [float(v) for v in rows[1][13:]] == [100, 10, 110, 40]
    lines = unified_ocr.export(result, "jsonl").splitlines()  # type: ignore[union-attr]
    assert [json.loads(line)["text"] for line in lines] == [w.text for w in result.words]


def test_json_round_trips_and_text_is_the_reading(tmp_path) -> None:
    result = clova("barguni-general-v2-card-slip.json")
    path = tmp_path / "r.json"
    path.write_text(unified_ocr.export(result, "json"), encoding="utf-8")  # type: ignore[arg-type]
    assert unified_ocr.load_result(path) == result
    assert unified_ocr.export(result, "text") == result.text + "\n"


def test_tables_as_csv_html_and_markdown_from_the_clova_table_fixture() -> None:
    result = clova("autorag-kbo-table-general-v2.json")
    (table,) = [t for page in result.pages for t in page.tables]
    grid = list(csv.reader(io.StringIO(unified_ocr.export(result, "csv"))))  # type: ignore[arg-type]
    assert grid == safe_rows(table.to_grid()) and ["KBD 피치클락 규정", "'-"] == grid[2][:2]  # a lone "-" opens as text
    raw = list(csv.reader(io.StringIO(unified_ocr.export(result, "csv", raw_text=True))))  # type: ignore[arg-type]
    assert raw == [list(row) for row in table.to_grid()]
    html = unified_ocr.export(result, "html")
    assert html.count("<table") == 1 and ("rowspan=" in html or "colspan=" in html)  # type: ignore[operator]
    markdown = unified_ocr.export(result, "markdown").splitlines()  # type: ignore[union-attr]
    assert markdown[1].startswith("|---|") and len(markdown) == len(table.to_grid()) + 1


@pytest.mark.parametrize("name", ["ksd-bayley-template.json", "agtm-receipt-1-hansot.json"])
def test_fields_json_gives_every_named_field(name: str) -> None:
    result = clova(name)
    fields = json.loads(unified_ocr.export(result, "fields-json"))  # type: ignore[arg-type]
    assert set(fields) == {f.name for page in result.pages for f in page.fields}
    some = result.pages[0].fields[0]
    assert fields[some.name]["text"] == some.text and fields[some.name]["confidence"] == some.confidence
    rows = list(csv.DictReader(io.StringIO(unified_ocr.export(result, "fields-csv"))))  # type: ignore[arg-type]
    assert [r["name"] for r in rows] == [f.name for page in result.pages for f in page.fields]


def test_fields_of_one_name_are_all_kept_and_a_fields_parts_come_with_it() -> None:
    """Three fields named alike on one page, one more on the next; a table field with two parts."""
    rows = (Field("total", text="1"), Field("total", text="2"), Field("total", text="3"))
    drug = Field("drugs", text="A 3", parts=(Field("drugs[0]", text="A", confidence=0.9), Field("drugs[1]", text="3")))
    result = OcrResult("test", (Page(0, 10, 10, fields=(*rows, drug)), Page(1, 10, 10, fields=(Field("total", text="4"),))))
    fields = json.loads(unified_ocr.export(result, "fields-json"))  # type: ignore[arg-type]
    assert {k: v["text"] for k, v in fields.items()} == {"total": "1", "total@0": "2", "total@0#2": "3", "drugs": "A 3", "total@1": "4"}
    assert fields["drugs"]["parts"] == [
        {"name": "drugs[0]", "text": "A", "value": None, "confidence": 0.9, "checked": None},
        {"name": "drugs[1]", "text": "3", "value": None, "confidence": None, "checked": None},
    ]
    assert "parts" not in fields["total"]
    rows_ = list(csv.DictReader(io.StringIO(unified_ocr.export(result, "fields-csv"))))  # type: ignore[arg-type]
    assert [(r["name"], r["part_of"], r["text"]) for r in rows_] == [
        ("total", "", "1"), ("total@0", "", "2"), ("total@0#2", "", "3"),
        ("drugs", "", "A 3"), ("drugs[0]", "drugs", "A"), ("drugs[1]", "drugs", "3"), ("total@1", "", "4"),
    ]


@pytest.mark.parametrize("fmt", ["hocr", "alto", "page", "xlsx"])
def test_a_lone_surrogate_from_a_json_answer_is_dropped_not_a_crash(fmt: str) -> None:
    word = Word("a\ud800b", Quad.from_bbox(10, 10, 40, 20), 0.5)
    result = OcrResult("test", (Page(0, 100, 50, (Line(word.text, word.quad, (word,)),)),))
    document = unified_ocr.export(result, fmt)
    if fmt != "xlsx":
        assert unified_ocr.parse(document, engine=fmt).text == "ab"


def test_a_result_with_no_tables_or_fields_exports_empty_not_an_error() -> None:
    assert unified_ocr.export(hostile(), "csv") == "" and json.loads(unified_ocr.export(hostile(), "fields-json")) == {}  # type: ignore[arg-type]


def test_a_third_party_format_comes_through_the_same_hook(third_party_site) -> None:
    assert unified_ocr.export(hostile(), "echo-upper", registry=Registry()) == hostile().text.upper() + "\n"
    proc = run_cli("export", "--list", pythonpath=[third_party_site, TEST_PLUGINS])
    assert "echo-upper" in proc.stdout and "unified-ocr-echo" in proc.stdout and "tsv" in proc.stdout


def test_the_command_converts_saved_results_and_names_a_bad_one(tmp_path) -> None:
    good = tmp_path / "slip.json"
    good.write_text(json.dumps(clova("barguni-general-v2-card-slip.json").to_dict()), encoding="utf-8")
    table = tmp_path / "kbo.json"
    table.write_text(json.dumps(clova("autorag-kbo-table-general-v2.json").to_dict()), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    proc = run_cli("export", str(good), str(bad), str(table), "--format", "tsv", "--out", str(tmp_path / "out"))
    assert proc.returncode == 1 and "bad.json" in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["kbo.tsv", "slip.tsv"]
    proc = run_cli("export", str(table), "--format", "html")
    assert proc.returncode == 0 and proc.stdout.startswith("<table")
    proc = cli_here("export", str(table), "--format", "xlsx2")  # usage errors: in this process, no interpreter to start
    assert proc.returncode == 2 and "unknown exporter 'xlsx2'" in proc.stderr
    proc = run_cli("export", str(good), str(table), "--format", "xlsx", "--format", "csv", "--format", "html", "--out", str(tmp_path / "many"))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "many").iterdir()) == ["kbo.csv", "kbo.html", "kbo.xlsx", "slip.csv", "slip.html", "slip.xlsx"]
    proc = run_cli("export", str(table), "--format", "csv", "--format", "markdown")  # on stdout: each headed
    assert proc.returncode == 0 and "==> " + str(table) + " (csv) <==" in proc.stdout and "(markdown) <==" in proc.stdout
    proc = cli_here("export", str(table), "--format", "xlsx", "--format", "csv")  # bytes and text mixed on stdout: refused
    assert proc.returncode == 2 and "xlsx is a binary format: give --out" in proc.stderr and proc.stdout == ""
    raw = FIXTURES / "clova" / "autorag-kbo-table-general-v2.json"
    for args in (("parse", str(raw), str(raw), "--engine", "clova"), ("recognize", str(SAMPLE), str(SAMPLE), "--engine", "tesseract")):
        proc = cli_here(*args, "--format", "xlsx")  # two workbooks on one stdout: refused before any reading
        assert proc.returncode == 2 and "xlsx is a binary format" in proc.stderr and proc.stdout == "", args
    one = subprocess.run([sys.executable, "-m", "unified_ocr", "parse", str(raw), "--engine", "clova", "--format", "xlsx"],
                         capture_output=True, timeout=300)  # fmt: skip
    assert one.returncode == 0 and one.stdout.startswith(b"PK")  # one workbook, stdout not a terminal: written


@pytest.mark.slow
def test_recognize_writes_any_export_format(tmp_path) -> None:
    from ..conftest import SAMPLE

    proc = run_cli("recognize", str(SAMPLE), "--format", "tsv", "--out", str(tmp_path / "out") + "/")
    assert proc.returncode == 0, proc.stderr
    rows = (tmp_path / "out" / "sample-receipt.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("page\tline\tword\ttext") and any("\tTOTAL\t" in row for row in rows)
    proc = cli_here("recognize", str(SAMPLE), "--format", "alto2")  # refused before any image
    assert proc.returncode == 2 and "unknown exporter 'alto2'" in proc.stderr


def test_batch_writes_each_export_format_beside_the_json(tmp_path) -> None:
    """``batch --format tsv --format fields-json``: every done image has its JSON and both exports."""
    from unified_ocr_clova import ClovaEmulator

    from ..batch.test_runner import make_images

    make_images(tmp_path / "in", 3)
    key = "batch-export-key"
    with ClovaEmulator(key=key, canned=True) as server:
        config = tmp_path / "unified-ocr.toml"
        config.write_text(f'[engines.c]\nbackend = "clova"\ninvoke_url = "{server.url}/general"\nsecret = {{ env = "BX_KEY" }}\n')
        proc = run_cli("batch", str(tmp_path / "in"), "--engine", "c", "--config", str(config), "--out", str(tmp_path / "out"),
                       "--format", "tsv", "--format", "fields-json", "--no-cache", env={"BX_KEY": key})  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (tmp_path / "out" / "results").iterdir())
    stems = {n.split(".")[0] + "." + n.split(".")[1] for n in names}
    assert len(stems) == 3 and all({f"{s}.json", f"{s}.tsv", f"{s}.fields.json"} <= set(names) for s in stems)
    proc = run_cli("batch", str(tmp_path / "in"), "--engine", "c", "--config", str(config), "--out", str(tmp_path / "o2"),
                   "--format", "alto2", env={"BX_KEY": key})  # fmt: skip
    assert proc.returncode == 2 and "unknown exporter 'alto2'" in proc.stderr and not (tmp_path / "o2").exists()
