"""Where the shared layout's time goes on the recorded pages of over 100 words, and how much a faster row chainer could save (run by hand).

    python benchmarks/layout_speed.py [--fixtures DIR] [--repeat N] [--chainer MODULE]

Every recorded answer is parsed as ``parse_speed.py`` parses it, and each call a parser makes
to the shared layout (``group_blocks``, ``order_lines``) with over 100 words is kept and timed
again on its own (CPU time of the thread, best of ``--repeat``, the variants interleaved so
that a busy machine slows them alike). Per call:

- **us/word**: the layout's time per word given to it, as ``parse_speed.py`` counts it.
- **no rows**: the same call with the row chaining (``rows.chain_rows``) free: it answers
  from a record of its own answers. No chainer, compiled or not, can bring the call lower;
  what is left is the frames, the pitch, the reading order's cuts and building the lines.
- **chainer**: with ``--chainer MODULE``, that module's ``chain_rows`` (importable from the
  path, the same signature) in its place: its time, and whether every line and block of the
  call is the same as the layout's own, exactly (a compiled port must not move a bit).

The figures say how far the goal of issue 28 (at most 5 us a word on pages over 100 words)
lies from what chaining alone can give. Example, on two busy cores (an excerpt):

    call                                         words  us/word  no rows  rows share
    clova/egginhealth-inbody-general-v1.json       460    13.82     8.96        35%
    upstage/cookbook-ocr-dpi-table.json            113    12.27     9.02        26%
    google/layoutparser-gcv-document.json          332     6.72     5.17        23%
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from parse_speed import FIXTURES, LARGE_PAGE, LAYOUT, VENDORS, answers  # benchmarks/, beside this script

import unified_ocr
import unified_ocr.layout
import unified_ocr.layout.lines as layout_lines
from unified_ocr import Line

#: One layout call: (answer, function name, the items given, keyword arguments).
Call = tuple[str, str, list[Any], dict[str, Any]]


def words_in(items: list[Any]) -> int:
    return sum(len(item.words) if isinstance(item, Line) else 1 for item in items)


def layout_calls(fixtures: Path) -> list[Call]:
    """Every call the vendors' parsers make to the layout while reading the recorded answers."""
    for vendor in VENDORS:
        importlib.import_module(f"unified_ocr_{vendor}.parse")
    found: list[Call] = []
    label = ""
    patched = []
    for module in list(sys.modules.values()):
        if not any((getattr(module, "__name__", "") or "").startswith(f"unified_ocr_{vendor}") for vendor in VENDORS):
            continue
        for name in LAYOUT:
            function = getattr(module, name, None)
            if function is getattr(unified_ocr.layout, name):
                patched.append((module, name, function))
                setattr(module, name, _kept(function, name, found, lambda: label))
    try:
        for vendor, file, text in answers(fixtures, list(VENDORS)):
            label = f"{vendor}/{file}"
            try:
                unified_ocr.parse(json.loads(text), vendor)
            except unified_ocr.UnifiedOcrError:
                continue  # answers a parser refuses on purpose
    finally:
        for module, name, function in patched:
            setattr(module, name, function)
    return found


def _kept(function: Callable[..., Any], name: str, found: list[Call], label: Callable[[], str]) -> Callable[..., Any]:
    def kept(items: Any, **kwargs: Any) -> Any:
        items = list(items)
        found.append((label(), name, items, kwargs))
        return function(items, **kwargs)

    return kept


@contextmanager
def chainer(function: Callable[..., Any]) -> Iterator[None]:
    """The layout chains rows with ``function`` until the block ends."""
    own = layout_lines.chain_rows
    layout_lines.chain_rows = function
    try:
        yield
    finally:
        layout_lines.chain_rows = own


def recording(into: list[Any]) -> Callable[..., Any]:
    """The layout's own chainer, each answer it gives also appended to ``into``."""
    own = layout_lines.chain_rows

    def record(*args: Any, **kwargs: Any) -> Any:
        into.append(own(*args, **kwargs))
        return into[-1]

    return record


def replaying(answers_given: list[Any]) -> Callable[..., Any]:
    """A chainer that does no work: it gives the answers recorded, in turn."""
    turn = iter(answers_given)
    return lambda *args, **kwargs: next(turn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=FIXTURES, help="folder of <vendor>/*.json answers")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--chainer", help="a module on the path with a chain_rows of the layout's signature, timed in its place")
    args = parser.parse_args()
    other = importlib.import_module(args.chainer).chain_rows if args.chainer else None
    large = [call for call in layout_calls(args.fixtures) if words_in(call[2]) > LARGE_PAGE]
    columns = ["now", "free"] + (["other"] if other is not None else [])
    print(
        f"{'call':44} {'words':>5} {'us/word':>8} {'no rows':>8} {'rows share':>10}" + (f" {'chainer':>8} same" if other else "")
    )
    totals = dict.fromkeys(columns, 0.0)
    all_words = 0
    for label, name, items, kwargs in large:
        function = getattr(unified_ocr.layout, name)
        recorded: list[Any] = []
        with chainer(recording(recorded)):
            expected = function(items, **kwargs)
        same = ""
        if other is not None:
            with chainer(other):
                same = "yes" if function(items, **kwargs) == expected else "NO"
        best = dict.fromkeys(columns, float("inf"))
        for _ in range(args.repeat):  # interleaved: a busy spell slows all three alike
            for column in columns:
                with chainer({"now": layout_lines.chain_rows, "free": replaying(recorded), "other": other}[column]):
                    started = time.thread_time()
                    function(items, **kwargs)
                    best[column] = min(best[column], time.thread_time() - started)
        words = words_in(items)
        all_words += words
        for column in columns:
            totals[column] += best[column]
        print(f"{label[:44]:44} {words:5d} {best['now'] / words * 1e6:8.2f} {best['free'] / words * 1e6:8.2f} "
              f"{1 - best['free'] / best['now']:9.0%}"
              + (f" {best['other'] / words * 1e6:8.2f} {same}" if other is not None else ""))  # fmt: skip
    if all_words:
        print(f"{'all ' + str(len(large)) + ' calls':44} {all_words:5d} {totals['now'] / all_words * 1e6:8.2f} "
              f"{totals['free'] / all_words * 1e6:8.2f} {1 - totals['free'] / totals['now']:9.0%}"
              + (f" {totals['other'] / all_words * 1e6:8.2f}" if other is not None else ""))  # fmt: skip


if __name__ == "__main__":
    main()
