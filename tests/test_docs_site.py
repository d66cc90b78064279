"""The documentation site builds with no broken link and no missing reference, without the
network, and its API page shows every public function of ``unified_ocr`` with its signature."""

from __future__ import annotations

import html
import importlib.util
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path
from types import FunctionType

import pytest

import unified_ocr

ROOT = Path(__file__).resolve().parents[1]
NEEDS = "pip install 'unified-ocr[docs]'"
STARS: dict[inspect._ParameterKind, str] = {inspect.Parameter.VAR_POSITIONAL: r"\*", inspect.Parameter.VAR_KEYWORD: r"\*\*"}  # how *args and **kwargs are shown


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("mkdocstrings_handlers") is None:
        pytest.skip(f"needs the docs tools: {NEEDS}")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
                           "--site-dir", str(out)], capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def signatures(page: str) -> dict[str, str]:
    """Each rendered signature on the page as plain text, by the dotted path of its heading."""
    found: dict[str, str] = {}
    pattern = (
        r'<h\d id="(unified_ocr[\w.]*)" class="doc doc-heading">(?:(?!</h\d>).)*</h\d>\s*<div class="doc-signature[^"]*">.*?<code>(.*?)</code>'
    )
    for path, block in re.findall(pattern, page, re.S):
        found[path] = " ".join(html.unescape(re.sub(r"<[^>]+>", "", block)).split())
    return found


def public_functions() -> dict[str, FunctionType]:
    return {name: getattr(unified_ocr, name) for name in unified_ocr.__all__ if inspect.isfunction(getattr(unified_ocr, name))}


def test_every_public_function_is_on_the_api_page_with_its_signature(site: Path) -> None:
    shown = signatures((site / "api.html").read_text(encoding="utf-8"))
    functions = public_functions()
    assert {"recognize", "recognize_many", "compare", "dataset", "export", "parse"} <= set(functions)
    for name, fn in functions.items():
        where = f"{fn.__module__}.{fn.__qualname__}"
        assert where in shown, f"unified_ocr.{name} is not on docs/api.md (add '::: {where}')"
        rest = shown[where]
        assert rest.startswith(f"{name}("), rest
        for parameter in inspect.signature(fn).parameters.values():
            star = STARS.get(parameter.kind, "")
            seen = re.search(rf"(?<![\w*]){star}{parameter.name}\b", rest)
            assert seen, f"{name}: parameter {parameter.name} missing from the signature shown: {shown[where]}"
            rest = rest[seen.end() :]


def test_the_site_loads_nothing_from_the_network(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'<script[^>]+src="(https?:)?//', text), f"{page.name} loads a script from the network"
        assert not re.search(
            r'<link[^>]+href="(https?:)?//[^"]+"[^>]*rel="stylesheet"|<link[^>]+rel="stylesheet"[^>]+href="(https?:)?//', text
        ), page.name
        assert "fonts.googleapis.com" not in text, f"{page.name} loads web fonts"


def test_every_page_of_docs_is_in_the_site(site: Path) -> None:
    for page in (ROOT / "docs").rglob("*.md"):
        built = site / page.relative_to(ROOT / "docs").with_suffix(".html")
        assert built.exists(), f"{page} is not built into the site"
