"""Every hook a unified-ocr plugin can implement, each with its contract.

A plugin is a module (or object) registered under the ``unified_ocr`` entry-point group::

    [project.entry-points.unified_ocr]
    myvendor = "unified_ocr_myvendor"

and implements hooks with ``@unified_ocr.hookimpl``. The built-in engines are plugins of
exactly this kind. Hooks are added when a second user of them exists; keep this file the
one place a plugin author has to read. Each hook returns the classes of one *kind*
(:data:`unified_ocr.engines.registry.KINDS`): a new kind is one hookspec here, one entry
there, and a heading in ``docs/plugins.md`` (a test fails while it is missing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .base import Engine

PROJECT = "unified_ocr"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_engines() -> list[type[Engine]]:  # type: ignore[empty-body]
    """Return the :class:`~unified_ocr.engines.base.Engine` subclasses this plugin provides.

    Keep this cheap: import heavy dependencies (models, SDKs) inside the engine, not at
    module level, so that ``unified-ocr engines`` can say what is missing instead of failing.
    """


@hookspec
def register_emulators() -> list[type]:  # type: ignore[empty-body]
    """Return the :class:`~unified_ocr.emulator.Emulator` subclasses this plugin provides.

    Each speaks one vendor's HTTP protocol on loopback, for ``unified-ocr emulate NAME`` and
    for tests that must not reach the real service.
    """


@hookspec
def register_exporters() -> list[Any]:  # type: ignore[empty-body]
    """Return the :class:`~unified_ocr.exports.formats.Exporter` objects this plugin provides.

    Each is an output format for :func:`unified_ocr.export`, ``unified-ocr export --format NAME``
    and ``recognize --format NAME``: a ``name``, a file ``suffix`` and ``render(result, **options)``
    returning the file's text (or bytes, with ``binary=True``). The built-in formats come through
    this same hook (``unified_ocr.exports.plugin``).
    """


@hookspec
def register_dataset_writers() -> list[type]:  # type: ignore[empty-body]
    """Return the :class:`~unified_ocr.datasets.writers.DatasetWriter` subclasses this plugin provides.

    Each is a training-data format for ``unified-ocr dataset --format NAME``: a ``name``, a
    ``kind`` (``"rec"``: labelled crops; ``"det"``: whole pages with their quads), the label
    characters its files cannot hold (``breaks``), where its files go, and ``add`` (a page's
    crops) or ``add_page`` (a page), ``rebuild`` (the index from the manifest, on resume) and
    ``close``. The built-in formats come through this same hook (``unified_ocr.datasets.plugin``).
    """


@hookspec
def register_truth_readers() -> list[Any]:  # type: ignore[empty-body]
    """Return the :class:`~unified_ocr.evaluation.truth.TruthReader` objects this plugin provides.

    Each is a ground-truth format for ``unified-ocr compare --truth-format NAME`` (and
    ``dataset``, and :func:`unified_ocr.compare`): a ``name``, a ``description``, ``sniff(text)``
    saying from a file's content whether it is this format (``None``: only read when named) and
    ``read(text, source)`` returning the page as an :class:`~unified_ocr.OcrResult` (confidence
    ``None``; ``dont_care=True`` on words and lines nobody could read; ``source`` names the file
    in a :class:`~unified_ocr.TruthError`). An export format with a ``read`` is a truth format
    too, without this hook. The built-in formats come through this same hook
    (``unified_ocr.evaluation.plugin``).
    """


@hookspec
def register_metrics() -> list[type]:  # type: ignore[empty-body]
    """Return the :class:`~unified_ocr.evaluation.metrics.Metric` subclasses this plugin provides.

    A metric is an accumulator, made once per engine of a comparison with the comparison's
    :class:`~unified_ocr.evaluation.normalize.Normalization`: ``update(truth, result)`` scores one
    image (both :class:`~unified_ocr.OcrResult`; ``result`` is ``None`` where the engine failed)
    and returns its figures (``images.csv``, one column per name in ``columns``), ``summary()``
    returns the engine's figures over every image (``summary.json``, under the metric's ``name``;
    ``None`` when it scored nothing), and ``shown`` names the figures of the report's summary
    table. The built-in metrics (text, detection, line_detection, end_to_end, cleval, fields)
    come through this same hook (``unified_ocr.evaluation.plugin``).
    """


@hookspec
def register_normalizers() -> list[Any]:  # type: ignore[empty-body]
    """Return the :class:`~unified_ocr.evaluation.normalize.Normalizer` objects this plugin provides.

    Each is a named text transform for ``unified-ocr compare --normalize NAME`` (and
    ``Normalization(extra=(NAME,))``): what is forgiven before truth and readings are compared,
    applied after the built-in options, in the order named, and recorded in ``summary.json``'s
    ``normalization``. The built-in options (nfkc, fold-case, drop-whitespace, collapse-whitespace,
    jamo) come through this same hook (``unified_ocr.evaluation.plugin``).
    """
