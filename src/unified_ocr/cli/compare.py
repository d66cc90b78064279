"""``compare``: the same images through several engines, scored against truth or each other."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from ..api import planned_calls
from ..batch.inputs import image_list
from ..batch.options import RunOptions
from ..batch.readings import choose_engines
from ..comparison import compare as run_compare
from ..config.choice import EngineChoice
from ..config.profiles import Config, load_config
from ..errors import ConfigError, UnifiedOcrError
from ..evaluation.normalize import Normalization
from ..evaluation.truth import check_encoding, format_names
from .common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, RETRY_FAILED_HELP, config_errors_exit, run_options, say


def _truth_encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    try:
        return check_encoding(value) if value else None
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None


#: ``--truth-encoding``, for every command that reads truth files (compare, dataset).
truth_encoding_option = click.option(
    "--truth-encoding", callback=_truth_encoding, metavar="NAME",
    help="The text encoding of the truth files: auto (UTF-8, then CP949, the Korean Windows encoding that holds "
         "EUC-KR) or any Python codec name (cp949, euc-kr, shift_jis, latin-1) [default: UTF-8, with or without BOM].",
)  # fmt: skip


def _normalization(ctx: click.Context, param: click.Parameter, value: str | None) -> Normalization:
    try:
        return Normalization.from_names(value) if value else Normalization()
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-e", "--engine", "engines", multiple=True, required=True, metavar="NAME",
              help="A profile or engine to compare; give it once per engine (two or more to see agreement).")
@click.option("-t", "--truth", type=click.Path(exists=True, path_type=Path), metavar="PATH",
              help="Ground truth: a folder or one file. A folder's files match images by place (gt/a/x.txt for img/a/x.png), "
                   "else by stem (STEM.* or gt_STEM.*) where no other image shares it.")
@click.option("--truth-format", type=click.Choice(format_names()),
              help="Read every truth file as this format [default: told from each file's content].")
@truth_encoding_option
@click.option("--truth-level", type=click.Choice(["auto", "words", "lines"]), default="auto", show_default=True,
              help="Whether the regions of ICDAR-style truth (x1,y1,...,text) are words or lines; auto decides over the "
                   "whole set (lines when more than one region in four holds a space).")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("comparison"), show_default=True,
              metavar="DIR", help="Where the report goes (summary.json, images.csv, report.html) and each engine's run; "
                                  "run the same command again to resume.")
@click.option("--normalize", "normalization", callback=_normalization, metavar="OPTS",
              help="What is forgiven before texts are compared, comma-separated: fold-case, drop-whitespace, jamo "
                   "(Korean scored per jamo), no-nfkc, no-collapse-whitespace, an installed normaliser's name (a plugin's; "
                   "an unknown name lists them), or none [default: NFKC, whitespace runs collapsed].")
@click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.05, show_default=True,
              help="The level of the intervals (1 - alpha: 95 %) and of a significant difference between two engines.")
@click.option("--resamples", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Bootstrap resamples of the images for each interval and paired comparison; 0 turns them off.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the resampling: the same seed gives the same intervals and p-values.")
@run_options()
@click.option("--retry-failed", is_flag=True, help=RETRY_FAILED_HELP)
@click.option("--dry-run", is_flag=True, help="Print the calls each engine would make (and their cost where a profile "
                                              "sets price_per_1000); make none.")
def compare(inputs: tuple[str, ...], engines: tuple[str, ...], truth: Path | None, truth_format: str | None,
            truth_encoding: str | None, truth_level: str, out: Path,
            normalization: Normalization, alpha: float, resamples: int, seed: int, config: Path | None, run: RunOptions,
            dry_run: bool) -> None:  # fmt: skip
    """Compare engines on the same images: accuracy, agreement, speed and cost.

    INPUT is as in batch: images, folders of them, or lists of paths. Every engine reads
    every image through the batch runner into DIR/runs/PROFILE-HASH/ (journal, results, result
    cache, retries, rate limits), so running the same comparison again makes no calls and an
    interrupted one resumes. With --truth each reading is scored: CER, WER and bag-of-words
    F1 of the text; detection precision, recall and H-mean by the ICDAR 2015 rules; end to
    end; named fields. Without it, engines are scored against each other. The report:
    DIR/summary.json, DIR/images.csv, DIR/disagreements.csv and DIR/report.html (open it in
    a browser; it needs no network).

    \b
    Example:
      unified-ocr compare scans/ --truth scans-gt/ --engine rapidocr --engine clova --out cmp/
    """
    with config_errors_exit():
        cfg = load_config(config)
        choices = choose_engines(engines, cfg)  # an engine that cannot run stops here, exit 2, before any call
        images = image_list(inputs)  # walked once, for every step after
        if not images:
            click.echo(f"error: no images in {', '.join(inputs)}", err=True)
            sys.exit(EXIT_USAGE)
    if dry_run:
        _dry_run(images, choices, cfg, run)
        return
    try:
        with config_errors_exit():
            comparison = run_compare(images, choices, truth, cfg, truth_format=truth_format, truth_level=truth_level,
                                     truth_encoding=truth_encoding,
                                     normalization=normalization, out=out, options=run, alpha=alpha, resamples=resamples,
                                     seed=seed)  # fmt: skip
    except KeyboardInterrupt:
        click.echo("interrupted: each engine's journal holds what finished; run the same command again to go on", err=True)
        sys.exit(EXIT_INTERRUPTED)
    summary = comparison.summary
    for label in comparison.engines:
        s = summary["engines"][label]
        parts = [f"{label}:"]
        if s["text"]:
            parts.append(f"CER {_f(s['text']['cer'])}, WER {_f(s['text']['wer'])}")
        for key, name in (("detection", "word H-mean"), ("line_detection", "line H-mean")):
            if s[key]:
                parts.append(f"{name} {_f(s[key]['hmean'])} (P {_f(s[key]['precision'])}, R {_f(s[key]['recall'])})")
        parts.append(f"calls {s['calls']}")
        if s["failures"]:
            parts.append("failed: " + ", ".join(f"{k} {n}" for k, n in s["failures"].items()))
        click.echo("  ".join(parts), err=True)
    if summary["truth"] and summary["truth"]["problems"]:
        click.echo(f"truth: {len(summary['truth']['problems'])} image(s) without usable truth (listed in summary.json)", err=True)
    click.echo(f"report: {out / 'report.html'}", err=True)
    if summary["truth"] and not summary["truth"]["images_with_truth"]:
        first = summary["truth"]["problems"][0]["problem"] if summary["truth"]["problems"] else "no image"
        say(f"error: no truth file could be read, so nothing was scored against truth (the first problem: {first})")
        sys.exit(EXIT_FAILED)
    if any(s["failures"] for s in summary["engines"].values()):
        sys.exit(EXIT_FAILED)


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _dry_run(images: Sequence[str], choices: list[EngineChoice], cfg: Config, run: RunOptions) -> None:
    """Count the calls each engine would make (cache hits make none), and what they cost."""
    for choice in choices:
        calls = cached = bad = 0
        for image in images:
            try:
                n = planned_calls(image, choice, cfg, dpi=run.dpi, cache=run.cache or False)
            except UnifiedOcrError:
                bad += 1  # said when the real run reaches it
                continue
            calls += n
            cached += n == 0
        line = f"{choice.label}: {calls} call(s) for {len(images)} image(s) ({cached} answered from the cache"
        line += f", {bad} unreadable)" if bad else ")"
        if choice.price_per_1000 is not None:
            line += f", cost {calls * choice.price_per_1000 / 1000:.4f} at {choice.price_per_1000:g} per 1,000 calls"
        click.echo(line)
