"""Engines: the contract every engine fulfils, the plugin hooks and registry, and the shared
machinery of engines that call a web service (HTTP, retries, rate limits, emulators).

A plugin needs :class:`Engine`, :class:`EngineOptions`, :class:`Limits` and
:class:`Upload` from here, and ``hookimpl`` to register; the rest it imports from the
module that holds it (``unified_ocr.engines.http`` for a web service).
"""

from __future__ import annotations

from ..imaging.upload import Limits, Upload, UploadPage
from .base import RUNTIME, Engine, EngineOptions
from .hookspecs import hookimpl

__all__ = ["RUNTIME", "Engine", "EngineOptions", "Limits", "Upload", "UploadPage", "hookimpl"]
