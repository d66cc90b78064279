"""``export``: saved results into other formats, with no call to any engine."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..api import load_result
from ..engines.registry import default_registry
from ..errors import ConfigError, InvalidResultError, UnknownEngineError
from .common import EXIT_FAILED, EXIT_USAGE, list_option, output_paths, write_content


@click.command("export")
@click.argument("results", nargs=-1, required=True, metavar="RESULT.json...", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-f", "--format", "fmt", required=True, metavar="FORMAT",
              help="text, json, tsv, jsonl; hocr, alto, page (PAGE-XML); tables as csv, html, markdown, xlsx; fields "
                   "as fields-json, fields-csv; or a plugin's format (unified-ocr export --list).")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write one file per result into DIR (NAME plus the format's ending; page writes a file per page, "
                   "NAME.p2.page.xml, and csv one per table, NAME.table-2.csv) [default: print to stdout].")
@list_option("exporter", "suffix", 12)
def export(results: tuple[Path, ...], fmt: str, out: Path | None) -> None:
    """Convert saved results (recognize --format json, batch's results/) into FORMAT.

    No engine is called: the results are read as saved. A file that is not a result is
    named on stderr and the others are still converted (exit 1).

    \b
    Example:
      unified-ocr export results/*.json --format tsv --out tsv/
    """
    registry = default_registry()
    try:
        exporter = registry.get("exporter", fmt)
    except UnknownEngineError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    failed = 0
    targets = output_paths([str(r) for r in results], out, exporter.suffix) if out is not None else [None] * len(results)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    for path, target in zip(results, targets):
        try:
            outputs = exporter.outputs(load_result(path))  # a file per page or table, for the formats that cut
        except ConfigError as exc:  # the format needs an extra that is not installed: no file will do better
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        except InvalidResultError as exc:
            click.echo(f"error: {exc}", err=True)
            failed += 1
            continue
        for k, (ending, content) in enumerate(outputs):
            part = ending.removesuffix(exporter.suffix).lstrip(".")
            if target is None:
                heading = f"==> {path}{f' ({part})' if part else ''} <==\n" if len(results) > 1 or len(outputs) > 1 else ""
                write_content(content, None, ("\n" if k or path != results[0] else "") + heading)
            else:
                write_content(content, target.with_name(target.name.removesuffix(exporter.suffix) + ending))
    if failed:
        sys.exit(EXIT_FAILED)
