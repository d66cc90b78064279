"""``unified-ocr compare`` end to end: the offline engine and the CLOVA and Kakao emulators over
real sockets, one image refused by one engine, truth in two formats, a rerun that makes no
calls, and the report read back with an HTML parser.

Kept fast (it was the suite's slowest setup): the emulators answer canned, so they run no
model in this process while the command waits on them; the two readings that make the truth
go into the cache the command reads, so it reads only the image that has no truth."""

from __future__ import annotations

import csv
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

import unified_ocr
from unified_ocr.cache import ResultCache
from unified_ocr.evaluation.truth import read_truth, truth_lines
from unified_ocr_clova import ClovaEmulator
from unified_ocr_kakao import KakaoEmulator

from ..conftest import SAMPLE, cli_here, run_cli

pytestmark = pytest.mark.slow

CLOVA_KEY = "clova-cmp-s3cret-NEVER-IN-A-REPORT"
KAKAO_KEY = "kakao-cmp-s3cret-NEVER-IN-A-REPORT"
KAKAO_PATH = "/ocr/services/general-ocr/compare0000000000000000000000000"
ENV = {"CMP_CLOVA_SECRET": CLOVA_KEY, "CMP_KAKAO_KEY": KAKAO_KEY}


def icdar_truth(result: unified_ocr.OcrResult, path: Path, rename: dict[str, str]) -> None:
    """Truth lines for an image, as ICDAR-style text: the offline engine's lines, some texts changed."""
    rows = []
    for line in result.pages[0].lines:
        numbers = ",".join(f"{v:.0f}" for p in line.quad.points for v in p)
        rows.append(f"{numbers},{rename.get(line.text, line.text)}")
    path.write_text("\ufeff" + "\r\n".join(rows) + "\r\n", encoding="utf-8")


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("compare")
    images, truth = root / "images", root / "truth"
    images.mkdir()
    truth.mkdir()
    sample = cv2.imread(str(SAMPLE))
    cv2.imwrite(str(images / "receipt.png"), sample)
    cv2.imwrite(str(images / "receipt-turned.png"), cv2.rotate(sample, cv2.ROTATE_180))
    wide = np.full((sample.shape[0], 4300, 3), 255, np.uint8)
    wide[:, : sample.shape[1]] = sample
    cv2.imwrite(str(images / "wide.png"), wide)  # over Kakao's 4,096 pixels a side: refused by that one engine
    cache = root / "cache"
    readings = ResultCache(cache)  # the command's cache: it finds these two and reads only wide.png itself
    upright = unified_ocr.recognize(images / "receipt.png", "rapidocr", cache=readings)
    icdar_truth(upright, truth / "gt_receipt.txt", {"TOTAL 12,400": "T0TAL 12,400"})  # one line the engines cannot get right
    turned = unified_ocr.recognize(images / "receipt-turned.png", "rapidocr", cache=readings)
    (truth / "receipt-turned.json").write_text(json.dumps(turned.to_dict()), encoding="utf-8")  # a saved result as gold
    # canned: each vendor answers one word across the image, in its own format, without reading it
    with ClovaEmulator(key=CLOVA_KEY, canned=True) as clova, KakaoEmulator(key=KAKAO_KEY, canned=True) as kakao:
        config = root / "unified-ocr.toml"
        config.write_text(
            f'[engines.clova]\nbackend = "clova"\ninvoke_url = "{clova.url}/general"\nsecret = {{ env = "CMP_CLOVA_SECRET" }}\n'
            "retries = 1\nprice_per_1000 = 3.5\n\n"
            f'[engines.kakao]\nbackend = "kakao"\nendpoint = "{kakao.url}{KAKAO_PATH}"\napi_key = {{ env = "CMP_KAKAO_KEY" }}\n'
            "max_side = 9000\nretries = 1\n",
            encoding="utf-8",
        )
        out = root / "report"
        args = ["compare", str(images), "--truth", str(truth), "--engine", "rapidocr", "--engine", "clova", "--engine", "kakao",
                "--config", str(config), "--out", str(out), "--cache-dir", str(cache), "--rounds", "0"]  # fmt: skip
        first = run_cli(*args, env=ENV)
        requests_after_first = clova.stats["requests"], kakao.stats["requests"]
        second = run_cli(*args, env=ENV)
        requests_after_second = clova.stats["requests"], kakao.stats["requests"]
        dry = run_cli(*args[:-4], "--cache-dir", str(root / "empty-cache"), "--dry-run", env=ENV)
        requests_after_dry = clova.stats["requests"], kakao.stats["requests"]
        yield {"root": root, "out": out, "first": first, "second": second, "dry": dry, "config": config, "images": images,
               "truth": truth, "cache": cache, "requests": (requests_after_first, requests_after_second, requests_after_dry)}  # fmt: skip


