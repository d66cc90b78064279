"""Where Tesseract's language data is, and what to install when it is not there.

The ``tesserocr`` wheel carries the Tesseract library but no language: the ``*.traineddata``
files come from the system (Debian's ``tesseract-ocr-kor``, Homebrew's ``tesseract-lang``,
conda's ``tesseract``) or a folder the user names. Looked for in order: the profile's
``tessdata``, ``$TESSDATA_PREFIX``, then the usual places of those package managers.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

#: Folders package managers put traineddata in (globs: Debian/Ubuntu name the version).
USUAL_PLACES = (
    "/usr/share/tesseract-ocr/*/tessdata",  # Debian, Ubuntu (tesseract-ocr-LANG)
    "/usr/share/tessdata",  # Fedora, Arch
    "/usr/local/share/tessdata",  # built from source
    "/opt/homebrew/share/tessdata",  # Homebrew on Apple silicon
    "/usr/local/opt/tesseract/share/tessdata",  # Homebrew on Intel
    "/opt/local/share/tessdata",  # MacPorts
)

EXTRA_HINT = "install the 'tesseract' extra: pip install 'unified-ocr[tesseract]'"
#: Debian's package name of each Tesseract language code that differs from ``tesseract-ocr-<code>`` spelled the same.
_DEBIAN = {"chi_sim": "chi-sim", "chi_tra": "chi-tra", "kor_vert": "kor-vert", "jpn_vert": "jpn-vert"}
#: Script models (``Hangul``: every language written in Hangul, with Latin letters): Debian names
#: their packages ``tesseract-ocr-script-<ISO 15924 code>`` and puts them beside the languages;
#: tessdata releases keep them in a ``script/`` folder, named ``script/Hangul`` to Tesseract.
_SCRIPTS = {"Hangul": "hang", "Hangul_vert": "hang-vert", "Latin": "latn", "Japanese": "jpan", "Japanese_vert": "jpan-vert",
            "HanS": "hans", "HanT": "hant", "Cyrillic": "cyrl", "Arabic": "arab"}  # fmt: skip


def candidates(explicit: str | None = None) -> list[Path]:
    """The folders to look in, in order."""
    found: list[Path] = []
    if explicit:
        return [Path(explicit).expanduser()]
    env = os.environ.get("TESSDATA_PREFIX")
    if env:
        found.append(Path(env))
        found.append(Path(env) / "tessdata")  # some set the prefix to the folder above
    conda = os.environ.get("CONDA_PREFIX")
    if conda:
        found.append(Path(conda) / "share" / "tessdata")
    for pattern in USUAL_PLACES:
        found.extend(Path(p) for p in sorted(glob.glob(pattern), reverse=True))  # the newest version first
    return found


def find(explicit: str | None = None) -> Path | None:
    """The first folder holding any ``*.traineddata``, or ``None``."""
    for folder in candidates(explicit):
        if folder.is_dir() and any(folder.glob("*.traineddata")):
            return folder
    return None


def languages(folder: Path) -> set[str]:
    """The codes Tesseract takes for the data in ``folder``: ``kor``, and ``script/Hangul`` for a
    script model in its ``script/`` folder."""
    return {p.stem for p in folder.glob("*.traineddata")} | {f"script/{p.stem}" for p in folder.glob("script/*.traineddata")}


def _debian_package(code: str) -> str:
    name = code.removeprefix("script/")
    if name in _SCRIPTS:
        return f"tesseract-ocr-script-{_SCRIPTS[name]}"
    return f"tesseract-ocr-{_DEBIAN.get(name, name)}"


def install_hint(missing: list[str]) -> str:
    """The commands that add these languages on the usual systems."""
    debian = " ".join(_debian_package(code) for code in missing)
    return f"apt-get install {debian} (Debian/Ubuntu), brew install tesseract-lang (macOS), or put {', '.join(f'{c}.traineddata' for c in missing)} in the tessdata folder"


def missing_reason(lang: str, explicit: str | None = None) -> str | None:
    """Why ``lang`` (``kor+eng``) cannot be read here, with what to install; ``None`` when it can."""
    folder = find(explicit)
    wanted = [code for code in lang.split("+") if code]
    if folder is None:
        looked = ", ".join(str(p) for p in candidates(explicit)) or "nowhere"
        return (f"no Tesseract language data found (looked in {looked}); install it: "
                f"{install_hint(wanted or ['eng'])}; or set tessdata in the profile, or $TESSDATA_PREFIX")  # fmt: skip
    have = languages(folder)
    missing = [code for code in wanted if code not in have]
    in_script = [code for code in missing if f"script/{code}" in have]
    if in_script:
        return f"Tesseract keeps {'+'.join(in_script)} in {folder / 'script'}: say lang = \"{'+'.join(f'script/{c}' if c in in_script else c for c in wanted)}\""
    if missing:
        return f"Tesseract has no {'+'.join(missing)} language data in {folder}; install it: {install_hint(missing)}"
    return None
