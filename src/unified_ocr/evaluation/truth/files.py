"""Truth files: their text encoding, one read, the levels of a whole set settled, and the index
that matches a folder of truth files to the images (by place, else by an unshared stem)."""

from __future__ import annotations

import codecs
import os
from collections.abc import Sequence
from pathlib import Path

import attrs

from ...errors import ConfigError, TruthError
from ...model import OcrResult
from .pages import TRUTH, about, is_dont_care, levels_of
from .readers import reader_named, readers

#: The default text encoding of truth files (a byte order mark is allowed), and what ``auto`` tries.
DEFAULT_ENCODING = "utf-8"
AUTO_ENCODINGS = ("utf-8", "cp949")  # CP949 holds EUC-KR: Korean files saved on Windows


def check_encoding(encoding: str | None) -> str:
    """``encoding`` if it is ``auto`` or a Python text codec's name; a :class:`ConfigError` otherwise."""
    encoding = encoding or DEFAULT_ENCODING
    if encoding == "auto":
        return encoding
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise ConfigError(f"unknown truth encoding {encoding!r}: give auto, or a text encoding such as utf-8, cp949, euc-kr, "
                          "shift_jis, latin-1") from None  # fmt: skip
    if not getattr(info, "_is_text_encoding", True):
        raise ConfigError(f"{encoding!r} is not a text encoding: give auto, or one such as utf-8, cp949, euc-kr")
    return encoding


def decode_truth(data: bytes, source: str, encoding: str | None = None) -> str:
    """A truth file's text. UTF-8 (a byte order mark allowed) unless ``encoding`` names another;
    ``auto`` tries UTF-8, then CP949. Text that is not in the encoding raises a :class:`TruthError`
    that says how to name the right one."""
    encoding = check_encoding(encoding)
    tried = AUTO_ENCODINGS if encoding == "auto" else (encoding,)
    failure = None
    for name in tried:
        try:
            return data.decode("utf-8-sig" if codecs.lookup(name).name == "utf-8" else name)
        except UnicodeDecodeError as exc:
            failure = exc
    said = " or ".join(name.upper() for name in tried)
    raise TruthError(f"{source}: not {said} text (byte {failure.start if failure else 0}); if the truth files are in another encoding, "
                     "name it: --truth-encoding cp949 (or euc-kr, shift_jis, ..., or auto for UTF-8 then CP949)") from None  # fmt: skip


