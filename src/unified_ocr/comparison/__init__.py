"""Compare engines on the same images: accuracy against ground truth, agreement without it,
speed and cost, and a report a person can look at.

::

    comparison = unified_ocr.compare(["scans/"], engines=["rapidocr", "clova"], truth="scans-gt/")
    comparison.summary["engines"]["clova"]["text"]["cer"]
    comparison.write("report/")          # summary.json, images.csv, report.html, ...

The pipeline runs one way: :mod:`.run` reads every image with every engine through the batch
runner (cache, journal, retries, rate limits), :mod:`.score` scores the readings with
:mod:`unified_ocr.evaluation`, :mod:`.report` writes what was scored.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Iterable, Sequence
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from pathlib import Path
from typing import IO, Any

from ..batch.inputs import image_list
from ..batch.options import RunOptions
from ..batch.readings import Reading, choose_engines, read_set
from ..config.choice import ConfigLike, EngineChoice, EngineLike
from ..errors import ConfigError, TruthError
from ..evaluation.detection import PageMatch
from ..evaluation.metrics import Metric, installed
from ..evaluation.normalize import Normalization
from ..evaluation.truth import TruthIndex, about, has_boxes, settle_levels, truth_words
from ..model import OcrResult
from .categories import score_categories
from .score import EngineScore, Resampling, add_intervals, agreement, paired_comparisons

__all__ = ["Comparison", "Reading", "compare"]

SCHEMA = "unified-ocr/comparison"
SCHEMA_VERSION = 1


class Comparison:
    """What :func:`compare` found: readings, truths and figures, per image and per engine.

    ``summary`` is the document written as ``summary.json`` (its shape is documented in
    docs/compare.md and kept stable); ``image(i)`` gives one image's readings and figures.
    """

    def __init__(self, images: list[str], choices: list[EngineChoice], readings: dict[str, list[Reading]],
                 truths: list[OcrResult | None], truth_errors: list[str | None], figures: list[dict[str, dict[str, Any]]],
                 matches: list[dict[str, dict[str, PageMatch]]], summary: dict[str, Any], disagreements: list[Any],
                 normalization: Normalization, out: Path | None, metrics: Sequence[type[Metric]] | None = None) -> None:  # fmt: skip
        self.images = images
        self.choices = choices
        self.engines = [c.label for c in choices]
        self.readings = readings
        self.truths = truths
        self.truth_errors = truth_errors
        self.figures = figures
        self.matches = matches
        self.summary = summary
        self.disagreements = disagreements
        self.normalization = normalization
        self.out = out
        #: the metrics that scored it, in the order of summary.json and images.csv
        self.metrics = list(installed() if metrics is None else metrics)

    def __repr__(self) -> str:
        return f"<Comparison of {len(self.engines)} engine(s) on {len(self.images)} image(s)>"

    def __len__(self) -> int:
        return len(self.images)

    def image(self, which: int | str) -> dict[str, Any]:
        """One image: its source, truth, and each engine's reading and figures."""
        index = which if isinstance(which, int) else self.images.index(which)
        return {
            "source": self.images[index],
            "truth": self.truths[index],
            "truth_error": self.truth_errors[index],
            "readings": {e: self.readings[e][index] for e in self.engines},
            "figures": self.figures[index],
        }

    def write(self, out: str | os.PathLike[str], *, secrets: Sequence[str] = ()) -> Path:
        """Write the report into ``out``: ``summary.json``, ``images.csv``, ``disagreements.csv``,
        each engine's results, and ``report.html``. ``secrets`` are strings that must appear in
        no file (the report never holds one; this is checked, and a hit is redacted)."""
        from .report import write_report

        return write_report(self, Path(out), secrets=secrets)


