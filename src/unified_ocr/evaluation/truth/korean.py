"""Truth readers for the Korean and receipt datasets as they are downloaded: NAVER CLOVA's CORD
and four of AI Hub's OCR sets, read into truth pages (see :mod:`unified_ocr.evaluation.truth`)
with no conversion step.

Each format is told from its content by a cheap look at the start of the file, and none takes
another's files (the field that only it has decides). Text nobody could read (AI Hub's ``xxx``,
ICDAR's ``###``, no text, TITW's ``ignored`` class) becomes do not care: neither required nor
counted against an engine. A region whose box is ``null`` cannot be placed, so it is left out and
counted in ``meta["truth"]["unplaced"]``.

* ``cord``: CORD (``valid_line[].words[]`` with ``quad {x1..y4}`` clockwise from the top-left,
  ``text``, ``is_key``, ``row_id``; ``category`` and ``group_id`` per line), as a plain file or as
  the ``ground_truth`` string of a Hugging Face ``naver-clova-ix/cord-v2`` row. Words keep their
  boxes; a page line is the words of one ``row_id``, left to right, rows top to bottom.
  ``dontcare`` and ``repeating_symbol`` regions (cut lines such as ``-----``) are do not care.
  The parse classes are kept as ``meta["truth"]["entities"]`` (``category``, ``group_id``,
  ``text``, ``is_key``), not as named fields: CORD's names (``menu.nm``, repeated per item) are
  not the field names engines give, so field accuracy would only count them as missed.
* ``aihub-admin-docs``: 공공행정문서 OCR, one JSON per image: ``images[0]`` with
  ``image.width``, ``image.height``, ``image.file.name``; ``annotations[]`` with
  ``annotation.text`` and ``annotation.bbox`` as ``[x, y, width, height]``. The dataset writes
  the dotted names as flat keys; nested objects (``{"annotation": {"text": ...}}``) are read too.
* ``aihub-outdoor``: 야외 실제 촬영 한글 이미지, one JSON per image: ``images[0]`` with
  ``file_name``, ``width``, ``height``; ``annotations[]`` with ``text`` and ``bbox``
  (``[x, y, width, height]``, may be ``null``); ``xxx`` is illegible.
* ``aihub-text-in-the-wild``: Text in the Wild (한국어 글자체 이미지), one
  ``textinthewild_data_info.json`` for all images: ``images[]`` with ``id``, ``file_name``,
  ``width``, ``height``; ``annotations[]`` with ``image_id``, ``text``, ``bbox``
  (``[x, y, width, height]``) and ``attributes.class``: ``word`` regions are the words,
  ``ignored`` ones (text ``null``) do not care, ``character`` ones (boxes inside the words) are
  left out unless an image has no words. :meth:`TextInTheWildReader.pages` gives each image's
  page by its file name; :class:`~unified_ocr.evaluation.truth.TruthIndex` finds an image in
  such a file by its file name (see there).
* ``aihub-ocr-public``: OCR 데이터(공공), one JSON per image: ``Images`` with ``width`` and
  ``height``; ``Bbox[]`` with ``data`` (the text) and ``x``, ``y`` of four corners in the order
  top-left, top-right, bottom-left, bottom-right, put clockwise here. Where the four corners
  already run clockwise (tools that convert to that order), they are taken as they are; where
  neither order makes a box, the rectangle around them.

AI Hub's regions say nothing of whether they are words or lines (mostly words), so like
ICDAR's they are decided over the whole set (:func:`~unified_ocr.evaluation.truth.settle_levels`).

Field names were checked against public loaders of each set: CORD against its specification
(``clovaai/cord``, README "Json Hierarchy") and loaders that read ``valid_line``/``quad`` from
the ``ground_truth`` string of the Hugging Face rows; 공공행정문서 OCR against loaders reading
``label["annotations"][i]["annotation.bbox"]``/``["annotation.text"]`` and
``label["images"][0]["image.file.name"]`` (flat dotted keys); 야외 실제 촬영 한글 이미지 against a
converter to UFO reading ``images[0].file_name/width/height``, ``annotations[].id/text/bbox``
and marking ``text == "xxx"`` illegible; Text in the Wild against ``jentiai/Korean-Light-OCR-Data``
(``make_dataset.py``: ``annotations[].image_id``, ``attributes.class`` of ``word``,
``character``, ``ignored``, text ``None`` for ignored, ``images[].file_name``) and a cropping
tool that reads negative ``bbox`` sizes; OCR 데이터(공공) by the issue's description
(``Bbox[].data``, ``x[4]``, ``y[4]``) and a converter writing ``Images``/``bbox[].data/x/y``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from ...errors import MalformedDocumentError, TruthError
from ...exports.numbers import MAX_SIDE, read_number
from ...geometry import Quad
from ...model import Line, OcrResult, Word
from .pages import DONT_CARE, truth_page
from .readers import TruthReader, _json, _quad, _region

#: Texts that mark a region nobody could read: AI Hub's ``xxx``, ICDAR's ``###``, and none at all.
ILLEGIBLE = frozenset({"xxx", DONT_CARE, ""})


def illegible(text: Any) -> bool:
    return text is None or str(text).strip() in ILLEGIBLE


def _number(value: Any, what: str, at: str) -> float:
    try:
        return read_number(value, what, at)
    except MalformedDocumentError as exc:
        raise TruthError(str(exc)) from None


def _size(value: Any, what: str, at: str) -> int:
    """An image's width or height, 0 when the file does not give it."""
    if value is None:
        return 0
    try:
        return int(read_number(value, what, at, low=0, high=MAX_SIDE))
    except MalformedDocumentError as exc:
        raise TruthError(str(exc)) from None


