"""hOCR 1.2: the HTML that PDF tools (OCRmyPDF's renderer, hocr-tools) and search tools read.

One document for all pages: an ``ocr_page`` per page (``bbox``, ``image``, ``ppageno``), an
``ocr_carea`` with one ``ocr_par`` per block, ``ocr_line`` and ``ocrx_word`` with integer
``bbox``, ``x_wconf`` (0-100) where the engine gives a confidence, ``textangle`` for turned
lines and ``poly`` where a quad is not its own upright box (so the quad comes back whole);
the five ``ocr-*`` meta tags. hOCR has no cells or named fields: tables and fields are not
written (their words are in the page's lines already). Valid by the ``hocr-spec`` checker.

:func:`read_hocr` reads this and other engines' hOCR (Tesseract's, kraken's) back into a
result: the ``poly`` when there is one, else the box turned by the line's ``textangle``.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import MalformedDocumentError
from ..geometry import Quad
from ..model import Block, Line, OcrResult, Page, Word
from . import xmlkit
from .numbers import MAX_COORDINATE, MAX_INDEX, MAX_SIDE, read_number, read_numbers

XHTML = "http://www.w3.org/1999/xhtml"
CAPABILITIES = "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf ocrp_poly ocrp_lang ocrp_angle"
#: hOCR classes that hold a line's words (Tesseract marks headers, captions and floating text apart).
LINE_CLASSES = frozenset({"ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat", "ocrx_line"})


class _Writer:
    def __init__(self, etree: Any) -> None:
        self.etree = etree
        self.clean = xmlkit.Cleaner()

    def element(self, parent: Any, tag: str, cls: str, ident: str, title: str, tail: str = "\n") -> Any:
        element = self.etree.SubElement(parent, f"{{{XHTML}}}{tag}", {"class": cls, "id": ident, "title": title})
        element.tail = tail
        return element

    def title(self, frame: xmlkit.Page, quad: Quad, confidence: float | None = None, angle: bool = False, turn: float = 0.0) -> str:
        """``bbox``, then ``textangle`` (with ``angle``: a line's own), and ``poly`` where the box
        turned by that angle (or by ``turn``, the line's, for a word) is not the quad."""
        x0, y0, x1, y1 = frame.box(quad)
        parts = [f"bbox {int(x0)} {int(y0)} {int(x1)} {int(y1)}"]
        if angle:
            turn = xmlkit.rotation(Quad(frame.points(quad)))  # as stored: a round trip gives it again
            if turn:
                parts.append(f"textangle {xmlkit.number(turn)}")
        if not frame.is_box(quad, turn):
            parts.append("poly " + " ".join(f"{int(x)} {int(y)}" for x, y in frame.points(quad)))
        if confidence is not None:
            parts.append(f"x_wconf {xmlkit.number(confidence * 100, 2)}")
        return "; ".join(parts)

    def line(self, parent: Any, frame: xmlkit.Page, line: Line, ident: str) -> None:
        span = self.element(parent, "span", "ocr_line", ident, self.title(frame, line.quad, line.confidence, angle=True))
        if not line.words:
            span.text = self.clean(line.text)
            return
        gaps = _gaps(line)
        turn = xmlkit.rotation(Quad(frame.points(line.quad)))  # a reader turns a word's box by its line's angle
        for k, word in enumerate(line.words):
            title = self.title(frame, word.quad, word.confidence, turn=turn)
            w = self.element(span, "span", "ocrx_word", f"{ident}_{k + 1}", title, gaps[k])
            w.text = self.clean(word.text)


def _gaps(line: Line) -> list[str]:
    """What follows each word in the line's text: a space, or nothing where the engine joined
    the words without one (Chinese characters read one by one). The last word has none."""
    joined = "".join(w.text for w in line.words)
    between = "" if line.text == joined and len(line.words) > 1 else " "
    return [between] * (len(line.words) - 1) + [""]


def _image_name(name: str) -> str:
    """The image's name as a title property holds it: a quote or semicolon (which end a
    property for hOCR parsers) written as in a URL, ``%22`` and ``%3B``; ``%`` as ``%25``."""
    return name.replace("%", "%25").replace('"', "%22").replace(";", "%3B")


def to_hocr(result: OcrResult) -> str:
    """``result`` as one hOCR 1.2 document (XHTML), every page in it."""
    from lxml import etree

    w = _Writer(etree)
    langs = xmlkit.languages(result.meta.get("lang"))
    root = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML})
    if len(langs) == 1:
        root.set("lang", langs[0])
        root.set("{http://www.w3.org/XML/1998/namespace}lang", langs[0])
    root.text = "\n"
    head = etree.SubElement(root, f"{{{XHTML}}}head")
    head.text, head.tail = "\n", "\n"
    source = _image_name(w.clean(str(result.meta.get("source") or "image")))
    etree.SubElement(head, f"{{{XHTML}}}title").text = source
    metas = {
        "ocr-system": f"unified-ocr {xmlkit.version()} ({result.engine})",
        "ocr-capabilities": CAPABILITIES,
        "ocr-number-of-pages": str(len(result.pages)),
        "ocr-langs": " ".join(langs) or "und",
        "ocr-scripts": " ".join(xmlkit.scripts(result.text)) or "Zyyy",
    }
    etree.SubElement(head, f"{{{XHTML}}}meta", {"http-equiv": "Content-Type", "content": "text/html;charset=utf-8"})
    for name, content in metas.items():
        etree.SubElement(head, f"{{{XHTML}}}meta", {"name": name, "content": w.clean(content)})
    for element in head:
        element.tail = "\n"
    body = etree.SubElement(root, f"{{{XHTML}}}body")
    body.text, body.tail = "\n", "\n"
    for p, page in enumerate(result.pages, 1):
        frame = xmlkit.Page(page.width, page.height)
        title = f'image "{source}"; bbox 0 0 {max(page.width, 0)} {max(page.height, 0)}; ppageno {page.index}'
        page_div = w.element(body, "div", "ocr_page", f"page_{p}", title)
        page_div.text = "\n"
        for b, (block, lines) in enumerate(page.iter_blocks(), 1):
            quad = block.quad if block.quad is not None else lines[0].quad.union(*(line.quad for line in lines[1:]))
            area = w.element(page_div, "div", "ocr_carea", f"block_{p}_{b}", w.title(frame, quad))
            par = w.element(area, "p", "ocr_par", f"par_{p}_{b}", w.title(frame, quad))
            area.text = par.text = "\n"
            for k, line in enumerate(lines, 1):
                w.line(par, frame, line, f"line_{p}_{b}_{k}")
    if w.clean.dropped:
        root.insert(0, etree.Comment(f" {w.clean.dropped} control character(s) dropped "))
    body_xml = etree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n' + body_xml + "\n"


