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
    try:
        font = open_font(path, 32)
    except OSError:
        return False
    hangul, missing = font.getmask("한"), font.getmask("\U000f0000")  # a private-use code point: no font has it
    return hangul.getbbox() is not None and bytes(hangul) != bytes(missing)


def _fc_match() -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        done = subprocess.run(["fc-match", ":lang=ko", "-f", "%{file}"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def find_hangul_font(folders: Sequence[Path] | None = None, use_fc_match: bool = True) -> Path | None:
    """A font file that draws Hangul, or ``None``: the known names in ``folders`` (default:
    ``$UNIFIED_OCR_FONT_DIRS``, folders apart by the path separator, else the usual ones), then
    what ``fc-match :lang=ko`` says (not when the folders are given)."""
    if folders is None and os.environ.get("UNIFIED_OCR_FONT_DIRS") is not None:
        folders, use_fc_match = [Path(p) for p in os.environ["UNIFIED_OCR_FONT_DIRS"].split(os.pathsep) if p], False
    return _find(tuple(folders) if folders is not None else tuple(font_folders()), use_fc_match)


@lru_cache(maxsize=8)
def _find(folders: tuple[Path, ...], use_fc_match: bool) -> Path | None:
    by_name: dict[str, list[Path]] = {}
    wanted = set(KNOWN)
    for folder in folders:  # each folder walked once
        if folder.is_dir():
            for root, _dirs, files in os.walk(folder):
                for name in wanted.intersection(files):
                    by_name.setdefault(name, []).append(Path(root) / name)
    for name in KNOWN:
        for path in sorted(by_name.get(name, [])):
            if has_hangul(path):
                return path
    found = _fc_match() if use_fc_match else None
    return found if found is not None and found.is_file() and has_hangul(found) else None
