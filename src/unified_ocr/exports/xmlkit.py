"""What the XML formats (hOCR, ALTO, PAGE-XML) share: text XML can hold, numbers and points
on the page, and reading a document back safely.

Writers and readers of each format live in their own module; this one holds only the rules
they must agree on, so that a round trip (export, read, export) gives the same document.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from ..errors import MalformedDocumentError
from ..geometry import Quad
from .numbers import read_number, where

#: Control characters (C0 but tab, newline and return, which XML 1.0 cannot hold; DEL and C1, which it
#: holds but no reader wants in a text), the non-characters, and lone surrogates (a JSON answer can
#: carry ``"\\ud800"``, which no UTF-8 document can encode).
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


class Cleaner:
    """Drops what XML cannot hold from texts, and counts it, so the document can say how many."""

    def __init__(self) -> None:
        self.dropped = 0

    def __call__(self, value: str) -> str:
        clean, n = UNSAFE.subn("", value)
        self.dropped += n
        return clean


class Page:
    """A page's frame: clips points to it (the formats place boxes on the page, and PAGE
    cannot hold a negative number) and rounds them to the format's precision.

    Points are edges (0..width) in hOCR and ALTO, and pixels (0..width-1) in PAGE, whose
    validators check that every point lies on one of the image's pixels (``pixels=True``).
    """

    def __init__(self, width: int, height: int, digits: int | None = 0, pixels: bool = False) -> None:
        self.width = max(int(width), 1)
        self.height = max(int(height), 1)
        self.sized = width > 0 and height > 0  # a page of unknown size clips at zero only
        self.digits = digits  # None keeps 3 decimals (a thousandth of a pixel), 0 rounds to integers
        self.right = float(self.width - 1 if pixels else self.width)
        self.bottom = float(self.height - 1 if pixels else self.height)

    def point(self, x: float, y: float) -> tuple[float, float]:
        if self.sized:
            x, y = min(max(x, 0.0), self.right), min(max(y, 0.0), self.bottom)
        else:
            x, y = max(x, 0.0), max(y, 0.0)
        if self.digits == 0:
            return float(round(x)), float(round(y))
        return round(x, 3), round(y, 3)

    def points(self, quad: Quad) -> list[tuple[float, float]]:
        return [self.point(x, y) for x, y in quad.points]

    def box(self, quad: Quad) -> tuple[float, float, float, float]:
        """The quad's bounding box on the page: left, top, right, bottom."""
        pts = self.points(quad)
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return min(xs), min(ys), max(xs), max(ys)

    def is_box(self, quad: Quad, turn: float = 0.0) -> bool:
        """Whether the quad, as the format stores it, is what a reader makes of its bounding box
        and the ``turn`` it knows (a line's angle, a block's rotation): then no polygon is written."""
        return self.points(quad) == list(turned_box(*self.box(quad), turn).points)


def number(value: float, digits: int = 3) -> str:
    """A number as the documents write it, to ``digits`` decimals: ``12`` or ``12.5``, never ``12.0``.

    >>> number(12.0), number(0.99974, 4), number(-0.0)
    ('12', '0.9997', '0')
    """
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def rotation(quad: Quad) -> float:
    """The text's turn in degrees counterclockwise, 0 <= r < 360 (ALTO ``ROTATION``, hOCR
    ``textangle``); the model's angle is clockwise, since image y points down."""
    turn = round(-quad.angle, 2) % 360.0
    return 0.0 if math.isclose(turn, 360.0) else turn


def turned_box(x0: float, y0: float, x1: float, y1: float, turn: float) -> Quad:
    """A box as a quad that starts at the text's own top-left, for text turned ``turn`` degrees
    counterclockwise (a multiple of 90; others are read as upright, the box saying no more)."""
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    quarter = round(turn / 90) % 4 if abs(turn - round(turn / 90) * 90) < 1 else 0
    start = (0, 3, 2, 1)[quarter]  # text read bottom-up (90) starts at the bottom-left corner
    return Quad(corners[start:] + corners[:start])


def quad_from_points(points: list[tuple[float, float]], source: str, line: int | None) -> Quad:
    """Four points as they are; another polygon as the rectangle along its first edge that holds it."""
    if len(points) == 4:
        return Quad(points)
    if len(points) < 3:
        raise MalformedDocumentError(f"{where(source, line)}: a polygon needs at least 3 points, got {len(points)}")
    (x0, y0), (x1, y1) = points[0], points[1]
    angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
    return Quad.enclosing([Quad([p, p, p, p]) for p in points], angle=angle)