def test_the_comparison_runs_and_one_refused_image_is_a_row_not_the_end(setup) -> None:
    first = setup["first"]
    assert first.returncode == 1, first.stderr  # an image failed on one engine: said in the exit code, the rest done
    summary = json.loads((setup["out"] / "summary.json").read_text(encoding="utf-8"))
    assert summary["schema"] == "unified-ocr/comparison" and summary["images"] == 3
    assert set(summary["engines"]) == {"rapidocr", "clova", "kakao"}
    kakao = summary["engines"]["kakao"]
    assert kakao["failures"] == {"RequestTooLargeError": 1}
    assert summary["engines"]["rapidocr"]["failures"] == {} and summary["engines"]["clova"]["failures"] == {}
    for engine in summary["engines"].values():
        assert engine["text"]["images"] == 2 and engine["text"]["cer"] is not None  # the two images with truth
        assert engine["detection"]["images"] == 1 and engine["line_detection"]["images"] == 2  # words: the saved result only
        assert "secret" not in engine["options"] and "api_key" not in engine["options"]
    assert summary["engines"]["rapidocr"]["text"]["cer"] > 0  # T0TAL is read TOTAL
    assert summary["engines"]["clova"]["cost"]["price_per_1000"] == 3.5
    assert summary["truth"]["formats"] == ["icdar", "result"] and summary["truth"]["levels"] == ["lines", "words"]
    assert summary["truth"]["problems"] == [{"image": str(setup["images"] / "wide.png"), "problem": "no truth file matches this image"}]
    assert {tuple(p["engines"]) for p in summary["agreement"]["pairs"]} == {("rapidocr", "clova"), ("rapidocr", "kakao"), ("clova", "kakao")}
    with (setup["out"] / "images.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 9
    refused = [r for r in rows if r["engine"] == "kakao" and r["image"].endswith("wide.png")]
    assert refused[0]["ok"] == "False" and refused[0]["error"] == "RequestTooLargeError"


def test_a_rerun_makes_no_calls(setup) -> None:
    (after_first, after_second, _) = setup["requests"]
    assert after_first[0] > 0 and after_first[1] > 0
    assert after_second == after_first  # the same comparison again: no call to either vendor
    summary = json.loads((setup["out"] / "summary.json").read_text(encoding="utf-8"))
    assert all(e["calls"] == 0 for e in summary["engines"].values())
    assert summary["engines"]["kakao"]["failures"] == {"RequestTooLargeError": 1}  # and the failure is still shown


def test_a_dry_run_counts_calls_and_cost_and_makes_none(setup) -> None:
    dry = setup["dry"]
    assert dry.returncode == 0, dry.stderr
    (_, after_second, after_dry) = setup["requests"]
    assert after_dry == after_second
    lines = dry.stdout.splitlines()
    assert "clova: 3 call(s) for 3 image(s) (0 answered from the cache), cost 0.0105 at 3.5 per 1,000 calls" in lines
    assert any(line.startswith("kakao: 3 call(s)") for line in lines)


class Page(HTMLParser):
    """The report's structure: tables by id with their rows, scripts, and every URL it names."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.row_attrs: dict[str, list[dict[str, str | None]]] = {}
        self.marked: list[tuple[str, int]] = []  # (table, column) of cells marked best
        self.urls: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key):
                self.urls.append(str(a[key]))
        if tag == "table":
            self._table = a.get("id") or ""
            self.tables[self._table] = []
            self.row_attrs[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
            self.row_attrs[self._table].append(a)
        elif tag in ("td", "th"):
            self._cell = []
            if "best" in (a.get("class") or "").split() and self._table is not None:
                self.marked.append((self._table, len(self.tables[self._table][-1])))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_the_report_page_holds_every_engine_and_image_and_needs_no_network(setup) -> None:
    out = setup["out"]
    page = Page()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    summary_rows = [r for r in page.tables["summary-table"][1:]]
    assert [r[0] for r in summary_rows] == ["rapidocr", "clova", "kakao"]
    assert ("summary-table", 1) in page.marked  # the best CER among the engines is marked
    image_rows = page.tables["images-table"][1:]
    assert [r[0] for r in image_rows] == [str(setup["images"] / n) for n in ("receipt-turned.png", "receipt.png", "wide.png")]
    assert any("RequestTooLargeError" in cell for cell in image_rows[2])
    assert not [u for u in page.urls if "://" in u or u.startswith("//")]  # nothing fetched from anywhere
    for k in range(3):  # each image's viewer data and picture, loaded when it is opened
        data = (out / "report" / "data" / f"{k:05d}.js").read_text(encoding="utf-8")
        assert data.startswith(f"unifiedOcrReport.loaded({k}, ")
        view = json.loads(data[len(f"unifiedOcrReport.loaded({k}, "):].rstrip().rstrip(";").rstrip(")"))
        assert set(view["engines"]) == {"rapidocr", "clova", "kakao"} and (out / view["image"]).is_file()
    view = json.loads((out / "report" / "data" / "00001.js").read_text(encoding="utf-8").split(", ", 1)[1].rstrip().rstrip(";").rstrip(")"))
    assert view["truth"]["format"] == "icdar" and any(r[1] == "T0TAL 12,400" for r in view["truth"]["regions"])
    statuses = {w[3] for w in view["engines"]["rapidocr"]["words"]}
    assert "matched" in statuses
    assert ["-", "0"] in view["engines"]["rapidocr"]["diff"] and ["+", "O"] in view["engines"]["rapidocr"]["diff"]


def test_no_secret_is_in_any_file_of_the_report(setup) -> None:
    files = [p for p in setup["out"].rglob("*") if p.is_file()]
    assert len(files) > 10
    for path in files:
        data = path.read_bytes()
        assert CLOVA_KEY.encode() not in data and KAKAO_KEY.encode() not in data, path
    for proc in (setup["first"], setup["second"], setup["dry"]):
        assert CLOVA_KEY not in proc.stdout + proc.stderr and KAKAO_KEY not in proc.stdout + proc.stderr


def test_bad_input_is_a_usage_error_before_any_call(setup, tmp_path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = cli_here("compare", str(empty), "--engine", "rapidocr", "--out", str(tmp_path / "r"))
    assert proc.returncode == 2 and "no images" in proc.stderr
    proc = cli_here("compare", str(setup["images"]), "--engine", "rapidocr", "--engine", "clova", "--config", str(setup["config"]),
                    "--out", str(tmp_path / "r"))  # the secrets are not in the environment  # fmt: skip
    assert proc.returncode == 2 and "clova" in proc.stderr and "CMP_CLOVA_SECRET" in proc.stderr
    assert not (tmp_path / "r").exists()
    proc = cli_here("compare", str(setup["images"]), "--engine", "rapidocr", "--truth-format", "xml")
    assert proc.returncode == 2 and "xml" in proc.stderr


def test_a_truth_file_that_does_not_parse_is_named_with_its_line(setup, tmp_path) -> None:
    truth = tmp_path / "truth"
    truth.mkdir()
    (truth / "gt_receipt.txt").write_text("1,2,3,4,5,6,7,8,fine\n1,2,3,x,5,6,7,8,bad\n", encoding="utf-8")
    comparison = unified_ocr.compare([setup["images"] / "receipt.png"], ["rapidocr"], truth=truth,
                                     cache=ResultCache(setup["cache"]))  # fmt: skip
    problem = comparison.summary["truth"]["problems"][0]["problem"]
    assert "gt_receipt.txt:2: expected x1,y1" in problem and comparison.figures[0]["rapidocr"]["ok"]
    assert comparison.summary["engines"]["rapidocr"]["text"] is None  # nothing to score against


def test_the_python_api(setup, tmp_path) -> None:
    comparison = unified_ocr.compare([setup["images"]], engines=["rapidocr"], truth=setup["truth"], cache=ResultCache(setup["cache"]))
    assert len(comparison) == 3 and comparison.engines == ["rapidocr"]
    one = comparison.image(str(setup["images"] / "receipt.png"))
    assert one["readings"]["rapidocr"].ok and one["figures"]["rapidocr"]["cer"] > 0
    assert truth_lines(one["truth"]) == list(read_truth(setup["truth"] / "gt_receipt.txt").pages[0].lines)  # ICDAR regions with spaces: lines
    assert comparison.summary["engines"]["rapidocr"]["calls"] == 0  # all from the cache the CLI filled
    written = comparison.write(tmp_path / "report")
    assert (written / "report.html").is_file() and (written / "results" / "rapidocr" / "receipt.json").is_file()
