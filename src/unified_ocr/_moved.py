"""The module paths of unified-ocr 0.1, importable for one more release with a warning.

0.2 put the flat modules into sub-packages. A plugin written against the old paths
(``from unified_ocr.engine import Engine``) keeps working, and is told where to import
from: importing an old path gives the module at its new home, with a DeprecationWarning
that points at the importing line. Delete this module, and its line in ``__init__``, in 0.3.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

#: Old module -> its new home.
MOVED = {
    "unified_ocr.engine": "unified_ocr.engines.base",
    "unified_ocr.http": "unified_ocr.engines.http",
    "unified_ocr.hookspecs": "unified_ocr.engines.hookspecs",
    "unified_ocr.plugins": "unified_ocr.engines.registry",
    "unified_ocr.prepare": "unified_ocr.imaging.prepare",
    "unified_ocr.sources": "unified_ocr.imaging.sources",
    "unified_ocr.crop": "unified_ocr.imaging.crop",
    "unified_ocr.pdf": "unified_ocr.imaging.pdf",
    "unified_ocr.journal": "unified_ocr.batch.journal",
    "unified_ocr.retry": "unified_ocr.engines.retry",
    "unified_ocr.ratelimit": "unified_ocr.engines.ratelimit",
    # 0.2's own paths, moved so that imports between packages run one way (docs/architecture.md);
    # the 0.1 names unified_ocr.emulator, .secrets and .cache are the modules themselves again
    "unified_ocr.engines.emulator": "unified_ocr.emulator",
    "unified_ocr.config.secrets": "unified_ocr.secrets",
    "unified_ocr.batch.cache": "unified_ocr.cache",
    "unified_ocr.batch.files": "unified_ocr.files",
    "unified_ocr.engines.upload": "unified_ocr.imaging.upload",
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the old paths, and loads each as the module at its new home."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        return importlib.util.spec_from_loader(fullname, self) if fullname in MOVED else None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        new = MOVED[spec.name]
        # stacklevel 2 skips the import machinery's own frames: the warning names the importing line
        warnings.warn(
            f"{spec.name} has moved to {new}; import from there (the old path goes in unified-ocr 0.3)",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        """The module at the new home is loaded already."""


def install() -> None:
    if not any(isinstance(finder, _MovedModules) for finder in sys.meta_path):
        sys.meta_path.append(_MovedModules())
