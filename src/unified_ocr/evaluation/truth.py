"""Ground truth, read from the forms people have, into one small neutral shape.

One reader class per format, each a :class:`TruthReader` with a ``name``, a cheap
``sniff`` of the content and a ``read``; :data:`READERS` lists them in the order they are
tried. A new format is one more reader here, and no metric changes.

* ``icdar``: ``x1,y1,x2,y2,x3,y3,x4,y4,text`` per line (UTF-8, with or without BOM; the
  text may hold commas; ``###`` is do not care). ICDAR 2015 words and SROIE's ``box/*.csv``
  lines alike: whether its regions are words or lines is decided over the whole truth set
  (:func:`settle_levels`), since one file of a few regions says too little.
* ``funsd``: FUNSD's JSON, ``form[]`` entities with ``words[{box, text}]``: words, and the
  entities as lines.
* ``page``, ``alto``, ``hocr``: the interchange documents, read by their export format's
  reader: PAGE-XML is the ground truth of OCR-D and transcription editors; lines and words
  with their places and text.
* ``quads-json``: ``{"words": [{"text", "quad"}], "lines": [...]}``, as rendered sets and
  labelling tools write it.
* ``text``: plain lines of text in reading order, no boxes: text metrics only.
* ``result``: a saved unified-ocr result (a corrected one used as gold): words, lines,
  text and named fields.

A file that cannot be read raises :class:`TruthError` naming the file and, where it
applies, the line.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs

from ..errors import MalformedDocumentError, TruthError
from ..exports.alto import read_alto
from ..exports.hocr import read_hocr
from ..exports.pagexml import read_page_xml
from ..geometry import Quad
from ..model import OcrResult


@attrs.frozen(slots=True)
class Region:
    """A truth word or line: its quad (clockwise from the text's top-left) and its text;
    ``###`` marks a region that is not scored (do not care)."""

    quad: Quad
    text: str


@attrs.frozen(slots=True)
class PageTruth:
    """What is known to be on one image."""

    source: str  # the truth file
    format: str
    text: str  # the page's text in reading order, lines apart by newlines
    words: tuple[Region, ...] = ()
    lines: tuple[Region, ...] = ()
    fields: dict[str, str] = attrs.field(factory=dict)
    #: ``unknown`` when the format does not say whether its regions are words or lines (ICDAR
    #: style files hold either): they wait in ``words`` until :func:`settle_levels` decides
    level: str = "known"

    @property
    def has_boxes(self) -> bool:
        return bool(self.words or self.lines)


class TruthReader:
    """One truth format: ``sniff`` says from the start of a file whether it is this one."""

    name: ClassVar[str]
    description: ClassVar[str]

    def sniff(self, text: str) -> bool:
        raise NotImplementedError

    def read(self, text: str, source: str) -> PageTruth:
        raise NotImplementedError


_NUMBER = r"\s*-?\d+(?:\.\d+)?\s*"
_ICDAR_LINE = re.compile(rf"^(?:{_NUMBER},){{7}}{_NUMBER}(?:,(.*))?$")


class IcdarReader(TruthReader):
    name = "icdar"
    description = "x1,y1,...,x4,y4,text per line (ICDAR 2015, SROIE box/*.csv); ### = do not care"

    def sniff(self, text: str) -> bool:
        first = next((line for line in text.splitlines() if line.strip()), "")
        return bool(_ICDAR_LINE.match(first.strip()))

    def read(self, text: str, source: str) -> PageTruth:
        regions = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            match = _ICDAR_LINE.match(line.strip())
            if match is None:
                raise TruthError(f"{source}:{number}: expected x1,y1,x2,y2,x3,y3,x4,y4,text; got {line.strip()[:80]!r}")
            values = [float(v) for v in line.strip().split(",", 8)[:8]]
            quad = Quad([(values[i], values[i + 1]) for i in range(0, 8, 2)])
            regions.append(Region(quad, (match.group(1) or "").strip()))
        page_text = "\n".join(r.text for r in regions if r.text != "###")
        return PageTruth(source, self.name, page_text, words=tuple(regions), level="unknown")


class FunsdReader(TruthReader):
    name = "funsd"
    description = "FUNSD JSON: form[] entities with words[{box, text}]"

    def sniff(self, text: str) -> bool:
        return text.lstrip().startswith("{") and '"form"' in text[:2000]

    def read(self, text: str, source: str) -> PageTruth:
        data = _json(text, source)
        form = data.get("form") if isinstance(data, dict) else None
        if not isinstance(form, list):
            raise TruthError(f"{source}: not FUNSD: expected an object with a 'form' list of entities")
        words, lines, texts = [], [], []
        for k, entity in enumerate(form):
            at = f"{source}: form[{k}]"
            try:
                line_text = str(entity["text"])
                entity_words = [(w["box"], str(w["text"])) for w in entity.get("words", [])]
                for box, word in entity_words:
                    if word.strip():
                        words.append(Region(Quad.from_bbox(*box), word))
                if line_text.strip():
                    lines.append(Region(Quad.from_bbox(*entity["box"]), line_text))
                    texts.append(line_text)
            except (KeyError, TypeError, ValueError) as exc:
                raise TruthError(f"{at}: expected text, box [x0, y0, x1, y1] and words ({type(exc).__name__}: {exc})") from None
        return PageTruth(source, self.name, "\n".join(texts), tuple(words), tuple(lines))


def _from_result(result: OcrResult, source: str, name: str) -> PageTruth:
    """A result's words, lines, text and named fields as truth."""
    words = tuple(Region(w.quad, w.text) for w in result.words)
    lines = tuple(Region(line.quad, line.text) for page in result.pages for line in page.lines)
    fields = {f.name: f.text for page in result.pages for f in page.fields}
    return PageTruth(source, name, result.text, words, lines, fields)


class QuadsJsonReader(TruthReader):
    """The plain JSON many generators and labelling tools write: ``words`` and/or ``lines``,
    lists of ``{"text", "quad": [[x, y] x 4]}`` (also ``points`` or ``box``)."""

    name = "quads-json"
    description = 'JSON with "words" and/or "lines": [{"text", "quad": [[x, y] x 4]}] (rendered sets, labelling tools)'

    def sniff(self, text: str) -> bool:
        head = text.lstrip()[:4000]
        return head.startswith("{") and ('"words"' in head or '"lines"' in head) and ('"quad"' in head or '"points"' in head)

    def read(self, text: str, source: str) -> PageTruth:
        data = _json(text, source)
        if not isinstance(data, dict) or not any(isinstance(data.get(k), list) for k in ("words", "lines")):
            raise TruthError(f'{source}: expected an object with "words" or "lines" lists')
        levels: dict[str, list[Region]] = {}
        for key in ("words", "lines"):
            regions = []
            for k, item in enumerate(data.get(key) or []):
                try:
                    points = item.get("quad") or item.get("points")
                    quad = Quad(points) if points is not None else Quad.from_bbox(*item["box"])
                    regions.append(Region(quad, str(item["text"])))
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    raise TruthError(f"{source}: {key}[{k}]: expected text and a quad of 4 points ({type(exc).__name__}: {exc})") from None
            levels[key] = regions
        lines = levels.get("lines", [])
        page_text = "\n".join(r.text for r in lines) if lines else " ".join(r.text for r in levels.get("words", []))
        return PageTruth(source, self.name, page_text, tuple(levels.get("words", [])), tuple(lines))


class ResultReader(TruthReader):
    name = "result"
    description = "a saved unified-ocr result JSON (a corrected result used as gold)"

    def sniff(self, text: str) -> bool:
        return text.lstrip().startswith("{") and '"unified-ocr/result"' in text[:2000]

    def read(self, text: str, source: str) -> PageTruth:
        try:
            result = OcrResult.from_dict(_json(text, source))
        except (KeyError, TypeError, ValueError) as exc:
            raise TruthError(f"{source}: not a unified-ocr result ({type(exc).__name__}: {exc})") from None
        return _from_result(result, source, self.name)


class DocumentReader(TruthReader):
    """An interchange document read by its export format's reader (:mod:`unified_ocr.exports`):
    its lines and words with their places and text, in reading order."""

    def __init__(self, name: str, description: str, marks: tuple[str, ...], read: Any) -> None:
        self.name = name  # type: ignore[misc]
        self.description = description  # type: ignore[misc]
        self.marks = marks
        self._read = read

    def sniff(self, text: str) -> bool:
        head = text.lstrip()[:4000]
        return head.startswith("<") and all(mark in head for mark in self.marks)

    def read(self, text: str, source: str) -> PageTruth:
        try:
            return _from_result(self._read(text, source), source, self.name)
        except MalformedDocumentError as exc:
            raise TruthError(str(exc)) from None


class PlainTextReader(TruthReader):
    name = "text"
    description = "plain text, one line per line in reading order (text metrics only)"

    def sniff(self, text: str) -> bool:
        return True  # the last resort: any text is text

    def read(self, text: str, source: str) -> PageTruth:
        return PageTruth(source, self.name, "\n".join(line.rstrip() for line in text.splitlines()).strip("\n"))


#: Tried in this order on a file's content; the first whose ``sniff`` says yes reads it.
READERS: tuple[TruthReader, ...] = (
    ResultReader(),
    FunsdReader(),
    QuadsJsonReader(),
    DocumentReader("page", "PAGE-XML (any version; OCR-D, transcription editors): regions, lines, words with Coords and text",
                   ("PcGts", "primaresearch.org/PAGE"), read_page_xml),
    DocumentReader("alto", "ALTO (versions 2-4, pixel units): TextLine and String with their boxes or polygons",
                   ("<alto", "standards/alto"), read_alto),
    DocumentReader("hocr", "hOCR (XHTML, as Tesseract and unified-ocr write it): ocr_line and ocrx_word with bbox or poly",
                   ("ocr_page",), read_hocr),
    IcdarReader(),
    PlainTextReader(),
)


def reader_named(name: str) -> TruthReader:
    for reader in READERS:
        if reader.name == name:
            return reader
    raise ValueError(f"unknown truth format {name!r}; known: {', '.join(r.name for r in READERS)}")


def _json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise TruthError(f"{source}{f':{line}' if line else ''}: not valid JSON ({exc})") from None


def read_truth(path: str | os.PathLike[str], format: str | None = None) -> PageTruth:
    """One truth file, its format told from its content unless ``format`` names it."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TruthError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TruthError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    reader = reader_named(format) if format else next(r for r in READERS if r.sniff(text))
    return reader.read(text, str(path))


def settle_levels(truths: Sequence[PageTruth | None], level: str = "auto") -> list[PageTruth | None]:
    """Decide whether regions of formats that do not say (ICDAR style) are words or lines.

    ``level`` ``words`` or ``lines`` says it; ``auto`` looks at the whole set: words hold no
    space (ICDAR 2015: a few in a hundred do, a name written as one region), lines often do
    (SROIE: nearly half), so more than one region in four with a space means lines, and
    anything less the words the format was made for.
    """
    if level not in ("auto", "words", "lines"):
        raise ValueError(f"unknown truth level {level!r}; expected auto, words or lines")
    unknown = [t for t in truths if t is not None and t.level == "unknown"]
    if level == "auto":
        care = [r for t in unknown for r in t.words if r.text != "###"]
        level = "lines" if sum(" " in r.text for r in care) * 4 > len(care) else "words"
    out: list[PageTruth | None] = []
    for truth in truths:
        if truth is not None and truth.level == "unknown":
            truth = attrs.evolve(truth, words=truth.words if level == "words" else (),
                                 lines=truth.lines + truth.words if level == "lines" else truth.lines, level=level)  # fmt: skip
        out.append(truth)
    return out


#: Endings of files that can hold truth.
TRUTH_SUFFIXES = (".txt", ".csv", ".json", ".gt", ".xml", ".hocr", ".html")
#: Inner endings the exports write (``scan.page.xml``): left out of the stem an image is matched by.
_INNER = (".page", ".alto", ".gt")


def _stem(path: Path) -> str:
    stem = path.stem
    return stem[: -len(Path(stem).suffix)] if Path(stem).suffix.lower() in _INNER else stem


class TruthIndex:
    """Truth files of a folder (or one file) by the image stems they belong to: ``STEM.*`` or ``gt_STEM.*``."""

    def __init__(self, where: str | os.PathLike[str], format: str | None = None) -> None:
        self.where = Path(where)
        self.format = format
        if self.format is not None:
            reader_named(self.format)  # an unknown format is refused before any work
        if not self.where.exists():
            raise TruthError(f"{self.where}: no such file or folder of ground truth")
        files = [self.where] if self.where.is_file() else sorted(
            p for p in self.where.rglob("*") if p.is_file() and p.suffix.lower() in TRUTH_SUFFIXES
        )  # fmt: skip
        self._by_stem: dict[str, list[Path]] = {}
        for path in files:
            stem = _stem(path)
            self._by_stem.setdefault(stem, []).append(path)
            if stem.startswith("gt_"):
                self._by_stem.setdefault(stem[3:], []).append(path)
        self.used: set[Path] = set()

    def find(self, image: str | Path) -> Path | None:
        """The truth file of ``image``, ``None`` when there is none; several is an error."""
        stem = Path(image).stem
        if self.where.is_file():
            found = [self.where]
        else:
            found = self._by_stem.get(stem, [])
        if len(found) > 1:
            names = ", ".join(str(p) for p in found)
            raise TruthError(f"{image}: more than one truth file matches ({names}); keep one, or point --truth at one")
        if found:
            self.used.add(found[0])
        return found[0] if found else None

    def read(self, image: str | Path) -> PageTruth | None:
        path = self.find(image)
        return None if path is None else read_truth(path, self.format)

    def unused(self) -> Sequence[Path]:
        """Truth files no image matched: said in the report, never silently skipped."""
        files = {p for paths in self._by_stem.values() for p in paths}
        return sorted(files - self.used)
