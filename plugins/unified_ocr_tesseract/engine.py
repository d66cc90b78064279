"""Tesseract 5 through tesserocr (its C API in this process), mapped to the unified-ocr model.

Tesseract reads Hangul offline, which the default offline engine cannot, so it is the
offline path for Korean. It runs in-process, with no process per image: each thread of a
batch gets its own ``TessBaseAPI`` (Tesseract is not thread-safe within one), created once
and kept, with its model loaded once; ``threads`` bounds how many read at the same time.

How a page is read depends on what it is (``layout = "auto"``, the default; measured in
docs/engines/tesseract.md): a photo (:mod:`.kind`: the ground under the text is uneven) is
read line by line, the offline detector's lines (:mod:`.detection`) each cut out upright
(:mod:`.strips`) and read as one line; a clean page by Tesseract's own layout, which reads it
as well in a fraction of the time, and again as one column where that reads poorly. A small
image whose text is a few pixels high is enlarged first (:mod:`.small`).

The result keeps Tesseract's structure: its text lines (with the line's text as Tesseract
spaces it, since Korean words often come back a syllable at a time: joined as Tesseract saw
the blanks before each word, which measured better than joining by the gaps between their
boxes), its words (the pieces it read with no blank between joined into one, so that a word
is what the line's text spaces as one: on generated Korean photos word boxes against truth
H-mean 0.52 as pieces, 0.93 joined) with confidences, and its paragraphs as blocks, in its reading order. A
page turned a quarter or half turn is read upright and mapped back, so quads start at the
text's own top-left; it is turned only when the evidence agrees (:mod:`.orientation`: the
direction of the lines the offline detector finds, and a few lines read clearly better
turned; orientation detection alone is too weak on Hangul to be obeyed).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import threading
from typing import Any, Literal

import attrs
import cv2
import numpy as np

from unified_ocr import Block, EngineOptions, Limits, Line, OcrResult, Page, Quad, Upload, Word
from unified_ocr.engines.base import RUNTIME, Engine
from unified_ocr.engines.scripts import scripts_of
from unified_ocr.errors import EngineUnavailableError, RecognitionError
from unified_ocr.geometry import Transform
from unified_ocr.imaging.flatten import flatten, flatten_upright
from unified_ocr.imaging.turns import turned, turned_back
from unified_ocr.layout import order_lines

from . import tessdata
from .coverage import COVERS, MORE, covered
from .detection import find_lines, first_lines, one_thread
from .gaps import inked, kept, row_gaps
from .kind import photographed
from .orientation import Orientation, Reading, as_one_line, decide, one_word
from .small import enlarged, enlargement
from .strips import line_strip


@attrs.frozen(slots=True)
class TesseractOptions(EngineOptions):
    """Settings of the Tesseract engine; each is a key of a ``backend = "tesseract"`` profile."""

    lang: str = attrs.field(default="kor+eng", converter=lambda v: tesseract_codes(v))  # codes joined by + (kor+eng; ko, en also taken)
    psm: int = attrs.field(default=6, validator=attrs.validators.in_(range(14)))  # page segmentation mode (6: one block of text; 3: automatic)
    tessdata: str | None = None  # the folder of *.traineddata [default: $TESSDATA_PREFIX, then the usual places]
    orientation: bool = True  # read pages turned 90/180/270 degrees upright, when the evidence agrees (docs/engines/tesseract.md)
    #: find the page first, perspective undone, rows laid flat, light evened (docs): ``photos``: an image
    #: with an uneven ground (a photo), then read line by line; ``always`` (or true): every image, before
    #: the engine sees it; ``never`` (or false)
    flatten: str = attrs.field(default="photos", converter=lambda v: _flatten_choice(v), validator=attrs.validators.in_(("photos", "always", "never")))
    upscale_below: int = attrs.field(default=0, validator=attrs.validators.ge(0))  # enlarge pages whose longer side is under this (at most 4x; 0: never)
    threads: int = attrs.field(default=0, metadata=RUNTIME)  # pages read at once (0: the number of CPUs)
    #: ``tesseract``: Tesseract finds the lines (its page segmentation, ``psm``); ``detector``: the offline
    #: engine's text detector finds them (needs the ``local`` extra) and Tesseract reads each, rectified, as one line;
    #: ``auto``: the detector's lines on photos and on pages Tesseract's layout reads poorly, its layout on clean pages
    layout: Literal["auto", "tesseract", "detector"] = "auto"


#: A page whose words Tesseract reads as it is with at least this mean confidence (0..100) is
#: not turned: no page turned a quarter or half turn read above 68 as it was (measured; see
#: docs/engines/tesseract.md).
READS_WELL = 75.0
#: ... and read so at least this many characters (by Tesseract's layout; its lines, for a photo):
#: a form turned a quarter and enlarged was read as one word, its number, 8 characters at 92,
#: and was not looked at further.
READS_ENOUGH = 20
#: With ``layout = "auto"``, a page that is not photographed, read by Tesseract's layout (``psm 6``)
#: with at least this mean word confidence, keeps that reading. Below it the page is read again
#: as one column of text of varying sizes (``psm 4``), kept when it reads clearly more confident
#: (:data:`COLUMN_MARGIN`) and not much shorter (:data:`COLUMN_KEEPS`). Measured: clean rendered
#: pages read at 85-95 (CER 0-0.07); a drawing with handwritten lines under it read at 77 with
#: ``psm 6`` (CER 0.34: the drawing read as text) and 86 with ``psm 4`` (CER 0.18).
KEEPS_PAGE = 85.0
COLUMN_MARGIN = 5.0
#: ``psm 4`` on photos drops whole columns and stays confident, so its reading must keep at
#: least this share of the characters of the ``psm 6`` reading.
COLUMN_KEEPS = 0.6
COLUMN = 4  # Tesseract's page segmentation mode: a single column of text of variable sizes
#: A detector's strip read as nothing in single-line mode keeps the line its block reading finds
#: across its middle at this confidence (0..1) or more: a street scene's texture read so came
#: back at 0.30 (ICDAR 2015 CER 0.64 -> 1.03 kept at any confidence), a thermal receipt's
#: faded rows at 0.5 to 0.97.
BLOCK_KEEPS = 0.5

#: Tesseract's code for a BCP 47 language tag, so that ``lang = "ko"`` means what it says here too.
_CODES = {"ko": "kor", "en": "eng", "ja": "jpn", "zh": "chi_sim", "de": "deu", "fr": "fra", "es": "spa", "vi": "vie"}


def tesseract_codes(lang: str) -> str:
    """``ko,en`` or ``ko+en`` -> ``kor+eng``; Tesseract's own codes pass as they are."""
    parts = [p.strip() for p in str(lang).replace(",", "+").split("+") if p.strip()]
    return "+".join(_CODES.get(p.lower(), p) for p in parts)


