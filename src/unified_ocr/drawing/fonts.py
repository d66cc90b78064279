"""Finding a font that has Hangul, to write Korean text beside the boxes of an overlay.

Most machines have one (Noto Sans CJK, Nanum, Malgun Gothic, Apple SD Gothic Neo), in
places that differ by system; ``fc-match`` knows where on Linux. A font is taken only when
it really draws a Hangul syllable, not the empty box a font without one draws.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

#: Font files with Hangul, best first: names as their packages install them.
KNOWN = (
    "NotoSansCJK-Regular.ttc", "NotoSansCJKkr-Regular.otf", "NotoSansKR-Regular.otf", "NotoSansKR-Regular.ttf",
    "NotoSansKR[wght].ttf", "NanumGothic.ttf", "NanumBarunGothic.ttf", "NanumSquareR.ttf", "SourceHanSansKR-Regular.otf",
    "SourceHanSans-Regular.ttc", "malgun.ttf", "AppleSDGothicNeo.ttc", "AppleGothic.ttf", "gulim.ttc", "unifont.otf",
)  # fmt: skip
#: What to install where none is found.
INSTALL_HINT = "apt-get install fonts-nanum (or fonts-noto-cjk), dnf install google-noto-sans-cjk-fonts, or pass --font PATH"


def font_folders() -> list[Path]:
    """The usual font folders of Linux, macOS and Windows, the user's own first."""
    home = Path.home()
    folders = [home / ".local" / "share" / "fonts", home / ".fonts", home / "Library" / "Fonts",
               Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path("/Library/Fonts"), Path("/System/Library/Fonts")]  # fmt: skip
    if sys.platform == "win32":
        folders.append(Path(os.environ.get("WINDIR", "C:\\Windows")) / "Fonts")
    return folders