# -- reading back ------------------------------------------------------------------------

_PROPERTY = re.compile(r'\s*([A-Za-z_][\w-]*)\s+("[^"]*"|[^;]*)\s*(?:;|$)')


def properties(title: str | None) -> dict[str, str]:
    """An hOCR ``title``'s properties: ``{"bbox": "0 0 10 10", "image": "a.png"}``.

    >>> properties('image "a; b.png"; bbox 0 0 10 20; x_wconf 91')
    {'image': 'a; b.png', 'bbox': '0 0 10 20', 'x_wconf': '91'}
    """
    out = {}
    for match in _PROPERTY.finditer(title or ""):
        out[match.group(1)] = match.group(2).strip().strip('"')
    return out


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, element: Any, problem: str) -> MalformedDocumentError:
        return MalformedDocumentError(f"{xmlkit.where(self.source, element.sourceline)}: {problem}")

    def numbers(self, element: Any, props: dict[str, str], name: str, low: float = -MAX_COORDINATE,
                high: float = MAX_COORDINATE) -> list[float]:  # fmt: skip
        """A property's numbers, each finite and within ``low..high`` (or the document is refused)."""
        return read_numbers(props[name], name, self.source, element.sourceline, low=low, high=high)

    def quad(self, element: Any, props: dict[str, str], angle: float = 0.0) -> Quad | None:
        """``poly`` when given, else the ``bbox`` turned so the quad starts at the text's top-left."""
        if "poly" in props:
            return xmlkit.quad_from_points(xmlkit.parse_points(props["poly"], self.source, element.sourceline), self.source, element.sourceline)
        if "bbox" not in props:
            return None
        box = self.numbers(element, props, "bbox")
        if len(box) != 4:
            raise self.fail(element, f"bbox needs 4 numbers (left top right bottom), got {len(box)}")
        x0, y0, x1, y1 = box
        return xmlkit.turned_box(x0, y0, x1, y1, angle)

    def confidence(self, element: Any, props: dict[str, str]) -> float | None:
        if "x_wconf" not in props:
            return None
        values = self.numbers(element, props, "x_wconf", 0.0, 100.0)
        if len(values) != 1:
            raise self.fail(element, f"x_wconf must be one number 0-100, got {props['x_wconf'][:40]!r}")
        return values[0] / 100

    def line(self, element: Any) -> Line | None:
        props = properties(element.get("title"))
        angle = read_number(props.get("textangle") or "0", "textangle", self.source, element.sourceline, low=-360.0, high=360.0)
        quad = self.quad(element, props, angle)
        if quad is None:
            raise self.fail(element, "an ocr_line has no bbox")
        words: list[Word] = []
        text_parts: list[str] = []
        spans = [e for e in element.iter() if "ocrx_word" in _classes(e)]
        for k, span in enumerate(spans):
            word_props = properties(span.get("title"))
            word_quad = self.quad(span, word_props, angle)
            if word_quad is None:
                raise self.fail(span, "an ocrx_word has no bbox")
            text = "".join(span.itertext())
            words.append(Word(text, word_quad, self.confidence(span, word_props)))
            text_parts.append(text)
            if k < len(spans) - 1:
                text_parts.append(" " if (span.tail or "") != "" else "")
        if not spans:
            text = " ".join("".join(element.itertext()).split())
            return Line(text, quad, (), self.confidence(element, props)) if text else None
        return Line("".join(text_parts), quad, tuple(words), self.confidence(element, props))

    def page(self, element: Any, order: int) -> Page:
        props = properties(element.get("title"))
        box = [int(v) for v in self.numbers(element, props, "bbox", 0, MAX_SIDE)] if "bbox" in props else [0, 0, 0, 0]
        if len(box) != 4:
            raise self.fail(element, "the ocr_page's bbox needs 4 numbers")
        pageno = self.numbers(element, props, "ppageno", 0, MAX_INDEX) if "ppageno" in props else [order]
        if len(pageno) != 1:
            raise self.fail(element, f"ppageno must be one number, got {props['ppageno'][:40]!r}")
        index = int(pageno[0])
        areas = [e for e in element.iter() if "ocr_carea" in _classes(e)] or [element]
        lines: list[Line] = []
        blocks: list[Block] = []
        for area in areas:
            start = len(lines)
            for candidate in area.iter():
                if _classes(candidate) & LINE_CLASSES:
                    line = self.line(candidate)
                    if line is not None:
                        lines.append(line)
            if area is not element and len(lines) > start:
                area_props = properties(area.get("title"))
                blocks.append(Block(start, len(lines), self.quad(area, area_props)))
        return Page(index, box[2], box[3], tuple(lines), blocks=tuple(blocks))


