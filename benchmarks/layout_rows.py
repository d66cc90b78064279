"""How well the shared line builder rebuilds truth rows from truth words, with no recognition in the way (run by hand).

    python benchmarks/layout_rows.py [--sets sroie funsd synth-korean] [--transforms none pad1.6 ...]
                                     [--baseline REV] [--eval DIR] [--show] [--folder DIR] [--photos DIR]

Each page's truth words are shuffled (seeded) and given to ``unified_ocr.layout.group_blocks``;
the lines that come back are scored against the page's truth rows. The same words go
through the layout package as it was at ``--baseline`` (default d38cec78c9a0, the commit
before the row model was rewritten), loaded from git into this process, so the two can be
compared on equal terms.

The sets (from the shared eval folder), their rows and their truth reading order:

- **sroie**: a row is one truth segment of ``box/NNN.csv``, split into words at spaces, each
  word's box cut from the segment's quad in proportion to its characters (spaces included).
  Reading order: the segments in file order (SROIE lists them row by row, left to right).
- **funsd**: a row is the words of one form entity that share a row (as in
  ``line_grouping.py``). FUNSD lists entities in no reading order, so the order is the
  page's visual lines top to bottom and, within one, rows left to right: a page read in
  columns scores worse on CER here without being wrong; compare CER before and after only.
- **synth-korean**: a row is a truth line; reading order: the lines in file order.

Transforms (``layout_variants.py``), one at a time and all together, each seeded per page:
``pad1.3``/``pad1.6``/``pad2.0`` every box that many times its height about its centre line;
``rotate`` the page turned by up to 5 degrees either way; ``warp`` a perspective warp as from a
phone held off square (one edge narrowed by up to 10 %, corners moved by up to 3 % of the
shorter side); ``pitch0.8`` the visual lines moved closer, so that neighbouring lines' centre
lines lie 0.8 times the median glyph height apart (the median gap; words keep their size);
``drop10`` 10 % of the words taken away; ``all`` drop, pitch, pad 1.6x, rotate, warp in turn.
In ``all`` the padded boxes of neighbouring rows overlap by half their height and their
centre lines lie half a box height apart: the hardest case a row model must still part.

Figures, per set and transform:

- **rows exact**: the share of truth rows whose words come out in one line, next to each
  other and in order, in a line that holds nothing but rows level with it in the truth
  (a receipt's label and amount are rightly one visual line; see ``TruthPage.lines``).
- **interleaved**: lines holding words of two or more truth rows that are not level with
  each other (two receipt rows mixed into one line): the worst error, should be 0.
- **CER**: the page's text in reading order against the truth rows joined in the truth
  reading order, whitespace runs as one space; edit distance (rapidfuzz) over reference
  length, summed over the set. Words dropped by ``drop10`` are out of the reference too.

Example run, at d38cec78c9a0 itself (so now == base; about 2 s), an excerpt:

    $ python benchmarks/layout_rows.py --baseline d38cec78c9a01264cfe14340ae673e224745db5a
    set           transform  rows  rows exact base/now/diff  interleaved      CER base/now/diff
    sroie         none        542  0.993 0.993 +0.000       0    0    +0  0.045 0.045 +0.000
    sroie         pad1.6      542  0.871 0.871 +0.000      16   16    +0  0.092 0.092 +0.000
    sroie         pitch0.8    542  0.849 0.849 +0.000      14   14    +0  0.074 0.074 +0.000
    sroie         all         510  0.110 0.110 +0.000      71   71    +0  0.571 0.571 +0.000
    funsd         none        552  0.989 0.989 +0.000       1    1    +0  0.068 0.068 +0.000
    synth-korean  all          30  0.067 0.067 +0.000       7    7    +0  0.646 0.646 +0.000
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
from layout_variants import TRANSFORMS, TruthPage, frame, seed  # benchmarks/, beside this script
from line_grouping import funsd as funsd_rows
from line_grouping import synth as synth_rows
from rapidfuzz.distance import Levenshtein

from unified_ocr import Line, Quad, Word
from unified_ocr.evaluation.truth import read_truth
from unified_ocr.layout import group_blocks

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
#: The commit before the row model was rewritten: what "base" means unless told otherwise.
BASELINE = "d38cec78c9a01264cfe14340ae673e224745db5a"

GroupBlocks = Callable[[Sequence[Word]], tuple[list[Line], object]]


# -- the truth pages ---------------------------------------------------------------------------


def segment_words(quad: Quad, text: str) -> list[Word]:
    """A truth segment cut into words at spaces, each word's quad the stretch of the segment's
    quad its characters take (every character, spaces included, an equal share)."""
    text = text.strip()
    p = quad.array
    words = []
    for match in re.finditer(r"\S+", text):
        t0, t1 = match.start() / len(text), match.end() / len(text)
        top0, top1 = p[0] + (p[1] - p[0]) * t0, p[0] + (p[1] - p[0]) * t1
        bottom0, bottom1 = p[3] + (p[2] - p[3]) * t0, p[3] + (p[2] - p[3]) * t1
        words.append(Word(match.group(), Quad(np.array([top0, top1, bottom1, bottom0]))))
    return words


def sroie(folder: Path) -> list[TruthPage]:
    pages = []
    for box in sorted((folder / "box").glob("*.csv")):
        words: list[Word] = []
        rows = []
        for region in read_truth(box, "icdar").words:
            if region.text == "###" or not region.text.strip():
                continue
            pieces = segment_words(region.quad, region.text)
            rows.append(range(len(words), len(words) + len(pieces)))
            words.extend(pieces)
        pages.append(TruthPage.build(f"sroie/{box.stem}", words, rows))
    return pages


def funsd(folder: Path) -> list[TruthPage]:
    return [_raster(TruthPage.build(f"funsd/{name}", words, rows)) for name, words, rows in funsd_rows(folder)]


def synth_korean(folder: Path) -> list[TruthPage]:
    return [TruthPage.build(f"synth-korean/{name}", words, rows) for name, words, rows in synth_rows(folder)]


def photos(folder: Path) -> list[TruthPage]:
    """A set written by ``korean_photos.py`` (``gt/*.json``): its words in reading order, each truth
    line the next words, as many as its text has."""
    pages = []
    for path in sorted((folder / "gt").glob("*.json")):
        gt = json.loads(path.read_text(encoding="utf-8"))
        words = [Word(w["text"], Quad(w["quad"])) for w in gt["words"]]
        rows, start = [], 0
        for line in gt["lines"]:
            count = len(line["text"].split())
            rows.append(range(start, start + count))
            start += count
        pages.append(TruthPage.build(f"{folder.name}/{path.stem}", words, rows))
    return pages


SETS: dict[str, Callable[[Path], list[TruthPage]]] = {"sroie": sroie, "funsd": funsd, "synth-korean": synth_korean}


def _raster(page: TruthPage) -> TruthPage:
    """Rows in raster order: visual lines top to bottom, rows of one line left to right."""
    ux, uy, _ = frame(page.words)
    centre: dict[int, list[float]] = {}
    for row, line in zip(page.rows, page.lines):
        centre.setdefault(line, []).extend(page.words[i].quad.center[1] * ux - page.words[i].quad.center[0] * uy for i in row)
    rank = {line: sum(c) / len(c) for line, c in centre.items()}

    def start(row: tuple[int, ...]) -> float:
        return min(page.words[i].quad.center[0] * ux + page.words[i].quad.center[1] * uy for i in row)

    return page.reordered(sorted(range(len(page.rows)), key=lambda r: (rank[page.lines[r]], start(page.rows[r]))))


# -- scoring -----------------------------------------------------------------------------------


@dataclass
class Score:
    rows: int = 0
    exact: int = 0
    interleaved: int = 0
    errors: int = 0
    chars: int = 0

    def add(self, other: Score) -> None:
        self.rows += other.rows
        self.exact += other.exact
        self.interleaved += other.interleaved
        self.errors += other.errors
        self.chars += other.chars

    @property
    def exact_share(self) -> float:
        return self.exact / self.rows if self.rows else 1.0

    @property
    def cer(self) -> float:
        return self.errors / self.chars if self.chars else 0.0


def score(page: TruthPage, lines: Sequence[Line], interleaving: list[str] | None = None) -> Score:
    """The figures for one page's grouped lines (see the module docstring). Words are known by
    identity, or by value should a builder hand back copies."""
    by_id = {id(w): i for i, w in enumerate(page.words)}
    by_value = {w: i for i, w in enumerate(page.words)}
    row_of = {i: r for r, row in enumerate(page.rows) for i in row}
    got = [[by_id[id(w)] if id(w) in by_id else by_value[w] for w in line.words] for line in lines]
    where = {i: (n, k) for n, line in enumerate(got) for k, i in enumerate(line)}
    result = Score(rows=len(page.rows))
    for r, row in enumerate(page.rows):
        if row[0] not in where:
            continue
        n, k = where[row[0]]
        line = got[n]
        if line[k : k + len(row)] == list(row) and all(page.lines[row_of[i]] == page.lines[r] for i in line):
            result.exact += 1
    for n, line in enumerate(got):
        if len({page.lines[row_of[i]] for i in line}) > 1:
            result.interleaved += 1
            if interleaving is not None:
                interleaving.append(lines[n].text)
    truth = " ".join(" ".join(page.words[i].text for i in row) for row in page.rows)
    text = " ".join(" ".join(line.text.split()) for line in lines)
    result.errors = Levenshtein.distance(text, " ".join(truth.split()))
    result.chars = len(" ".join(truth.split()))
    return result


def run(pages: Sequence[TruthPage], transform: str, group: GroupBlocks, interleaving: list[str] | None = None) -> Score:
    total = Score()
    for page in pages:
        page = TRANSFORMS[transform](page)
        words = list(page.words)
        random.Random(seed(page, f"shuffle/{transform}")).shuffle(words)
        lines, _ = group(words)
        shown: list[str] = []
        total.add(score(page, lines, shown if interleaving is not None else None))
        if interleaving is not None:
            interleaving.extend(f"{page.name}: {text}" for text in shown)
    return total


# -- the baseline ------------------------------------------------------------------------------


def layout_at(rev: str, folder: Path) -> ModuleType:
    """The layout package as it was at ``rev``, written into ``folder`` and imported under a name
    of its own; its imports of the model and geometry (``from ..``) point at the installed package."""
    listing = _git("ls-tree", "--name-only", f"{rev}:src/unified_ocr/layout")
    name = f"layout_at_{rev[:12]}".replace("-", "_").replace("~", "_").replace("^", "_")
    package = folder / name
    package.mkdir()
    for file in listing.split():
        if file.endswith(".py"):
            source = _git("show", f"{rev}:src/unified_ocr/layout/{file}")
            source = re.sub(r"^(\s*)from \.\.(\w*) import", _absolute, source, flags=re.M)
            (package / file).write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, package / "__init__.py", submodule_search_locations=[str(package)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _absolute(match: re.Match[str]) -> str:
    """``from ..model import`` as ``from unified_ocr.model import`` (``from .. import``: ``from unified_ocr import``)."""
    indent, module = match.group(1), match.group(2)
    return f"{indent}from unified_ocr{'.' + module if module else ''} import"


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


# -- the report --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=list(SETS), default=list(SETS))
    parser.add_argument("--transforms", nargs="+", choices=list(TRANSFORMS), default=list(TRANSFORMS))
    parser.add_argument("--baseline", default=BASELINE, help="git revision whose layout package is the baseline")
    parser.add_argument("--eval", type=Path, default=EVAL, help="the shared eval folder")
    parser.add_argument("--show", action="store_true", help="print the current code's interleaved lines")
    parser.add_argument("--folder", type=Path, action="append", default=[],
                        help="another set in SROIE's form (box/*.csv, one segment a row), e.g. from receipt_pages.py; repeatable")  # fmt: skip
    parser.add_argument("--photos", type=Path, action="append", default=[],
                        help="a set written by korean_photos.py (gt/*.json: words and lines), e.g. --kinds thermal; repeatable")  # fmt: skip
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        base = layout_at(args.baseline, Path(folder))
        rev = _git("rev-parse", "--short=12", args.baseline).strip()
        print(f"truth words -> group_blocks; base = layout at {rev}, now = the working tree")
        print(f"{'set':<13} {'transform':<9} {'rows':>5}  {'rows exact base/now/diff':<25} {'interleaved':<16} CER base/now/diff")
        named = [(name, lambda name=name: SETS[name](args.eval / name), args.eval / name) for name in args.sets]
        named += [(folder.name[:13], lambda folder=folder: sroie(folder), folder) for folder in args.folder]
        named += [(folder.name[:13], lambda folder=folder: photos(folder), folder) for folder in args.photos]
        for name, read, where in named:
            pages = read()
            if not pages:
                raise SystemExit(f"no pages under {where}")
            for transform in args.transforms:
                shown: list[str] | None = [] if args.show else None
                b = run(pages, transform, base.group_blocks)
                n = run(pages, transform, group_blocks, shown)
                print(
                    f"{name:<13} {transform:<9} {n.rows:>5}  "
                    f"{b.exact_share:.3f} {n.exact_share:.3f} {n.exact_share - b.exact_share:+.3f}    "
                    f"{b.interleaved:>4} {n.interleaved:>4} {n.interleaved - b.interleaved:+5d}  "
                    f"{b.cer:.3f} {n.cer:.3f} {n.cer - b.cer:+.3f}"
                )
                for text in shown or ():
                    print(f"    interleaved  {text}")
    print(f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
