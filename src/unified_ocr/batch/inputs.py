"""What a batch reads: image files, folders of them, and lists of paths, expanded lazily."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..imaging.sources import IMAGE_SUFFIXES

#: A file with one of these endings is a list of paths, one per line.
LIST_SUFFIXES = frozenset({".txt", ".lst", ".list"})


class UnreadableFolderWarning(UserWarning):
    """A folder under an input could not be listed; its images are not in the run."""


def _unreadable(error: OSError) -> None:
    warnings.warn(f"{error.filename}: cannot be listed ({error.strerror}); its images are not in this run",
                  UnreadableFolderWarning, stacklevel=2)  # fmt: skip


class ImageList(tuple[str, ...]):
    """A command's inputs expanded, once: the image paths in order, each once. Every step after
    (the check for no images, the dry run, each engine's run, the truth index) takes this list;
    :func:`expand_inputs` passes one through without walking a folder again."""


def image_list(inputs: Iterable[str | os.PathLike[str]]) -> ImageList:
    """The image paths of ``inputs`` (see :func:`expand_inputs`), a path given twice kept once;
    an :class:`ImageList` is returned as it is."""
    return inputs if isinstance(inputs, ImageList) else ImageList(dict.fromkeys(expand_inputs(inputs)))


def expand_inputs(inputs: Iterable[str | os.PathLike[str]]) -> Iterator[str]:
    """Image paths from files, folders (recursively, by image ending, sorted) and lists of paths.

    Lazy: a folder of a million images is walked, never held in memory. Paths in a list are
    relative to the list's folder. A missing path is passed on, to be reported as missing.
    An :class:`ImageList` is expanded already: its paths come back as they are.
    """
    if isinstance(inputs, ImageList):
        yield from inputs
        return
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for folder, subfolders, files in os.walk(path, onerror=_unreadable):
                subfolders.sort()
                for name in sorted(files):
                    if Path(name).suffix.lower() in IMAGE_SUFFIXES:
                        yield os.path.join(folder, name)
        elif path.suffix.lower() in LIST_SUFFIXES and path.is_file():
            with path.open(encoding="utf-8") as listing:
                for line in listing:
                    entry = line.strip()
                    if entry and not entry.startswith("#"):
                        yield str(path.parent / entry) if not os.path.isabs(entry) else entry
        else:
            yield str(path)