def _xywh(box: Any, at: str) -> Quad | None:
    """``[x, y, width, height]`` as an upright quad (a negative size counts from the other
    side); ``None`` for a region with no box."""
    if box is None:
        return None
    if not isinstance(box, Sequence) or isinstance(box, str) or len(box) != 4:
        raise TruthError(f"{at}: bbox must be [x, y, width, height]; got {str(box)[:80]}")
    x, y, w, h = (_number(v, name, at) for v, name in zip(box, ("x", "y", "width", "height")))
    (x0, x1), (y0, y1) = sorted((x, x + w)), sorted((y, y + h))
    return _quad([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], at)


def _get(item: Any, dotted: str) -> Any:
    """``item["image.file.name"]`` as AI Hub writes it (one flat key), or the same path nested."""
    if not isinstance(item, Mapping):
        return None
    if dotted in item:
        return item[dotted]
    head, _, rest = dotted.partition(".")
    return _get(item.get(head), rest) if rest else None


def _list(data: Any, key: str, source: str, shape: str) -> list[Any]:
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, list):
        raise TruthError(f"{source}: expected {shape}")
    return value


def _page(regions: Iterable[tuple[Quad | None, Any]], levels: list[str], width: int, height: int) -> OcrResult:
    """Regions (box, text) as lines of one word each; unreadable ones do not care, unplaced ones
    left out and counted."""
    lines, unplaced = [], 0
    for quad, text in regions:
        if quad is None:
            unplaced += 1
        elif illegible(text):
            lines.append(_region(quad, DONT_CARE, True))
        else:
            lines.append(_region(quad, str(text)))
    page = truth_page(lines, levels, width=width, height=height)
    return _with(page, unplaced=unplaced) if unplaced else page


def _with(page: OcrResult, **said: Any) -> OcrResult:
    """``page`` with more said in its ``meta["truth"]``."""
    return attrs.evolve(page, meta={**page.meta, "truth": {**page.meta["truth"], **said}})


def _json_head(text: str) -> str:
    return text.lstrip()[:4000] if text.lstrip().startswith("{") else ""