def _tesserocr_missing() -> str | None:
    if importlib.util.find_spec("tesserocr") is None:
        return f"tesserocr not installed; {tessdata.EXTRA_HINT}"
    return None


class TesseractEngine(Engine[TesseractOptions]):
    name = "tesseract"
    Options = TesseractOptions
    needs_network = False
    description = "offline: Tesseract 5 (tesserocr), Korean and English by default; reads Hangul"
    revision = 15  # 2: a page is turned only when the evidence agrees, not whenever orientation detection says so; 3: layout auto; 4: pieces with no blank between are one word; 5: light print on a dark ground is not evened, the chord of a curled row; 6: a photo's turn checked on its lines; 7: small images enlarged first; 8: turns only to lines reading 40 and over, photos turned upright by whole pixels before flattening, a small page enlarged as much turned as upright; 9: lines reading 30 and 10 better than the other way also turn, checked on the page's lines, never on Tesseract's reading of the page; 10: little text turned only where as much of it reads turned, a small image's rows taken as large at a glance only where they are at full size; 11: a strip standing up with no line found is its own line, running down; 12: a clean page whose words lie on too few of the detector's lines is read line by line too; 13: a short word with no line found is weighed every way; a small image's lines measured on it and on it upside down together, a strip thinner than 12 pixels with no line found its own line; 14: the wide gaps between the pieces of a row read (a lone faint count the detector missed); 15: a strip read as nothing read again as a block, its sure middle line kept

    def __init__(self, options: TesseractOptions | None = None) -> None:
        super().__init__(options)
        reason = self.unavailable_reason(self.options)
        if reason:
            raise EngineUnavailableError(self.name, reason)
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one thread per page: a batch runs pages side by side
        folder = tessdata.find(self.options.tessdata)
        assert folder is not None
        self._folder = str(folder)
        self._osd = "osd" in tessdata.languages(folder)
        self._local = threading.local()
        self._apis: list[Any] = []
        self._apis_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self.options.threads or os.cpu_count() or 1)

    @property
    def limits(self) -> Limits:
        return Limits(formats=frozenset({"jpeg", "png", "bmp", "tiff", "webp"}), honours_exif=True, takes_pixels=True,
                      flatten_photos=self.options.flatten == "always")  # fmt: skip

    @classmethod
    def missing_dependencies(cls) -> str | None:
        return _tesserocr_missing()

    @classmethod
    def reads(cls, options: EngineOptions | None = None) -> frozenset[str] | None:
        """The scripts of its ``lang``: what it is told to read is what it reads."""
        opts = options if isinstance(options, TesseractOptions) else TesseractOptions()
        return scripts_of(opts.lang)

    @classmethod
    def unavailable_reason(cls, options: EngineOptions | None = None) -> str | None:
        reason = super().unavailable_reason(options)
        opts = options if isinstance(options, TesseractOptions) else TesseractOptions()
        if reason:  # say in the same line what else is missing, so that one round of installing is enough
            data = tessdata.missing_reason(opts.lang, opts.tessdata)
            return f"{reason}; and {data}" if data else reason
        if opts.layout == "detector" and importlib.util.find_spec("rapidocr") is None:  # (auto does without)
            return "layout = \"detector\" reads the lines the offline engine's detector finds: pip install 'unified-ocr[local]'"
        return tessdata.missing_reason(opts.lang, opts.tessdata)

    def close(self) -> None:
        with self._apis_lock:
            for api in self._apis:
                api.End()
            self._apis.clear()

    def _api(self, kind: str) -> Any:
        """This thread's Tesseract for ``kind`` (``read`` or ``osd``), made on first use and kept."""
        api = getattr(self._local, kind, None)
        if api is None:
            from tesserocr import PSM, PyTessBaseAPI

            if kind == "osd":
                api = PyTessBaseAPI(path=self._folder, lang="osd", psm=PSM.OSD_ONLY)
            elif kind == "block":
                api = PyTessBaseAPI(path=self._folder, lang=self.options.lang, psm=PSM.SINGLE_BLOCK)
            elif kind == "line":
                api = PyTessBaseAPI(path=self._folder, lang=self.options.lang, psm=PSM.SINGLE_LINE)
            else:
                api = PyTessBaseAPI(path=self._folder, lang=self.options.lang, psm=self.options.psm)
            setattr(self._local, kind, api)
            with self._apis_lock:
                self._apis.append(api)
        return api

    def recognize(self, upload: Upload) -> OcrResult:
        pixels = upload.decode()
        width, height = upload.size
        factor = enlargement(self._line_detector, pixels)  # a small image's letters brought to the size Tesseract reads
        grown: Transform | None = None  # the enlarged image -> the image as sent
        if factor > 1:
            pixels, grown = enlarged(pixels, factor)
        layout: str = self.options.layout  # the layout asked for; then the one used
        # whether it is a photo decides the layout (auto) and the flattening (photos): asked only then
        wanted = layout == "auto" or (layout == "detector" and self.options.flatten == "photos")
        photo = wanted and photographed(pixels)
        if layout == "auto":
            layout = "detector" if self._line_detector is not None and photo else "tesseract"
        back: Transform | None = None  # the flattened page -> the page as sent
        levelled = 0.0  # degrees flattening turned the rows by to lay them level (within 45)
        given = pixels
        if photo and layout == "detector" and self.options.flatten == "photos" and not upload.pages[0].flattened:
            flat = flatten(pixels, quarter_turns=False)  # a page on its side is turned by the orientation step, on evidence
            if not flat.unchanged:
                pixels, back, levelled = flat.pixels, flat.transform, flat.angle
        with self._slots:
            try:
                if layout == "detector":
                    # a flattened photo found turned is read again from the photo itself (below), not from its flattened copy
                    lines, blocks, orientation = self._read_lines(pixels, reread=back is None)
                    if back is not None and orientation.turns:  # read as it reads given upright, not through another warp
                        lines, blocks, back = self._read_turned_photo(given, orientation.turns)
                else:
                    lines, blocks, layout, as_is = self._read_page(pixels, 0)
                    # the detector's lines, found once where the reading is checked against them (auto)
                    boxes = self._line_boxes(pixels) if self.options.layout == "auto" else None
                    orientation = self.orientation(pixels, Reading(as_is, _characters(lines)), boxes, scan=True) if self.options.orientation else Orientation(0, reason="off")
                    if orientation.turns:
                        lines, blocks, layout, _ = self._read_page(pixels, orientation.turns)
                    if boxes:
                        lines, blocks, layout = self._read_missed(pixels, boxes, orientation.turns, lines, blocks, layout)
            except RuntimeError as exc:  # tesserocr's own errors
                raise RecognitionError(f"{upload.source}: tesseract failed: {exc}") from exc
        if back is not None:
            lines, blocks = [line.mapped(back) for line in lines], [block.mapped(back) for block in blocks]
        if grown is not None:
            lines, blocks = [line.mapped(grown) for line in lines], [block.mapped(grown) for block in blocks]
        page = Page(0, width, height, lines=lines, blocks=blocks)
        meta = {"lang": self.options.lang, "layout": layout, "enlarged": round(factor, 2), "flattened": back is not None, "turned": 90 * orientation.turns,
                "levelled": round(levelled, 1), "orientation": orientation.to_meta()}  # fmt: skip
        return OcrResult(self.name, (page,), raw=None, meta={"tesseract": meta})

    def _read_page(self, pixels: np.ndarray, turns: int) -> tuple[list[Line], list[Block], str, float]:
        """The page read by Tesseract's layout, turned back ``turns``; with ``layout = "auto"``,
        read again as one column where that reads poorly, and the column kept where it reads
        clearly more confident and not much shorter. Also the way it was read and its confidence."""
        lines, blocks = self._read(pixels, turns)
        confidence = _read_confidence(self._api("read"))
        if self.options.layout != "auto" or confidence >= KEEPS_PAGE or self.options.psm != 6:
            return lines, blocks, "tesseract", confidence
        column, column_blocks = self._read(pixels, turns, COLUMN)
        column_confidence = _read_confidence(self._api("read"))
        if column_confidence >= confidence + COLUMN_MARGIN and _characters(column) >= COLUMN_KEEPS * _characters(lines):
            return column, column_blocks, "column", column_confidence
        return lines, blocks, "tesseract", confidence

    def _read_missed(self, pixels: np.ndarray, found: list[np.ndarray], turns: int, lines: list[Line], blocks: list[Block],
                     layout: str) -> tuple[list[Line], list[Block], str]:  # fmt: skip
        """A clean page's reading by Tesseract's layout (``lines``, quads on ``pixels``, read turned
        back ``turns``), or, where its words lie on too few of the detector's lines ``found`` on it
        (:meth:`_line_boxes`), the page read line by line where that reads clearly more (:mod:`.coverage`)."""
        centres = np.array([np.mean(word.quad.points, axis=0) for line in lines for word in line.words]).reshape(-1, 2)
        if covered(found, centres) >= COVERS:
            return lines, blocks, layout
        by_line, by_line_blocks = self._read_turned_back(pixels, turns, first=None if turns else found)  # upright: its first look is done
        if _characters(by_line) >= MORE * _characters(lines):
            return by_line, by_line_blocks, "detector"
        return lines, blocks, layout

    def _read_turned_photo(self, photo: np.ndarray, turns: int) -> tuple[list[Line], list[Block], Transform]:
        """A photo whose text is turned ``turns`` quarter turns clockwise: turned upright exactly
        (whole pixels), flattened and read line by line as a photo given upright is, so that it
        reads the same (flattening the turned photo and turning that resamples it once more, and
        its rows' angle is measured on other pixels); its lines, blocks and the transform back."""
        flat = flatten_upright(photo, turns)
        lines, blocks, _ = self._read_lines(flat.pixels, orient=False)
        return lines, blocks, flat.transform

    def _read_lines(self, pixels: np.ndarray, orient: bool = True, reread: bool = True) -> tuple[list[Line], list[Block], Orientation]:
        """The detector's lines read one by one; the page turned first when the evidence says so
        (with ``orient``; without ``reread``, the lines returned are those read as it is, and the
        caller reads it turned)."""
        if self._line_detector is None:
            raise RecognitionError("layout = \"detector\" needs the offline engine's detector: pip install 'unified-ocr[local]'")
        boxes = find_lines(self._line_detector, pixels)
        identity = Transform.identity(pixels.shape[1], pixels.shape[0])
        lines, blocks = self._read_detected(pixels, boxes, identity)
        if not (self.options.orientation and orient):
            return lines, blocks, Orientation(0, reason="off")
        confidence = _lines_confidence(lines)
        if _reads_well(confidence, _characters(lines)):
            return lines, blocks, Orientation(0, reason="lines read well as they are", confidence={0: confidence})
        orientation = self.orientation(pixels, Reading(confidence, _characters(lines)), boxes)
        if orientation.turns and reread:
            lines, blocks = self._read_turned_back(pixels, orientation.turns)
        return lines, blocks, orientation

    def _read_turned_back(self, pixels: np.ndarray, turns: int, first: list[np.ndarray] | None = None) -> tuple[list[Line], list[Block]]:
        """``pixels``, whose text is turned ``turns`` quarter turns clockwise, turned upright and read
        line by line, quads mapped back onto ``pixels``; ``first``: the detector's first look at the
        upright page, where made (:func:`.detection.find_lines`)."""
        upright = turned(pixels, -turns)
        rows = find_lines(self._line_detector, upright, first=first)
        return self._read_detected(upright, rows, turned_back(turns, pixels.shape[1], pixels.shape[0]))

    def orientation(self, pixels: np.ndarray, as_is: Reading | None, boxes: list[np.ndarray] | None = None,
                    scan: bool = False) -> Orientation:  # fmt: skip
        """How far the page is turned, decided on the evidence (:func:`.orientation.decide`);
        ``as_is``: the page read as it is, where it was (by Tesseract's layout or line by line): its
        mean word confidence and characters (a page that reads well and enough as it is is not
        looked at further; a short word's turns are weighed against it: :func:`.orientation.one_word`);
        ``boxes``: the detector's lines, where found; ``scan``: the page is read by Tesseract's
        layout, as clean pages are, not line by line as photos are."""
        if as_is is not None and _reads_well(as_is.confidence, as_is.characters):
            return Orientation(0, reason="reads well as it is", confidence={0: as_is.confidence})
        found = as_one_line(self._line_boxes(pixels) if boxes is None else boxes, pixels.shape[1], pixels.shape[0])
        return decide(found, lambda lines, turns: self._reading_confidence(pixels, lines, turns),
                      lambda: self._osd_answer(pixels) if self._osd else None, None if as_is is None else as_is.confidence,
                      scan, one_word(pixels.shape[1], pixels.shape[0]), as_is)  # fmt: skip

    def _osd_answer(self, pixels: np.ndarray) -> tuple[int, float, str] | None:
        """Orientation detection's quarter turns clockwise, its confidence and script; ``None`` when it cannot tell."""
        api = self._api("osd")
        api.SetImage(_pil(pixels))
        try:
            found = api.DetectOrientationScript()
        except RuntimeError:  # too little text to tell
            return None
        if not found:
            return None
        return (int(found["orient_deg"]) // 90) % 4, float(found.get("orient_conf", 0.0)), str(found.get("script_name", ""))

    def _reading_confidence(self, pixels: np.ndarray, lines: list[np.ndarray], turns: int) -> Reading:
        """Mean word confidence (0..100, by characters) of ``lines`` (corners on the page) read with
        their text taken as turned ``turns`` quarter turns clockwise, and the characters read; without
        lines, of the whole page read turned back so. A line read as nothing counts as confidence 0.

        Each line is cut out with half its height of the page above and below and read as a block
        (``psm 6``), not cleaned and read as one line: on small dense print (a form's notice) the
        single-line strips read as nothing whichever way up, and the block reads the right way with
        confidence about 85 and the wrong way about 27."""
        if not lines:  # the whole page, read as the page read as it is was (its confidence compared with that)
            page, _, _, confidence = self._read_page(pixels, turns)
            return Reading(confidence, _characters(page))
        api = self._api("block")
        total = weight = 0.0
        characters = 0
        for corners in lines:
            api.SetImage(_pil(turned(_line_crop(pixels, corners), -turns)))
            api.Recognize()
            length = float(np.linalg.norm(corners[1] - corners[0]) + np.linalg.norm(corners[2] - corners[1]))
            confidence, read = _read_confidence_and_characters(api)
            total += length * confidence
            weight += length
            characters += read
        return Reading(total / weight if weight else 0.0, characters)

    def _line_boxes(self, pixels: np.ndarray) -> list[np.ndarray] | None:
        """The offline detector's line boxes on the page (``None`` without the detector), found on
        a copy at most 1024 pixels long (not enlarged: :func:`.detection.first_lines`): the lines'
        direction needs no more, and the detector's own enlargement made it slower than reading the page."""
        if self._line_detector is None:
            return None
        return first_lines(self._line_detector, pixels)

    @functools.cached_property
    def _line_detector(self) -> Any:
        """The offline engine's text detector (RapidOCR's, with the model in its wheel: nothing is
        downloaded) taking the image at the size given, made once; ``None`` without the ``local`` extra."""
        try:
            from unified_ocr_rapidocr import text_detector
        except ImportError:
            return None
        found = text_detector(limit_type="min", limit_side_len=32)
        return None if found is None else one_thread(found)

    def _read(self, pixels: np.ndarray, turns: int, psm: int | None = None) -> tuple[list[Line], list[Block]]:
        """Read the page turned upright and enlarged, with page segmentation mode ``psm`` (the
        profile's by default; the same Tesseract, its model loaded once); quads mapped back to the
        page as given."""
        page_h, page_w = pixels.shape[:2]
        upright = turned(pixels, -turns)
        h, w = upright.shape[:2]
        if max(h, w) < self.options.upscale_below:
            scale = min(4.0, self.options.upscale_below / max(h, w, 1))
            upright = cv2.resize(upright, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_CUBIC)
        back = Transform.scale(upright.shape[1::-1], (w, h)).then(turned_back(turns, page_w, page_h))
        api = self._api("read")
        api.SetPageSegMode(self.options.psm if psm is None else psm)
        api.SetImage(_pil(upright))
        api.Recognize()
        return _structure(api, back)


    def _read_detected(self, upright: np.ndarray, boxes: list[np.ndarray], back: Transform) -> tuple[list[Line], list[Block]]:
        """The detector's line boxes on ``upright``, each cut out upright with only its own row's ink
        (:func:`line_strip`: the rows above and below, which the detector's padded boxes reach
        into, leave Tesseract's single-line mode with no text at all) and read as one line, and
        the wide gaps between the pieces of a row read too (:mod:`.gaps`: a lone faint digit
        the detector missed); quads mapped through ``back``."""
        pieces = [line for corners in boxes for line in self._read_strip(upright, corners)]
        rows, _ = order_lines(pieces)
        for corners in row_gaps(rows):
            pieces.extend(self._read_gap(upright, corners))
        return order_lines([line.mapped(back) for line in pieces])

    def _read_strip(self, upright: np.ndarray, corners: np.ndarray) -> list[Line]:
        """The detector's box ``corners`` on ``upright`` cut out as a strip of its own row
        (:func:`line_strip`) and read as one line, quads on ``upright``.

        A strip read as nothing in single-line mode (a neighbouring row's fragments left in it,
        joined to its own ink where rows sit close) is read again as a block, and the line of it
        that crosses the strip's middle kept, where Tesseract is at least :data:`BLOCK_KEEPS` sure
        of it (the block mode reads the fragments as lines of their own)."""
        crop, to_page = line_strip(upright, corners)
        lines = self._recognized("line", crop, to_page)
        if lines:
            return lines
        return _middle_line(self._recognized("block", crop, to_page), to_page.inverse(), crop.shape[0])

    def _read_gap(self, upright: np.ndarray, corners: np.ndarray) -> list[Line]:
        """The gap ``corners`` between two pieces of a row on ``upright`` (:func:`.gaps.row_gaps`)
        cut out as a strip and read as one line where it holds ink, only the words kept that
        :func:`.gaps.kept` keeps; quads on ``upright``."""
        crop, to_page = line_strip(upright, corners)
        if not inked(crop):
            return []
        return [found for line in self._recognized("line", crop, to_page) if (found := kept(line)) is not None]

    def _recognized(self, kind: str, crop: np.ndarray, to_page: Transform) -> list[Line]:
        """``crop`` read by this thread's Tesseract for ``kind`` (``line`` or ``block``), its lines'
        quads mapped through ``to_page``."""
        api = self._api(kind)
        api.SetImage(_pil(crop))
        api.Recognize()
        return _structure(api, to_page)[0]


def _middle_line(lines: list[Line], to_strip: Transform, height: int) -> list[Line]:
    """Of ``lines`` read on a strip ``height`` pixels high (quads on the page; ``to_strip`` maps
    them onto the strip), the one whose box crosses the strip's middle nearest its centre, if
    Tesseract is at least :data:`BLOCK_KEEPS` sure of it; else none."""
    middle = height / 2
    crossing = []
    for line in lines:
        ys = to_strip.apply(line.quad.array)[:, 1]
        top, bottom = float(ys.min()), float(ys.max())
        if top <= middle <= bottom and line.confidence is not None and line.confidence >= BLOCK_KEEPS:
            crossing.append((abs((top + bottom) / 2 - middle), line))
    return [min(crossing, key=lambda pair: pair[0])[1]] if crossing else []


def _reads_well(confidence: float, characters: int) -> bool:
    """Whether a page read as it is at ``confidence`` (0..100), ``characters`` characters, is not
    to be looked at for a turn (:data:`READS_WELL`, :data:`READS_ENOUGH`)."""
    return confidence >= READS_WELL and characters >= READS_ENOUGH


def _characters(lines: list[Line]) -> int:
    return sum(len(line.text.replace(" ", "")) for line in lines)


def _lines_confidence(lines: list[Line]) -> float:
    """The mean word confidence (0..100) of ``lines``, by characters; 0 for no words."""
    sized = [(len(w.text), w.confidence) for line in lines for w in line.words if w.confidence is not None]
    count = sum(n for n, _ in sized)
    return 100 * sum(n * c for n, c in sized) / count if count else 0.0


def _pil(pixels: np.ndarray) -> Any:
    from PIL import Image

    if pixels.ndim == 2:
        return Image.fromarray(pixels)
    return Image.fromarray(cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB))


