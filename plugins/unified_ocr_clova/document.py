"""Names for the fields of CLOVA Document OCR (receipt, name card, business licence, ...).

Document OCR answers with a tree per image, ``images[i].<kind>.result``, whose leaves are
objects with a ``text`` (and usually ``boundingPolys``, ``formatted``, ``keyText``,
``confidenceScore``, ``maskingPolys``). The tree's shape changes with the kind and with the
year (2022, 2023 and 2024 receipts differ; any branch may be missing), so users need one
flat, stable address per leaf rather than the vendor's nesting. Each leaf becomes a
:class:`~unified_ocr.Field` whose name is a dotted path:

* keys in ``snake_case`` (``bizNum`` -> ``biz_num``), list positions as numbers
  (``addresses[0]`` -> ``address.0``);
* receipts get shorter names for the parts everyone reads (below); receipt items are
  numbered 0.. across all ``subResults`` in order, so ``items.3`` is the fourth item on
  the receipt whichever sub-result holds it;
* every other leaf, of every kind, keeps the generic path, so nothing is dropped and a new
  vendor key gets a predictable name instead of disappearing.

==============================================  =========================================
vendor path (under ``receipt.result``)          field name
==============================================  =========================================
``storeInfo.name`` / ``subName`` / ``bizNum``   ``store.name`` / ``store.sub_name`` / ``store.biz_num``
``storeInfo.addresses[k]`` / ``tel[k]``         ``store.address.k`` / ``store.tel.k``
``storeInfo.<other>``                           ``store.<other>`` (``movieName`` -> ``store.movie_name``)
``paymentInfo.date`` / ``time``                 ``payment.date`` / ``payment.time``
``paymentInfo.cardInfo.company`` / ``number``   ``payment.card_company`` / ``payment.card_number``
``paymentInfo.confirmNum``                      ``payment.confirm_num``
``subResults[s].items[i].name`` / ``code``      ``items.N.name`` / ``items.N.code``
``... .count``                                  ``items.N.count``
``... .price.unitPrice`` / ``.price.price``     ``items.N.unit_price`` / ``items.N.price``
``subTotal[n].<key>[k]``                        ``sub_total.n.<key>.k`` (``taxPrice`` -> ``tax_price``)
``totalPrice.price`` / ``totalPrice.<key>``     ``total.price`` / ``total.<key>``
==============================================  =========================================

Other kinds use the generic rule only: ``nameCard.result.company[0]`` -> ``company.0``,
``idCard.result.ic.name[0]`` -> ``ic.name.0``. A field's ``value`` is the vendor's
``formatted.value`` (a string: ``"45000"`` for ``"45,000원"``), or an ISO-like
``YYYY-MM-DD`` / ``HH:MM:SS`` for dates and times. Plain values outside any leaf (an ID
card's ``isConfident``) go to ``result.meta["clova"]["document"]["values"]`` under the same
kind of dotted name. Should one image ever carry two kinds, every name is prefixed with
its kind (``name_card.company.0``) so that they cannot collide.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict, Union

from unified_ocr import OcrResult
from unified_ocr.errors import BadResponseError

VENDOR = "clova"

#: Document kinds CLOVA documents; any other ``images[i]`` key holding ``{"result": {...}}``
#: that is not a known image key is read as a document too.
DOCUMENT_KINDS = ("receipt", "nameCard", "bizLicense", "creditCard", "idCard")

PathPart = Union[str, int]
Path = tuple[PathPart, ...]


class ReceiptItem(TypedDict):
    """One receipt line item, as :func:`receipt_items` returns it (a stable shape).

    Each value is the vendor's normalised value when it gives one (``"4800"``), else the
    text as read (``"4,800"``), else ``None`` when the receipt does not show it.
    """

    name: str | None
    count: str | None
    unit_price: str | None
    price: str | None


@functools.lru_cache(maxsize=4096)  # a document's keys come from a small vocabulary, page after page
def snake(key: str) -> str:
    """``bizNum`` -> ``biz_num``; anything that is not a letter or digit becomes ``_``."""
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", key)
    s = re.sub(r"[^0-9A-Za-z]+", "_", s).strip("_").lower()
    return s or "_"


def kind_name(key: str) -> str:
    """The document kind as named in ``meta``: ``nameCard`` -> ``name_card``."""
    return snake(key)


def _generic(path: Sequence[PathPart], renames: Mapping[str, str] | None = None) -> Path:
    if renames:  # (a list made and turned into a tuple: quicker than a generator's tuple, for paths of a few parts)
        return tuple([p if isinstance(p, int) else renames.get(p) or snake(p) for p in path])
    return tuple([p if isinstance(p, int) else snake(p) for p in path])


def _item_offsets(result: Mapping[str, Any]) -> dict[int, int]:
    """The number of the first item of each ``subResults`` entry, counting across them all."""
    offsets: dict[int, int] = {}
    running = 0
    subs = result.get("subResults")
    if isinstance(subs, list):
        for s, sub in enumerate(subs):
            offsets[s] = running
            items = sub.get("items") if isinstance(sub, dict) else None
            if isinstance(items, list):
                running += len(items)
    return offsets


def _receipt_path(path: Path, offsets: Mapping[int, int]) -> Path:
    head, rest = path[0], path[1:]
    if head == "storeInfo":
        return ("store", *_generic(rest, {"addresses": "address"}))
    if head == "paymentInfo":
        if len(rest) >= 2 and rest[0] == "cardInfo" and isinstance(rest[1], str):
            return ("payment", "card_" + snake(rest[1]), *_generic(rest[2:]))
        return ("payment", *_generic(rest))
    if head == "subResults":
        if len(rest) >= 3 and isinstance(rest[0], int) and rest[1] == "items" and isinstance(rest[2], int):
            tail = rest[3:]
            if len(tail) >= 2 and tail[0] == "price" and tail[1] in ("price", "unitPrice"):
                tail = ("unit_price" if tail[1] == "unitPrice" else "price", *tail[2:])
            return ("items", offsets.get(rest[0], 0) + rest[2], *_generic(tail))
        return ("sub_results", *_generic(rest))
    if head == "subTotal":
        return ("sub_total", *_generic(rest))
    if head == "totalPrice":
        return ("total", *_generic(rest))
    return _generic(path)


def _walk(node: Any, path: Path, found: list[tuple[Path, Any]]) -> None:
    """Leaves (objects with ``text``) and loose scalars, in document order, added to ``found``
    (a list, not a generator: each level of nested generators passed every leaf up once more)."""
    if type(node) is dict or isinstance(node, dict):
        if "text" in node:
            found.append((path, node))
            return
        for key, value in node.items():
            _walk(value, (*path, key if type(key) is str else str(key)), found)
    elif type(node) is list or isinstance(node, list):
        for i, value in enumerate(node):
            _walk(value, (*path, i), found)
    elif node is not None:
        found.append((path, node))


def named_leaves(kind: str, result: Mapping[str, Any]) -> tuple[list[tuple[str, Mapping[str, Any], Path]], dict[str, Any]]:
    """Name every leaf of a document's ``result`` tree.

    Returns ``(leaves, values)``: ``leaves`` is ``[(field name, leaf object, vendor path)]``
    in document order (the path as keys and indices; :func:`vendor_path` writes it for a
    message), ``values`` maps dotted names to the plain values found outside leaves.
    """
    offsets = _item_offsets(result) if kind == "receipt" else {}
    leaves: list[tuple[str, Mapping[str, Any], Path]] = []
    values: dict[str, Any] = {}
    found: list[tuple[Path, Any]] = []
    _walk(result, (), found)
    for path, node in found:
        named = _receipt_path(path, offsets) if kind == "receipt" and path else _generic(path)
        name = ".".join(map(str, named))
        if isinstance(node, dict):
            leaves.append((name, node, path))
        elif isinstance(node, (str, int, bool)) or (isinstance(node, float) and math.isfinite(node)):
            values[name] = node
    return leaves, values


def vendor_path(path: Path) -> str:
    """``("items", 0, "name")`` -> ``.items[0].name``, as the vendor's JSON nests it."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