class CordReader(TruthReader):
    name = "cord"
    description = ("CORD receipts (NAVER CLOVA; also a Hugging Face cord-v2 row's ground_truth): valid_line[].words[] with "
                   "quad {x1..y4}, text, row_id; a line per row_id")  # fmt: skip

    def sniff(self, text: str) -> bool:
        if not text.lstrip().startswith("{"):
            return False
        return '"valid_line"' in text or ('"ground_truth"' in text and '\\"valid_line\\"' in text)

    def read(self, text: str, source: str) -> OcrResult:
        data = _json(text, source)
        wrapped = data.get("ground_truth") if isinstance(data, dict) else None
        if isinstance(wrapped, str):  # a Hugging Face row: the annotation is a JSON string inside it
            data = _json(wrapped, f"{source}: ground_truth")
        elif isinstance(wrapped, dict):
            data = wrapped
        valid = _list(
            data, "valid_line", source, "CORD: an object with a valid_line list (or a row whose ground_truth holds one)"
        )
        rows: dict[Any, list[Word]] = {}
        entities = []
        for k, line in enumerate(valid):
            at = f"{source}: valid_line[{k}]"
            if not isinstance(line, Mapping) or not isinstance(line.get("words"), list):
                raise TruthError(f"{at}: expected an object with a words list")
            texts, key = [], False
            for j, word in enumerate(line["words"]):
                where = f"{at}.words[{j}]"
                if not isinstance(word, Mapping) or "quad" not in word:
                    raise TruthError(f"{where}: expected an object with quad and text")
                said = word.get("text")
                dont_care = illegible(said)
                row = word.get("row_id")
                rows.setdefault(("row", row) if row is not None else ("line", k), []).append(
                    Word(DONT_CARE if dont_care else str(said), _corners(word["quad"], where), None, dont_care)
                )
                texts.append("" if said is None else str(said))
                key = key or bool(word.get("is_key"))
            entities.append({"category": str(line.get("category", "")), "group_id": line.get("group_id"),
                             "text": " ".join(t for t in texts if t), "is_key": key})  # fmt: skip
        lines = sorted((_row(words) for words in rows.values()), key=lambda line: (line.quad.center[1], line.quad.center[0]))
        for name in ("dontcare", "repeating_symbol"):
            for k, mark in enumerate(_marks(data.get(name) if isinstance(data, Mapping) else None)):
                lines.append(_region(_corners(mark["quad"], f"{source}: {name}[{k}]"), DONT_CARE, True))
        size = _get(data, "meta.image_size")
        width = _size(_get(size, "width"), "width", source) if size else 0
        height = _size(_get(size, "height"), "height", source) if size else 0
        return _with(truth_page(lines, ["words", "lines"], width=width, height=height), entities=entities)


def _corners(quad: Any, at: str) -> Quad:
    """CORD's ``{x1, y1, ..., x4, y4}`` (clockwise from the top-left), or four points, or eight numbers."""
    try:
        if isinstance(quad, Mapping):
            points: Any = [(quad[f"x{i}"], quad[f"y{i}"]) for i in range(1, 5)]
        elif isinstance(quad, Sequence) and len(quad) == 8 and not isinstance(quad[0], Sequence):
            points = list(zip(quad[0::2], quad[1::2]))
        else:
            points = quad
        return _quad(points, at)
    except TruthError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise TruthError(f"{at}: a quad is {{x1, y1, ..., x4, y4}} ({type(exc).__name__}: {exc})") from None


def _row(words: list[Word]) -> Line:
    """One ``row_id``'s words as a line, left to right; do not care only when all its words are."""
    words = sorted(words, key=lambda w: w.quad.center[0])
    care = [w.text for w in words if not w.dont_care]
    quad = words[0].quad.union(*(w.quad for w in words[1:]))
    return Line(" ".join(care) if care else DONT_CARE, quad, tuple(words), None, not care)


def _marks(value: Any) -> Iterator[Mapping[str, Any]]:
    """The regions (objects with a quad) in CORD's ``dontcare`` or ``repeating_symbol``, however nested."""
    if isinstance(value, Mapping):
        if "quad" in value:
            yield value
    elif isinstance(value, list):
        for item in value:
            yield from _marks(item)


def _admin(head: str) -> bool:
    return bool(head) and ('"annotation.text"' in head or '"annotation.bbox"' in head or '"image.file.name"' in head
                           or ('"images"' in head and re.search(r'"annotation"\s*:\s*\{', head) is not None))  # fmt: skip


