"""The dataset job, for a Python caller as for ``unified-ocr dataset``: images in, a labelled dataset out.

::

    report = unified_ocr.dataset(["scans/"], "ds/", "dtrb", engines=["clova", "kakao"], min_agree=2)
    report.summary["kept"], report.problems

Labels come from engines (every engine reads every image through
:func:`~unified_ocr.batch.readings.read_set` into ``DIR/runs/``, as compare does, so a rebuild
makes no call) or from ground truth (the truth readers compare uses). Then
:func:`~.build.build_dataset` cuts and writes, resumably. One image that no engine read, or
whose truth cannot be read, is a problem said on ``stream`` and counted, never the end.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

import attrs

from ..batch.inputs import image_list
from ..batch.options import RunOptions
from ..batch.readings import choose_engines, read_set
from ..config.choice import ConfigLike, EngineLike
from ..config.profiles import Config, load_config
from ..engines.registry import default_registry
from ..errors import ConfigError, TruthError, UnknownEngineError
from ..evaluation.truth import TruthIndex
from .build import SUMMARY, DatasetBuilder, LabelledSource, build_dataset
from .build_options import BuildOptions
from .labels import from_results, from_truth
from .lock import dataset_lock
from .records import Tally
from .writers import DatasetWriter


@attrs.frozen(slots=True)
class DatasetReport:
    """How a build ended: the folder's ``summary.json`` and every image that gave no samples, and why."""

    out: Path
    summary: dict[str, Any]
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def dataset_writer(name: str) -> type[DatasetWriter]:
    """The installed dataset format ``name``, ready to use; a :class:`ConfigError` says why not."""
    try:
        writer: type[DatasetWriter] = default_registry().get("dataset_writer", name)
    except UnknownEngineError as exc:
        raise ConfigError(str(exc)) from None
    reason = writer.unavailable_reason()
    if reason:
        raise ConfigError(reason)
    return writer


def dataset(
    sources: Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    format: str,
    *,
    engines: Sequence[EngineLike] = (),
    truth: str | os.PathLike[str] | None = None,
    config: ConfigLike = None,
    truth_format: str | None = None,
    truth_encoding: str | None = None,
    min_agree: int | None = None,
    build: BuildOptions | None = None,
    options: RunOptions | None = None,
    stream: IO[str] | None = None,
    **run_options: Any,
) -> DatasetReport:
    """Crop the words or lines of ``sources`` (files, folders, lists of paths) into a dataset in ``out``.

    ``format`` is an installed dataset format (``dtrb``, ``paddleocr-rec``, ...; ``unified-ocr
    dataset --list``). Label with ``engines`` (with ``min_agree``, that many must read a region
    alike; all of them by default) or with ``truth`` (a folder matched to the images as compare
    matches it, or one file), one of the two. ``build`` says how crops are cut, filtered and
    split (:class:`~.build_options.BuildOptions`); ``options`` (or its fields as keywords) how
    the engines run. Running it again with the same ``out`` resumes and writes nothing twice;
    a folder built with other settings is refused before any call.
    """
    build = build or BuildOptions()
    run = RunOptions.merged(options, **run_options)
    stream = stream if stream is not None else sys.stderr
    writer = dataset_writer(format)
    if bool(engines) == (truth is not None):
        raise ConfigError("label with --engine NAME (once per engine) or with --truth PATH, one of the two")
    if min_agree is not None and min_agree > len(engines):
        raise ConfigError(f"--min-agree {min_agree} needs at least {min_agree} engines; {len(engines)} given")
    images = image_list(sources)  # walked once (an ImageList a caller walked already is taken as it is)
    if not images:
        raise ConfigError(f"no images in {', '.join(str(s) for s in sources) or 'the inputs'}")
    folder = Path(out)
    cfg = config if isinstance(config, Config) else load_config(config)
    choices = choose_engines(engines, cfg) if engines else []
    index = TruthIndex(truth, truth_format, images=images, encoding=truth_encoding) if truth is not None else None
    agree = min_agree or len(choices)
    labels = f"engines={','.join(c.label for c in choices)};min_agree={agree}" if choices else f"truth={truth}"
    DatasetBuilder(folder, writer, build, labels).close()  # another setting in DIR stops here, before any call
    problems: list[str] = []

    def problem(message: str) -> None:
        problems.append(message)
        print(f"error: {message}", file=stream)

    with ExitStack() as held:
        held.enter_context(dataset_lock(folder))  # until the end: a second build into DIR is refused, naming this one
        labelled: list[LabelledSource] = []
        if choices:
            for image, readings in read_set(images, choices, cfg, run, out=folder, stream=stream):  # into DIR/runs/
                results = {label: reading.result for label, reading in readings.items()}
                if all(r is None for r in results.values()):
                    problem(f"{image}: no engine read it ({'; '.join(f'{k}: {r.error}' for k, r in readings.items())})")
                    continue
                tally = Tally()
                regions = from_results(results, build.level, agree, tally)
                labelled.append(LabelledSource(image, tuple(regions), dict(tally.dropped)))
        else:
            assert index is not None
            for image in images:
                try:
                    page = index.read(image)
                except TruthError as exc:
                    problem(str(exc))
                    continue
                if page is None:
                    problem(f"{image}: no truth file for it in {truth}")
                    continue
                labelled.append(LabelledSource(image, tuple(from_truth(page, build.level))))
        _cut(labelled, folder, writer, build, labels, problem, stream)
    summary = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
    return DatasetReport(folder, summary, tuple(problems))


def _cut(labelled: list[LabelledSource], out: Path, writer: type[DatasetWriter], build: BuildOptions, labels: str,
         problem: Any, stream: IO[str]) -> None:  # fmt: skip
    """Cut and write every labelled source: pages on threads (OpenCV lets go of the GIL), one writer."""
    seen = [0]
    progress = getattr(stream, "isatty", lambda: False)() and len(labelled) > 1

    def said(source: LabelledSource, outcome: Tally | Exception) -> None:
        seen[0] += 1
        if isinstance(outcome, Exception):
            problem(str(outcome))
        elif progress:
            end = "\n" if seen[0] == len(labelled) else ""
            print(f"\r[{seen[0]}/{len(labelled)}] cropping", end=end, file=stream, flush=True)

    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        build_dataset(labelled, out, writer, build, labels=labels, executor=pool, on_source=said)

