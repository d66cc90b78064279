"""The built-in truth formats, metrics and normalisers, provided through the same hooks
(``register_truth_readers``, ``register_metrics``, ``register_normalizers``) as any third
party's."""

from __future__ import annotations

import pluggy

from . import confusions, metrics, normalize, table_metric, truth
from .truth.korean import READERS as KOREAN_READERS
from .truth.pubtabnet import PubTabNetReader

hookimpl = pluggy.HookimplMarker("unified_ocr")  # the project's hook marker (engines.hookspecs.PROJECT)


@hookimpl
def register_truth_readers() -> list[truth.TruthReader]:
    """result, funsd, quads-json, page, alto, hocr, icdar, text; pubtabnet; cord and aihub-* (truth.korean)."""
    return [*truth.BUILT_IN, PubTabNetReader(), *KOREAN_READERS]


@hookimpl
def register_metrics() -> list[type[metrics.Metric]]:
    """text, detection, line_detection, end_to_end, cleval, fields, confusions, tables."""
    return [*metrics.BUILT_IN, confusions.ConfusionsMetric, table_metric.TablesMetric]


@hookimpl
def register_normalizers() -> list[normalize.Normalizer]:
    """nfkc, fold-case, drop-whitespace, collapse-whitespace, jamo."""
    return list(normalize.BUILT_IN)