def _wild(head: str) -> bool:
    return bool(head) and '"images"' in head and ("text in the wild" in head[:2000].lower()
                                                  or ('"image_id"' in head and '"attributes"' in head))  # fmt: skip


class AdminDocsReader(TruthReader):
    name = "aihub-admin-docs"
    description = ("AI Hub 공공행정문서 OCR: images[0] with image.width/height/file.name, annotations[] with annotation.text "
                   "and annotation.bbox [x, y, w, h]")  # fmt: skip

    def sniff(self, text: str) -> bool:
        return _admin(_json_head(text))

    def read(self, text: str, source: str) -> OcrResult:
        data = _json(text, source)
        shape = "공공행정문서 OCR: an object with images and annotations lists"
        images, annotations = _list(data, "images", source, shape), _list(data, "annotations", source, shape)
        image = images[0] if images else {}
        regions = []
        for k, item in enumerate(annotations):
            at = f"{source}: annotations[{k}]"
            regions.append((_xywh(_get(item, "annotation.bbox"), at), _get(item, "annotation.text")))
        return _page(regions, ["unknown"], _size(_get(image, "image.width"), "image.width", source),
                     _size(_get(image, "image.height"), "image.height", source))  # fmt: skip


class OutdoorReader(TruthReader):
    name = "aihub-outdoor"
    description = "AI Hub 야외 실제 촬영 한글 이미지: images[0] with file_name/width/height, annotations[] with text and bbox [x, y, w, h]; xxx = illegible"

    def sniff(self, text: str) -> bool:
        head = _json_head(text)
        return (bool(head) and all(f'"{key}"' in head for key in ("images", "annotations", "text", "bbox"))
                and not _admin(head) and not _wild(head))  # fmt: skip

    def read(self, text: str, source: str) -> OcrResult:
        data = _json(text, source)
        shape = "야외 실제 촬영 한글 이미지: an object with images and annotations lists"
        images, annotations = _list(data, "images", source, shape), _list(data, "annotations", source, shape)
        image = images[0] if images and isinstance(images[0], Mapping) else {}
        regions = [(_xywh(_get(a, "bbox"), f"{source}: annotations[{k}]"), _get(a, "text")) for k, a in enumerate(annotations)]
        return _page(
            regions, ["unknown"], _size(image.get("width"), "width", source), _size(image.get("height"), "height", source)
        )


