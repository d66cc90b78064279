"""``batch``: many images into an output folder, resumable, rate-limited, retried and cached."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..batch.folder import run_batch
from ..batch.options import RunOptions
from ..config.choice import choose_engine
from ..config.profiles import load_config
from ..engines.registry import default_registry
from ..engines.scope import EngineScope
from ..errors import UnknownEngineError
from .common import (
    ENGINE_HELP,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    LANG_HELP,
    RETRY_FAILED_HELP,
    config_errors_exit,
    run_options,
    say,
)


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-e", "--engine", metavar="NAME", help=ENGINE_HELP)
@click.option("-l", "--lang", metavar="LANG", help=LANG_HELP)
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), required=True, metavar="DIR",
              help="Where results/, journal.jsonl and summary.json go. Run the same command again to resume.")
@run_options(per="")
@click.option("--retry-failed", is_flag=True, help=RETRY_FAILED_HELP)
@click.option("-f", "--format", "formats", multiple=True, metavar="FORMAT",
              help="Also write each result in this export format beside its JSON (tsv, jsonl, csv, fields-json, ...; "
                   "repeat for several; unified-ocr export --list).")
def batch(inputs: tuple[str, ...], engine: str | None, lang: str | None, config: Path | None, out: Path, run: RunOptions,
          formats: tuple[str, ...]) -> None:  # fmt: skip
    """Recognise many images; resumable, rate-limited, retried and cached.

    INPUT is an image, a folder (searched recursively for JPEG, PNG, TIFF, BMP, WebP, GIF
    and PDF files) or a text file (.txt, .lst) listing one path per line. Each finished
    image gets a line in DIR/journal.jsonl and, when it succeeded, DIR/results/NAME.HASH.json.
    Running the same command again skips the images the journal holds as done, and those
    that failed because of the image itself (unless --retry-failed), and tries the others
    again (a refused key, a used-up quota, transient failures); an image already recognised
    with the same engine setup is answered from the cache without a call. A bad image is
    reported and the others go on.
    """
    try:
        exporters = [default_registry().get("exporter", name) for name in formats]  # an unknown one stops here
    except UnknownEngineError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    with EngineScope() as scope:  # the engine checked before any image is the one the run uses
        with config_errors_exit():
            cfg = load_config(config)
            choice = choose_engine(engine, cfg, lang=lang)  # the engine --lang picks, or refuses, once for the run
            scope.get(choice)  # a missing extra or credential stops here, before any image
        try:
            with config_errors_exit():
                report = run_batch(inputs, out, choice, cfg, run, exports=exporters, scope=scope)
        except KeyboardInterrupt:
            click.echo("interrupted: what finished is in the journal; run the same command again to go on", err=True)
            sys.exit(EXIT_INTERRUPTED)
    for line in report.lines:
        say(line)
    if report.aborted is not None:
        say(f"error: {report.aborted}")
    if not report.ok:
        sys.exit(EXIT_FAILED)
