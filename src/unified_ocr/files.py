"""Writing files so that a reader never sees half of one, and so that no file name can stop a run.

A run killed mid-write leaves the old file or none, never a torn one (results, cache
entries, summaries): the bytes go to a temporary file beside the target, then are renamed
into place.

File names that are not UTF-8 (a Korean name saved in CP949, common on files from Windows
machines and zip archives) reach Python as strings whose undecodable bytes are lone
surrogates (``os.fsdecode``, the ``surrogateescape`` rule), and UTF-8 cannot encode those.
Such a path travels as it is, so that opening it, and ``os.fsencode`` of it, give the
file's own bytes; where it is written, one of two rules applies:

* JSON read back by a program (the journal, results, cache entries, summaries) is made
  by :func:`json_text`: a lone surrogate is written as its JSON escape (``"\\udcbf"``),
  so the file is valid UTF-8 and reads back as the same string. A journal keyed by such a
  name therefore resumes across runs, and the path in a result still opens the file.
* Any other text (exports, reports, messages) is for people: :func:`write_text_atomic`
  writes a lone surrogate left in it as U+FFFD, the replacement character, as
  :func:`~unified_ocr.imaging.sources.display_path` shows a path. It never fails on one.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

#: Any code point UTF-8 cannot encode: a lone surrogate (a file name's undecodable byte, or a vendor's stray one).
SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(value: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """``value`` as JSON (non-ASCII text kept readable) that UTF-8 can always encode and any
    JSON reader can read: a lone surrogate is written as its ``\\uXXXX`` escape, which
    :func:`json.loads` reads back as the same code point (outside strings, JSON text is ASCII,
    so only strings hold one), and a NaN or infinity (JSON has none; Python would write a bare
    ``NaN``) as ``null``.

    >>> json_text({"x": float("nan"), "name": "\\udcbf.png"})
    '{"x": null, "name": "\\\\udcbf.png"}'
    """
    try:
        text = json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sort_keys, allow_nan=False)
    except ValueError:  # a non-finite number somewhere (the model refuses them; an engine's meta may not)
        text = json.dumps(_finite(value), ensure_ascii=False, indent=indent, sort_keys=sort_keys, allow_nan=False)
    return SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinity, however deep in lists and dicts, as ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def replace_surrogates(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD, so that it can be written as UTF-8."""
    return SURROGATE.sub("\ufffd", text)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8 (a lone surrogate as U+FFFD, never an error) atomically."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        data = replace_surrogates(text).encode("utf-8")
    write_bytes_atomic(path, data)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    The temporary file's name does not repeat the target's, so a name near the file
    system's length limit, or in any encoding, is never what makes the write fail.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".unified-ocr-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
