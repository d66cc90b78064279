"""``recognize`` and ``parse``: images, or saved vendor responses, to results on stdout or in files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..api import parse as parse_response
from ..batch.runner import recognize_many
from ..config.choice import EngineChoice, choose_engine
from ..config.profiles import load_config
from ..engines.registry import default_registry
from ..engines.scope import EngineScope
from ..errors import ConfigError, UnifiedOcrError, UnknownEngineError
from ..imaging.pdf import DEFAULT_DPI
from ..imaging.sources import display_path
from ..model import OcrResult
from .common import (
    CONFIG_HELP,
    DPIS,
    ENGINE_HELP,
    EXIT_FAILED,
    EXIT_USAGE,
    LANG_HELP,
    config_errors_exit,
    output_paths,
    refuse_binary_on_stdout,
    render,
    say,
    write_content,
)


@click.command()
@click.argument("images", nargs=-1, required=True, metavar="IMAGE...")
@click.option("-e", "--engine", metavar="NAME", help=ENGINE_HELP)
@click.option("-l", "--lang", metavar="LANG", help=LANG_HELP)
@click.option("-c", "--config", type=click.Path(dir_okay=False, path_type=Path), help=CONFIG_HELP)
@click.option("-f", "--format", "fmt", default="json", show_default=True, metavar="FORMAT",
              help="json: the full result (quads, confidences); text: the text in reading order; or any export "
                   "format (tsv, jsonl, hocr, alto, page, csv, html, markdown, xlsx, fields-json, fields-csv, a "
                   "plugin's: unified-ocr export --list).")
@click.option("-o", "--out", type=click.Path(), metavar="FILE|DIR",
              help="Write to FILE (one image) or into DIR, one file per image [default: stdout].")
@click.option("--dpi", type=DPIS, default=DEFAULT_DPI, show_default=True,
              help="Resolution of the pixel frame given to PDF pages (and of their rendering, for engines that need images).")
@click.option("--no-cache", is_flag=True, help="Do not answer from, or write to, the result cache.")
def recognize(images: tuple[str, ...], engine: str | None, lang: str | None, config: Path | None, fmt: str, out: str | None,
              dpi: float, no_cache: bool) -> None:  # fmt: skip
    """Recognise the text of each IMAGE (JPEG, PNG, TIFF, BMP, WebP, GIF or PDF).

    Coordinates are pixels of the image as displayed (EXIF orientation applied); a
    multi-page TIFF or PDF gives one page each, PDF pages in the frame of a rendering at
    --dpi. With several images and no --out, JSON is printed one result per line (JSON
    Lines). A bad image is reported on stderr and the others still run; the exit code is
    then 1. An image already recognised with the same engine setup is answered from the
    result cache ($UNIFIED_OCR_CACHE_DIR, else the user cache folder) with no call.

    \b
    Examples:
      unified-ocr recognize receipt.jpg --format text
      unified-ocr recognize korean-receipt.jpg --lang ko --format text
    """
    if fmt not in ("json", "text"):
        try:
            exporter = default_registry().get("exporter", fmt)  # an unknown format stops here, before any image
        except UnknownEngineError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        if out is None:
            refuse_binary_on_stdout([exporter], several=len(images) > 1)
    with config_errors_exit(), EngineScope() as scope:
        choice = choose_engine(engine, load_config(config), lang=lang)  # a language no engine here reads stops here
        scope.get(choice)  # a missing extra or credential stops here, before any image
        _recognize_all(list(images), choice, scope, fmt, out, dpi, not no_cache)  # out as typed: a trailing / means a folder


def _recognize_all(images: list[str], choice: EngineChoice, scope: EngineScope, fmt: str, out_arg: str | None, dpi: float,
                   cache: bool) -> None:  # fmt: skip
    suffix = {"json": ".json", "text": ".txt"}.get(fmt) or default_registry().get("exporter", fmt).suffix
    out = Path(out_arg) if out_arg is not None else None
    to_dir = out is not None and (len(images) > 1 or out.is_dir() or str(out_arg).endswith(("/", os.sep)))
    targets = output_paths(images, out, suffix) if to_dir and out is not None else [out] * len(images)
    if to_dir and out is not None:
        out.mkdir(parents=True, exist_ok=True)
    failed = printed = 0
    show_progress = len(images) > 1 and sys.stderr.isatty()
    outcomes = recognize_many(images, choice, concurrency=1, cache=cache, scope=scope, dpi=dpi, ordered=True)
    for i, (image, target, outcome) in enumerate(zip(images, targets, outcomes)):
        if show_progress:
            say(f"[{i + 1}/{len(images)}] {image}")
        if isinstance(outcome.error, ConfigError):
            say(f"error: {outcome.error}")
            sys.exit(EXIT_USAGE)
        if outcome.result is None:
            failed += 1
            say(f"error: {outcome.error}")
            continue
        if outcome.cached:
            say(f"{image}: answered from the result cache, no call made (--no-cache to call again)")
        if fmt not in ("json", "text"):
            _write_export(outcome.result, fmt, image, target, len(images), printed)
        elif target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render(outcome.result, fmt) + "\n", encoding="utf-8")
            say(f"{image} -> {target}")
        elif len(images) == 1 or fmt == "json":
            click.echo(render(outcome.result, fmt, compact=len(images) > 1))
        else:
            click.echo(("\n" if printed else "") + display_path(f"==> {image} <==\n") + render(outcome.result, "text"))
        printed += 1
    if failed:
        click.echo(f"{failed} of {len(images)} image(s) failed", err=True)
        sys.exit(EXIT_FAILED)


def _write_export(result: OcrResult, fmt: str, image: str, target: Path | None, count: int, printed: int) -> None:
    """One result in an export format: into its file(s), or on stdout (headed by the image's name when there are several)."""
    exporter = default_registry().get("exporter", fmt)
    outputs = exporter.outputs(result)
    for k, (ending, content) in enumerate(outputs):
        path = None if target is None else target.with_name(target.name.removesuffix(exporter.suffix) + ending)
        part = f" ({ending.removesuffix(exporter.suffix).lstrip('.')})" if len(outputs) > 1 else ""
        heading = f"==> {image}{part} <==\n" if count > 1 or part else ""
        write_content(content, path, ("\n" if printed or k else "") + heading)
        if path is not None:
            say(f"{image} -> {path}")


@click.command()
@click.argument("responses", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path), metavar="FILE...")
@click.option("-e", "--engine", required=True, metavar="NAME",
              help="The engine whose saved API responses these are (for example clova), or the document format they are "
                   "in: hocr, alto or page (PAGE-XML). With --image, a profile's name too.")