def read_truth(path: str | os.PathLike[str], format: str | None = None, encoding: str | None = None) -> OcrResult:
    """One truth file as a truth page (see the module's notes), its format told from its content
    unless ``format`` names it, its text in ``encoding`` (see :func:`decode_truth`). An empty file
    (or one of white space only) is refused: it cannot tell "no text on this image" from a file
    that lost its content."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TruthError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    text = decode_truth(data, str(path), encoding)
    if not text.strip():
        raise TruthError(f"{path}: empty (no text at all), so not truth for its image; write what the image holds, "
                         "or remove the file") from None  # fmt: skip
    reader = reader_named(format) if format else next(r for r in readers() if r.sniff(text))
    page = reader.read(text, str(path))
    if not isinstance(page, OcrResult):
        raise TruthError(f"{path}: the {reader.name} truth reader gave {type(page).__name__}, not an OcrResult")
    said = {"levels": ["words", "lines"], **about(page), "source": str(path), "format": reader.name}
    return attrs.evolve(page, engine=TRUTH, raw=None, meta={"truth": said})


def settle_levels(truths: Sequence[OcrResult | None], level: str = "auto") -> list[OcrResult | None]:
    """Decide whether regions of formats that do not say (ICDAR style) are words or lines.

    ``level`` ``words`` or ``lines`` says it; ``auto`` looks at the whole set: words hold no
    space (ICDAR 2015: a few in a hundred do, a name written as one region), lines often do
    (SROIE: nearly half), so more than one region in four with a space means lines, and
    anything less the words the format was made for.
    """
    if level not in ("auto", "words", "lines"):
        raise ValueError(f"unknown truth level {level!r}; expected auto, words or lines")
    unknown = [t for t in truths if t is not None and "unknown" in levels_of(t)]
    if level == "auto":
        care = [r for t in unknown for r in t.words if not is_dont_care(r)]
        level = "lines" if sum(" " in r.text for r in care) * 4 > len(care) else "words"
    out: list[OcrResult | None] = []
    for truth in truths:
        if truth is not None and "unknown" in levels_of(truth):
            truth = attrs.evolve(truth, meta={**truth.meta, "truth": {**about(truth), "levels": [level]}})
        out.append(truth)
    return out


#: Endings of files that can hold truth.
TRUTH_SUFFIXES = (".txt", ".csv", ".json", ".gt", ".xml", ".hocr", ".html")
#: Inner endings the exports write (``scan.page.xml``): left out of the stem an image is matched by.
_INNER = (".page", ".alto", ".gt")


def _key(path: Path) -> tuple[str, ...]:
    """What a path is matched by: its folders and its stem, without the inner ending
    (``a/scan.page.xml`` -> ``("a", "scan")``)."""
    stem = path.stem
    stem = stem[: -len(Path(stem).suffix)] if Path(stem).suffix.lower() in _INNER else stem
    return (*path.parts[:-1], stem)


class TruthIndex:
    """Truth files of a folder (or one file), matched to images.

    An image's truth is first the file at its place under the truth folder: ``gt/a/x.txt`` for
    ``img/a/x.png`` (the longest run of the image's folders, ending with its stem, that is a
    truth file's place; ``gt_x`` counts as ``x``). Failing that, a file named by its stem
    anywhere under the folder, but only when no other image of the run (``images``) has that
    stem: two images ``a/x.png`` and ``b/x.png`` cannot both be scored against ``gt/x.txt``, and
    are listed as problems instead. ``encoding`` is the files' text encoding (see
    :func:`decode_truth`).
    """

    def __init__(self, where: str | os.PathLike[str], format: str | None = None, *, images: Sequence[str | os.PathLike[str]] = (),
                 encoding: str | None = None) -> None:  # fmt: skip
        self.where = Path(where)
        self.format = format
        self.encoding = check_encoding(encoding)  # an unknown encoding is refused before any work
        if self.format is not None:
            reader_named(self.format)  # an unknown format is refused before any work
        if not self.where.exists():
            raise TruthError(f"{self.where}: no such file or folder of ground truth")
        files = [self.where] if self.where.is_file() else sorted(
            p for p in self.where.rglob("*") if p.is_file() and p.suffix.lower() in TRUTH_SUFFIXES
        )  # fmt: skip
        self._files = files
        self._by_key: dict[tuple[str, ...], list[Path]] = {}  # (folders..., stem) under the truth folder
        self._by_stem: dict[str, list[Path]] = {}
        for path in files:
            *folders, stem = _key(path.relative_to(self.where)) if path != self.where else _key(Path(path.name))
            for name in dict.fromkeys((stem, stem[3:] if stem.startswith("gt_") else stem)):
                self._by_key.setdefault((*folders, name), []).append(path)
                self._by_stem.setdefault(name, []).append(path)
        self._stems: dict[str, list[str]] = {}
        for image in images:
            self._stems.setdefault(Path(image).stem, []).append(os.fspath(image))
        self.used: set[Path] = set()

    def find(self, image: str | Path) -> Path | None:
        """The truth file of ``image``, ``None`` when there is none; several, or a stem that other
        images share, is a :class:`TruthError` saying what to do."""
        if self.where.is_file():
            self.used.add(self.where)
            return self.where
        found = self._at_place(Path(image))
        if found is None:
            stem = Path(image).stem
            found = self._by_stem.get(stem, [])
            others = [other for other in self._stems.get(stem, []) if Path(other) != Path(image)]
            if found and others:
                raise TruthError(
                    f"{image}: {len(others) + 1} images share the stem {stem!r} ({', '.join([os.fspath(image), *others][:3])}"
                    f"{', ...' if len(others) > 2 else ''}), so a truth file named by the stem alone "
                    f"({', '.join(str(p) for p in found[:3])}) cannot say which it is for; place each image's truth "
                    f"under --truth at the image's folders (for example {Path(*Path(image).parts[-2:]).with_suffix('.txt')})"
                )
        if len(found) > 1:
            names = ", ".join(str(p) for p in found)
            raise TruthError(f"{image}: more than one truth file matches ({names}); keep one, or point --truth at one")
        if found:
            self.used.add(found[0])
        return found[0] if found else None

    def _at_place(self, image: Path) -> list[Path] | None:
        """The files at the image's place, matched on the most of its folders (at least one)."""
        key = (*image.parts[:-1], image.stem)
        for start in range(len(key) - 1):  # the longest tail first; a tail of the stem alone is not a place
            if key[start:] in self._by_key:
                return self._by_key[key[start:]]
        return None

    def read(self, image: str | Path) -> OcrResult | None:
        path = self.find(image)
        return None if path is None else read_truth(path, self.format, self.encoding)

    def unused(self) -> Sequence[Path]:
        """Truth files no image matched: said in the report, never silently skipped."""
        return sorted(set(self._files) - self.used)
