"""What every command shares: exit codes (in this one place), option help, and turning a
configuration error into a message and exit code 2.

Image paths travel as the file system gave them (a name that is not UTF-8 keeps its bytes
as lone surrogates); what is printed goes through ``display_path`` (U+FFFD for those bytes)
and what is written through ``json_text`` or ``replace_surrogates``, so a name never ends a command.
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import click

from ..errors import ConfigError
from ..files import json_text, replace_surrogates
from ..imaging.sources import display_path
from ..model import OcrResult

#: Every image was recognised.
EXIT_OK = 0
#: At least one image failed (unreadable input or an engine error); stderr names each, the others still ran.
EXIT_FAILED = 1
#: A usage or configuration error (bad option, bad config file, unknown or unusable engine), found before any image.
EXIT_USAGE = 2
#: Interrupted (Ctrl-C); what finished is kept.
EXIT_INTERRUPTED = 130

class FiniteRange(click.FloatRange):
    """A float range that also refuses ``nan`` and ``inf``, which compare false with every bound."""

    name = "finite float range"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


#: Calls per second a rate limit may be set to: slower than one call in ~17 minutes is a mistake.
RATE_LIMITS = FiniteRange(min=0.001, max=100_000)
#: Resolutions a PDF page may be rendered at.
DPIS = FiniteRange(min=10, max=1200)

RETRY_FAILED_HELP = ("Also try again the images that failed before because of the image itself (damaged, too large, "
                     "unreadable by the service); failures of the setup (credentials, quota, permission) and transient "
                     "ones are always tried again.")
CONFIG_HELP = "Configuration file of engine profiles [default: $UNIFIED_OCR_CONFIG, then ./unified-ocr.toml]."
ENGINE_HELP = "Profile or engine name [default: the config's default profile, else the offline default engine]."
LANG_HELP = ("Language of the images (ko, ja, zh, en; ko,en for several). Without --engine: the best installed offline "
             "engine that reads it (or one line saying what to install); with one: refused if it cannot read it. Passed on "
             "to an engine with a language option of its own [default: the config's 'lang', else none].")


@contextmanager
def config_errors_exit() -> Iterator[None]:
    """A configuration error is the user's setup, not an image: say so and exit 2."""
    try:
        yield
    except ConfigError as exc:
        click.echo(f"error: {display_path(str(exc))}", err=True)
        sys.exit(EXIT_USAGE)


def say(message: str) -> None:
    """A message naming paths, on stderr as people read it (bytes of a name that are not UTF-8 as U+FFFD)."""
    click.echo(display_path(message), err=True)


def render(result: OcrResult, fmt: str, compact: bool = False) -> str:
    """A result as the command prints it: ``json`` (the full result) or ``text`` (reading order)."""
    if fmt == "text":
        return replace_surrogates(result.text)
    return json_text(result.to_dict(), indent=None if compact else 2)


def write_content(content: str | bytes, target: Path | None, heading: str = "") -> None:
    """An export's content into ``target`` (bytes as they are, text as UTF-8), or on stdout,
    text after ``heading``."""
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(replace_surrogates(content), encoding="utf-8")
    elif isinstance(content, bytes):
        sys.stdout.buffer.write(content)
    else:
        click.echo(display_path(heading) + replace_surrogates(content), nl=False)


def refuse_binary_on_stdout(exporters: Sequence[Any], several: bool) -> None:
    """Exit 2 before any work when a binary format (xlsx) would go to stdout mixed with other
    output (``several`` results or formats) or onto a terminal, where it is only noise."""
    binary = [e.name for e in exporters if e.binary]
    if binary and (several or sys.stdout.isatty()):
        click.echo(f"error: {binary[0]} is a binary format: give --out, or one input and one format with "
                   "stdout redirected to a file", err=True)  # fmt: skip
        sys.exit(EXIT_USAGE)


