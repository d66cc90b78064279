"""Metrics: accumulators that score a reading against its truth, image by image.

A :class:`Metric` is made once per engine of a comparison with the comparison's
:class:`~.normalize.Normalization`. ``update(truth, result)`` scores one image (both
:class:`~unified_ocr.OcrResult`: the truth page as :mod:`.truth` reads it, the engine's reading,
``None`` where the engine failed) and returns that image's figures; ``summary()`` returns the
figures over every image updated, or ``None`` when there were none. The comparison writes
the summary into ``summary.json`` under the metric's ``name``, the figures named in
``columns`` into ``images.csv``, and those named in ``shown`` into the report's summary table.

A metric whose figures are ratios of counts summed over the images (CER: edits over
characters) can say so, and then gets a confidence interval beside each figure and a paired
comparison between engines (:mod:`.uncertainty`, resampling images): it names its per-image
``counts``, gives the last image's through :meth:`Metric.image_counts`, and turns counts summed
over any images into its figures with :meth:`Metric.figures_from`. One that names no counts
gets neither, and is otherwise the same.

Metrics are provided through the ``register_metrics`` hook: the built-in ones (:data:`BUILT_IN`,
registered by :mod:`unified_ocr.evaluation.plugin`) as any plugin's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from ..errors import ConfigError
from ..model import OcrResult
from . import clevalscore
from .detection import DONT_CARE, DetectionScore, PageMatch
from .normalize import Normalization
from .text import PageText, TextScore
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

    #: the counts of one image its figures are made of (edits, characters, ...); none: no intervals
    counts: ClassVar[tuple[str, ...]] = ()

    def image_counts(self) -> Mapping[str, float] | None:
        """The ``counts`` of the image last updated; ``None`` when it had nothing to score."""
        return None

    @classmethod
    def figures_from(cls, sums: Mapping[str, float]) -> dict[str, float | None]:
        """The figures of :meth:`summary` from the ``counts`` summed over some images (pure; ``None``
        where there is nothing to divide by). Each gets an interval (``NAME_ci`` beside it)."""
        return {}

    @classmethod
    def lower_is_better(cls, figure: str) -> bool:
        """Whether a lower ``figure`` is the better one (as ``shown`` says; a figure not shown: higher is better)."""
        return any(key == figure and lower for _, key, lower in cls.shown)


class TextMetric(Metric):
    """CER, WER and bag of words of the page's text (:class:`~.text.TextScore`)."""

    name = "text"
    description = "CER and WER of the text in reading order, bag-of-words precision, recall and F1"
    columns = ("cer", "wer", "bow_precision", "bow_recall", "bow_f1", "cer_no_spaces", "spacing_error_rate")
    shown = (("CER", "cer", True), ("WER", "wer", True), ("BoW F1", "bow_f1", False), ("CER no spaces", "cer_no_spaces", True),
             ("Spacing", "spacing_error_rate", True))  # fmt: skip

    #: every integer count of a page's text (:class:`~.text.PageText`): a count added there is resampled too
    counts = tuple(f.name for f in attrs.fields(PageText) if f.type in (int, "int"))

    def __init__(self, normalization: Normalization) -> None:
        super().__init__(normalization)
        self.score = TextScore(normalization)
        self.last: PageText | None = None

    def update(self, truth: OcrResult, result: OcrResult | None) -> dict[str, Any]:
        text = result.text if result is not None else ""  # a failed image read nothing: every truth character is missed
        self.last = self.score.update(truth.text, text)
        return dict(self.last.figures())

    def summary(self) -> dict[str, Any] | None:
        return self.score.summary() if self.score.pages else None

    def image_counts(self) -> Mapping[str, float] | None:
        return attrs.asdict(self.last) if self.last is not None else None

    @classmethod
    def figures_from(cls, sums: Mapping[str, float]) -> dict[str, float | None]:
        return PageText(**{name: sums[name] for name in cls.counts}).figures()  # type: ignore[arg-type]

    @classmethod
    def lower_is_better(cls, figure: str) -> bool:
        return not figure.startswith("bow_")  # error rates, but the bag of words' precision, recall and F1


#: The counts of one page the ICDAR figures are made of.
DETECTION_COUNTS = ("matched", "truth_care", "detection_care", "e2e_matched")


def _detection_figures(sums: Mapping[str, float]) -> dict[str, Any]:
    """:meth:`DetectionScore.summary` over summed counts: its own formulas, so the figures are the same."""
    score = DetectionScore()
    score.matched, score.truth_care, score.detection_care, score.e2e_matched = (sums[k] for k in DETECTION_COUNTS)  # type: ignore[assignment]
    return score.summary()


def _ratio_figures(sums: Mapping[str, float]) -> dict[str, float | None]:
    """Detection and end-to-end precision, recall and H-mean from :data:`DETECTION_COUNTS` summed."""
    figures = _detection_figures(sums)
    return {k: figures[k] for k in ("precision", "recall", "hmean", "e2e_precision", "e2e_recall", "e2e_hmean")}


def _match_counts(match: PageMatch | None, e2e: int) -> dict[str, float] | None:
    """One page's :data:`DETECTION_COUNTS` (``None``: the page was not scored)."""
    if match is None:
        return None
    return {"matched": match.matched, "truth_care": match.truth_care, "detection_care": match.detection_care, "e2e_matched": e2e}


