"""A content-addressed cache of results, so that the same image through the same engine
setup is paid for once.

The key is the SHA-256 of the image's bytes and of the engine's fingerprint (its name and
the options that change results; never a secret, timeout or retry count). Entries are the
results' JSON (with the vendor's raw answer), written atomically: a run killed mid-write
leaves no half entry. A source path that is not UTF-8 is kept in an entry's ``meta``
escaped (:func:`~.files.json_text`), never the reason an entry cannot be written. ``recognize``, ``recognize_many`` and ``unified-ocr batch`` share it.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path
from typing import Any

from ..model import OcrResult
from .files import json_text, write_text_atomic

CACHE_ENV = "UNIFIED_OCR_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$UNIFIED_OCR_CACHE_DIR``, else the platform's user cache folder for unified-ocr."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("unified-ocr", appauthor=False)) / "results"


def cache_key(image_sha256: str, fingerprint: dict[str, Any]) -> str:
    setup = json.dumps(fingerprint, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{image_sha256}\n{setup}".encode()).hexdigest()


class ResultCache:
    """Results on disk under ``folder``, one JSON file per key, fanned out by the key's first byte."""

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_dir()

    def __repr__(self) -> str:
        return f"ResultCache({str(self.folder)!r})"

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> OcrResult | None:
        path = self._path(key)
        try:
            return OcrResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except OSError:  # not there, or a cache that cannot be read: a miss
            return None
        except (ValueError, KeyError, TypeError):  # damaged by hand or by a full disk: not a hit
            return None

    def put(self, key: str, result: OcrResult) -> None:
        """Store ``result``; a cache that cannot be written (a full disk, no permission) is a
        warning, never a failure: the result was paid for and is returned all the same."""
        try:
            write_text_atomic(self._path(key), json_text(result.to_dict(include_raw=True)))
        except OSError as exc:
            warnings.warn(f"the result cache {self.folder} cannot be written ({exc.strerror or exc}); results are not cached",
                          CacheWriteWarning, stacklevel=2)  # fmt: skip


class CacheWriteWarning(UserWarning):
    """The result cache could not be written; the run goes on without caching."""