def _classes(element: Any) -> set[str]:
    value = element.get("class") if isinstance(element.tag, str) else None
    return set(value.split()) if value else set()


def read_hocr(data: str | bytes, source: str = "<hocr>") -> OcrResult:
    """An hOCR document (XHTML, as unified-ocr and Tesseract write it) back into a result.

    A document that is not well-formed or has no ``ocr_page`` raises
    :class:`~unified_ocr.errors.MalformedDocumentError` naming ``source`` and the line.
    """
    root = xmlkit.parse_xml(data, source, "hOCR")
    xmlkit.check_namespace(root, source, "hOCR", (XHTML,))
    reader = _Reader(source)
    pages = [e for e in root.iter() if "ocr_page" in _classes(e)]
    if not pages:
        raise MalformedDocumentError(f"{source}: no element of class ocr_page, so not hOCR")
    system = next((m.get("content", "") for m in root.iter() if xmlkit.local(m) == "meta" and m.get("name") == "ocr-system"), "")
    ours = re.fullmatch(r"unified-ocr \S+ \((.+)\)", system)
    first = properties(pages[0].get("title"))
    meta: dict[str, Any] = {"format": "hocr"}
    if first.get("image"):
        meta["source"] = first["image"].replace("%3B", ";").replace("%22", '"').replace("%25", "%")
    if not ours and system:
        meta["ocr-system"] = system
    langs = next((m.get("content", "") for m in root.iter() if xmlkit.local(m) == "meta" and m.get("name") == "ocr-langs"), "")
    if langs and langs != "und":
        meta["lang"] = ",".join(langs.split())
    return OcrResult(ours.group(1) if ours else "hocr", tuple(reader.page(p, k) for k, p in enumerate(pages)), meta=meta)
