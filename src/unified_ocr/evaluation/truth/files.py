"""Truth files: their text encoding, one read, the levels of a whole set settled, and the index
that matches a folder of truth files to the images (by place, else by an unshared stem, else by
file name inside a file that holds many images' truth).

Hangul comes in two spellings of the same text: precomposed syllables (NFC, what Windows and
Linux write) and jamo sequences (NFD, what macOS writes in file names, and in text some of its
tools save). Both are one text here: truth text is read as NFC, and file names are matched as
NFC, so ``영수증.json`` written on a Mac finds ``영수증.png`` and the other way round.
"""

from __future__ import annotations

import codecs
import os
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import attrs

from ...errors import ConfigError, TruthError
from ...model import OcrResult
from .pages import TRUTH, about, is_dont_care, levels_of
from .readers import TruthReader, reader_named, readers

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


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def decode_truth(data: bytes, source: str, encoding: str | None = None) -> str:
    """A truth file's text, as NFC (decomposed Hangul, as macOS writes it, is the same text
    composed). UTF-8 (a byte order mark allowed) unless ``encoding`` names another; ``auto`` tries
    UTF-8, then CP949. Text that is not in the encoding raises a :class:`TruthError` that says
    how to name the right one."""
    encoding = check_encoding(encoding)
    tried = AUTO_ENCODINGS if encoding == "auto" else (encoding,)
    failure = None
    for name in tried:
        try:
            return _nfc(data.decode("utf-8-sig" if codecs.lookup(name).name == "utf-8" else name))
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
    reader = _reader(text, format)
    return _as_truth(reader.read(text, str(path)), path, reader)


def _reader(text: str, format: str | None) -> TruthReader:
    """The reader ``format`` names, else the first whose sniff takes ``text``."""
    return reader_named(format) if format else next(r for r in readers() if r.sniff(text))


def _as_truth(page: object, path: Path, reader: TruthReader) -> OcrResult:
    """A reader's page as a truth page that says its file and format."""
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
    return tuple(_nfc(part) for part in (*path.parts[:-1], stem))


#: How much of a file is read to tell whether it holds many images' truth.
_HEAD = 65536