_DATE = ("year", "month", "day")
_TIME = ("hour", "minute", "second")


def formatted_value(formatted: Any, where: str) -> str | None:
    """The vendor's normalised value of a leaf, as a string, or ``None``.

    ``{"value": "45000"}`` -> ``"45000"``; ``{"year": "2020", "month": "10", "day": "14"}``
    -> ``"2020-10-14"``; ``{"hour": "16", "minute": "26", "second": "09"}`` -> ``"16:26:09"``.
    Date and time parts are strings that may be ``""``: the value is built from the parts
    that lead up to the first empty one (``"2013"`` for year only), and is ``None`` when a
    part is missing in the middle (month ``""`` with a day), since that has no honest form.
    """
    if formatted is None:
        return None
    if not isinstance(formatted, dict):
        raise BadResponseError(f"expected {where} to be an object; got {type(formatted).__name__}", vendor=VENDOR)
    if "value" in formatted:
        return _scalar_text(formatted["value"], f"{where}.value")
    for names, sep in ((_DATE, "-"), (_TIME, ":")):
        if any(n in formatted for n in names):
            parts = [_scalar_text(formatted.get(n), f"{where}.{n}") for n in names]
            return _joined(parts, sep, year_first=names is _DATE)
    return None


def _scalar_text(value: Any, where: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise BadResponseError(f"expected {where} to be a string; got {type(value).__name__}", vendor=VENDOR)
    return str(value)


def _joined(parts: list[str | None], sep: str, *, year_first: bool) -> str | None:
    n = 0
    while n < len(parts) and parts[n] is not None:
        n += 1
    if n == 0 or any(p is not None for p in parts[n:]):
        return None
    out = []
    for i, p in enumerate(parts[:n]):
        assert p is not None
        out.append(p.zfill(2) if p.isdigit() and not (year_first and i == 0) else p)
    return sep.join(out)


_ITEM_FIELD = re.compile(r"items\.(\d+)\.(name|count|unit_price|price)")


def receipt_items(result: OcrResult) -> list[ReceiptItem]:
    """The line items of a receipt result, page after page, in the receipt's order.

    Each item is ``{"name", "count", "unit_price", "price"}`` (see :class:`ReceiptItem`),
    read from the ``items.N.*`` fields; this shape is stable across CLOVA's schema years.
    """
    out: list[ReceiptItem] = []
    for page in result.pages:
        items: dict[int, ReceiptItem] = {}
        for f in page.fields:
            m = _ITEM_FIELD.fullmatch(f.name)
            if m is None:
                continue
            item = items.setdefault(int(m[1]), ReceiptItem(name=None, count=None, unit_price=None, price=None))
            item[m[2]] = f.value if f.value is not None else f.text  # type: ignore[literal-required]
        out.extend(items[n] for n in sorted(items))
    return out
