"""Exports: a result in the formats other tools read. Kept out of the model (which is data
only) and importing only the model, geometry, imaging and batch.

The formats (:mod:`.formats`) are found by name through the plugin registry, the built-in
ones included (:mod:`.plugin`): :func:`unified_ocr.export` and ``unified-ocr export``.
The interchange formats (hOCR, ALTO, PAGE-XML) come next.
"""

from __future__ import annotations

from .formats import BUILT_IN, Exporter
from .tables import table_csv, table_html

__all__ = ["BUILT_IN", "Exporter", "table_csv", "table_html"]
