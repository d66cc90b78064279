"""The ``unified-ocr`` command: a thin layer over the library, one module per command family.

Exit codes live in :mod:`.common`: 0 success; 1 some image failed (stderr names it; the
others were still processed); 2 a usage or configuration error, found before the first
image whenever it can be (the configuration, the engine, its extra and credentials are
checked first).
"""

from __future__ import annotations

import warnings
from typing import Any

import click

from .. import __version__
from .batch import batch
from .compare import compare
from .dataset import dataset
from .draw import draw
from .emulate import emulate
from .engines import engines
from .export import export
from .recognize import parse, recognize


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="unified-ocr")
def cli() -> None:
    """One API and one result model over many OCR engines.

    \b
    Recognise an image with the offline default engine:
      unified-ocr recognize receipt.jpg --format text
    Use a profile of unified-ocr.toml (or an engine by name):
      unified-ocr recognize receipt.jpg --engine receipts
    See which engines are installed and usable here:
      unified-ocr engines
    Compare engines on the same images, against ground truth where you have it:
      unified-ocr compare scans/ --engine clova --engine kakao --truth gt/ --out cmp/
    Crop the words they read into a training set:
      unified-ocr dataset scans/ --engine clova --format paddleocr-rec --out ds/
    Convert saved results (hOCR, ALTO, PAGE-XML, TSV, tables as xlsx, ...):
      unified-ocr export results/*.json --format alto --out alto/
    """



for command in (recognize, batch, compare, dataset, draw, export, engines, parse, emulate):
    cli.add_command(command)


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None,
                  line: str | None = None) -> None:  # fmt: skip
    """A warning as one line a person reads (``warning: ...``), not a source location and a code line."""
    click.echo(f"warning: {message}", err=True)


def main() -> None:
    warnings.showwarning = _show_warning
    cli(prog_name="unified-ocr")


__all__ = ["cli", "main"]