def parse_points(text: str, source: str, line: int | None) -> list[tuple[float, float]]:
    """``x,y x,y ...`` (PAGE, ALTO) or ``x y x y ...`` (ALTO's older form, hOCR's ``poly``)."""
    values = [read_number(v, "a point's coordinate", source, line) for v in text.replace(",", " ").split()]
    if len(values) % 2:
        raise MalformedDocumentError(f"{where(source, line)}: points are not x,y pairs: {text[:80]!r}")
    return [(values[i], values[i + 1]) for i in range(0, len(values), 2)]


def version() -> str:
    """This unified-ocr's version, as the documents name their maker (read when a document is
    written: the package's ``__init__`` may still be loading when this module is)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("unified-ocr")
    except PackageNotFoundError:  # pragma: no cover - a source tree that is not installed
        return "0.0.0"


def parse_xml(data: str | bytes, source: str, what: str) -> Any:
    """The root element of ``data``: no network, no entity expansion (a document from elsewhere
    is not trusted); a document that is not well-formed raises :class:`MalformedDocumentError`."""
    from lxml import etree

    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if isinstance(data, str) and raw.lstrip().startswith(b"<?xml"):
        raw = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", raw, count=1)  # a str is decoded already: its declared encoding no longer applies
    parser = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=False, remove_comments=True)
    try:
        return etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        raise MalformedDocumentError(f"{where(source, exc.lineno)}: not well-formed XML, so not {what} ({exc.msg})") from None


def check_namespace(root: Any, source: str, what: str, namespaces: tuple[str, ...]) -> None:
    """Refuse a document whose root is in a namespace not of its format (``namespaces`` are the
    prefixes of the format's own; a root in no namespace passes, as older tools write it): an
    element of another vocabulary that shares a name is not this format's, whatever it holds."""
    tag = root.tag if isinstance(root.tag, str) else ""
    namespace = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
    if namespace and not namespace.startswith(namespaces):
        raise MalformedDocumentError(
            f"{where(source, root.sourceline)}: the root element is in the namespace {namespace[:80]!r}, not {what}'s "
            f"({', '.join(namespaces)}...), so not {what}"
        )


def local(element: Any) -> str:
    """An element's name without its namespace ('' for comments and processing instructions)."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(element: Any, name: str) -> Iterable[Any]:
    return (child for child in element if local(child) == name)


def child(element: Any, name: str) -> Any | None:
    return next(iter(children(element, name)), None)


#: Unicode name prefixes of the letters of each ISO 15924 script the formats declare.
_SCRIPT_OF_NAME = {"HANGUL": "Hang", "LATIN": "Latn", "HIRAGANA": "Hira", "KATAKANA": "Kana", "CJK": "Hani",
                   "CYRILLIC": "Cyrl", "GREEK": "Grek", "ARABIC": "Arab", "HEBREW": "Hebr", "THAI": "Thai"}  # fmt: skip


def scripts(text: str) -> list[str]:
    """The ISO 15924 codes of the letters in ``text``, sorted (hOCR's ``ocr-scripts``)."""
    import unicodedata

    found = set()
    for char in set(text):
        if char.isalpha():
            code = _SCRIPT_OF_NAME.get(unicodedata.name(char, "").split(" ", 1)[0])
            if code:
                found.add(code)
    return sorted(found)


#: Tesseract's language codes as the BCP 47 tags XML's ``lang`` attributes take.
_BCP47 = {"kor": "ko", "eng": "en", "jpn": "ja", "chi_sim": "zh-Hans", "chi_tra": "zh-Hant", "deu": "de", "fra": "fr",
          "spa": "es", "vie": "vi"}  # fmt: skip


def languages(lang: object) -> list[str]:
    """A profile's ``lang`` (``ko``, ``ko,en``, ``kor+eng``) as BCP 47 tags; none when unknown."""
    if not isinstance(lang, str):
        return []
    tags = []
    for part in lang.replace("+", ",").split(","):
        part = part.strip()
        tag = _BCP47.get(part.lower(), part)
        if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", tag) and tag not in tags:
            tags.append(tag)
    return tags