def compare(
    sources: Iterable[str | os.PathLike[str]],
    engines: Sequence[EngineLike],
    truth: str | os.PathLike[str] | None = None,
    config: ConfigLike = None,
    *,
    truth_format: str | None = None,
    truth_level: str = "auto",
    truth_encoding: str | None = None,
    normalization: Normalization | None = None,
    out: str | os.PathLike[str] | None = None,
    stream: IO[str] | None = None,
    options: RunOptions | None = None,
    alpha: float = 0.05,
    resamples: int = 1000,
    seed: int = 0,
    **run_options: Any,
) -> Comparison:
    """Read ``sources`` (files, folders, lists of paths) with every engine and score them.

    ``truth`` is a folder (or one file) of ground truth, matched to each image by its
    place (``gt/a/x.txt`` for ``img/a/x.png``), else by a stem no other image has (``STEM.*`` or
    ``gt_STEM.*``; see :class:`~unified_ocr.evaluation.truth.TruthIndex`), its format told from the content unless ``truth_format``
    names it; ``truth_level`` says whether ICDAR-style regions are ``words`` or ``lines``
    (``auto``: decided over the whole set); ``truth_encoding`` is the truth files' text encoding
    (UTF-8 unless named; ``auto`` tries UTF-8, then CP949). ``options`` (a
    :class:`~unified_ocr.batch.options.RunOptions`), or its fields named as keywords (``concurrency``,
    ``rate_limit``, ``retries``, ``cache``, ``dpi``, ``executor``), go to each engine's run. With ``out`` every engine runs as a resumable batch into
    ``out/runs/<profile>-<hash>/`` and the report is written there too.

    Each figure gets a 1 - ``alpha`` interval (``NAME_ci``) from ``resamples`` bootstrap
    resamples of the images, and every two engines a paired comparison (``pairs``), all drawn
    from ``seed`` (``resamples=0``: neither).
    """
    normalization = normalization or Normalization()
    resampling = _resampling(alpha, resamples, seed)
    if truth_level not in ("auto", "words", "lines"):
        raise ConfigError(f"truth_level must be auto, words or lines; got {truth_level!r}")
    run = RunOptions.merged(options, **run_options)
    choices = choose_engines(engines, config)  # an engine that cannot run stops here, before any call
    images = image_list(sources)  # walked once (an ImageList a caller walked already is taken as it is)
    if not images:
        raise ConfigError("no images to compare: give image files, folders of them, or lists of paths")
    index = TruthIndex(truth, truth_format, images=images, encoding=truth_encoding) if truth is not None else None
    metrics = installed()  # a plugin metric that clashes with another stops here, before any call
    folder = Path(out) if out is not None else None
    read = read_set(images, choices, config, run, out=folder, stream=stream)
    readings, calls = read.by_engine, read.calls

    truths: list[OcrResult | None] = []  # each a truth page: see unified_ocr.evaluation.truth
    truth_errors: list[str | None] = []
    for image in images:
        page, error = None, None
        if index is not None:
            try:
                page = index.read(image)
                error = None if page is not None else "no truth file matches this image"
            except TruthError as exc:
                error = str(exc)
        truths.append(page)
        truth_errors.append(error)
    truths = settle_levels(truths, truth_level)

    scores = {c.label: EngineScore(c.label, normalization, c.price_per_1000, metrics) for c in choices}
    figures: list[dict[str, dict[str, Any]]] = []
    matches: list[dict[str, dict[str, PageMatch]]] = []
    for k, page in enumerate(truths):
        row, drawn = {}, {}
        for label in scores:
            row[label], drawn[label] = scores[label].add(readings[label][k], page)
        figures.append(row)
        matches.append(drawn)
    pairs, disagreements = agreement(readings, normalization)
    summary = _summary(list(images), choices, scores, calls, pairs, disagreements, truths, truth_errors, index, normalization)
    summary["categories"] = score_categories(images, readings, truths, metrics, normalization)  # receipts/ apart from forms/
    if resampling is not None:
        for label, score in scores.items():
            add_intervals(score, summary["engines"][label], resampling)
        summary["statistics"] = resampling.describe()
        summary["pairs"] = paired_comparisons(scores, resampling)
    comparison = Comparison(list(images), choices, readings, truths, truth_errors, figures, matches, summary, disagreements,
                            normalization, folder, metrics)  # fmt: skip
    if folder is not None:
        comparison.write(folder)
    return comparison


def _summary(images: list[str], choices: list[EngineChoice], scores: dict[str, EngineScore], calls: dict[str, int],
             pairs: list[dict[str, Any]], disagreements: list[Any], truths: list[OcrResult | None],
             truth_errors: list[str | None], index: TruthIndex | None, normalization: Normalization) -> dict[str, Any]:  # fmt: skip
    engines = {}
    for choice in choices:
        fingerprint = choice.engine.fingerprint(choice.options)  # never a secret, timeout or retry count
        engines[choice.label] = {"engine": choice.engine.name, "options": fingerprint["options"],
                                 **scores[choice.label].summary(calls.get(choice.label, 0))}  # fmt: skip
    truth: dict[str, Any] | None = None
    if index is not None:
        truth = {
            "path": str(index.where),
            "format": index.format,
            "images_with_truth": sum(t is not None for t in truths),
            "formats": sorted({about(t)["format"] for t in truths if t is not None}),
            "levels": sorted({"words" if truth_words(t) else "lines" for t in truths if t is not None and has_boxes(t)}),
            "problems": [{"image": img, "problem": err} for img, err in zip(images, truth_errors) if err],
            "unused_files": [str(p) for p in index.unused()],
        }
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "images": len(images),
        "normalization": normalization.describe(),
        "truth": truth,
        "engines": engines,
        "agreement": {"pairs": pairs, "disagreements": len(disagreements)},
        "statistics": None,  # how the intervals and pairs were made; None: not made (resamples=0)
        "pairs": [],  # every two engines, each figure, over the images both read
        "versions": _versions(choices),
    }


def _resampling(alpha: float, resamples: int, seed: int) -> Resampling | None:
    """The statistics' settings, checked; ``None`` when ``resamples`` is 0 (no statistics)."""
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must be between 0 and 1 (0.05 for 95 % intervals); got {alpha!r}")
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 0:
        raise ConfigError(f"resamples must be a whole number, 0 or more (1000 is usual; 0 turns the statistics off); got {resamples!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"seed must be a whole number, 0 or more; got {seed!r}")
    return Resampling(alpha=alpha, resamples=resamples, seed=seed) if resamples else None


def _versions(choices: list[EngineChoice]) -> dict[str, str]:
    """Python's, the scoring libraries', and those of the distributions the engines come from."""
    names = ["unified-ocr", "rapidfuzz", "shapely"]
    owners = packages_distributions()
    for choice in choices:
        names.extend(owners.get(choice.engine.__module__.split(".")[0], []))
    out = {"python": platform.python_version()}
    for name in dict.fromkeys(names):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out
