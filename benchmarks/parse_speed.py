"""How long reading a recorded vendor answer takes, and the shared layout per word (run by hand).

    python benchmarks/parse_speed.py [--fixtures DIR] [--baseline REV] [--repeat N] [--vendors clova kakao ...]

Every recorded answer of every vendor (``clova``, ``kakao``, ``google``, ``azure``,
``textract``, ``upstage``: the folders of that name under ``--fixtures``, ``*.json`` and
``*.json.gz``) goes through ``unified_ocr.parse`` as a caller does it, from the answer's text:
``parse(json.loads(text), vendor)``. Answers a parser refuses on purpose (error bodies,
a web demo's, a client library's dump) are listed as refused and not timed.

The time is split in two, in the same process, best of ``--repeat`` runs each (CPU time of
the thread, so that a machine busy with other work gives the same figures). A run is as many
calls in a row as take about :data:`RUN_SECONDS` (one call of a large answer, hundreds of a
small one), for ``json.loads`` and the parse alike: a lone call of a few microseconds timed
after the stopwatch is put in place would be timed with its code and data out of the caches,
against ``json.loads`` timed warm.

- **reading**: the whole call less the layout: the vendor JSON decoded into the words and
  lines the vendor gave (and the result's texts made writable). Its ratio is to
  ``json.loads`` of the same text alone; the goal is at most 3x.
- **floor**: what no reader of this model can go below: the same result's pages, lines, words,
  blocks and fields built again from their values already read (the model's ``checked_*``
  constructors, no JSON walked, nothing converted; tables left out, so a lower bound), over
  ``json.loads``. Where it is near 3x (answers of many tiny words, whose JSON is short per
  object made) the reading goal leaves nothing for reading the answer itself.
- **layout**: the time inside the shared layout (``group_blocks`` for words only,
  ``order_lines`` for a vendor's lines or a template's fields), per word given to it; the
  goal is at most 5 us a word on pages of over 100 words (``ok`` says whether every such
  page holds it; ``-`` where no page that large went through the layout).

Before and after: the layout package and the vendors' parsers as they were at ``--baseline``
(loaded from git into this process under names of their own) read every answer too, and
every page of the two results is compared, every quad of every line, word, block, cell and
field to 1e-9 px and every text and score exactly (``same``); ``base x`` is how much faster
the vendor's parser (with the layout, without the result made writable) is now than at the
baseline.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import math
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
from layout_rows import layout_at  # benchmarks/, beside this script

import unified_ocr
import unified_ocr.layout
from unified_ocr import Field, Line, OcrResult, Page, Quad
from unified_ocr.geometry import checked_quad
from unified_ocr.model import checked_block, checked_field, checked_line, checked_word

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures"
VENDORS = ("clova", "kakao", "google", "azure", "textract", "upstage")
#: The commit before issue 28's work on the readers and the layout.
BASELINE = "77a78e7"
#: The layout functions parsers import by name.
LAYOUT = ("group_blocks", "order_lines")
#: Pages of more words than this must hold the per-word goal.
LARGE_PAGE = 100
#: About how long one timed run of calls lasts (see the module's docstring).
RUN_SECONDS = 0.002


@attrs.define
class Calls:
    """What went through the layout during one parse: (items given, seconds) per call; the items'
    words are counted after the parse, so that the count is not charged to the reading."""

    timed: list[tuple[Any, float]] = attrs.field(factory=list)

    @property
    def seconds(self) -> float:
        return sum(s for _, s in self.timed)

    @property
    def calls(self) -> list[tuple[int, float]]:
        """(words, seconds) per call."""
        return [(sum(len(i.words) if isinstance(i, Line) else 1 for i in items), s) for items, s in self.timed]


@contextmanager
def layout_timed(calls: Calls) -> Iterator[None]:
    """Every loaded parser module that holds a layout function calls it through a stopwatch."""
    patched: list[tuple[ModuleType, str, Any]] = []
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "") or ""
        if not any(name.startswith(f"unified_ocr_{vendor}") for vendor in VENDORS):
            continue
        for function_name in LAYOUT:
            function = getattr(module, function_name, None)
            if function is getattr(unified_ocr.layout, function_name):
                patched.append((module, function_name, function))
                setattr(module, function_name, _timed(function, calls))
    try:
        yield
    finally:
        for module, function_name, function in patched:
            setattr(module, function_name, function)


def _timed(function: Callable[..., Any], calls: Calls) -> Callable[..., Any]:
    def timed(items: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        out = function(items, *args, **kwargs)
        calls.timed.append((items, time.thread_time() - started))
        return out

    return timed


# -- the parsers as they were at a baseline ------------------------------------------------------


def parsers_at(rev: str, layout: ModuleType, folder: Path) -> dict[str, Callable[[Any], OcrResult]]:
    """Each vendor's ``parse`` as it was at ``rev``, calling the layout given (the baseline's)."""
    out = {}
    for vendor in VENDORS:
        package_name = f"unified_ocr_{vendor}"
        name = f"{package_name}_at_" + re.sub(r"\W", "_", rev)[:12]
        package = folder / name
        package.mkdir()
        listing = _git("ls-tree", "--name-only", f"{rev}:plugins/{package_name}").split()
        for file in listing:
            if file.endswith(".py"):
                source = _git("show", f"{rev}:plugins/{package_name}/{file}")
                source = source.replace("from unified_ocr.layout import", f"from {layout.__name__} import")
                (package / file).write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(name, package / "__init__.py", submodule_search_locations=[str(package)])
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        out[vendor] = sys.modules[f"{name}.parse"].parse
    return out


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def differences(a: Any, b: Any, at: str = "") -> Iterator[str]:
    """Where two results differ: floats by more than 1e-9, anything else at all (``raw`` left out)."""
    if isinstance(a, float) or isinstance(b, float):
        if not (isinstance(a, (int, float)) and isinstance(b, (int, float)) and (a == b or abs(a - b) <= 1e-9)):
            yield f"{at}: {a!r} != {b!r}"
    elif attrs.has(type(a)) and attrs.has(type(b)):
        if type(a).__name__ != type(b).__name__:
            yield f"{at}: {type(a).__name__} != {type(b).__name__}"
            return
        for field in attrs.fields(type(a)):
            if field.name != "raw":
                yield from differences(getattr(a, field.name), getattr(b, field.name), f"{at}.{field.name}")
    elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            yield f"{at}: {len(a)} items != {len(b)}"
            return
        for i, (x, y) in enumerate(zip(a, b)):
            yield from differences(x, y, f"{at}[{i}]")
    elif isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            yield f"{at}: keys {sorted(a)} != {sorted(b)}"
            return
        for key in a:
            yield from differences(a[key], b[key], f"{at}.{key}")
    elif a != b:
        yield f"{at}: {a!r} != {b!r}"


def rebuilding(result: OcrResult) -> Callable[[], OcrResult]:
    """A call that builds ``result`` again from its plain values (the **floor**), without its tables."""

    def flat(quad: Quad | None) -> tuple[float, ...] | None:
        return None if quad is None else tuple(c for point in quad.points for c in point)

    def plain_field(f: Field) -> tuple[Any, ...]:
        return (f.name, f.kind, f.text, flat(f.quad), f.confidence, f.checked, [plain_field(p) for p in f.parts], f.value)

    pages = [
        (page.index, page.width, page.height,
         [(line.text, flat(line.quad), [(w.text, flat(w.quad), w.confidence) for w in line.words], line.confidence) for line in page.lines],
         [(b.start, b.end, flat(b.quad), b.kind) for b in page.blocks],
         [plain_field(f) for f in page.fields])
        for page in result.pages
    ]  # fmt: skip

    def quad(values: Any) -> Quad | None:
        return None if values is None else checked_quad(*values)

    def field(values: tuple[Any, ...]) -> Field:
        name, kind, text, q, score, checked, parts, value = values
        return checked_field(name, kind, text, quad(q), score, checked, tuple([field(p) for p in parts]), value)

    def build() -> OcrResult:
        built = []
        for index, width, height, lines, blocks, fields in pages:
            built.append(Page(
                index, width, height,
                lines=[checked_line(text, checked_quad(*q), tuple([checked_word(t, checked_quad(*wq), c) for t, wq, c in words]), score)
                       for text, q, words, score in lines],
                blocks=[checked_block(start, end, quad(q), kind) for start, end, q, kind in blocks],
                fields=[field(values) for values in fields],
            ))  # fmt: skip
        return OcrResult(pages=built, engine=result.engine)

    return build


# -- the report ---------------------------------------------------------------------------------


def best_of(fn: Callable[[], object], repeat: int, calls: int = 1) -> float:
    """CPU seconds of this thread per call, in the fastest of ``repeat`` runs of ``calls`` calls
    each: on a busy machine the time other processes take the core does not count."""
    times = []
    for _ in range(repeat):
        started = time.thread_time()
        for _ in range(calls):
            fn()
        times.append((time.thread_time() - started) / calls)
    return min(times)


def calls_per_run(fn: Callable[[], object]) -> int:
    """How many calls of ``fn`` take about :data:`RUN_SECONDS`."""
    return max(1, round(RUN_SECONDS / max(best_of(fn, 3), 1e-7)))


def answers(folder: Path, vendors: list[str]) -> Iterator[tuple[str, str, str]]:
    """(vendor, file name, text) of every recorded answer."""
    for vendor in vendors:
        for path in sorted((folder / vendor).glob("*.json*")):
            if path.name.endswith(".json"):
                yield vendor, path.name, path.read_text(encoding="utf-8")
            elif path.name.endswith(".json.gz"):
                yield vendor, path.name, gzip.decompress(path.read_bytes()).decode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=FIXTURES, help="folder of <vendor>/*.json answers")
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the layout and parsers to compare with")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--vendors", nargs="+", default=list(VENDORS), choices=VENDORS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base_layout = layout_at(args.baseline, Path(folder))
        base_parse = parsers_at(args.baseline, base_layout, Path(folder))
        current_parse = {vendor: importlib.import_module(f"unified_ocr_{vendor}.parse").parse for vendor in args.vendors}
        print(f"{'answer':58} {'KB':>5} {'loads ms':>8} {'read ms':>8} {'ratio':>6} {'floor':>6} {'layout ms':>9} "
              f"{'words':>6} {'us/word':>7} {'ok':>3} {'base x':>6} same")  # fmt: skip
        worst_ratio, worst_per_word, all_same = 0.0, 0.0, True
        for vendor, name, text in answers(args.fixtures, args.vendors):
            label = f"{vendor}/{name}"[:58]
            try:
                current = unified_ocr.parse(json.loads(text), vendor)
            except unified_ocr.UnifiedOcrError as exc:
                print(f"{label:58} refused: {type(exc).__name__}")
                continue
            baseline = base_parse[vendor](json.loads(text))
            found = list(differences(baseline, current))
            all_same &= not found
            n = calls_per_run(lambda text=text, vendor=vendor: unified_ocr.parse(json.loads(text), vendor))
            loads = best_of(lambda text=text: json.loads(text), args.repeat, calls_per_run(lambda text=text: json.loads(text)))
            reading, layout, calls = math.inf, math.inf, Calls()
            for _ in range(args.repeat):
                run = Calls()
                with layout_timed(run):
                    started = time.thread_time()
                    for _ in range(n):
                        unified_ocr.parse(json.loads(text), vendor)
                    total = time.thread_time() - started
                reading = min(reading, (total - run.seconds) / n)
                if run.seconds / n < layout:
                    layout, calls = run.seconds / n, run
            repeat = max(3, args.repeat // 3)
            floor = best_of(rebuilding(current), args.repeat, n)
            before = best_of(lambda text=text, vendor=vendor: base_parse[vendor](json.loads(text)), repeat, n)
            now = best_of(lambda text=text, vendor=vendor: current_parse[vendor](json.loads(text)), repeat, n)
            words = sum(count for count, _ in calls.calls) // n
            large = [(n, s) for n, s in calls.calls if n > LARGE_PAGE]
            per_word = sum(s for _, s in large) / sum(n for n, _ in large) if large else (layout / words if words else 0.0)
            ok = "-" if not large else "yes" if per_word <= 5e-6 else "NO"
            worst_ratio = max(worst_ratio, reading / loads)
            if large:
                worst_per_word = max(worst_per_word, per_word)
            print(f"{label:58} {len(text) / 1024:5.0f} {loads * 1e3:8.2f} {reading * 1e3:8.2f} {reading / loads:5.1f}x {floor / loads:5.1f}x "
                  f"{layout * 1e3:9.2f} {words:6d} {per_word * 1e6:7.1f} {ok:>3} {before / now:5.1f}x "
                  f"{'yes' if not found else 'NO: ' + '; '.join(found[:3])}")  # fmt: skip
        print(f"worst reading ratio {worst_ratio:.1f}x (goal 3x); worst layout {worst_per_word * 1e6:.1f} us/word on pages "
              f"over {LARGE_PAGE} words (goal 5); results {'the same as' if all_same else 'DIFFERENT from'} {args.baseline}")  # fmt: skip


if __name__ == "__main__":
    main()
