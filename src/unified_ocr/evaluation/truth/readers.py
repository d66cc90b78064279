"""One reader per truth format (see :mod:`unified_ocr.evaluation.truth`), and finding them
through the plugin registry."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, ClassVar

import attrs

from ...errors import MalformedDocumentError, TruthError
from ...exports.alto import read_alto
from ...exports.hocr import read_hocr
from ...exports.numbers import read_number
from ...exports.pagexml import read_page_xml
from ...geometry import Quad
from ...model import Cell, Line, OcrResult, Table, Word
from .pages import DONT_CARE, NOWHERE, TRUTH, truth_page


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


_POINT_LIST = re.compile(r'"(?:quad|points)"\s*:\s*\[')


class QuadsJsonReader(TruthReader):
    """The plain JSON many generators and labelling tools write: ``words`` and/or ``lines``,
    lists of ``{"text", "quad": [[x, y] x 4]}`` (also ``points`` or ``box``)."""

    name = "quads-json"
    description = 'JSON with "words" and/or "lines": [{"text", "quad": [[x, y] x 4]}] (rendered sets, labelling tools)'

    def sniff(self, text: str) -> bool:
        head = text.lstrip()[:4000]  # a quad is a list of points here (CORD's words have "quad": {x1, ...}: not this format)
        return head.startswith("{") and ('"words"' in head or '"lines"' in head) and _POINT_LIST.search(head) is not None

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
    from ...engines.registry import default_registry

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
