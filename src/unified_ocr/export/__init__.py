"""Exports: a result in the formats other tools read. Kept out of the model (which is data
only) and importing only the model, geometry, imaging and batch.

Today: tables as CSV and HTML (:mod:`.tables`). The interchange formats (hOCR, ALTO,
PAGE-XML, TSV) and the exporter plugin hook come with the export feature.
"""

from __future__ import annotations

from .tables import table_csv, table_html

__all__ = ["table_csv", "table_html"]
