"""Whether a page is turned a quarter or half turn: decided on evidence that agrees, else "as it is".

Tesseract's orientation and script detection (OSD) alone is not to be obeyed on Korean: its
Hangul model is weak, and on clean upright Korean pages at 75-100 dpi it answered "turned 90
degrees" with confidence about 7 and script Devanagari; the page turned read as garbage. On the
shared Korean photos it answered wrongly or not at all whatever the page's turn. So a page is
turned only when the evidence says so:

* **the lines' direction**: the offline engine's text detector (script-agnostic) finds the
  page's lines; when most of their length runs down the page, the page is turned a quarter
  (90 or 270 degrees); when it runs across, the page is upright or upside down. A page whose
  lines run both ways, or with no line, stays as it is; but a small strip standing up with no
  line found (a word crop turned a quarter) is its own line (:func:`as_one_line`), and an image
  that may be one short word, with no line found, is read each of the four ways, turned only on
  a far better reading (:func:`one_word`, :data:`WORD_READS`).
* **reading**: a few of the longest lines are cut out and read by Tesseract, turned each way
  the lines' direction allows (and as they are, for lines across the page): the way they read
  best must read clearly better than the other, by :data:`MARGIN`, and read as text at all
  (:data:`READABLE`, or, on a scan, :data:`FAIR` where it reads far better, by :data:`FAR`,
  on a few lines: small print read well enough to tell its way up). The way they read best is
  then checked on the page's lines (up to :data:`PAGE_LINES`, the longest), which must read
  clearly better so too, than as they are (a half turn) or than the other quarter turn. On
  little text (under :data:`LITTLE_TEXT` characters read the best way: a word crop), the
  confidence of a few characters says little: the way turned to must not read a few marks where
  the other way reads the line, under :data:`SAME_TEXT` of its characters and less text counted
  as characters times their confidence. Not on
  Tesseract's own reading of the whole page: a form turned a quarter read about 30 so either
  way while its lines read 85 turned back and 31 the other way; nor on lines running down read
  as they are, which read as confidently as noise (50 against 42 turned back, on a form). A
  page that reads well as it is (the engine's ``READS_WELL``) is not looked at further.
* **OSD**, where ``osd.traineddata`` is installed, is a third voice: when it is sure
  (:data:`OSD_SURE`) of an answer other than the one the reading gives, the page stays as it
  is. When it is unsure, which on Korean it mostly is, it is not asked to agree (turned pages
  it missed would otherwise stay turned).

Without the detector (no ``local`` extra) the lines are Tesseract's own: the page is read as
it is and turned the way OSD says, and turned only when that reading's confidence is clearly
higher; with OSD unsure or missing, the page stays as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np

#: How much higher (0..100, Tesseract's word confidence) the turned reading must be than the
#: reading as it is. Measured on the shared pages and on generated photos and low-dpi pages,
#: each at its size and at half, turned four ways (docs/engines/tesseract.md).
MARGIN = 5.0
#: The least word confidence (0..100) the way a page is turned to must read at on its sample
#: lines: below it no way reads as text (a receipt photo at half size read at 15 as it is and
#: 23 upside down, and was turned), and a turn would be a guess. Not asked of the whole page,
#: which reads lower than its longest lines (a receipt at half size turned a quarter: its lines
#: 58 turned back, the page 39).
READABLE = 40.0
#: ... or at least this, where it reads :data:`FAR` better than the other way weighed: forms at
#: half size read their lines at 30 to 40 the right way up and 17 to 25 the wrong way, and stayed
#: turned; the receipt photo above read 23 against 15.
FAIR = 30.0
FAR = 10.0
#: ... on at least this many lines: one word read at 30 upside down against 10 as it is is a
#: guess (word crops upright were turned so and read worse).
FAIR_LINES = 3
#: The way a page's sample lines read best, read in fewer characters than this, is little text (a
#: word, a number), whose confidence says little: no turn is taken to a way that reads a few marks
#: where the other reads the line, fewer than :data:`SAME_TEXT` of its characters and less text
#: counted as characters times their confidence. Upside-down Latin read with Korean's model comes
#: out as a few confident marks: an upright word crop read 26 characters at 29 as it was and 7 at
#: 58 upside down, and was turned and read worse. Word crops upside down read back 6 characters at
#: 93 against 5 at 64 as they were, 7 at 45 against 9 at 15; neither measure alone will do: a
#: Hangul word upside down read 3 syllables at 97 turned back against 9 marks at 7 as it was, and a
#: crop read 11 characters at 50 turned back against 17 at 45 as it was.
LITTLE_TEXT = 20
SAME_TEXT = 0.5
#: OSD's ``orient_conf`` from which its answer counts against a turn it does not agree with.
OSD_SURE = 5.0
#: The share of the lines' length that must run one way for the page's lines to have a direction.
DIRECTION_SHARE = 0.75
#: Lines read to compare the ways (the longest ones), and the fewest worth telling a direction from.
SAMPLE_LINES = 6
MIN_LINES = 1
#: A page read line by line is checked on at most this many of its lines (the longest).
PAGE_LINES = 30
#: A detected box counts as a line when it is this many times longer than high.
LINE_ASPECT = 2.0
#: An image on which no line is found, whose width is at most this many pixels and its height
#: :data:`LINE_ASPECT` times that, is taken as one line running down (a word crop turned a quarter):
#: the detector may find no line on a word crop turned so (18 x 53 pixels turned: none), and with
#: no line nothing turned it back. Not a strip lying across: an upright crop with no line found
#: read a few marks upside down at 88 against 49 as it was (a 12-pixel Hangul word, blurred).
STRIP_SIDE = 120
#: A page that may be one short word (:func:`one_word`) with no line found is turned the way its
#: frame reads best only where that reads at least :data:`WORD_READS` in :data:`WORD_CHARACTERS`
#: characters or more, and :data:`WORD_MARGIN` above every other way and above the page's own
#: reading as it is: with three other ways to read well by chance, and Hangul syllables that
#: read as other syllables upside down, an upright word read at 43 as its frame (and right, at
#: 90, as the page) read 87 upside down. Measured on 340 generated word crops (the six Nanum
#: faces, 7 to 26 pixel type, on white and on uneven grounds, blurred and JPEG-saved or not) and
#: the shared word crops, upright and turned (docs/engines/tesseract.md).
WORD_READS = 75.0
WORD_MARGIN = 15.0
WORD_CHARACTERS = 2
#: A line leaning between these many degrees from level says nothing of a quarter turn (a
#: watermark or stamp set diagonally across the page): it counts neither across nor down.
DIAGONAL = (30.0, 60.0)


@attrs.frozen(slots=True)
class Reading:
    """Lines (or a page) read one way: their mean word confidence (0..100, by characters; by
    length across lines) and the characters read."""

    confidence: float
    characters: int


@attrs.frozen(slots=True)
class Orientation:
    """The decision and what it was made from, for ``meta`` and for measuring."""

    turns: int  # quarter turns clockwise the page's text is turned (0..3); read it turned back
    across: float | None = None  # share of the lines' length running across the page (None: no lines)
    confidence: dict[int, float] = attrs.field(factory=dict)  # quarter turns -> mean word confidence read so
    osd: tuple[int, float, str] | None = None  # OSD's quarter turns, its confidence and script
    reason: str = ""
    page: dict[int, float] = attrs.field(factory=dict)  # quarter turns -> the whole page's mean word confidence read so
    characters: dict[int, int] = attrs.field(factory=dict)  # quarter turns -> the characters the sample read so

    def to_meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"turned": 90 * self.turns, "reason": self.reason}
        if self.across is not None:
            meta["lines_across"] = round(self.across, 3)
        if self.confidence:
            meta["confidence"] = {str(90 * k): round(v, 1) for k, v in sorted(self.confidence.items())}
        if self.characters:
            meta["characters"] = {str(90 * k): v for k, v in sorted(self.characters.items())}
        if self.page:
            meta["page_confidence"] = {str(90 * k): round(v, 1) for k, v in sorted(self.page.items())}
        if self.osd is not None:
            meta["osd"] = {"turned": 90 * self.osd[0], "confidence": round(self.osd[1], 2), "script": self.osd[2]}
        return meta


def line_lengths(boxes: Sequence[np.ndarray]) -> list[tuple[np.ndarray, float, bool]]:
    """Each box that is a line (long and thin, and not diagonal: :data:`DIAGONAL`): its corners,
    length, and whether it runs across the page."""
    lines = []
    for box in boxes:
        p = np.asarray(box, dtype=np.float64).reshape(4, 2)
        first, second = p[1] - p[0], p[2] - p[1]
        a, b = float(np.hypot(*first)), float(np.hypot(*second))
        long_side = first if a >= b else second
        if max(a, b) < LINE_ASPECT * max(min(a, b), 1.0):
            continue
        lean = float(np.degrees(np.arctan2(abs(long_side[1]), abs(long_side[0]))))  # 0 across, 90 down
        if DIAGONAL[0] < lean < DIAGONAL[1]:
            continue
        lines.append((p, max(a, b), lean <= 45.0))
    return lines


def as_one_line(boxes: Sequence[np.ndarray] | None, width: int, height: int) -> Sequence[np.ndarray] | None:
    """``boxes``; or, where none of them is a line and the ``width`` x ``height`` image is a
    strip standing up (:data:`STRIP_SIDE`), the image's own frame as its one line, running down.
    The quarter turn it then reads best at still has to read clearly better than the other, and
    as text, as any page's lines do.

    >>> [b.tolist() for b in as_one_line([], 18, 53)], as_one_line([], 53, 18), as_one_line([], 130, 400)
    ([[[0.0, 0.0], [18.0, 0.0], [18.0, 53.0], [0.0, 53.0]]], [], [])
    """
    if boxes is None or line_lengths(boxes) or width > STRIP_SIDE or height < LINE_ASPECT * width:
        return boxes
    return [_frame(width, height)]


def one_word(width: int, height: int) -> np.ndarray | None:
    """The ``width`` x ``height`` image's own frame, where the image may be one short word (at
    most :data:`STRIP_SIDE` pixels across its shorter side and no strip: under :data:`LINE_ASPECT`
    times as long as that), for :func:`decide` to weigh every turn of where it finds no line: a
    word of two Hangul syllables cut out is about as high as it is long, its box no line, and
    turned any way it was read as garbage and left so.

    >>> one_word(30, 17).tolist(), one_word(53, 18), one_word(400, 300)
    ([[0.0, 0.0], [30.0, 0.0], [30.0, 17.0], [0.0, 17.0]], None, None)
    """
    short, long = sorted((width, height))
    return _frame(width, height) if 0 < short <= STRIP_SIDE and long < LINE_ASPECT * short else None


def _frame(width: int, height: int) -> np.ndarray:
    return np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float64)


def decide(
    boxes: Sequence[np.ndarray] | None,
    read: Callable[[list[np.ndarray], int], Reading],
    osd: Callable[[], tuple[int, float, str] | None],
    as_is: float | None = None,
    scan: bool = False,
    word: np.ndarray | None = None,
    read_as_is: Reading | None = None,
) -> Orientation:
    """The quarter turns to read the page at.

    ``boxes``: the detector's line boxes on the page (``None``: no detector); ``read(lines,
    turns)``: those lines (corners on the page) read with the page turned back ``turns`` quarter
    turns, their :class:`Reading` (``lines`` is empty without a detector: read the whole page);
    ``osd()``: OSD's answer, if any (asked only when the reading proposes a turn);
    ``as_is``: the whole page's confidence read as it is, where known (used without a detector);
    ``scan``: the page is a clean page, not a photo (:func:`reads_as_text`); ``word``: the page's
    frame, where it may be one short word (:func:`one_word`), weighed every way where no line is
    found, against ``read_as_is``, the page's own reading as it is, where known.

    Lines across the page propose a half turn when they read clearly better upside down, taken
    when the page's lines read clearly better so too. Lines down the page propose the quarter
    turn they read clearly better at than at the other (read as they are, a column of turned
    text reads no worse than noise, so that comparison says little), taken when the page's
    lines read clearly better so than at the other quarter turn too. On little text
    (:data:`LITTLE_TEXT`), not to a way that reads a few marks where the other reads the line.
    """
    if boxes is None:
        return _decide_without_lines(read, osd, as_is)
    lines = line_lengths(boxes)
    if len(lines) < MIN_LINES:
        if word is not None:
            return _decide_word(word, read, osd, read_as_is)
        return Orientation(0, None, reason="too few lines to tell")
    total = sum(length for _, length, _ in lines)
    across = sum(length for _, length, flat in lines if flat) / total
    if across >= DIRECTION_SHARE:
        ways = [2]
    elif across <= 1 - DIRECTION_SHARE:
        ways = [1, 3]
    else:
        return Orientation(0, across, reason="lines run both ways")
    flat = across >= DIRECTION_SHARE
    longest = [p for p, _, f in sorted(lines, key=lambda item: -item[1]) if f == flat]
    sample = longest[:SAMPLE_LINES]
    readings = {k: read(sample, k) for k in ([0, *ways] if flat else ways)}
    confidence = {k: r.confidence for k, r in readings.items()}
    characters = {k: r.characters for k, r in readings.items()}
    best = max(ways, key=lambda k: confidence[k])
    against = 0 if flat else 4 - best
    other = confidence[against]
    if flat and confidence[best] < other + MARGIN:
        return Orientation(0, across, confidence, None, "as it is reads as well", characters=characters)
    if not flat and confidence[best] < other + MARGIN:
        return Orientation(0, across, confidence, None, "neither quarter turn reads clearly better", characters=characters)
    if not reads_as_text(confidence[best], other, len(sample), scan):
        return Orientation(0, across, confidence, None, "no way reads as text", characters=characters)
    if few_marks(readings[best], readings[against]):
        reason = "little text, and turned it reads a few marks of it"
        return Orientation(0, across, confidence, None, reason, characters=characters)
    # the page's lines must bear the sample out: read clearly better turned so than the other way
    # weighed (as they are, against a half turn; the other quarter turn, against a quarter turn:
    # read as they are, lines running down read as noise does, and noise is read confidently)
    every = longest[:PAGE_LINES]
    weighed = (0, best) if flat else (4 - best, best)
    if len(every) == len(sample):  # the page's lines are the sample: read already
        page = {k: confidence[k] for k in weighed}
    else:
        page = {k: read(every, k).confidence for k in weighed}
    if page[best] < page[weighed[0]] + MARGIN:
        return Orientation(0, across, confidence, None, "the page's lines do not read clearly better turned", page, characters)
    said = osd()
    if said is not None and said[1] >= OSD_SURE and said[0] != best:
        return Orientation(0, across, confidence, said, "orientation detection is sure of another turn", page, characters)
    return Orientation(best, across, confidence, said, "turned reads clearly better", page, characters)


def reads_as_text(best: float, other: float, lines: int, scan: bool = True) -> bool:
    """Whether ``lines`` lines reading at ``best`` (0..100) the way they read best, and ``other``
    the other way weighed, read as text at all: at least :data:`READABLE`; or, on a scan (not a
    photo) and on at least :data:`FAIR_LINES` lines, at least :data:`FAIR` and :data:`FAR` above
    the other way. A photo's small print reads too unsteadily for the second: a receipt photo of
    130 x 97 pixels read its lines 26.5 upright and 37.7 upside down, where forms scanned at half
    size read theirs 30-40 the right way up and 17-25 the wrong way.

    >>> reads_as_text(41.0, 35.0, 1), reads_as_text(37.5, 24.1, 6), reads_as_text(37.7, 26.5, 6, scan=False)
    (True, True, False)
    >>> reads_as_text(30.0, 10.0, 1), reads_as_text(23.0, 15.0, 6)
    (False, False)
    """
    return best >= READABLE or (scan and lines >= FAIR_LINES and best >= FAIR and best >= other + FAR)


def few_marks(turned: Reading, other: Reading) -> bool:
    """Whether lines read ``turned`` the way they read best, and ``other`` the other way weighed,
    are little text read as a few marks of it (:data:`LITTLE_TEXT`): fewer characters than
    :data:`SAME_TEXT` of the other way's and less text, characters times confidence.

    >>> few_marks(Reading(58.3, 7), Reading(29.3, 26)), few_marks(Reading(97.0, 3), Reading(7.0, 9))
    (True, False)
    >>> few_marks(Reading(50.1, 11), Reading(44.9, 17)), few_marks(Reading(93.0, 6), Reading(63.6, 5))
    (False, False)
    """
    return (turned.characters < LITTLE_TEXT and turned.characters < SAME_TEXT * other.characters
            and turned.characters * turned.confidence < other.characters * other.confidence)  # fmt: skip


def _decide_word(word: np.ndarray, read: Callable[[list[np.ndarray], int], Reading],
                 osd: Callable[[], tuple[int, float, str] | None], read_as_is: Reading | None) -> Orientation:  # fmt: skip
    """A short word's frame (no direction to its lines): read each of the four ways, the way it
    reads best taken where it reads well (:data:`WORD_READS`, :data:`WORD_CHARACTERS`) and far
    better than every other way and than the page as read as it is (``read_as_is``, where
    known), by :data:`WORD_MARGIN`, and not as a few marks of what it reads as it is."""
    readings = {k: read([word], k) for k in range(4)}
    confidence = {k: r.confidence for k, r in readings.items()}
    characters = {k: r.characters for k, r in readings.items()}
    best = max(range(4), key=lambda k: confidence[k])
    runner_up = max(confidence[k] for k in range(4) if k != best)
    as_is = readings[0] if read_as_is is None or read_as_is.confidence <= readings[0].confidence else read_as_is
    runner_up = max(runner_up, as_is.confidence)
    if best == 0 or confidence[best] < max(runner_up + WORD_MARGIN, WORD_READS) or characters[best] < WORD_CHARACTERS:
        return Orientation(0, None, confidence, None, "one word: no turn reads clearly better", characters=characters)
    if few_marks(readings[best], as_is):
        return Orientation(0, None, confidence, None, "one word, and turned it reads a few marks of it", characters=characters)
    said = osd()
    if said is not None and said[1] >= OSD_SURE and said[0] != best:
        return Orientation(0, None, confidence, said, "orientation detection is sure of another turn", characters=characters)
    return Orientation(best, None, confidence, said, "one word: turned reads clearly better", characters=characters)


def _decide_without_lines(read: Callable[[list[np.ndarray], int], Reading], ask: Callable[[], tuple[int, float, str] | None],
                          as_is: float | None) -> Orientation:  # fmt: skip
    osd = ask()
    if osd is None or osd[0] == 0 or osd[1] < OSD_SURE:
        return Orientation(0, None, osd=osd, reason="no detector, and orientation detection not sure of a turn")
    confidence = {0: read([], 0).confidence if as_is is None else as_is, osd[0]: read([], osd[0]).confidence}
    if confidence[osd[0]] < confidence[0] + MARGIN:
        return Orientation(0, None, confidence, osd, "as it is reads as well")
    return Orientation(osd[0], None, confidence, osd, "turned reads clearly better")
