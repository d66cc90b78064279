"""The ``unified-ocr`` command: a thin layer over the library, one module per command family."""

from __future__ import annotations

from .commands import cli, main

__all__ = ["cli", "main"]
