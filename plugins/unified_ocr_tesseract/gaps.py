"""What the detector left out of a row: the gaps between the pieces of one visual line, read.

The offline detector misses a lone faint mark between two pieces of a row: a receipt's count
(``1``, ``2``, ``3``) between its unit price and its amount, printed by a worn thermal head.
Found on a small copy of a long receipt, nine counts of nine were boxed at a box score of 0.3
and none at RapidOCR's 0.5; a lower threshold for the whole page boxed a street scene's
texture and read it (ICDAR 2015 CER 0.64 -> 0.88). So only where the layout has already put two
pieces on one row, with a gap between them of more than :data:`GAP` of their height, is the gap
cut out (:data:`INSET` of the height clear of each piece, where a glyph's tail would read as
``|``), looked at for ink darker than the paper by :data:`CONTRAST` grey levels, and read as a
line. What it reads is kept only when Tesseract is sure of it (:data:`SURE`) and it holds a
letter, a digit or a Hangul syllable: strokes, rules and lone jamo are what empty gaps read as.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from unified_ocr import Line

#: A gap between two pieces of a row wider than this many times their height is read.
GAP = 1.2
#: How far (in their height) the gap is cut clear of each piece.
INSET = 0.15
#: The gap is read only where its darkest ink (2nd percentile) lies at least this many grey
#: levels under its paper (median): a photo's noise and a fold's shade stay under it.
CONTRAST = 12.0
#: A word read in a gap is kept at this confidence (0..1) or more.
SURE = 0.8


def row_gaps(rows: Sequence[Line]) -> Iterator[np.ndarray]:
    """The quads (clockwise from the top-left) of the gaps between consecutive words of each row
    wider than :data:`GAP` times the words' height, :data:`INSET` of it clear of each word.

    >>> from unified_ocr import Quad, Word
    >>> row = Line.from_words([Word("3,600", Quad.from_bbox(0, 0, 60, 20)), Word("10,800", Quad.from_bbox(120, 0, 190, 20))])
    >>> [np.round(quad).astype(int).tolist() for quad in row_gaps([row])]
    [[[63, 0], [117, 0], [117, 20], [63, 20]]]
    """
    for row in rows:
        for before, after in zip(row.words, row.words[1:]):
            a, b = before.quad.array, after.quad.array
            height = (before.quad.height + after.quad.height) / 2
            along = (a[1] - a[0]) + (b[1] - b[0])
            unit = along / max(float(np.linalg.norm(along)), 1e-9)
            gap = float((b[0] - a[1]) @ unit)
            if gap > GAP * height:
                inset = INSET * height * unit
                yield np.array([a[1] + inset, b[0] - inset, b[3] - inset, a[2] + inset], np.float64)


def inked(strip: np.ndarray) -> bool:
    """Whether a grey strip holds ink: its darkest pixels :data:`CONTRAST` levels under its paper."""
    return bool(strip.size) and float(np.median(strip)) - float(np.percentile(strip, 2)) >= CONTRAST


def kept(line: Line) -> Line | None:
    """``line`` (read in a gap) with only the words Tesseract is sure of that hold a letter, a
    digit or a Hangul syllable; ``None`` if none do."""
    words = [w for w in line.words if w.confidence is not None and w.confidence >= SURE and any(_counts(ch) for ch in w.text)]
    return Line.from_words(words) if words else None


def _counts(ch: str) -> bool:
    """A letter, a digit or a Hangul syllable; not a lone jamo (``ㅣ`` is what a stroke reads as)."""
    return ch.isalnum() and not "\u3130" <= ch <= "\u318f" and not "\u1100" <= ch <= "\u11ff"
