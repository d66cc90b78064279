"""Named fields of Azure's prebuilt document models (receipts, invoices, ID documents, cards).

3.x/4.x answers carry ``documents[].fields``: ``{NAME: {type, value<Type>, content,
boundingRegions, confidence}}``; 2.x answers ``documentResults[].fields``: ``{NAME: {type,
value<Type>, text, boundingBox, page, confidence}}``. Each becomes a :class:`~unified_ocr.Field`
named as the model names it (``MerchantName``, ``Total``), with:

* ``text``: what was read (``content``/``text``); ``value``: the typed value as a string
  (``valueNumber`` 42.5 -> ``"42.5"``, ``valueDate`` as written, ``valueCurrency`` its amount,
  ``valueSelectionMark`` as ``checked`` on a ``checkbox`` field);
* nested values kept as ``parts``: ``valueArray`` items named ``NAME.0``, ``NAME.1``...,
  ``valueObject`` members ``NAME.0.Description`` and so on, as deep as the answer goes;
* the field on the page its box is on (page 0 when it has none); with several documents in
  one answer, names get the document's position: ``1.Total``.

The document's type and confidence go to ``meta["azure"]["documents"]``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from unified_ocr import Field, Quad
from unified_ocr.model import FieldKind

from .values import confidence, page_number, polygon, read

Scales = Mapping[int, float]


def documents(result: Mapping[str, Any], at: str, scales: Scales) -> tuple[dict[int, list[Field]], list[dict[str, Any]]]:
    """Fields per page index, and what is known of each document."""
    key = "documents" if "documents" in result else "documentResults"
    docs = read.optional_list(result, key, at)
    by_page: dict[int, list[Field]] = {}
    infos = []
    for d, raw in enumerate(docs):
        where = f"{at}.{key}[{d}]"
        doc = read.object(raw, where)
        prefix = f"{d}." if len(docs) > 1 else ""
        fields = doc.get("fields") or {}
        fields = read.object(fields, f"{where}.fields")
        for name, value in fields.items():
            if value is None:  # 2.x lists a field the document lacks as null
                continue
            index, field = _field(prefix + str(name), value, f"{where}.fields.{name}", scales)
            by_page.setdefault(index if index is not None else 0, []).append(field)
        info: dict[str, Any] = {"doc_type": doc.get("docType") if isinstance(doc.get("docType"), str) else None,
                                "confidence": confidence(doc, where)}  # fmt: skip
        infos.append(info)
    return by_page, infos


#: The typed value keys of a field, and how each becomes a string.
_SCALARS = ("valueString", "valueDate", "valueTime", "valuePhoneNumber", "valueCountryRegion", "valueNumber",
            "valueInteger", "valueBoolean", "valueSignature", "valueGender", "valueSelectionGroup")  # fmt: skip


def _field(name: str, raw: Any, at: str, scales: Scales) -> tuple[int | None, Field]:
    obj = read.object(raw, at)
    index, quad = _box(obj, at, scales)
    parts: list[Field] = []
    value: str | None = None
    kind: FieldKind = "text"
    checked = None
    if isinstance(obj.get("valueArray"), list):
        for i, item in enumerate(obj["valueArray"]):
            if item is not None:
                parts.append(_field(f"{name}.{i}", item, f"{at}.valueArray[{i}]", scales)[1])
    elif isinstance(obj.get("valueObject"), dict):
        for key, item in obj["valueObject"].items():
            if item is not None:
                parts.append(_field(f"{name}.{key}", item, f"{at}.valueObject.{key}", scales)[1])
    elif obj.get("valueSelectionMark") is not None or obj.get("type") == "selectionMark":
        kind = "checkbox"
        state = obj.get("valueSelectionMark")
        checked = state == "selected" if state in ("selected", "unselected") else None
    elif isinstance(obj.get("valueCurrency"), dict):
        amount = obj["valueCurrency"].get("amount")
        value = _scalar(amount) if amount is not None else None
    elif isinstance(obj.get("valueAddress"), dict):
        value = json.dumps(obj["valueAddress"], ensure_ascii=False, sort_keys=True)
    else:
        value = next((_scalar(obj[k]) for k in _SCALARS if obj.get(k) is not None), None)
    said = obj.get("content", obj.get("text"))
    text = read.string(said, f"{at}.content") if said is not None else ""
    return index, Field(name, kind, text, quad, confidence(obj, at), checked, parts, value)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if not isinstance(value, (dict, list)) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _box(obj: Mapping[str, Any], at: str, scales: Scales) -> tuple[int | None, Quad | None]:
    """3.x+ ``boundingRegions[0]``, or 2.x ``page`` + ``boundingBox``, in the page's pixels."""
    regions = obj.get("boundingRegions")
    if isinstance(regions, list) and regions:
        region = read.object(regions[0], f"{at}.boundingRegions[0]")
        index = page_number(region.get("pageNumber"), f"{at}.boundingRegions[0].pageNumber")
        box = region.get("polygon")
        if box is None:
            return index, None
        return index, polygon(box, f"{at}.boundingRegions[0].polygon", scales.get(index, 1.0))
    page = obj.get("page")
    number = page_number(page, f"{at}.page") if page is not None else None
    if obj.get("boundingBox") is not None:
        return number, polygon(obj["boundingBox"], f"{at}.boundingBox", scales.get(number or 0, 1.0))
    return number, None
