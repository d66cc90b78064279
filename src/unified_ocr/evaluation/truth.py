"""Ground truth, read from the forms people have, into the result model.

A truth file is read into an :class:`~unified_ocr.OcrResult`, the same objects an engine's
reading is: words inside lines, confidence ``None``, ``dont_care`` set on words and lines
nobody could read (ICDAR's ``###``; such a line is no part of the page's text), ``engine``
``"truth"``. Its ``meta["truth"]`` says where it came from and which boxes it gives:
``{"source": FILE, "format": NAME, "levels": [...]}``, where ``levels`` holds ``"words"``
and/or ``"lines"`` (the boxes the file places; none for plain text), or ``"unknown"`` for
formats that do not say (ICDAR style: decided over the whole set by :func:`settle_levels`).
:func:`truth_words`, :func:`truth_lines` and :func:`truth_fields` read a truth page that way.

One reader per format, each a :class:`TruthReader` with a ``name``, a cheap ``sniff`` of
the content and a ``read``, provided through the ``register_truth_readers`` hook (the
built-in ones, :data:`BUILT_IN`, by :mod:`unified_ocr.evaluation.plugin`); an export format
that reads back (``Exporter.read``) is a truth format too. A new format is one more reader,
and no metric changes.

* ``icdar``: ``x1,y1,x2,y2,x3,y3,x4,y4,text`` per line (UTF-8, with or without BOM; the
  text may hold commas; ``###`` is do not care). ICDAR 2015 words and SROIE's ``box/*.csv``
  lines alike: each region is a line of one word, and whether the regions are words or
  lines is decided over the whole truth set (:func:`settle_levels`), since one file of a few
  regions says too little.
* ``funsd``: FUNSD's JSON, ``form[]`` entities with ``words[{box, text}]``: the entities as
  lines holding their words.
* ``page``, ``alto``, ``hocr``: the interchange documents, read by their export format's
  reader: PAGE-XML is the ground truth of OCR-D and transcription editors; lines and words
  with their places and text.
* ``quads-json``: ``{"words": [{"text", "quad"}], "lines": [...]}``, as rendered sets and
  labelling tools write it; each word is placed in the line that holds most of it.
* ``text``: plain lines of text in reading order, no boxes: text metrics only.
* ``result``: a saved unified-ocr result (a corrected one used as gold): words, lines,
  text and named fields.

A file that cannot be read raises :class:`TruthError` naming the file and, where it
applies, the line: one that is empty, not in the text encoding given, or holds a number that
is not finite or is out of range (every coordinate goes through
:func:`unified_ocr.exports.numbers.read_number`).
"""

from __future__ import annotations

import codecs
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs

from ..errors import ConfigError, MalformedDocumentError, TruthError
from ..exports.alto import read_alto
from ..exports.hocr import read_hocr
from ..exports.numbers import read_number
from ..exports.pagexml import read_page_xml
from ..geometry import Quad
from ..model import Cell, Field, Line, OcrResult, Page, Table, Word

#: The engine name of every truth page.
TRUTH = "truth"
#: A region's text that marks it as do not care in ICDAR-style files.
DONT_CARE = "###"
#: Where a line of a format without boxes (plain text) stands: nowhere (its truth gives no levels).
NOWHERE = Quad.from_bbox(0, 0, 0, 0)


def truth_page(lines: Iterable[Line], levels: Iterable[str], *, fields: Iterable[Field] = (), width: int = 0,
               height: int = 0) -> OcrResult:  # fmt: skip
    """A truth page as a reader returns it: ``lines`` (their words inside), the ``levels`` whose
    boxes the file gives (``"words"``, ``"lines"``, or ``"unknown"``), and no image size unless known."""
    page = Page(0, width, height, tuple(lines), fields=tuple(fields))
    return OcrResult(TRUTH, (page,), meta={"truth": {"levels": list(levels)}})


def about(truth: OcrResult) -> Mapping[str, Any]:
    """A truth page's ``meta["truth"]``: ``source``, ``format`` and ``levels``."""
    return truth.meta.get("truth") or {}


def levels_of(truth: OcrResult) -> list[str]:
    return list(about(truth).get("levels", ("words", "lines")))


def truth_words(truth: OcrResult) -> list[Word]:
    """The words whose boxes the truth gives, in its order; none when it gives no word boxes
    (ICDAR-style regions wait here until :func:`settle_levels` decides)."""
    levels = levels_of(truth)
    return truth.words if "words" in levels or "unknown" in levels else []