def _line_crop(pixels: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The upright box around a line with half its thickness of the page on each side across it,
    enlarged (at most 4x) so that the line is about 40 pixels thick, as Tesseract reads best."""
    (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
    thick = min(x1 - x0, y1 - y0)
    across = (x1 - x0) >= (y1 - y0)
    dx, dy = (0.1 * thick, 0.5 * thick) if across else (0.5 * thick, 0.1 * thick)
    h, w = pixels.shape[:2]
    crop = pixels[max(0, int(y0 - dy)) : min(h, int(y1 + dy) + 1), max(0, int(x0 - dx)) : min(w, int(x1 + dx) + 1)]
    scale = min(4.0, max(1.0, 40.0 / max(thick, 1.0)))
    return crop if scale == 1 else cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)


def _read_confidence(api: Any) -> float:
    """The mean word confidence (0..100) of what ``api`` last recognised, by characters; 0 for nothing read."""
    return _read_confidence_and_characters(api)[0]


def _read_confidence_and_characters(api: Any) -> tuple[float, int]:
    """The mean word confidence (0..100) of what ``api`` last recognised, by characters, and the
    characters of its words; 0 and 0 for nothing read."""
    if not (api.GetUTF8Text() or "").strip():  # (asking for the words of nothing makes tesserocr print an error)
        return 0.0, 0
    sized = [(len(text.strip()), conf) for text, conf in api.MapWordConfidences() if text.strip()]
    count = sum(n for n, _ in sized)
    return (sum(n * conf for n, conf in sized) / count if count else 0.0), count


def _flatten_choice(value: object) -> str:
    """``flatten`` as one of its three words; true and false (the setting's first form) are ``always`` and ``never``."""
    if isinstance(value, bool):
        return "always" if value else "never"
    return str(value).lower()


def _confidence(value: float | None) -> float | None:
    if value is None or value < 0:
        return None
    return min(max(value / 100.0, 0.0), 1.0)


def _structure(api: Any, back: Transform) -> tuple[list[Line], list[Block]]:
    """Tesseract's paragraphs, lines and words, in its reading order, mapped through ``back``."""
    from tesserocr import RIL, iterate_level

    lines: list[Line] = []
    starts: list[int] = []  # index of the first line of each paragraph
    current: dict[str, Any] | None = None

    def finish() -> None:
        if current is not None and current["words"]:
            lines.append(Line(current["text"], current["quad"], tuple(current["words"]), current["confidence"]))

    iterator = api.GetIterator()
    if iterator is None:
        return [], []
    for word in iterate_level(iterator, RIL.WORD):
        if word.Empty(RIL.WORD):
            continue
        if current is None or word.IsAtBeginningOf(RIL.TEXTLINE):
            finish()
            if word.IsAtBeginningOf(RIL.PARA) or not starts:
                starts.append(len(lines))
            box = word.BoundingBox(RIL.TEXTLINE)
            current = {"text": "", "quad": _quad(box, back), "confidence": _confidence(word.Confidence(RIL.TEXTLINE)),
                       "words": [], "boxes": []}  # fmt: skip
        text = (word.GetUTF8Text(RIL.WORD) or "").strip()
        box = word.BoundingBox(RIL.WORD)
        if text and box is not None:
            confidence = _confidence(word.Confidence(RIL.WORD))
            if current["words"] and word.BlanksBeforeWord() == 0:
                # a piece with no blank before it is part of the word before (Korean comes a
                # syllable or two at a time): one word, as the line's text spaces it
                current["text"] += text
                current["words"][-1] = _joined(current["words"][-1], current["boxes"][-1], text, box, confidence, back)
                current["boxes"][-1] = _union(current["boxes"][-1], box)
                continue
            if current["words"]:
                current["text"] += " "
            current["text"] += text
            current["words"].append(Word(text, _quad(box, back), confidence))
            current["boxes"].append(box)
    finish()
    starts = sorted({s for s in starts if s < len(lines)})
    blocks = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        quads = [line.quad for line in lines[start:end]]
        blocks.append(Block(start, end, quads[0].union(*quads[1:]), "text"))
    return lines, blocks


def _union(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _joined(before: Word, box_before: tuple[int, int, int, int], text: str, box: tuple[int, int, int, int],
            confidence: float | None, back: Transform) -> Word:
    """``before`` extended by the piece read right after it with no blank between: its box the
    union of both (in Tesseract's frame, then mapped), its confidence the lower one."""
    scores = [c for c in (before.confidence, confidence) if c is not None]
    return Word(before.text + text, _quad(_union(box_before, box), back), min(scores) if scores else None)


def _quad(box: tuple[int, int, int, int] | None, back: Transform) -> Quad:
    x0, y0, x1, y1 = box if box is not None else (0, 0, 0, 0)
    return Quad.from_bbox(x0, y0, x1, y1).mapped(back)
