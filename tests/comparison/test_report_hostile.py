"""The comparison report with hostile names and texts (issue 20: script in report.html, bidi and
control characters, long texts, formulas in the CSV files).

A real ``unified-ocr compare`` over two CLOVA emulators answering recorded responses: one reads
hostile texts, the other plain ones at the same places, so every word is a disagreement. The
profiles, the image names and the texts hold ``</script>``, quotes, U+2028, bidi controls, NUL
and ESC. The page is checked as written, and in headless Chromium where it is installed."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from unified_ocr.comparison.report import CELL_CHARS, bdi, plain, script_json
from unified_ocr.exports.csvcells import FORMULA_LEADS
from unified_ocr_clova import ClovaEmulator

from ..conftest import SAMPLE, run_cli
from .test_report_browser import CHROMIUM, browse

KEY = "hostile-report-key"
PWN = "document.title='PWNED';document.documentElement.setAttribute('data-pwned','1');window.__pwned=1"
#: Profiles: one reads hostile texts, the other plain ones (names hostile both).
HOSTILE_PROFILE = f"x</script><script>{PWN}</script>"
PLAIN_PROFILE = 'q"x\u2028\u202e'
IMAGES = ['q"x<b>\u2028\u202e.png', "\x1b[31m<i>&amp;\u2066.png"]
LONG = "L" * 400
TEXTS = [f"</script><script>{PWN}</script>", 'q"x', "a\u2028b\u2029c", "\u202eLATOT\u202c 12,400", "nul\x00esc\x1b[31m",
         "\u2066iso", '=HYPERLINK("http://x","y")', LONG, "-1,000", "<!--"]  # fmt: skip
PLAIN = ["UNIFIED", "MART", "12", "Harbour", "Road", "Busan", "Green", "tea", "3,000", "TOTAL"]


def recording(folder: Path, texts: list[str]) -> None:
    """A recorded CLOVA answer for the sample image: one word per text, one under the other."""
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "sample.png")
    fields = []
    for i, text in enumerate(texts):
        y = 10 + 40 * i
        fields.append({"valueType": "ALL", "inferText": text, "inferConfidence": 0.5, "type": "NORMAL", "lineBreak": True,
                       "boundingPoly": {"vertices": [{"x": 20, "y": y}, {"x": 300, "y": y}, {"x": 300, "y": y + 30}, {"x": 20, "y": y + 30}]}})  # fmt: skip
    image = {"uid": "u", "name": "sample", "inferResult": "SUCCESS", "message": "SUCCESS",
             "validationResult": {"result": "NO_REQUESTED"}, "fields": fields}  # fmt: skip
    answer = {"version": "V2", "requestId": "", "timestamp": 0, "images": [image]}
    (folder / "sample.json").write_text(json.dumps(answer), encoding="utf-8")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("hostile")
    images, truth = root / "images", root / "truth"
    images.mkdir()
    truth.mkdir()
    for name in IMAGES:
        shutil.copy(SAMPLE, images / name)
    rows = [f"20,{10 + 40 * i},300,{10 + 40 * i},300,{40 + 40 * i},20,{40 + 40 * i},{t}" for i, t in enumerate(TEXTS[:4])]
    (truth / Path(IMAGES[1]).with_suffix(".txt").name).write_text("\n".join(rows[:2]) + "\n", encoding="utf-8")
    recording(root / "hostile-answers", TEXTS)
    recording(root / "plain-answers", PLAIN)
    with ClovaEmulator(key=KEY, replay=root / "hostile-answers") as hostile, ClovaEmulator(key=KEY, replay=root / "plain-answers") as calm:
        config = root / "unified-ocr.toml"
        config.write_text("".join(
            f'[engines.{json.dumps(name)}]\nbackend = "clova"\ninvoke_url = "{url}/general"\nsecret = {{ env = "HOSTILE_KEY" }}\nretries = 0\n\n'
            for name, url in ((HOSTILE_PROFILE, hostile.url), (PLAIN_PROFILE, calm.url))), encoding="utf-8")  # fmt: skip
        out = root / "report"
        done = run_cli("compare", str(images), "--truth", str(truth), "--engine", HOSTILE_PROFILE, "--engine", PLAIN_PROFILE,
                       "--config", str(config), "--out", str(out), "--cache-dir", str(root / "cache"), env={"HOSTILE_KEY": KEY})  # fmt: skip
    assert (out / "report.html").is_file(), done.stderr
    return out


class Cells(HTMLParser):
    """Every ``<bdi>`` of the page with its title, and the scripts' text."""

    def __init__(self) -> None:
        super().__init__()
        self.bdi: list[tuple[str | None, str]] = []
        self.scripts: list[str] = []
        self._in: str | None = None
        self._title: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("bdi", "script"):
            self._in, self._title = tag, dict(attrs).get("title")
            (self.bdi if tag == "bdi" else self.scripts).append((self._title, "") if tag == "bdi" else "")  # type: ignore[arg-type]

    def handle_data(self, data: str) -> None:
        if self._in == "bdi":
            self.bdi[-1] = (self._title, self.bdi[-1][1] + data)
        elif self._in == "script":
            self.scripts[-1] += data

    def handle_endtag(self, tag: str) -> None:
        self._in = None