def _texts(items: Any) -> list[str]:
    """Texts for the ICDAR matching: a do-not-care region's is ``###``."""
    return [DONT_CARE if is_dont_care(item) else item.text for item in items]


class _Detection(Metric):
    """Detection by the ICDAR 2015 rules against one level of the truth's regions
    (:class:`~.detection.DetectionScore`): subclasses say which regions and which boxes."""

    #: which boxes of the reading ``match`` is about, for the report's viewer
    draws: ClassVar[str]
    #: the images.csv name of each of the page's figures: ``{prefix}{figure}``
    prefix: ClassVar[str]
    counts = DETECTION_COUNTS

    def __init__(self, normalization: Normalization) -> None:
        super().__init__(normalization)
        self.score = DetectionScore()
        self.match: PageMatch | None = None  # the last image's, for drawing
        self.e2e = 0  # the last image's matched pairs that read alike

    def regions(self, truth: OcrResult) -> list[Any]:
        raise NotImplementedError

    def items(self, result: OcrResult) -> list[Any]:
        raise NotImplementedError

    def update(self, truth: OcrResult, result: OcrResult | None) -> dict[str, Any]:
        self.match = None
        regions = self.regions(truth)
        if not regions:
            return {}
        found = self.items(result) if result is not None else []
        self.match, self.e2e = self.score.update([r.quad for r in regions], _texts(regions), [x.quad for x in found],
                                                 [x.text for x in found], self.normalization.apply)  # fmt: skip
        return {f"{self.prefix}{k}": v for k, v in self.match.figures().items()}

    def summary(self) -> dict[str, Any] | None:
        return self.score.summary() if self.score.pages else None

    def image_counts(self) -> Mapping[str, float] | None:
        return _match_counts(self.match, self.e2e)

    @classmethod
    def figures_from(cls, sums: Mapping[str, float]) -> dict[str, float | None]:
        return _ratio_figures(sums)

    @classmethod
    def lower_is_better(cls, figure: str) -> bool:
        return False  # precision, recall, H-mean: higher is better


class WordDetection(_Detection):
    """Detection by the ICDAR 2015 rules against the truth's words, and end to end."""

    name = "detection"
    description = "word detection precision, recall and H-mean (ICDAR 2015 rules), with end to end"
    columns: ClassVar[tuple[str, ...]] = ("det_precision", "det_recall", "det_hmean", "e2e_matched")
    shown: ClassVar[tuple[tuple[str, str, bool], ...]] = (("Det P", "precision", False), ("Det R", "recall", False), ("Det H", "hmean", False), ("E2E H", "e2e_hmean", False))
    draws: ClassVar[str] = "words"
    prefix: ClassVar[str] = "det_"

    def regions(self, truth: OcrResult) -> list[Any]:
        return truth_words(truth)

    def items(self, result: OcrResult) -> list[Any]:
        return result.words

    def update(self, truth: OcrResult, result: OcrResult | None) -> dict[str, Any]:
        figures = super().update(truth, result)
        return {**figures, "e2e_matched": self.e2e} if figures else figures


class LineDetection(_Detection):
    """Detection by the ICDAR 2015 rules against the truth's lines."""

    name = "line_detection"
    description = "line detection precision, recall and H-mean (ICDAR 2015 rules)"
    columns = ("line_precision", "line_recall", "line_hmean")
    shown = (("Line H", "hmean", False),)
    draws: ClassVar[str] = "lines"
    prefix: ClassVar[str] = "line_"

    def regions(self, truth: OcrResult) -> list[Any]:
        return truth_lines(truth)

    def items(self, result: OcrResult) -> list[Any]:
        return [line for _, line in result.iter_lines()]


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

    @classmethod
    def figures_from(cls, sums: Mapping[str, float]) -> dict[str, float | None]:
        figures = _detection_figures(sums)
        return {"precision": figures["e2e_precision"], "recall": figures["e2e_recall"], "hmean": figures["e2e_hmean"]}


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

    counts = ("fields", "exact")

    def __init__(self, normalization: Normalization) -> None:
        super().__init__(normalization)
        self.total = self.equal = 0
        self.last: dict[str, float] | None = None

    def update(self, truth: OcrResult, result: OcrResult | None) -> dict[str, Any]:
        self.last = None
        fields = truth_fields(truth)
        if not fields:
            return {}
        norm = self.normalization.apply
        found = {f.name: f.text for page in result.pages for f in page.fields} if result is not None else {}
        equal = sum(norm(found.get(name, "")) == norm(value) for name, value in fields.items())
        self.total += len(fields)
        self.equal += equal
        self.last = {"fields": len(fields), "exact": equal}
        return {"fields_exact": equal / len(fields)}

    def summary(self) -> dict[str, Any] | None:
        return {"fields": self.total, "exact": self.equal, "exact_rate": self.equal / self.total} if self.total else None

    def image_counts(self) -> Mapping[str, float] | None:
        return self.last

    @classmethod
    def figures_from(cls, sums: Mapping[str, float]) -> dict[str, float | None]:
        return {"exact_rate": sums["exact"] / sums["fields"] if sums["fields"] else None}


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
    from .plugin import register_metrics  # the built-in ones: BUILT_IN, and those in modules of their own (tables)

    provided = (registry or default_registry()).all("metric")
    order = {cls: k for k, cls in enumerate(register_metrics())}
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
