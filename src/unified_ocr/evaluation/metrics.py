"""Metrics: accumulators that score a reading against its truth, image by image.

A :class:`Metric` is made once per engine of a comparison with the comparison's
:class:`~.normalize.Normalization`. ``update(truth, result)`` scores one image (both
:class:`~unified_ocr.OcrResult`: the truth page as :mod:`.truth` reads it, the engine's reading,
``None`` where the engine failed) and returns that image's figures; ``summary()`` returns the
figures over every image updated, or ``None`` when there were none. The comparison writes
the summary into ``summary.json`` under the metric's ``name``, the figures named in
``columns`` into ``images.csv``, and those named in ``shown`` into the report's summary table.

Metrics are provided through the ``register_metrics`` hook: the built-in ones (:data:`BUILT_IN`,
registered by :mod:`unified_ocr.evaluation.plugin`) as any plugin's.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..errors import ConfigError
from ..model import OcrResult
from . import clevalscore
from .detection import DONT_CARE, DetectionScore, PageMatch
from .normalize import Normalization
from .text import TextScore
from .truth import is_dont_care, truth_fields, truth_lines, truth_words


class Metric:
    """One metric: subclass it, name it, and fill in :meth:`update` and :meth:`summary`."""

    #: the key of its figures in summary.json (per engine); unique among the installed metrics
    name: ClassVar[str]
    description: ClassVar[str] = ""
    #: the per-image figures ``update`` returns that go into images.csv, in column order
    #: (unique among the metrics: prefix them with the metric's name)
    columns: ClassVar[tuple[str, ...]] = ()
    #: the report's summary table: (column label, key of ``summary()``, lower is better)
    shown: ClassVar[tuple[tuple[str, str, bool], ...]] = ()

    def __init__(self, normalization: Normalization) -> None:
        self.normalization = normalization

    def update(self, truth: OcrResult, result: OcrResult | None) -> dict[str, Any]:
        """Score one image; its figures (``{}`` when this metric has nothing to say of it)."""
        raise NotImplementedError

    def summary(self) -> dict[str, Any] | None:
        """The figures over every image updated; ``None`` when none had anything to score."""
        raise NotImplementedError


class TextMetric(Metric):
    """CER, WER and bag of words of the page's text (:class:`~.text.TextScore`)."""

    name = "text"
    description = "CER and WER of the text in reading order, bag-of-words precision, recall and F1"
    columns = ("cer", "wer", "bow_precision", "bow_recall", "bow_f1")
    shown = (("CER", "cer", True), ("WER", "wer", True), ("BoW F1", "bow_f1", False))

    def __init__(self, normalization: Normalization) -> None:
        super().__init__(normalization)
        self.score = TextScore(normalization)

    def update(self, truth: OcrResult, result: OcrResult | None) -> dict[str, Any]:
        text = result.text if result is not None else ""  # a failed image read nothing: every truth character is missed
        return dict(self.score.update(truth.text, text).figures())

    def summary(self) -> dict[str, Any] | None:
        return self.score.summary() if self.score.pages else None


def _texts(items: Any) -> list[str]:
    """Texts for the ICDAR matching: a do-not-care region's is ``###``."""
    return [DONT_CARE if is_dont_care(item) else item.text for item in items]


class WordDetection(Metric):
    """Detection by the ICDAR 2015 rules against the truth's words, and end to end (:class:`~.detection.DetectionScore`)."""

    name = "detection"
    description = "word detection precision, recall and H-mean (ICDAR 2015 rules), with end to end"
    columns: ClassVar[tuple[str, ...]] = ("det_precision", "det_recall", "det_hmean", "e2e_matched")
    shown: ClassVar[tuple[tuple[str, str, bool], ...]] = (("Det P", "precision", False), ("Det R", "recall", False), ("Det H", "hmean", False), ("E2E H", "e2e_hmean", False))
    #: which boxes of the reading ``match`` is about, for the report's viewer
    draws: ClassVar[str] = "words"

    def __init__(self, normalization: Normalization) -> None:
        super().__init__(normalization)
        self.score = DetectionScore()
        self.match: PageMatch | None = None  # the last image's, for drawing

    def update(self, truth: OcrResult, result: OcrResult | None) -> dict[str, Any]:
        self.match = None
        regions = truth_words(truth)
        if not regions:
            return {}
        words = result.words if result is not None else []
        self.match, e2e = self.score.update([r.quad for r in regions], _texts(regions), [w.quad for w in words],
                                            [w.text for w in words], self.normalization.apply)  # fmt: skip
        return {**{f"det_{k}": v for k, v in self.match.figures().items()}, "e2e_matched": e2e}

    def summary(self) -> dict[str, Any] | None:
        return self.score.summary() if self.score.pages else None