def output_paths(images: list[str], out: Path, suffix: str) -> list[Path]:
    """One output file per image in ``out``; same-named images from different folders get numbered."""
    taken: dict[str, int] = {}
    paths = []
    for image in images:
        stem = Path(image).stem or "image"
        n = taken.get(stem, 0)
        taken[stem] = n + 1
        paths.append(out / (f"{stem}{suffix}" if n == 0 else f"{stem}-{n}{suffix}"))
    return paths


def run_options(per: str = "per engine") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options of a job that runs engines over many images through the batch runner
    (batch, compare, dataset): config, concurrency, rate limit, retries, rounds, cache, dpi and
    the Dask scheduler. The command receives ``config`` and one
    :class:`~unified_ocr.batch.options.RunOptions` as ``run``, built here once (with the
    cluster's executor open for as long as the command runs), never the loose values."""
    from ..batch.options import ROUNDS
    from ..imaging.pdf import DEFAULT_DPI

    each = f", {per}" if per else ""
    options = [
        click.option("-c", "--config", type=click.Path(dir_okay=False, path_type=Path), help=CONFIG_HELP),
        click.option("-j", "--concurrency", type=click.IntRange(min=1, max=256), default=4, show_default=True,
                     help=f"Images read at once; for a web service, calls on the wire at once{each}."),
        click.option("--rate-limit", type=RATE_LIMITS, metavar="PER_SECOND",
                     help="Calls per second to each vendor, retries included [default: each profile's, else none]."),
        click.option("--retries", type=click.IntRange(min=0), help="Tries after the first for transient errors [default: the profile's]."),
        click.option("--rounds", type=click.IntRange(min=0, max=10), default=ROUNDS, show_default=True,
                     help="Later rounds for images whose transient failures (rate limits, 5xx, drops) outlast --retries; "
                          "each comes after a longer wait."),
        click.option("--no-cache", is_flag=True, help="Do not read or write the result cache (every image is a call)."),
        click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Result cache folder [default: $UNIFIED_OCR_CACHE_DIR, else the user cache folder]."),
        click.option("--dpi", type=DPIS, default=DEFAULT_DPI, show_default=True, help="Pixel frame of PDF pages."),
        click.option("--scheduler", metavar="ADDRESS",
                     help="Read the images on a Dask cluster: its scheduler's address (tcp://host:8786), or 'local' for "
                          "worker processes of this machine; the workers must see the same paths (needs the dask extra)."),
    ]  # fmt: skip
    taken = ("concurrency", "rate_limit", "retries", "rounds", "no_cache", "cache_dir", "dpi", "scheduler")

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def with_run_options(**kwargs: Any) -> Any:
            from ..batch.cluster import dask_executor
            from ..batch.options import RunOptions
            from ..cache import ResultCache

            given = {name: kwargs.pop(name) for name in taken}
            with ExitStack() as held:
                with config_errors_exit():  # no dask extra, no scheduler there: exit 2 before any image
                    executor = held.enter_context(dask_executor(given["scheduler"])) if given["scheduler"] else None
                    kwargs["run"] = RunOptions(
                        concurrency=given["concurrency"], rate_limit=given["rate_limit"], retries=given["retries"],
                        rounds=given["rounds"], cache=False if given["no_cache"] else ResultCache(given["cache_dir"]),
                        dpi=given["dpi"], retry_failed=kwargs.pop("retry_failed", None), executor=executor,
                    )  # fmt: skip
                return command(**kwargs)

        for option in reversed(options):
            with_run_options = option(with_run_options)
        return with_run_options

    return decorate


def list_option(kind: str, column: str, width: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--list``: every installed item of ``kind`` (formats), a line each: its name, its
    ``column`` attribute (a suffix, a kind), its description and the package it came from."""

    def show(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if not value:
            return
        from ..engines.registry import default_registry

        for name, provided in default_registry().all(kind).items():
            click.echo(f"{name:<{width}} {getattr(provided.cls, column):<13} {provided.cls.description}  (from {provided.origin})")
        ctx.exit(0)

    return click.option("--list", "list_formats", is_flag=True, is_eager=True, expose_value=False, callback=show,
                        help="List the formats and exit.")  # fmt: skip