def truth_lines(truth: OcrResult) -> list[Line]:
    """The lines whose boxes the truth gives, in its order; none when it gives no line boxes."""
    return [line for page in truth.pages for line in page.lines] if "lines" in levels_of(truth) else []


def truth_fields(truth: OcrResult) -> dict[str, str]:
    """Name -> text of the truth's named fields (a saved result's)."""
    return {f.name: f.text for page in truth.pages for f in page.fields}


def has_boxes(truth: OcrResult) -> bool:
    return bool(truth_words(truth) or truth_lines(truth))


def is_dont_care(item: Word | Line) -> bool:
    """Not scored: marked so, or written ``###`` (the ICDAR convention, in any format)."""
    return item.dont_care or item.text == DONT_CARE


class TruthReader:
    """One truth format: ``sniff`` says from the start of a file whether it is this one (a
    format that always says no is read only when named), ``read`` gives the page (:func:`truth_page`)."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    #: tried after every other format (plain text: any text is text)
    fallback: ClassVar[bool] = False

    def sniff(self, text: str) -> bool:
        raise NotImplementedError

    def read(self, text: str, source: str) -> OcrResult:
        raise NotImplementedError


_NUMBER = r"\s*-?\d+(?:\.\d+)?\s*"
_ICDAR_LINE = re.compile(rf"^(?:{_NUMBER},){{7}}{_NUMBER}(?:,(.*))?$")


def _region(quad: Quad, text: str, dont_care: bool = False) -> Line:
    """A region of a format that does not say whether it is a word or a line: a line of one word."""
    return Line(text, quad, (Word(text, quad, None, dont_care),), None, dont_care)


class IcdarReader(TruthReader):
    name = "icdar"
    description = "x1,y1,...,x4,y4,text per line (ICDAR 2015, SROIE box/*.csv); ### = do not care"

    def sniff(self, text: str) -> bool:
        first = next((line for line in text.splitlines() if line.strip()), "")
        return bool(_ICDAR_LINE.match(first.strip()))

    def read(self, text: str, source: str) -> OcrResult:
        regions = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            match = _ICDAR_LINE.match(line.strip())
            if match is None:
                raise TruthError(f"{source}:{number}: expected x1,y1,x2,y2,x3,y3,x4,y4,text; got {line.strip()[:80]!r}")
            values = line.strip().split(",", 8)[:8]
            label = (match.group(1) or "").strip()
            regions.append(_region(_quad([(values[i], values[i + 1]) for i in range(0, 8, 2)], source, number), label,
                                   label == DONT_CARE))  # fmt: skip
        return truth_page(regions, ["unknown"])


def _overlap(a: Quad, b: Quad) -> float:
    ax0, ay0, ax1, ay1 = a.bbox()
    bx0, by0, bx1, by1 = b.bbox()
    return max(0.0, min(ax1, bx1) - max(ax0, bx0)) * max(0.0, min(ay1, by1) - max(ay0, by0))


def _home(word: Word, lines: Sequence[Line]) -> int:
    """The line that holds most of ``word`` (by their boxes), else the nearest by centre."""
    overlaps = [_overlap(word.quad, line.quad) for line in lines]
    if max(overlaps) > 0:
        return overlaps.index(max(overlaps))
    (x, y) = word.quad.center
    return min(range(len(lines)), key=lambda k: (lines[k].quad.center[0] - x) ** 2 + (lines[k].quad.center[1] - y) ** 2)


def _nest(words: Sequence[Word], lines: Sequence[Line]) -> list[Line]:
    """``lines``, each holding (after its own words) the ``words`` it holds most of, in their order."""
    held: list[list[Word]] = [list(line.words) for line in lines]
    for word in words:
        held[_home(word, lines)].append(word)
    return [attrs.evolve(line, words=tuple(mine)) for line, mine in zip(lines, held)]


class FunsdReader(TruthReader):
    name = "funsd"
    description = "FUNSD JSON: form[] entities with words[{box, text}]"

    def sniff(self, text: str) -> bool:
        return text.lstrip().startswith("{") and '"form"' in text[:2000]

    def read(self, text: str, source: str) -> OcrResult:
        data = _json(text, source)
        form = data.get("form") if isinstance(data, dict) else None
        if not isinstance(form, list):
            raise TruthError(f"{source}: not FUNSD: expected an object with a 'form' list of entities")
        lines: list[Line] = []
        orphans: list[Word] = []  # words of an entity without text: placed in the line that holds them
        for k, entity in enumerate(form):
            at = f"{source}: form[{k}]"
            try:
                line_text = str(entity["text"])
                entity_words = [(w["box"], str(w["text"])) for w in entity.get("words", [])]
                words = [Word(word, _box(box, at)) for box, word in entity_words if word.strip()]
                if line_text.strip():
                    lines.append(Line(line_text, _box(entity["box"], at), words))
                else:
                    orphans += words
            except TruthError:
                raise
            except (KeyError, TypeError, ValueError) as exc:
                raise TruthError(f"{at}: expected text, box [x0, y0, x1, y1] and words ({type(exc).__name__}: {exc})") from None
        if orphans and not lines:  # words, but no entity with text: the words alone, in a line of no text
            return truth_page([Line("", orphans[0].quad.union(*(w.quad for w in orphans[1:])), orphans)], ["words"])
        return truth_page(_nest(orphans, lines) if orphans else lines, ["words", "lines"])


def _quad(points: Any, source: str, line: int | None = None) -> Quad:
    """Four points, each coordinate finite and in range, or a :class:`TruthError` saying where."""
    try:
        pairs = [(x, y) for x, y in points]
        if len(pairs) != 4:
            raise TruthError(f"{source}{f':{line}' if line else ''}: a quad needs 4 points, got {len(pairs)}")
        return Quad([(read_number(x, "x", source, line), read_number(y, "y", source, line)) for x, y in pairs])
    except MalformedDocumentError as exc:
        raise TruthError(str(exc)) from None


def _box(box: Any, source: str) -> Quad:
    """``[x0, y0, x1, y1]`` as an upright quad, checked as :func:`_quad` checks points."""
    x0, y0, x1, y1 = box
    return _quad([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], source)


def _unsure(item: Any) -> Any:
    """A word, line, cell, table or field of a result as truth: no confidence, every quad kept."""
    if isinstance(item, Word):
        return attrs.evolve(item, confidence=None)
    if isinstance(item, Line):
        return attrs.evolve(item, confidence=None, words=tuple(_unsure(w) for w in item.words))
    if isinstance(item, Cell):
        return attrs.evolve(item, confidence=None, lines=tuple(_unsure(x) for x in item.lines))
    if isinstance(item, Table):
        return attrs.evolve(item, confidence=None, cells=tuple(_unsure(c) for c in item.cells))
    return attrs.evolve(item, confidence=None, parts=tuple(_unsure(p) for p in item.parts))  # a Field


def from_result(result: OcrResult, source: str) -> OcrResult:
    """A result's pages as truth: words, lines, text and named fields, every quad checked for
    range, no confidence, no engine meta."""
    for word in result.words:
        _quad(word.quad.points, source)
    for _, line in result.iter_lines():
        _quad(line.quad.points, source)
    pages = tuple(attrs.evolve(p, lines=tuple(_unsure(x) for x in p.lines), tables=tuple(_unsure(t) for t in p.tables),
                               fields=tuple(_unsure(f) for f in p.fields)) for p in result.pages)  # fmt: skip
    return OcrResult(TRUTH, pages, meta={"truth": {"levels": ["words", "lines"]}})


class QuadsJsonReader(TruthReader):
    """The plain JSON many generators and labelling tools write: ``words`` and/or ``lines``,
    lists of ``{"text", "quad": [[x, y] x 4]}`` (also ``points`` or ``box``)."""

    name = "quads-json"
    description = 'JSON with "words" and/or "lines": [{"text", "quad": [[x, y] x 4]}] (rendered sets, labelling tools)'

    def sniff(self, text: str) -> bool:
        head = text.lstrip()[:4000]
        return head.startswith("{") and ('"words"' in head or '"lines"' in head) and ('"quad"' in head or '"points"' in head)

    def read(self, text: str, source: str) -> OcrResult:
        data = _json(text, source)
        if not isinstance(data, dict) or not any(isinstance(data.get(k), list) for k in ("words", "lines")):
            raise TruthError(f'{source}: expected an object with "words" or "lines" lists')
        levels: dict[str, list[tuple[Quad, str]]] = {}
        for key in ("words", "lines"):
            regions = []
            for k, item in enumerate(data.get(key) or []):
                try:
                    points = item.get("quad") or item.get("points")
                    at = f"{source}: {key}[{k}]"
                    quad = _quad(points, at) if points is not None else _box(item["box"], at)
                    regions.append((quad, str(item["text"])))
                except TruthError:
                    raise
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    raise TruthError(f"{source}: {key}[{k}]: expected text and a quad of 4 points ({type(exc).__name__}: {exc})") from None
            levels[key] = regions
        words = [Word(text, quad) for quad, text in levels.get("words", [])]
        lines = [Line(text, quad) for quad, text in levels.get("lines", [])]
        if lines:
            return truth_page(_nest(words, lines), ["words", "lines"] if words else ["lines"])
        if words:  # words alone: one line of them all, its text theirs a space apart
            return truth_page([Line.from_words(words)], ["words"])
        return truth_page([], ["words", "lines"])


class ResultReader(TruthReader):
    name = "result"
    description = "a saved unified-ocr result JSON (a corrected result used as gold)"

    def sniff(self, text: str) -> bool:
        return text.lstrip().startswith("{") and '"unified-ocr/result"' in text[:2000]

    def read(self, text: str, source: str) -> OcrResult:
        try:
            result = OcrResult.from_dict(_json(text, source))
        except (KeyError, TypeError, ValueError) as exc:
            raise TruthError(f"{source}: not a unified-ocr result ({type(exc).__name__}: {exc})") from None
        return from_result(result, source)


class DocumentReader(TruthReader):
    """An interchange document read by its export format's reader (:mod:`unified_ocr.exports`):
    its lines and words with their places and text, in reading order. ``marks`` are strings
    the start of such a document holds (``None``: read only when named: an export format's)."""

    def __init__(self, name: str, description: str, marks: tuple[str, ...] | None, read: Any) -> None:
        self.name = name  # type: ignore[misc]
        self.description = description  # type: ignore[misc]
        self.marks = marks
        self._read = read

    def sniff(self, text: str) -> bool:
        head = text.lstrip()[:4000]
        return self.marks is not None and head.startswith("<") and all(mark in head for mark in self.marks)

    def read(self, text: str, source: str) -> OcrResult:
        try:
            return from_result(self._read(text, source), source)
        except MalformedDocumentError as exc:
            raise TruthError(str(exc)) from None
        except ValueError as exc:  # a value the result model refuses, which the reader let through
            raise TruthError(f"{source}: not usable as {self.name} truth ({exc})") from None


class PlainTextReader(TruthReader):
    name = "text"
    description = "plain text, one line per line in reading order (text metrics only)"
    fallback = True

    def sniff(self, text: str) -> bool:
        return True  # the last resort: any text is text

    def read(self, text: str, source: str) -> OcrResult:
        page_text = "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")
        return truth_page([Line(line, NOWHERE) for line in page_text.split("\n")], [])