class LineDetection(Metric):
    """Detection by the ICDAR 2015 rules against the truth's lines."""

    name = "line_detection"
    description = "line detection precision, recall and H-mean (ICDAR 2015 rules)"
    columns = ("line_precision", "line_recall", "line_hmean")
    shown = (("Line H", "hmean", False),)
    draws: ClassVar[str] = "lines"

    def __init__(self, normalization: Normalization) -> None:
        super().__init__(normalization)
        self.score = DetectionScore()
        self.match: PageMatch | None = None

    def update(self, truth: OcrResult, result: OcrResult | None) -> dict[str, Any]:
        self.match = None
        regions = truth_lines(truth)
        if not regions:
            return {}
        lines = [line for _, line in result.iter_lines()] if result is not None else []
        self.match, _ = self.score.update([r.quad for r in regions], _texts(regions), [x.quad for x in lines],
                                          [x.text for x in lines], self.normalization.apply)  # fmt: skip
        return {f"line_{k}": v for k, v in self.match.figures().items()}

    def summary(self) -> dict[str, Any] | None:
        return self.score.summary() if self.score.pages else None


class EndToEnd(WordDetection):
    """The word detection's matched pairs that also read alike, as precision, recall and H-mean."""

    name = "end_to_end"
    description = "end to end: matched words whose normalised texts are equal"
    columns = ()
    shown = ()

    def update(self, truth: OcrResult, result: OcrResult | None) -> dict[str, Any]:
        super().update(truth, result)
        return {}

    def summary(self) -> dict[str, Any] | None:
        if not self.score.pages:
            return None
        detection = self.score.summary()
        return {"precision": detection["e2e_precision"], "recall": detection["e2e_recall"], "hmean": detection["e2e_hmean"],
                "matched": detection["e2e_matched"]}  # fmt: skip


class CLEvalMetric(Metric):
    """CLEval's character-level detection and end to end, with ``unified-ocr[cleval]`` (else ``None``)."""

    name = "cleval"
    description = f"CLEval character-level detection and end to end ({clevalscore.INSTALL})"

    def __init__(self, normalization: Normalization) -> None:
        super().__init__(normalization)
        available = clevalscore.available()
        self.score = clevalscore.CLEvalScore(case_sensitive=not normalization.fold_case) if available else None

    def update(self, truth: OcrResult, result: OcrResult | None) -> dict[str, Any]:
        regions = truth_words(truth)
        if self.score is None or not regions:
            return {}
        norm = self.normalization.apply
        words = result.words if result is not None else []
        self.score.update([r.quad for r in regions], [DONT_CARE if is_dont_care(r) else norm(r.text) for r in regions],
                          [w.quad for w in words], [norm(w.text) for w in words])  # fmt: skip
        return {}

    def summary(self) -> dict[str, Any] | None:
        return self.score.summary() if self.score is not None and self.score.pages else None


class FieldsMetric(Metric):
    """The share of the truth's named fields read exactly (after normalisation)."""

    name = "fields"
    description = "named fields read exactly"
    columns = ("fields_exact",)
    shown = (("Fields", "exact_rate", False),)

    def __init__(self, normalization: Normalization) -> None:
        super().__init__(normalization)
        self.total = self.equal = 0

    def update(self, truth: OcrResult, result: OcrResult | None) -> dict[str, Any]:
        fields = truth_fields(truth)
        if not fields:
            return {}
        norm = self.normalization.apply
        found = {f.name: f.text for page in result.pages for f in page.fields} if result is not None else {}
        equal = sum(norm(found.get(name, "")) == norm(value) for name, value in fields.items())
        self.total += len(fields)
        self.equal += equal
        return {"fields_exact": equal / len(fields)}

    def summary(self) -> dict[str, Any] | None:
        return {"fields": self.total, "exact": self.equal, "exact_rate": self.equal / self.total} if self.total else None


#: The built-in metrics, in the order of summary.json, images.csv and the report.
BUILT_IN: tuple[type[Metric], ...] = (TextMetric, WordDetection, LineDetection, EndToEnd, CLEvalMetric, FieldsMetric)
#: What summary.json keeps for each engine beside the metrics: no metric may take these names.
RESERVED = frozenset({"engine", "options", "speed", "calls", "calls_recorded", "retries", "failures", "cost"})
#: The columns images.csv has before any metric's.
RUN_COLUMNS = ("image", "engine", "ok", "error", "seconds", "cached", "attempts")


def installed(registry: Any = None) -> list[type[Metric]]:
    """Every installed metric, the built-in ones first in their order, then the plugins' by name.

    A metric whose name summary.json keeps for something else, or whose columns another
    metric has, is a :class:`~unified_ocr.errors.ConfigError` naming it.
    """
    from ..engines.registry import default_registry

    provided = (registry or default_registry()).all("metric")
    order = {cls: k for k, cls in enumerate(BUILT_IN)}
    metrics = sorted((p.cls for p in provided.values()), key=lambda cls: order.get(cls, len(order)))
    seen: dict[str, str] = {c: "images.csv" for c in (*RUN_COLUMNS, "truth_problem")}
    for metric in metrics:
        if metric.name in RESERVED:
            raise ConfigError(f"the metric {metric.name!r} ({provided[metric.name].origin}) takes a name summary.json keeps for "
                              f"{metric.name}; rename it")  # fmt: skip
        for column in getattr(metric, "columns", ()):
            if column in seen:
                raise ConfigError(f"the metric {metric.name!r} ({provided[metric.name].origin}) has a column {column!r} that "
                                  f"{seen[column]} has too; prefix its columns with its name ({metric.name}_{column})")  # fmt: skip
            seen[column] = f"the metric {metric.name!r}"
    return metrics