def open_font(path: str | os.PathLike[str], size: int) -> Any:
    """The font file at ``path`` (Pillow, given a name it cannot open, would quietly search the
    system's folders for one of that name: it gets the bytes instead). ``OSError`` if it is none."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype(io.BytesIO(Path(path).read_bytes()), size)
    except ValueError as exc:
        raise OSError(f"{path}: not a font ({exc})") from None


def has_hangul(path: str | os.PathLike[str]) -> bool:
    """Whether the font draws ``한`` as a glyph of its own (not the box of a missing one)."""
    return not glyphless(path, "한")


def glyphless(path: str | os.PathLike[str], text: str) -> str:
    """The characters of ``text`` the font at ``path`` has no glyph for (it would draw them
    as its box for a missing glyph), each once, in order; all of them if it is no font.

    Spaces and other characters that draw nothing (controls, joiners, combining marks on
    their own) are never counted: they cannot be told from a missing glyph, nor need one.
    """
    return "".join(c for c in dict.fromkeys(text) if _drawn(c) and not _has_glyph(str(path), c))


def _drawn(char: str) -> bool:
    return unicodedata.category(char)[0] not in "ZCM"


@lru_cache(maxsize=4096)
def _has_glyph(path: str, char: str) -> bool:
    try:
        font = _sized(path)
    except OSError:
        return False
    glyph = font.getmask(char)
    return glyph.getbbox() is not None and bytes(glyph) != _missing(path)


@lru_cache(maxsize=16)
def _sized(path: str) -> Any:
    return open_font(path, 32)


@lru_cache(maxsize=16)
def _missing(path: str) -> bytes:
    return bytes(_sized(path).getmask("\U000f0000"))  # a private-use code point: no font has it


#: Font files that cover many scripts, tried for what the Hangul font lacks (Han in a CLOVA
#: reading, Japanese kana, symbols): names as their packages install them.
WIDE = (
    "NotoSansCJK-Regular.ttc", "SourceHanSans-Regular.ttc", "NotoSansCJKjp-Regular.otf", "DroidSansFallbackFull.ttf",
    "DroidSansFallback.ttf", "wqy-zenhei.ttc", "wqy-microhei.ttc", "msyh.ttc", "simsun.ttc", "arialuni.ttf",
    "Arial Unicode.ttf", "DejaVuSans.ttf", "NotoSans-Regular.ttf", "unifont.otf",
)  # fmt: skip


def find_font_for(chars: str, folders: Sequence[Path] | None = None, use_fc_match: bool = True) -> Path | None:
    """A font file with glyphs for ``chars``: one that has them all where there is one, else
    the one that has the most; ``None`` where none has any. Looked for among the :data:`WIDE`
    names in ``folders`` (as :func:`find_hangul_font` takes them), then where ``fc-match``
    says (not when the folders are given)."""
    return _find_for(chars, *_where(folders, use_fc_match))


@lru_cache(maxsize=32)
def _find_for(chars: str, folders: tuple[Path, ...], use_fc_match: bool) -> Path | None:
    best, fewest = None, len(chars)
    candidates: list[Path | None] = list(_named(WIDE, folders))
    if use_fc_match:
        candidates.append(_fc_match(":charset=" + " ".join(f"{ord(c):x}" for c in chars)))
    for path in candidates:
        if path is not None and path.is_file() and (lacking := len(glyphless(path, chars))) < fewest:
            best, fewest = path, lacking
            if not lacking:
                break
    return best


def _fc_match(pattern: str = ":lang=ko") -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        done = subprocess.run(["fc-match", pattern, "-f", "%{file}"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def find_hangul_font(folders: Sequence[Path] | None = None, use_fc_match: bool = True) -> Path | None:
    """A font file that draws Hangul, or ``None``: the known names in ``folders`` (default:
    ``$UNIFIED_OCR_FONT_DIRS``, folders apart by the path separator, else the usual ones), then
    what ``fc-match :lang=ko`` says (not when the folders are given)."""
    return _find(*_where(folders, use_fc_match))


def _where(folders: Sequence[Path] | None, use_fc_match: bool) -> tuple[tuple[Path, ...], bool]:
    """The folders to search and whether to ask ``fc-match``: those given; else the folders of
    ``$UNIFIED_OCR_FONT_DIRS`` (apart by the path separator) and not ``fc-match``; else the usual ones."""
    if folders is None and os.environ.get("UNIFIED_OCR_FONT_DIRS") is not None:
        folders, use_fc_match = [Path(p) for p in os.environ["UNIFIED_OCR_FONT_DIRS"].split(os.pathsep) if p], False
    return (tuple(folders) if folders is not None else tuple(font_folders())), use_fc_match


@lru_cache(maxsize=8)
def _find(folders: tuple[Path, ...], use_fc_match: bool) -> Path | None:
    for path in _named(KNOWN, folders):
        if has_hangul(path):
            return path
    found = _fc_match() if use_fc_match else None
    return found if found is not None and found.is_file() and has_hangul(found) else None


def _named(names: tuple[str, ...], folders: tuple[Path, ...]) -> tuple[Path, ...]:
    """The files of these names under ``folders``, in the order of ``names``."""
    found = _font_files(folders)
    return tuple(path for name in names for path in found.get(name, ()))


@lru_cache(maxsize=8)
def _font_files(folders: tuple[Path, ...]) -> dict[str, tuple[Path, ...]]:
    """Name -> paths of every :data:`KNOWN` and :data:`WIDE` font under ``folders``: the folders
    are walked once for both lists (a system's font folders hold thousands of files)."""
    by_name: dict[str, list[Path]] = {}
    wanted = set(KNOWN) | set(WIDE)
    for folder in folders:
        if folder.is_dir():
            for root, _dirs, files in os.walk(folder):
                for name in wanted.intersection(files):
                    by_name.setdefault(name, []).append(Path(root) / name)
    return {name: tuple(sorted(paths)) for name, paths in by_name.items()}
