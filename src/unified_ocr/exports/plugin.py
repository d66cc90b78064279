"""The built-in export formats, provided through the ``register_exporters`` hook like any
third party's (registered under the ``unified_ocr`` entry-point group in ``pyproject.toml``)."""

from __future__ import annotations

import pluggy

from .formats import BUILT_IN, Exporter

hookimpl = pluggy.HookimplMarker("unified_ocr")  # the project's hook marker (engines.hookspecs.PROJECT)


@hookimpl
def register_exporters() -> list[Exporter]:
    """text, json, tsv, jsonl, page (PAGE-XML), and tables and fields as csv, html, markdown, fields-json, fields-csv."""
    return list(BUILT_IN)
