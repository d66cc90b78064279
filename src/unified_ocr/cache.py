"""A content-addressed cache of results, so that the same image through the same engine
setup is paid for once.

The key is the SHA-256 of the image's bytes and of the engine's fingerprint (its name and
the options that change results; never a secret, timeout or retry count). Entries are the
results' JSON (with the vendor's raw answer), written atomically: a run killed mid-write
leaves no half entry. Beside the answer an entry keeps what rebuilds the result without a
call (:class:`Entry`): the engine's ``revision`` that made it and the frame of each upload
(its size as sent and the transform back to the source), so that a parser of a new revision
reads the kept answers again instead of buying them again. A source path that is not UTF-8 is kept in an entry's ``meta``
escaped (:func:`~.files.json_text`), never the reason an entry cannot be written. ``recognize``, ``recognize_many`` and ``unified-ocr batch`` share it.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .files import json_text, write_text_atomic
from .model import OcrResult

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
        entry = self.entry(key)
        return entry.result if entry is not None else None

    def entry(self, key: str) -> Entry | None:
        """The entry under ``key`` with what rebuilds it; ``None`` when there is none, or it is damaged."""
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            result = OcrResult.from_dict(data)
        except OSError:  # not there, or a cache that cannot be read: a miss
            return None
        except (ValueError, KeyError, TypeError):  # damaged by hand or by a full disk: not a hit
            return None
        return Entry(result, *_rebuild(data.get("rebuild")))

    def put(self, key: str, result: OcrResult, *, revision: int | None = None, uploads: Sequence[Mapping[str, Any]] = ()) -> None:
        """Store ``result``, and with the engine's ``revision`` and each upload's frame (in the
        order of ``result.raw``'s answers) what rebuilds it. A cache that cannot be written (a
        full disk, no permission) is a warning, never a failure: the result was paid for and is
        returned all the same."""
        data = result.to_dict(include_raw=True)
        if revision is not None and uploads and result.raw is not None:
            data["rebuild"] = {"revision": revision, "uploads": [dict(u) for u in uploads]}
        try:
            write_text_atomic(self._path(key), json_text(data))
        except OSError as exc:
            warnings.warn(f"the result cache {self.folder} cannot be written ({exc.strerror or exc}); results are not cached",
                          CacheWriteWarning, stacklevel=2)  # fmt: skip


@attrs.frozen(slots=True)
class Entry:
    """One cached result, and what rebuilds it from the service's answers without a call."""

    result: OcrResult
    revision: int | None = None  # the engine's revision that made it; None: written before entries kept it
    uploads: tuple[Mapping[str, Any], ...] = ()  # each upload's frame (imaging.frames), in the order sent

    def answers(self) -> list[Any] | None:
        """The service's answer to each upload (``result.raw`` holds one, or a list of one per
        upload), or ``None`` when the entry keeps no frames to read them in."""
        if not self.uploads or self.result.raw is None:
            return None
        if len(self.uploads) == 1:
            return [self.result.raw]
        raw = self.result.raw
        return list(raw) if isinstance(raw, list) and len(raw) == len(self.uploads) else None


def _rebuild(value: Any) -> tuple[int | None, tuple[Mapping[str, Any], ...]]:
    """An entry's ``rebuild`` part as (revision, upload frames); one written before entries kept
    it, or damaged: (None, ()), so the result still answers at its own revision."""
    if not isinstance(value, dict):
        return None, ()
    revision, uploads = value.get("revision"), value.get("uploads")
    if type(revision) is not int or not isinstance(uploads, list) or not all(isinstance(u, dict) for u in uploads):
        return None, ()
    return revision, tuple(uploads)


class CacheWriteWarning(UserWarning):
    """The result cache could not be written; the run goes on without caching."""