@click.option("-f", "--format", "fmt", default="json", show_default=True, metavar="FORMAT",
              help="json: the unified result; text: the text in reading order; or any export format (so hOCR, ALTO and "
                   "PAGE convert into one another: --engine hocr --format alto).")
@click.option("-i", "--image", type=click.Path(dir_okay=False, path_type=Path),
              help="The image the (one) response answers: coordinates are then mapped into it as displayed, through the "
                   "upload the engine would be sent (resized to the profile's max_side, turned upright), as recognize gives them.")
@click.option("-c", "--config", type=click.Path(dir_okay=False, path_type=Path), help=CONFIG_HELP + " With --image.")
@click.option("--dpi", type=DPIS, default=DEFAULT_DPI, show_default=True, help="With --image of a PDF: its pages' pixel frame.")
def parse(responses: tuple[Path, ...], engine: str, fmt: str, image: Path | None, config: Path | None, dpi: float) -> None:
    """Read saved vendor responses, or hOCR, ALTO and PAGE-XML documents, as unified results, offline.

    Coordinates stay in the frame of the image the vendor was sent (for documents: the
    page's pixels), or with --image are those of that image as displayed. A file of the
    wrong shape is reported on stderr, named, with its line where there is one (exit code
    1), and the others still run.

    \b
    Examples:
      unified-ocr parse saved/clova-answer.json --engine clova --format text
      unified-ocr parse saved/clova-answer.json --engine clova --image receipt.jpg
      unified-ocr parse scan.page.xml --engine page --format tsv
    """
    registry = default_registry()
    if image is not None and len(responses) > 1:
        click.echo("error: --image is the image of one response: give one FILE with it", err=True)
        sys.exit(EXIT_USAGE)
    if image is None and engine not in registry.readable():
        click.echo(f"error: {UnknownEngineError(engine, registry.readable(), kind='reader')}", err=True)
        sys.exit(EXIT_USAGE)
    if fmt not in ("json", "text"):
        try:
            refuse_binary_on_stdout([registry.get("exporter", fmt)], several=len(responses) > 1)
        except UnknownEngineError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
    cfg = None
    if image is not None:
        with config_errors_exit():  # an unknown engine or profile, a bad configuration: the setup, exit 2, before any file
            cfg = load_config(config)
            choose_engine(engine, cfg, registry)
    failed = printed = 0
    for path in responses:
        try:
            result = parse_response(path, engine, image=image, config=cfg, dpi=dpi)
        except UnifiedOcrError as exc:
            failed += 1
            said = str(exc)
            say(f"error: {said if said.startswith(str(path)) else f'{path}: {said}'}")
            continue
        if fmt not in ("json", "text"):
            _write_export(result, fmt, str(path), None, len(responses), printed)
        elif fmt == "json":
            click.echo(render(result, fmt, compact=len(responses) > 1))
        else:
            click.echo(display_path(f"==> {path} <==\n" if len(responses) > 1 else "") + render(result, "text"))
        printed += 1
    if failed:
        sys.exit(EXIT_FAILED)
