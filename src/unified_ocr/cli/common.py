"""What every command shares: exit codes (in this one place), option help, and turning a
configuration error into a message and exit code 2."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from ..errors import ConfigError
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

CONFIG_HELP = "Configuration file of engine profiles [default: $UNIFIED_OCR_CONFIG, then ./unified-ocr.toml]."
ENGINE_HELP = "Profile or engine name [default: the config's default profile, else the offline default engine]."


@contextmanager
def config_errors_exit() -> Iterator[None]:
    """A configuration error is the user's setup, not an image: say so and exit 2."""
    try:
        yield
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def render(result: OcrResult, fmt: str, compact: bool = False) -> str:
    """A result as the command prints it: ``json`` (the full result) or ``text`` (reading order)."""
    if fmt == "text":
        return result.text
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=None if compact else 2)


def write_content(content: str | bytes, target: Path | None, heading: str = "") -> None:
    """An export's content into ``target`` (bytes as they are, text as UTF-8), or on stdout,
    text after ``heading``."""
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    elif isinstance(content, bytes):
        sys.stdout.buffer.write(content)
    else:
        click.echo(heading + content, nl=False)


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