class _Pages(Mapping[str, OcrResult]):
    """Image file name -> its truth page, each page made when it is asked for (a Text in the Wild
    file holds a hundred thousand images; a run scores a few)."""

    def __init__(self, entries: dict[str, Any], make: Callable[[Any], OcrResult]) -> None:
        self._entries = entries
        self._make = make

    def __getitem__(self, name: str) -> OcrResult:
        return self._make(self._entries[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


class TextInTheWildReader(TruthReader):
    """One file for many images: :meth:`pages` gives each by its file name."""

    name = "aihub-text-in-the-wild"
    description = ("AI Hub Text in the Wild: one textinthewild_data_info.json, images[] and annotations[] with image_id, "
                   "text, bbox, attributes.class; each image found in it by its file name")  # fmt: skip

    def sniff(self, text: str) -> bool:
        return _wild(_json_head(text))

    def pages(self, text: str, source: str) -> Mapping[str, OcrResult]:
        data = _json(text, source)
        shape = "Text in the Wild: an object with images and annotations lists"
        images, annotations = _list(data, "images", source, shape), _list(data, "annotations", source, shape)
        held: dict[Any, list[tuple[int, Any]]] = {}
        for k, item in enumerate(annotations):
            if isinstance(item, Mapping):
                held.setdefault(item.get("image_id"), []).append((k, item))
        entries = {}
        for k, image in enumerate(images):
            if not isinstance(image, Mapping) or not isinstance(image.get("file_name"), str):
                raise TruthError(f"{source}: images[{k}]: expected an object with id and file_name")
            entries[image["file_name"].replace("\\", "/").rsplit("/", 1)[-1]] = (image, held.get(image.get("id"), []))
        return _Pages(entries, lambda entry: self._image_page(entry[0], entry[1], source))

    def read(self, text: str, source: str) -> OcrResult:
        pages = self.pages(text, source)
        if len(pages) != 1:
            raise TruthError(f"{source}: holds the truth of {len(pages)} images, so it is no one image's truth file; give it (or "
                             "its folder) as --truth and each image is found in it by its file name")  # fmt: skip
        return next(iter(pages.values()))

    @staticmethod
    def _image_page(image: Mapping[str, Any], annotations: list[tuple[int, Any]], source: str) -> OcrResult:
        def kind(item: Any) -> str:
            return str(_get(item, "attributes.class") or "word")

        words = [(k, a) for k, a in annotations if kind(a) != "character"]
        if not any(kind(a) == "word" for _, a in words):  # an image marked by characters only: they are its text
            words += [(k, a) for k, a in annotations if kind(a) == "character"]
        regions = [(_xywh(a.get("bbox"), f"{source}: annotations[{k}]"), None if kind(a) == "ignored" else a.get("text"))
                   for k, a in sorted(words, key=lambda pair: pair[0])]  # fmt: skip
        return _page(regions, ["words"], _size(image.get("width"), "width", source), _size(image.get("height"), "height", source))


class OcrPublicReader(TruthReader):
    name = "aihub-ocr-public"
    description = "AI Hub OCR 데이터(공공): Images with width/height, Bbox[] with data (the text) and x[4], y[4] (top-left, top-right, bottom-left, bottom-right)"

    def sniff(self, text: str) -> bool:
        head = _json_head(text)
        return (
            re.search(r'"[Bb]box"\s*:\s*\[', head) is not None
            and '"data"' in head
            and re.search(r'"x"\s*:\s*\[', head) is not None
        )

    def read(self, text: str, source: str) -> OcrResult:
        data = _json(text, source)
        boxes = data.get("Bbox", data.get("bbox")) if isinstance(data, Mapping) else None
        if not isinstance(boxes, list):
            raise TruthError(f"{source}: expected OCR 데이터(공공): an object with a Bbox list")
        regions = []
        for k, box in enumerate(boxes):
            at = f"{source}: Bbox[{k}]"
            if not isinstance(box, Mapping):
                raise TruthError(f"{at}: expected an object with data, x and y")
            regions.append((_four_corners(box.get("x"), box.get("y"), at), box.get("data")))
        image = _get(data, "Images") or {}
        return _page(
            regions, ["unknown"], _size(_get(image, "width"), "width", source), _size(_get(image, "height"), "height", source)
        )


def _four_corners(xs: Any, ys: Any, at: str) -> Quad | None:
    """x[4], y[4] as the dataset orders them (top-left, top-right, bottom-left, bottom-right), made
    clockwise; as they come where that makes no box but they already run clockwise; else the
    rectangle around them."""
    if xs is None and ys is None:
        return None
    if not all(isinstance(v, Sequence) and not isinstance(v, str) and len(v) == 4 for v in (xs, ys)):
        raise TruthError(f"{at}: x and y must be lists of four numbers (top-left, top-right, bottom-left, bottom-right)")
    points = [(_number(x, "x", at), _number(y, "y", at)) for x, y in zip(xs, ys)]
    for order in ([points[0], points[1], points[3], points[2]], points):
        if _clockwise_box(order):
            return Quad(order)
    left, top = min(p[0] for p in points), min(p[1] for p in points)
    return Quad.from_bbox(left, top, max(p[0] for p in points), max(p[1] for p in points))


def _clockwise_box(points: Sequence[tuple[float, float]]) -> bool:
    """Convex, with area, and clockwise on the page (y down): every turn the same, rightward way."""
    turns = [(points[(k + 1) % 4][0] - points[k][0]) * (points[(k + 2) % 4][1] - points[(k + 1) % 4][1])
             - (points[(k + 1) % 4][1] - points[k][1]) * (points[(k + 2) % 4][0] - points[(k + 1) % 4][0]) for k in range(4)]  # fmt: skip
    return all(turn > 0 for turn in turns)


#: The readers of this module, registered with the built-in formats.
READERS: tuple[TruthReader, ...] = (CordReader(), AdminDocsReader(), OutdoorReader(), TextInTheWildReader(), OcrPublicReader())
