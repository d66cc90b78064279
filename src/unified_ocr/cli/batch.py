"""``batch``: many images into an output folder, resumable, rate-limited, retried and cached."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..batch.cache import ResultCache
from ..batch.folder import run_batch
from ..batch.runner import ROUNDS
from ..config.choice import choose_engine
from ..config.profiles import load_config
from ..engines.registry import default_registry
from ..engines.scope import EngineScope
from ..errors import UnknownEngineError
from ..imaging.pdf import DEFAULT_DPI
from .common import (
    CONFIG_HELP,
    DPIS,
    ENGINE_HELP,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    RATE_LIMITS,
    RETRY_FAILED_HELP,
    config_errors_exit,
    say,
)


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-e", "--engine", metavar="NAME", help=ENGINE_HELP)
@click.option("-c", "--config", type=click.Path(dir_okay=False, path_type=Path), help=CONFIG_HELP)
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), required=True, metavar="DIR",
              help="Where results/, journal.jsonl and summary.json go. Run the same command again to resume.")
@click.option("-j", "--concurrency", type=click.IntRange(min=1, max=256), default=4, show_default=True, help="Images in flight at once.")
@click.option("--rate-limit", type=RATE_LIMITS, metavar="PER_SECOND",
              help="Calls per second to the vendor, retries included [default: the profile's, else none].")
@click.option("--retries", type=click.IntRange(min=0), help="Tries after the first for transient errors [default: the profile's].")
@click.option("--rounds", type=click.IntRange(min=0, max=10), default=ROUNDS, show_default=True,
              help="Later rounds for images whose transient failures (rate limits, 5xx, drops) outlast --retries; "
                   "each comes after a longer wait.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache (every image is a call).")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Result cache folder [default: $UNIFIED_OCR_CACHE_DIR, else the user cache folder].")
@click.option("--dpi", type=DPIS, default=DEFAULT_DPI, show_default=True, help="Pixel frame of PDF pages.")
@click.option("--retry-failed", is_flag=True, help=RETRY_FAILED_HELP)
@click.option("-f", "--format", "formats", multiple=True, metavar="FORMAT",
              help="Also write each result in this export format beside its JSON (tsv, jsonl, csv, fields-json, ...; "
                   "repeat for several; unified-ocr export --list).")
def batch(inputs: tuple[str, ...], engine: str | None, config: Path | None, out: Path, concurrency: int, rate_limit: float | None,
          retries: int | None, rounds: int, no_cache: bool, cache_dir: Path | None, dpi: float, retry_failed: bool,
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
            scope.get(choose_engine(engine, cfg))  # a missing extra or credential stops here, before any image
        try:
            with config_errors_exit():
                report = run_batch(inputs, out, engine, cfg, concurrency=concurrency, rate_limit=rate_limit, retries=retries,
                                   cache=False if no_cache else ResultCache(cache_dir), dpi=dpi, rounds=rounds, exports=exporters,
                                   retry_failed=retry_failed, scope=scope)  # fmt: skip
        except KeyboardInterrupt:
            click.echo("interrupted: what finished is in the journal; run the same command again to go on", err=True)
            sys.exit(EXIT_INTERRUPTED)
    for line in report.lines:
        say(line)
    if report.aborted is not None:
        say(f"error: {report.aborted}")
    if not report.ok:
        sys.exit(EXIT_FAILED)
