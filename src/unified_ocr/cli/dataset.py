"""``dataset``: word or line crops with trusted labels, in the formats recognition trainers read."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..batch.options import RunOptions
from ..datasets import BuildOptions, Filters, read_charset
from ..datasets.job import dataset as make_dataset
from ..datasets.splits import DEFAULT_SPLIT
from ..errors import ConfigError
from ..evaluation.truth import format_names
from .common import EXIT_FAILED, EXIT_INTERRUPTED, config_errors_exit, list_option, run_options
from .compare import truth_encoding_option


@click.command()
@click.argument("inputs", nargs=-1, metavar="INPUT...")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="The dataset folder (required); running the same command again resumes it and writes nothing twice.")
@click.option("-f", "--format", "fmt", metavar="FORMAT",
              help="dtrb, paddleocr-rec, paddleocr-det, mmocr-rec, mmocr-det, doctr-rec, hf-imagefolder, icdar, or a "
                   "plugin's (--list) (required).")
@click.option("-e", "--engine", "engines", multiple=True, metavar="NAME",
              help="Label with this profile or engine; give it once per engine (with --min-agree, several must agree).")
@click.option("-t", "--truth", type=click.Path(exists=True, path_type=Path), metavar="PATH",
              help="Label from ground truth instead (a folder's files matched by place or unshared stem as in compare, or one "
                   "file): ICDAR-style, "
                   "FUNSD, PAGE-XML, ALTO, hOCR or unified-ocr JSON.")
@click.option("--truth-format", type=click.Choice(format_names()), help="Read every truth file as this format.")
@truth_encoding_option
@click.option("--level", type=click.Choice(["word", "line"]), default="word", show_default=True, help="Crop words or lines.")
@click.option("--split", "split", default=DEFAULT_SPLIT, show_default=True, metavar="NAME=SHARE,...",
              help="Splits and their shares; every crop of one image goes to one split, chosen by the image's bytes.")
@click.option("--seed", type=int, default=0, show_default=True, help="Changes which images go to which split.")
@click.option("--min-agree", type=click.IntRange(min=1), metavar="N",
              help="Keep a region only where N engines found a matching quad (IoU > 0.5) with the same normalised text "
                   "[default: all the engines given].")
@click.option("--min-confidence", type=click.FloatRange(0, 1), metavar="C", help="Drop labels an engine was less sure of.")
@click.option("--min-height", type=click.IntRange(min=0), default=0, metavar="PX", help="Drop crops lower than this.")
@click.option("--min-length", type=click.IntRange(min=1), default=1, show_default=True, help="Shortest label, in characters.")
@click.option("--max-length", type=click.IntRange(min=1), default=100, show_default=True, help="Longest label, in characters.")
@click.option("--charset", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
              help="The characters a label may hold (one or more a line, as PaddleOCR's dictionaries).")
@click.option("--charset-replace", metavar="CHAR", help="Put CHAR in place of characters outside --charset, instead of dropping the label.")
@click.option("--pattern", metavar="REGEX", help="Keep only labels the whole of which match this regular expression.")
@click.option("--vertical", type=click.Choice(["keep", "rotate", "drop"]), default="keep", show_default=True,
              help="Vertical text (taller than wide once upright): keep it, turn it 90 degrees to read left to right, or drop it.")
@click.option("--padding", type=click.FloatRange(0, 2), default=0.0, show_default=True, help="Margin around each crop, a share of its height.")
@click.option("--no-rectify", is_flag=True, help="Cut the upright bounding box instead of the turned text made upright.")
@click.option("--image-format", type=click.Choice(["png", "jpg"]), default="png", show_default=True)
@click.option("--quality", type=click.IntRange(1, 100), default=95, show_default=True, help="JPEG quality.")
@list_option("dataset_writer", "kind", 15)
@run_options()
def dataset(inputs: tuple[str, ...], out: Path | None, fmt: str | None, engines: tuple[str, ...], truth: Path | None,
            truth_format: str | None, truth_encoding: str | None, level: str, split: str, seed: int, min_agree: int | None,
            min_confidence: float | None,
            min_height: int, min_length: int, max_length: int, charset: Path | None, charset_replace: str | None,
            pattern: str | None, vertical: str, padding: float, no_rectify: bool, image_format: str, quality: int,
            config: Path | None, run: RunOptions) -> None:  # fmt: skip
    """Crop words or lines of INPUT images into a training dataset, labelled by engines or truth.

    INPUT is as in batch: images, folders of them, or lists of paths. With --engine, every
    engine reads every image through the batch runner into DIR/runs/ (journal, result cache,
    retries, rate limits), so rebuilding the dataset, in this format or another, makes no
    calls. With --truth, existing annotated sets convert. Crops are cut upright along the
    text, named by counters, and split by image; DIR/manifest.jsonl has a line per crop
    and DIR/summary.json counts what was dropped and why.

    \b
    Examples:
      unified-ocr dataset scans/ --engine clova --engine kakao --min-agree 2 --format dtrb --out ds/
      unified-ocr dataset images/ --truth gt/ --format paddleocr-rec --out ds/ --split train=0.8,val=0.1,test=0.1
    """
    try:
        with config_errors_exit():
            if not inputs or out is None or fmt is None:
                raise ConfigError("give INPUT..., --out DIR and --format FORMAT (unified-ocr dataset --list shows the formats)")
            filters = Filters(min_confidence, min_height, min_length, max_length, read_charset(charset) if charset else None,
                              charset_replace, pattern, vertical)  # fmt: skip
            build = BuildOptions(level, split, seed, padding, not no_rectify, image_format, quality, filters)
            report = make_dataset(inputs, out, fmt, engines=engines, truth=truth, config=config, truth_format=truth_format,
                                  truth_encoding=truth_encoding, min_agree=min_agree, build=build, options=run)  # fmt: skip
    except KeyboardInterrupt:
        click.echo(f"interrupted: {out} holds every image finished; run the same command again to go on", err=True)
        sys.exit(EXIT_INTERRUPTED)
    summary = report.summary
    click.echo(f"{out}: {summary['kept']} crop(s) " + ", ".join(f"{k} {n}" for k, n in summary["by_split"].items())
               + f"; {summary['added_this_run']} new", err=True)  # fmt: skip
    if summary["dropped"]:
        click.echo("dropped: " + ", ".join(f"{reason} {n}" for reason, n in summary["dropped"].items()), err=True)
    if not report.ok:
        sys.exit(EXIT_FAILED)