class TruthIndex:
    """Truth files of a folder (or one file), matched to images.

    An image's truth is first the file at its place under the truth folder: ``gt/a/x.txt`` for
    ``img/a/x.png`` (the longest run of the image's folders, ending with its stem, that is a
    truth file's place; ``gt_x`` counts as ``x``). Failing that, a file named by its stem
    anywhere under the folder, but only when no other image of the run (``images``) has that
    stem: two images ``a/x.png`` and ``b/x.png`` cannot both be scored against ``gt/x.txt``, and
    are listed as problems instead. Failing that, the image's file name (``x.png``; else its
    stem, when one name in the file has it) among the images of a file that holds many images'
    truth, as AI Hub's ``textinthewild_data_info.json`` does: a format whose reader has
    ``pages(text, source)``, a mapping of image file name to truth page. Such a file is read once,
    and only when some image has no file of its own; given as ``--truth`` itself it is looked up
    by name for every image. Names are compared as NFC, so decomposed Hangul (macOS) matches
    composed. ``encoding`` is the files' text encoding (see :func:`decode_truth`).
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
        self._names: dict[str, list[str]] = {}
        for image in images:
            self._stems.setdefault(_nfc(Path(image).stem), []).append(os.fspath(image))
            self._names.setdefault(_nfc(Path(image).name), []).append(os.fspath(image))
        self._many: dict[Path, Mapping[str, OcrResult] | None] = {}  # file -> its pages by image name, or None: one image's
        self._held: dict[str, list[Path]] | None = None  # image name (NFC) -> the many-image files holding it
        self._broken: dict[Path, TruthError] = {}  # many-image files that could not be read
        self._readers: list[TruthReader] | None = None
        self.used: set[Path] = set()

    def find(self, image: str | Path) -> Path | None:
        """The truth file of ``image``, ``None`` when there is none; several, or a stem that other
        images share, is a :class:`TruthError` saying what to do."""
        if self.where.is_file():
            if self._pages(self.where) is not None and self._entry(self.where, Path(image)) is None:
                return None  # a file of many images' truth that does not hold this one
            self.used.add(self.where)
            return self.where
        found = self._at_place(Path(image))
        if found is None:
            stem = _nfc(Path(image).stem)
            found = self._by_stem.get(stem, [])
            self._refuse_shared(image, self._stems, stem, found, "stem")
        if not found:
            found = self._holding(Path(image))
        if len(found) > 1:
            names = ", ".join(str(p) for p in found)
            raise TruthError(f"{image}: more than one truth file matches ({names}); keep one, or point --truth at one")
        if found:
            self.used.add(found[0])
        return found[0] if found else None

    def _refuse_shared(self, image: str | Path, run: dict[str, list[str]], key: str, found: Sequence[Path], what: str) -> None:
        """A truth file matched by ``key`` (a stem or a file name) that other images of the run
        share cannot say which of them it is for."""
        others = [other for other in run.get(key, []) if Path(other) != Path(image)]
        if found and others:
            raise TruthError(
                f"{image}: {len(others) + 1} images share the {what} {key!r} ({', '.join([os.fspath(image), *others][:3])}"
                f"{', ...' if len(others) > 2 else ''}), so a truth file named by the {what} alone "
                f"({', '.join(str(p) for p in found[:3])}) cannot say which it is for; place each image's truth "
                f"under --truth at the image's folders (for example {Path(*Path(image).parts[-2:]).with_suffix('.txt')})"
            )

    def _at_place(self, image: Path) -> list[Path] | None:
        """The files at the image's place, matched on the most of its folders (at least one)."""
        key = tuple(_nfc(part) for part in (*image.parts[:-1], image.stem))
        for start in range(len(key) - 1):  # the longest tail first; a tail of the stem alone is not a place
            if key[start:] in self._by_key:
                return self._by_key[key[start:]]
        return None

    def _pages(self, path: Path) -> Mapping[str, OcrResult] | None:
        """The pages of a file that holds many images' truth, by image name (NFC); ``None`` for a
        file of one image's. Told from the file's start, the whole read only for such a file, once."""
        if path in self._broken:
            raise self._broken[path]
        if path not in self._many:
            reader = self._many_reader(path)
            pages = None
            if reader is not None:
                try:
                    text = decode_truth(_read_bytes(path), str(path), self.encoding)
                    pages = _ByNfc(reader.pages(text, str(path)))  # type: ignore[attr-defined]
                except TruthError as exc:
                    self._broken[path] = exc  # said for every image that looks in it, read once
                    raise
            self._many[path] = pages
        return self._many[path]

    def _many_reader(self, path: Path) -> TruthReader | None:
        """The reader of ``path`` if it is one of a format of many images per file."""
        if self.format is not None:
            reader = reader_named(self.format)
            return reader if hasattr(reader, "pages") else None
        if path.suffix.lower() != ".json":
            return None
        try:
            with path.open("rb") as handle:
                head = handle.read(_HEAD)
        except OSError:
            return None  # said when the file is read as one image's truth
        text = _head_text(head, self.encoding)
        if self._readers is None:
            self._readers = readers()
        found = next((r for r in self._readers if r.sniff(text)), None)
        return found if found is not None and hasattr(found, "pages") else None

    def _entry(self, path: Path, image: Path) -> str | None:
        """The name ``image`` has in the many-image file ``path``: its file name, else the one name
        with its stem."""
        pages = self._pages(path) or {}
        name = _nfc(image.name)
        if name in pages:
            return name
        stem = _nfc(image.stem)
        alike = [held for held in pages if Path(held).stem == stem]
        return alike[0] if len(alike) == 1 else None

    def _holding(self, image: Path) -> list[Path]:
        """The many-image files that hold ``image``'s truth (read on the first image with no file of its own)."""
        if self._held is None:
            self._held = {}
            for path in self._files:
                try:
                    pages = self._pages(path)
                except TruthError:
                    continue  # said below, for the images it may have held
                for name in pages or {}:
                    self._held.setdefault(name, []).append(path)
        name = _nfc(image.name)
        found = self._held.get(name) or [p for p in dict.fromkeys(
            p for held, paths in self._held.items() if Path(held).stem == _nfc(image.stem) for p in paths)]  # fmt: skip
        if not found and self._broken:
            raise TruthError(f"{image}: no truth file of its own, and a file that may hold its truth cannot be read: "
                             f"{next(iter(self._broken.values()))}")  # fmt: skip
        self._refuse_shared(image, self._names, name, found, "file name")
        return found

    def read(self, image: str | Path) -> OcrResult | None:
        path = self.find(image)
        if path is None:
            return None
        pages = self._pages(path)
        if pages is None:
            return read_truth(path, self.format, self.encoding)
        name = self._entry(path, Path(image))
        if name is None:
            if len(pages) != 1:
                raise TruthError(f"{path}: holds the truth of {len(pages)} images, none of them named {Path(image).name!r}; "
                                 "name the image as the file does, or give its truth a file of its own")  # fmt: skip
            name = next(iter(pages))
        reader: TruthReader | None = reader_named(self.format) if self.format else self._many_reader(path)
        assert reader is not None  # a file has pages only when its reader has
        return _as_truth(pages[name], path, reader)

    def unused(self) -> Sequence[Path]:
        """Truth files no image matched: said in the report, never silently skipped."""
        return sorted(set(self._files) - self.used)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise TruthError(f"{path}: cannot be read ({exc.strerror or exc})") from None


class _ByNfc(Mapping[str, OcrResult]):
    """A many-image file's pages by the NFC spelling of each image name, made only when asked for."""

    def __init__(self, pages: Mapping[str, OcrResult]) -> None:
        self._pages = pages
        self._names = {_nfc(name): name for name in pages}

    def __getitem__(self, name: str) -> OcrResult:
        return self._pages[self._names[name]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _head_text(head: bytes, encoding: str) -> str:
    """The start of a file as text, enough to sniff its format (a character cut at the end dropped)."""
    for name in AUTO_ENCODINGS if encoding == "auto" else (encoding,):
        try:
            return head.decode("utf-8-sig" if codecs.lookup(name).name == "utf-8" else name, errors="ignore")
        except LookupError:
            break
    return head.decode("utf-8", errors="ignore")
