"""The shared layout compiled as it is, against the layout as Python runs it (run by hand).

    python benchmarks/layout_compiled.py [--fixtures ../shared/fixtures] [--repeat 5]

Issue 28 asks the layout for at most 5 us a word on pages of over 100 words; in Python it takes
3 to 30. Before deciding to ship a compiled part (which a machine with only Python could not
build), this measures what compiling the very same two modules gives: ``layout/rows.py`` and
``layout/lines.py`` are copied to a temporary folder and compiled by mypyc (it comes with mypy,
of the ``test`` extra; a C compiler and Python's headers are needed, and the compile type-checks
the whole package, a few minutes). Then, in one process, every recorded page of over 100 words
goes through both: its words through ``group_blocks`` and its lines through ``order_lines``,
timed as ``parse_speed.py`` times (best of ``--repeat`` runs of calls, CPU time of the thread),
and the two results must be equal.

Printed per page: microseconds a word each way and the ratio. A compiled copy that is only a
little quicker says the time is in Python's objects (lists of floats, the model's lines and
quads), not in the interpreter's loop, and that a compiled layout means typed code of its own.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from parse_speed import FIXTURES, LARGE_PAGE, VENDORS, answers, best_of, calls_per_run  # benchmarks/, beside this script

import unified_ocr
from unified_ocr.layout import lines as python_lines

ROOT = Path(__file__).resolve().parents[1]


def compiled_layout(folder: Path) -> object:
    """The layout's two modules compiled by mypyc in ``folder``, imported under a name of their own."""
    package = folder / "compiled_layout"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    for name in ("rows.py", "lines.py"):
        source = (ROOT / "src" / "unified_ocr" / "layout" / name).read_text(encoding="utf-8")
        source = source.replace("from ..geometry import", "from unified_ocr.geometry import")
        source = source.replace("from ..model import", "from unified_ocr.model import")
        (package / name).write_text(source, encoding="utf-8")
    mypyc = shutil.which("mypyc", path=str(Path(sys.executable).parent)) or "mypyc"
    environment = {**os.environ, "MYPYPATH": str(ROOT / "src")}
    subprocess.run(
        [mypyc, "--config-file", str(ROOT / "pyproject.toml"), "compiled_layout/rows.py", "compiled_layout/lines.py"],
        cwd=folder, env=environment, check=True, capture_output=True,
    )  # fmt: skip
    sys.path.insert(0, str(folder))
    module = importlib.import_module("compiled_layout.lines")
    if not str(module.__file__).endswith((".so", ".pyd")):
        raise SystemExit(f"mypyc left no compiled module in {folder}")
    return module


def timed(fn: Callable[[], object], repeat: int) -> float:
    """CPU seconds of a call of ``fn``, best of ``repeat`` runs of calls (as ``parse_speed.py`` times)."""
    return best_of(fn, repeat, calls_per_run(fn))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        compiled = compiled_layout(Path(folder))
        print(f"{'page':52} {'words':>5} {'group_blocks us/word':>21} {'x':>5} {'order_lines us/word':>20} {'x':>5} same")
        for vendor, name, text in answers(args.fixtures, list(VENDORS)):
            try:
                result = unified_ocr.parse(json.loads(text), vendor)
            except unified_ocr.UnifiedOcrError:
                continue
            for page in result.pages:
                words = [word for line in page.lines for word in line.words]
                if len(words) <= LARGE_PAGE:
                    continue
                lines = list(page.lines)
                figures = []
                same = True
                for function_name, items in (("group_blocks", words), ("order_lines", lines)):
                    ours, theirs = getattr(python_lines, function_name), getattr(compiled, function_name)
                    same &= ours(items) == theirs(items)
                    plain, built = (timed(partial(layout, items), args.repeat) for layout in (ours, theirs))
                    figures.append((plain / len(words) * 1e6, built / len(words) * 1e6))
                (a, b), (c, d) = figures
                label = f"{vendor}/{name.split('.json')[0]}"[:46] + f" p{page.index}"
                print(f"{label:52} {len(words):5d} {a:9.1f} -> {b:8.1f} {a / b:4.2f}x {c:8.1f} -> {d:8.1f} {c / d:4.2f}x "
                      f"{'yes' if same else 'NO'}")  # fmt: skip


if __name__ == "__main__":
    main()
