"""How long parsing a saved vendor response takes, against ``json.loads`` of the same text (run by hand).

Every recorded CLOVA and Kakao response in tests/fixtures goes through the engine's pure
parser; the baseline, in the same process, is decoding the JSON alone. The goal is at most
3x: reading the answer into the model should cost about as much as reading the answer.

    python benchmarks/parse_speed.py
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from timing import best_of  # benchmarks/timing.py, beside this script

import unified_ocr

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    print(f"{'response':50} {'KB':>6} {'json.loads ms':>13} {'parse ms':>9} {'ratio':>6}")
    for engine in ("clova", "kakao"):
        for path in sorted((FIXTURES / engine).glob("*.json")):
            text = path.read_text(encoding="utf-8")
            try:
                unified_ocr.parse(json.loads(text), engine)
            except unified_ocr.UnifiedOcrError:
                continue  # recorded on purpose as not an API answer
            base = best_of(lambda text=text: json.loads(text), args.repeat)
            ours = best_of(lambda text=text, engine=engine: unified_ocr.parse(json.loads(text), engine), args.repeat)
            print(f"{engine + '/' + path.name:50} {len(text) / 1024:6.0f} {base * 1000:13.2f} {ours * 1000:9.2f} {ours / base:5.1f}x")


if __name__ == "__main__":
    main()
