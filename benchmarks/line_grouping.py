"""How well the shared line grouping rebuilds ground-truth lines from ground-truth words (run by hand).

    python benchmarks/line_grouping.py [--eval DIR]

synth-korean: lines and words with quads (some pages slanted). FUNSD: form entities; a
ground-truth line is one entity's words that share a row (an entity on two rows gives two
lines). A line is rebuilt exactly when a grouped line holds the same words in the same
order. Also printed for synth-korean: the share of ground-truth line pairs (in reading
order) that keep their order in the output (1.0 = the reading order is right); FUNSD lists
its entities in no reading order, so it has none.
"""

from __future__ import annotations

import argparse
import json
from itertools import combinations
from pathlib import Path

from unified_ocr import Quad, Word
from unified_ocr.layout import group_lines

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


def score(words: list[Word], truth: list[list[int]]) -> tuple[int, int, float]:
    """Lines rebuilt exactly, lines in the truth, and the share of ordered pairs kept."""
    index = {id(w): i for i, w in enumerate(words)}
    got = [tuple(index[id(w)] for w in line.words) for line in group_lines(words)]
    exact = sum(1 for line in truth if tuple(line) in set(got))
    position = {}
    for rank, line in enumerate(got):
        for i in line:
            position[i] = rank
    pairs = list(combinations(truth, 2))
    kept = sum(1 for a, b in pairs if position[a[0]] <= position[b[0]])
    return exact, len(truth), kept / len(pairs) if pairs else 1.0


def synth(folder: Path) -> list[tuple[str, list[Word], list[list[int]]]]:
    pages = []
    for path in sorted((folder / "gt_json").glob("*.json")):
        gt = json.loads(path.read_text(encoding="utf-8"))
        words = [Word(w["text"], Quad(w["quad"])) for w in gt["words"]]
        truth, taken = [], set()
        for line in gt["lines"]:  # the words of a line: those inside its quad, in order, matching its text
            lq = Quad(line["quad"])
            members = [i for i, w in enumerate(words) if i not in taken and _inside(w.quad, lq)]
            members.sort(key=lambda i: _along(words[i].quad, lq))
            assert " ".join(words[i].text for i in members) == line["text"], (path.name, line["text"])
            taken.update(members)
            truth.append(members)
        pages.append((path.stem, words, truth))
    return pages


def funsd(folder: Path) -> list[tuple[str, list[Word], list[list[int]]]]:
    pages = []
    for path in sorted((folder / "annotations").glob("*.json")):
        form = json.loads(path.read_text(encoding="utf-8"))["form"]
        words: list[Word] = []
        truth: list[list[int]] = []
        for entity in form:
            members = []
            for w in entity["words"]:
                if w["text"].strip():
                    members.append(len(words))
                    words.append(Word(w["text"], Quad.from_bbox(*w["box"])))
            for row in _rows(members, words):
                truth.append(row)
        pages.append((path.stem, words, truth))
    return pages


def _rows(members: list[int], words: list[Word]) -> list[list[int]]:
    rows: list[list[int]] = []
    for i in sorted(members, key=lambda i: words[i].quad.center[1]):
        _, y0, _, y1 = words[i].quad.bbox()
        if rows:
            _, r0, _, r1 = words[rows[-1][-1]].quad.bbox()
            if min(y1, r1) - max(y0, r0) > 0.5 * min(y1 - y0, r1 - r0):
                rows[-1].append(i)
                continue
        rows.append([i])
    return [sorted(row, key=lambda i: words[i].quad.bbox()[0]) for row in rows]


def _inside(word: Quad, line: Quad) -> bool:
    x, y = word.center
    x0, y0, x1, y1 = line.bbox()
    return x0 - 2 <= x <= x1 + 2 and y0 - 2 <= y <= y1 + 2


def _along(word: Quad, line: Quad) -> float:
    import math

    t = math.radians(line.angle)
    x, y = word.center
    return x * math.cos(t) + y * math.sin(t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=EVAL, help="the shared eval folder")
    args = parser.parse_args()
    for name, loader in (("synth-korean", synth), ("funsd", funsd)):
        exact = total = 0
        orders = []
        for page, words, truth in loader(args.eval / name):
            e, t, o = score(words, truth)
            exact, total = exact + e, total + t
            orders.append(o)
            print(f"  {name}/{page}: {e}/{t} lines exact" + (f", order {o:.3f}" if name != "funsd" else ""))
        # FUNSD lists its entities in no particular order, so only synth-korean's order is scored
        order = f"; reading order (pairs kept) {sum(orders) / len(orders):.3f}" if name != "funsd" else ""
        print(f"{name}: {exact}/{total} = {exact / total:.1%} of ground-truth lines rebuilt exactly{order}")


if __name__ == "__main__":
    main()