#: The built-in formats, tried in this order on a file's content (plugins' after them, the
#: fallback last); the first whose ``sniff`` says yes reads it.
BUILT_IN: tuple[TruthReader, ...] = (
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


def readers(registry: Any = None) -> list[TruthReader]:
    """Every truth format installed, in the order they are tried: the built-in ones, then the
    plugins' (by name), then the fallback (plain text); then the export formats that read
    back and are no truth format of their own (tried only when named)."""
    from ..engines.registry import default_registry

    registry = registry or default_registry()
    found = [p.cls for p in registry.all("truth_reader").values()]
    order = {id(r): k for k, r in enumerate(BUILT_IN)}
    found.sort(key=lambda r: (bool(getattr(r, "fallback", False)), order.get(id(r), len(order))))
    names = {r.name for r in found}
    for name, provided in registry.all("exporter").items():
        read = getattr(provided.cls, "read", None)
        if read is not None and name not in names:
            found.append(DocumentReader(name, getattr(provided.cls, "description", "") or f"the {name} export format", None, read))
    return found


def format_names(registry: Any = None) -> list[str]:
    """The names ``--truth-format`` takes."""
    return [r.name for r in readers(registry)]


def reader_named(name: str, registry: Any = None) -> TruthReader:
    known = readers(registry)
    for reader in known:
        if reader.name == name:
            return reader
    raise ValueError(f"unknown truth format {name!r}; known: {', '.join(r.name for r in known)}")


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number (only finite numbers are)")


def _json(text: str, source: str) -> Any:
    """Strict JSON: ``NaN`` and ``Infinity``, which Python's reader takes by default, are refused."""
    try:
        return json.loads(text, parse_constant=_not_json)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise TruthError(f"{source}{f':{line}' if line else ''}: not valid JSON ({exc})") from None


#: The default text encoding of truth files (a byte order mark is allowed), and what ``auto`` tries.
DEFAULT_ENCODING = "utf-8"
AUTO_ENCODINGS = ("utf-8", "cp949")  # CP949 holds EUC-KR: Korean files saved on Windows


def check_encoding(encoding: str | None) -> str:
    """``encoding`` if it is ``auto`` or a Python text codec's name; a :class:`ConfigError` otherwise."""
    encoding = encoding or DEFAULT_ENCODING
    if encoding == "auto":
        return encoding
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise ConfigError(f"unknown truth encoding {encoding!r}: give auto, or a text encoding such as utf-8, cp949, euc-kr, "
                          "shift_jis, latin-1") from None  # fmt: skip
    if not getattr(info, "_is_text_encoding", True):
        raise ConfigError(f"{encoding!r} is not a text encoding: give auto, or one such as utf-8, cp949, euc-kr")
    return encoding


def decode_truth(data: bytes, source: str, encoding: str | None = None) -> str:
    """A truth file's text. UTF-8 (a byte order mark allowed) unless ``encoding`` names another;
    ``auto`` tries UTF-8, then CP949. Text that is not in the encoding raises a :class:`TruthError`
    that says how to name the right one."""
    encoding = check_encoding(encoding)
    tried = AUTO_ENCODINGS if encoding == "auto" else (encoding,)
    failure = None
    for name in tried:
        try:
            return data.decode("utf-8-sig" if codecs.lookup(name).name == "utf-8" else name)
        except UnicodeDecodeError as exc:
            failure = exc
    said = " or ".join(name.upper() for name in tried)
    raise TruthError(f"{source}: not {said} text (byte {failure.start if failure else 0}); if the truth files are in another encoding, "
                     "name it: --truth-encoding cp949 (or euc-kr, shift_jis, ..., or auto for UTF-8 then CP949)") from None  # fmt: skip


def read_truth(path: str | os.PathLike[str], format: str | None = None, encoding: str | None = None) -> OcrResult:
    """One truth file as a truth page (see the module's notes), its format told from its content
    unless ``format`` names it, its text in ``encoding`` (see :func:`decode_truth`). An empty file
    (or one of white space only) is refused: it cannot tell "no text on this image" from a file
    that lost its content."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TruthError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    text = decode_truth(data, str(path), encoding)
    if not text.strip():
        raise TruthError(f"{path}: empty (no text at all), so not truth for its image; write what the image holds, "
                         "or remove the file") from None  # fmt: skip
    reader = reader_named(format) if format else next(r for r in readers() if r.sniff(text))
    page = reader.read(text, str(path))
    if not isinstance(page, OcrResult):
        raise TruthError(f"{path}: the {reader.name} truth reader gave {type(page).__name__}, not an OcrResult")
    said = {"levels": ["words", "lines"], **about(page), "source": str(path), "format": reader.name}
    return attrs.evolve(page, engine=TRUTH, raw=None, meta={"truth": said})


def settle_levels(truths: Sequence[OcrResult | None], level: str = "auto") -> list[OcrResult | None]:
    """Decide whether regions of formats that do not say (ICDAR style) are words or lines.

    ``level`` ``words`` or ``lines`` says it; ``auto`` looks at the whole set: words hold no
    space (ICDAR 2015: a few in a hundred do, a name written as one region), lines often do
    (SROIE: nearly half), so more than one region in four with a space means lines, and
    anything less the words the format was made for.
    """
    if level not in ("auto", "words", "lines"):
        raise ValueError(f"unknown truth level {level!r}; expected auto, words or lines")
    unknown = [t for t in truths if t is not None and "unknown" in levels_of(t)]
    if level == "auto":
        care = [r for t in unknown for r in t.words if not is_dont_care(r)]
        level = "lines" if sum(" " in r.text for r in care) * 4 > len(care) else "words"
    out: list[OcrResult | None] = []
    for truth in truths:
        if truth is not None and "unknown" in levels_of(truth):
            truth = attrs.evolve(truth, meta={**truth.meta, "truth": {**about(truth), "levels": [level]}})
        out.append(truth)
    return out


#: Endings of files that can hold truth.
TRUTH_SUFFIXES = (".txt", ".csv", ".json", ".gt", ".xml", ".hocr", ".html")
#: Inner endings the exports write (``scan.page.xml``): left out of the stem an image is matched by.
_INNER = (".page", ".alto", ".gt")


def _key(path: Path) -> tuple[str, ...]:
    """What a path is matched by: its folders and its stem, without the inner ending
    (``a/scan.page.xml`` -> ``("a", "scan")``)."""
    stem = path.stem
    stem = stem[: -len(Path(stem).suffix)] if Path(stem).suffix.lower() in _INNER else stem
    return (*path.parts[:-1], stem)


class TruthIndex:
    """Truth files of a folder (or one file), matched to images.

    An image's truth is first the file at its place under the truth folder: ``gt/a/x.txt`` for
    ``img/a/x.png`` (the longest run of the image's folders, ending with its stem, that is a
    truth file's place; ``gt_x`` counts as ``x``). Failing that, a file named by its stem
    anywhere under the folder, but only when no other image of the run (``images``) has that
    stem: two images ``a/x.png`` and ``b/x.png`` cannot both be scored against ``gt/x.txt``, and
    are listed as problems instead. ``encoding`` is the files' text encoding (see
    :func:`decode_truth`).
    """

    def __init__(self, where: str | os.PathLike[str], format: str | None = None, *, images: Sequence[str | os.PathLike[str]] = (),
                 encoding: str | None = None) -> None:  # fmt: skip
        self.where = Path(where)
        self.format = format
        self.encoding = check_encoding(encoding)  # an unknown encoding is refused before any work
        if self.format is not None:
            reader_named(self.format)  # an unknown format is refused before any work
        if not self.where.exists():
            raise TruthError(f"{self.where}: no such file or folder of ground truth")
        files = [self.where] if self.where.is_file() else sorted(
            p for p in self.where.rglob("*") if p.is_file() and p.suffix.lower() in TRUTH_SUFFIXES
        )  # fmt: skip
        self._files = files
        self._by_key: dict[tuple[str, ...], list[Path]] = {}  # (folders..., stem) under the truth folder
        self._by_stem: dict[str, list[Path]] = {}
        for path in files:
            *folders, stem = _key(path.relative_to(self.where)) if path != self.where else _key(Path(path.name))
            for name in dict.fromkeys((stem, stem[3:] if stem.startswith("gt_") else stem)):
                self._by_key.setdefault((*folders, name), []).append(path)
                self._by_stem.setdefault(name, []).append(path)
        self._stems: dict[str, list[str]] = {}
        for image in images:
            self._stems.setdefault(Path(image).stem, []).append(os.fspath(image))
        self.used: set[Path] = set()

    def find(self, image: str | Path) -> Path | None:
        """The truth file of ``image``, ``None`` when there is none; several, or a stem that other
        images share, is a :class:`TruthError` saying what to do."""
        if self.where.is_file():
            self.used.add(self.where)
            return self.where
        found = self._at_place(Path(image))
        if found is None:
            stem = Path(image).stem
            found = self._by_stem.get(stem, [])
            others = [other for other in self._stems.get(stem, []) if Path(other) != Path(image)]
            if found and others:
                raise TruthError(
                    f"{image}: {len(others) + 1} images share the stem {stem!r} ({', '.join([os.fspath(image), *others][:3])}"
                    f"{', ...' if len(others) > 2 else ''}), so a truth file named by the stem alone "
                    f"({', '.join(str(p) for p in found[:3])}) cannot say which it is for; place each image's truth "
                    f"under --truth at the image's folders (for example {Path(*Path(image).parts[-2:]).with_suffix('.txt')})"
                )
        if len(found) > 1:
            names = ", ".join(str(p) for p in found)
            raise TruthError(f"{image}: more than one truth file matches ({names}); keep one, or point --truth at one")
        if found:
            self.used.add(found[0])
        return found[0] if found else None

    def _at_place(self, image: Path) -> list[Path] | None:
        """The files at the image's place, matched on the most of its folders (at least one)."""
        key = (*image.parts[:-1], image.stem)
        for start in range(len(key) - 1):  # the longest tail first; a tail of the stem alone is not a place
            if key[start:] in self._by_key:
                return self._by_key[key[start:]]
        return None

    def read(self, image: str | Path) -> OcrResult | None:
        path = self.find(image)
        return None if path is None else read_truth(path, self.format, self.encoding)

    def unused(self) -> Sequence[Path]:
        """Truth files no image matched: said in the report, never silently skipped."""
        return sorted(set(self._files) - self.used)