def test_json_for_a_script_cannot_end_it_and_reads_back_the_same() -> None:
    value = {"a</script><!--b": ["x&y", "'q\"", "\u2028\u2029", "\x00\x1b", "\u202e한"], "n": [1, 0.5, None, True]}
    encoded = script_json(value)
    assert not re.search(r"[<>&'\u2028\u2029\x00-\x1f\u0080-\uffff]", encoded), encoded
    assert "\\u003c/script\\u003e" in encoded and "\\u2028\\u2029" in encoded
    assert json.loads(str(encoded)) == value


def test_a_cell_text_is_isolated_with_controls_shown_and_long_text_cut_whole_in_its_title() -> None:
    assert bdi('\u202ea"<b>\x00\x1b') == "<bdi>\u202ea&#34;&lt;b&gt;\u2400\u241b</bdi>"
    assert plain("\u202eab\u2066c\x00") == "abc\u2400"
    cut = bdi("é" * 200 + '"', limit=120)
    assert cut == f'<bdi title="{"é" * 200}&#34;">{"é" * 120}…</bdi>'


def test_the_page_holds_one_script_with_the_names_encoded_for_it(report: Path) -> None:
    page = (report / "report.html").read_text(encoding="utf-8")
    cells = Cells()
    cells.feed(page)
    assert len(cells.scripts) == 1 and page.count("<script") == 1  # no name opened a script of its own
    engines = re.search(r"var engines = (\[.*?\]);", cells.scripts[0])
    assert engines and json.loads(engines.group(1)) == [HOSTILE_PROFILE, PLAIN_PROFILE]
    assert not re.search(r"[\x00-\x08\x0b-\x1f]", page)  # NUL and ESC as their pictures
    shown = [text for _, text in cells.bdi]
    assert "nul\u2400esc\u241b[31m" in shown and "\u241b[31m<i>" in "".join(shown) and HOSTILE_PROFILE in shown
    assert (LONG, "L" * CELL_CHARS + "…") in cells.bdi  # the long reading cut, the whole on hover
    for data in (report / "report" / "data").glob("*.js"):
        script = data.read_text(encoding="utf-8").rstrip("\n")
        assert not re.search(r"[<>\u2028\u2029\x00-\x1f]", script), data


def test_the_csv_files_hold_no_formula(report: Path) -> None:
    for name in ("images.csv", "disagreements.csv"):
        with (report / name).open(encoding="utf-8", newline="") as f:
            cells = [cell for row in csv.reader(f) for cell in row]
        leading = [c for c in cells if c.startswith(FORMULA_LEADS)]
        assert all(re.fullmatch(r"[+-][\d.,]+%?", c) for c in leading), leading
    with (report / "disagreements.csv").open(encoding="utf-8", newline="") as f:
        texts = [row["text_a"] for row in csv.DictReader(f)]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in texts and "-1,000" in texts and "nul\x00esc\x1b[31m" in texts  # the text kept


# What the page does in a browser, seen from a page holding it in a frame (same origin for files
# with --allow-file-access-from-files): whether a script of a name ran, the second image opened
# by a click, a layer hidden by its box, and how wide the disagreements table is laid out.
FRAME = """<html><body><pre id="out">not loaded</pre>
<iframe id="f" src="%s" style="width:1200px;height:800px"></iframe>
<script>
document.getElementById("f").addEventListener("load", function () {
  var w = this.contentWindow, d = w.document, out = document.getElementById("out");
  d.querySelectorAll("#images-table tbody tr")[1].click();
  setTimeout(function () {
    var toggle = d.querySelector('[data-toggle="e1"]');
    toggle.click();
    var details = d.querySelector("details"); details.open = true;
    out.textContent = JSON.stringify({
      pwned: w.__pwned === undefined ? null : w.__pwned, title: d.title,
      viewer: d.getElementById("viewer-title").textContent,
      polygons: d.querySelectorAll('#canvas [data-layer="e0"] polygon').length,
      hidden: d.querySelector('#canvas [data-layer="e1"]').style.display,
      table: d.getElementById("disagreements-table").getBoundingClientRect().width,
      long: d.querySelector("#disagreements-table td.long bdi[title]") !== null
    });
  }, 500);
});
</script></body></html>"""

@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium: apt-get install chromium (.ci/run installs it where it can)")
def test_no_name_or_text_runs_script_and_the_viewer_still_works(report: Path, tmp_path: Path) -> None:
    dom, console, _ = browse(report / "report.html", tmp_path / "profile")
    assert console == [], console
    assert 'data-pwned="1"' not in dom and "<title>PWNED" not in dom
    assert 'class="shown"' in dom and dom.count("<polygon") >= 2 * len(TEXTS)  # the first image opened and drawn
    frame = tmp_path / "frame.html"
    frame.write_text(FRAME % (report / "report.html").as_uri(), encoding="utf-8")
    dom, console, _ = browse(frame, tmp_path / "profile-frame", "--allow-file-access-from-files")
    seen = json.loads(html.unescape(re.search(r'<pre id="out">(.*?)</pre>', dom, re.S).group(1)))  # type: ignore[union-attr]
    assert console == [], console
    assert seen["pwned"] is None and seen["title"].startswith("OCR comparison: x</script>")
    assert seen["viewer"].endswith(IMAGES[0])  # the second image in order (ESC sorts first), opened by its row
    assert seen["polygons"] == len(TEXTS) and seen["hidden"] == "none"  # drawn; the quoted profile's layer hidden by its box
    assert seen["long"] and seen["table"] <= 1200, seen  # long texts wrap: the table fits the frame
