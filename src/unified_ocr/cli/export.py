"""``export``: saved results into other formats, with no call to any engine."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..api import load_result
from ..engines.registry import default_registry
from ..errors import ConfigError, InvalidResultError, UnknownEngineError
from .common import EXIT_FAILED, EXIT_USAGE, list_option, output_paths, refuse_binary_on_stdout, write_content


@click.command("export")
@click.argument("results", nargs=-1, required=True, metavar="RESULT.json...", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-f", "--format", "formats", required=True, multiple=True, metavar="FORMAT",
              help="text, json, tsv, jsonl; hocr, alto, page (PAGE-XML); tables as csv, html, markdown, xlsx; fields "
                   "as fields-json, fields-csv; or a plugin's format (unified-ocr export --list). Repeat it for "
                   "several formats at once.")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write one file per result and format into DIR (NAME plus the format's ending; page writes a file "
                   "per page, NAME.p2.page.xml, and csv one per table, NAME.table-2.csv) [default: print to stdout].")
@click.option("--raw-text", is_flag=True,
              help="Write spreadsheet cells (tsv, csv, fields-csv) exactly as read. By default a cell that a spreadsheet "
                   "would run as a formula (text starting with = + - @, a tab or a carriage return, other than a plain "
                   "number such as -1,000) gets a leading ' so that it opens as text.")
@list_option("exporter", "suffix", 12)
def export(results: tuple[Path, ...], formats: tuple[str, ...], out: Path | None, raw_text: bool) -> None:
    """Convert saved results (recognize --format json, batch's results/) into FORMAT.

    No engine is called: the results are read as saved. A file that is not a result is
    named on stderr and the others are still converted (exit 1).

    \b
    Examples:
      unified-ocr export results/*.json --format tsv --out tsv/
      unified-ocr export kbo.json --format xlsx --format csv --format html --out tables/
      unified-ocr export kbo.json --format csv --raw-text --out tables/   # cells exactly as read
    """
    registry = default_registry()
    try:
        exporters = [registry.get("exporter", name) for name in dict.fromkeys(formats)]
    except UnknownEngineError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    many = len(results) > 1 or len(exporters) > 1
    if out is None:
        refuse_binary_on_stdout(exporters, several=many)
    else:
        out.mkdir(parents=True, exist_ok=True)
    names = [str(r) for r in results]
    targets = {e.name: output_paths(names, out, e.suffix) for e in exporters} if out is not None else {}
    failed = 0
    first = True
    for k, path in enumerate(results):
        try:
            result = load_result(path)
        except InvalidResultError as exc:
            click.echo(f"error: {exc}", err=True)
            failed += 1
            continue
        for exporter in exporters:
            try:
                options = {"raw_text": True} if raw_text and "raw_text" in exporter.options else {}
                outputs = exporter.outputs(result, **options)  # a file per page or table, for the formats that cut
            except ConfigError as exc:  # the format needs an extra that is not installed: no file will do better
                click.echo(f"error: {exc}", err=True)
                sys.exit(EXIT_USAGE)
            if out is not None:
                target = targets[exporter.name][k]
                for ending, content in outputs:
                    write_content(content, target.with_name(target.name.removesuffix(exporter.suffix) + ending))
                continue
            for ending, content in outputs:
                part = ending.removesuffix(exporter.suffix).lstrip(".")
                label = ", ".join(filter(None, [exporter.name if len(exporters) > 1 else "", part]))
                heading = f"==> {path}{f' ({label})' if label else ''} <==\n" if many or len(outputs) > 1 else ""
                write_content(content, None, ("" if first else "\n") + heading)
                first = False
    if failed:
        sys.exit(EXIT_FAILED)
