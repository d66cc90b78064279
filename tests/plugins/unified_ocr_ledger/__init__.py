"""A third-party package of the test suite's own that adds a truth format, a metric and a
normaliser through the hooks, installed the way a real package would be.

``ledger`` truth files start with ``#ledger`` and hold one line per line of text:
``left top right bottom text``. The ``lengths`` metric compares how many characters the
truth and the reading hold; the ``no-punctuation`` normaliser drops punctuation.
"""

from __future__ import annotations

import string
from typing import Any

import unified_ocr
from unified_ocr import Line, OcrResult, Quad, TruthError, Word
from unified_ocr.evaluation.metrics import Metric
from unified_ocr.evaluation.normalize import Normalization, Normalizer
from unified_ocr.evaluation.truth import TruthReader, truth_page


class LedgerReader(TruthReader):
    name = "ledger"
    description = "#ledger, then 'left top right bottom text' per line"

    def sniff(self, text: str) -> bool:
        return text.startswith("#ledger")

    def read(self, text: str, source: str) -> OcrResult:
        lines = []
        for number, row in enumerate(text.splitlines()[1:], 2):
            parts = row.split(" ", 4)
            if len(parts) < 5:
                raise TruthError(f"{source}:{number}: expected left top right bottom text")
            quad = Quad.from_bbox(*map(float, parts[:4]))
            lines.append(Line(parts[4], quad, (Word(parts[4], quad),)))
        return truth_page(lines, ["words", "lines"])


class Lengths(Metric):
    """Characters of the truth and of the reading, after normalisation."""

    name = "lengths"
    description = "characters read per character of truth"
    columns = ("lengths_truth", "lengths_read")
    shown = (("Length ratio", "ratio", False),)

    def __init__(self, normalization: Normalization) -> None:
        super().__init__(normalization)
        self.truth = self.read = self.images = 0

    def update(self, truth: OcrResult, result: OcrResult | None) -> dict[str, Any]:
        norm = self.normalization.apply
        wanted, got = len(norm(truth.text)), len(norm(result.text)) if result is not None else 0
        self.truth, self.read, self.images = self.truth + wanted, self.read + got, self.images + 1
        return {"lengths_truth": wanted, "lengths_read": got}

    def summary(self) -> dict[str, Any] | None:
        if not self.images:
            return None
        return {"images": self.images, "truth": self.truth, "read": self.read, "ratio": self.read / self.truth if self.truth else None}


@unified_ocr.hookimpl
def register_truth_readers() -> list[TruthReader]:
    return [LedgerReader()]


@unified_ocr.hookimpl
def register_metrics() -> list[type[Metric]]:
    return [Lengths]


@unified_ocr.hookimpl
def register_normalizers() -> list[Normalizer]:
    table = str.maketrans("", "", string.punctuation)
    return [Normalizer("no-punctuation", lambda text: text.translate(table), "ASCII punctuation dropped")]


def _render(result: OcrResult) -> str:
    rows = ["#ledger"]
    for _, line in result.iter_lines():
        x0, y0, x1, y1 = line.quad.bbox()
        rows.append(f"{x0:g} {y0:g} {x1:g} {y1:g} {line.text}")
    return "\n".join(rows) + "\n"


def _read_back(document: str | bytes, source: str) -> OcrResult:
    text = document.decode() if isinstance(document, bytes) else document
    return LedgerReader().read(text, source)


@unified_ocr.hookimpl
def register_exporters() -> list[object]:
    """An export format that reads back: a truth format too, with no reader of its own."""
    from unified_ocr.exports import Exporter

    return [Exporter("ledger-export", ".ledger", _render, "lines as #ledger rows", read=_read_back)]
