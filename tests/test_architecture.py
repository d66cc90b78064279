"""The import rules of docs/architecture.md, checked on the source: a rule that is only
written down is broken the first time someone is in a hurry."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "unified_ocr"
BUILT_IN_ENGINES = {"rapidocr", "clova", "kakao", "kakao-vision", "tesseract", "google", "azure", "upstage", "textract"}
PLUGINS = Path(__file__).resolve().parents[1] / "plugins"


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module this file imports, at any depth (TYPE_CHECKING and function-level imports count)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)  # `from . import pdf` names a module
    return found


MODULES = {module_name(p): p for p in SRC.rglob("*.py")}


def project_imports(module: str) -> set[str]:
    """The project modules (as `unified_ocr.<first level>`) a module imports, its own package left out."""
    own = module.split(".")[1] if module.count(".") else ""
    out = set()
    for target in imports(MODULES[module]):
        parts = target.split(".")
        if parts[0] == "unified_ocr" and len(parts) > 1 and parts[1] != own and f"unified_ocr.{parts[1]}" in _TOP:
            out.add(parts[1])
    return out


_TOP = {".".join(m.split(".")[:2]) for m in MODULES}
_TOP_NAMES = {t.split(".")[1] for t in _TOP if "." in t}

_CORE = {"errors", "geometry", "model"}
ALLOWED = {
    # the core data: nothing above it
    "errors": set(),
    "geometry": set(),
    "model": {"geometry"},
    # leaves every layer may stand on: secrets that never print, files written whole
    "secrets": {"errors"},
    "files": set(),
    # words into lines: data in, data out
    "layout": {"geometry", "model"},
    # pixels: sources, uploads fitted to an engine's limits, crops
    "imaging": _CORE,
    # the engines' contract, the registry of plugin kinds, HTTP, retries, rate limits
    "engines": _CORE | {"secrets", "imaging", "layout"},
    # which engine a name means; the result cache
    "config": {"errors", "secrets", "engines"},
    "cache": _CORE | {"files"},
    # one image through one engine
    "api": _CORE | {"secrets", "files", "imaging", "engines", "config", "cache", "layout"},
    # a vendor's API on a socket, answering with what an offline engine reads
    "emulator": _CORE | {"imaging", "engines", "config", "api"},
    # many images through engines: runner, journal, folders, readings side by side
    "batch": _CORE | {"files", "imaging", "engines", "config", "cache", "api"},
    # the same for an event loop: the sync path in threads
    "aio": _CORE | {"files", "imaging", "engines", "config", "cache", "api", "batch"},
    # consumers of results
    "exports": _CORE | {"files"},
    "drawing": _CORE | {"imaging"},
    "evaluation": _CORE | {"imaging", "files", "exports", "engines"},  # truth read by the formats' readers; plugin kinds
    # the jobs built from the parts: everything of the core, nothing of the command line or of a plugin
    "datasets": _CORE | {"files", "imaging", "engines", "config", "cache", "batch", "evaluation", "exports"},
    "comparison": _CORE | {"secrets", "files", "imaging", "engines", "config", "cache", "batch", "evaluation", "layout",
                           "exports", "drawing"},  # fmt: skip
    # loaders for other tools' pipelines, thin over the public API
    "integrations": _CORE | {"files", "imaging", "engines", "config", "cache", "api", "batch", "exports"},
    # the command line over all of it
    "cli": set(_TOP_NAMES) - {"cli", "__main__", "_moved"},
}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_what_is_below_it(package: str) -> None:
    members = [m for m in MODULES if m == f"unified_ocr.{package}" or m.startswith(f"unified_ocr.{package}.")]
    assert members, package
    for module in members:
        extra = project_imports(module) - ALLOWED[package]
        assert not extra, f"{module} imports {sorted(extra)}; docs/architecture.md allows only {sorted(ALLOWED[package])}"


def test_every_package_has_a_rule() -> None:
    """A new package says where it stands; until it does, this fails."""
    assert _TOP_NAMES - {"__main__", "_moved"} == set(ALLOWED), sorted((_TOP_NAMES - {"__main__", "_moved"}) ^ set(ALLOWED))


def package_graph() -> dict[str, set[str]]:
    """Package -> the packages its modules import (its own left out), as actually written."""
    graph: dict[str, set[str]] = {}
    for module in MODULES:
        if module.count("."):
            graph.setdefault(module.split(".")[1], set()).update(project_imports(module))
    return graph


def test_imports_between_packages_form_no_loop() -> None:
    """Over the packages, not only their modules: a loop through two packages means neither can be
    understood, tested or replaced alone (what `config` <-> `engines` through `Secret` was)."""
    graph = package_graph()
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                loop = path[path.index(nxt):] + [node, nxt] if nxt in path else [node, nxt]
                raise AssertionError("imports between packages loop: " + " -> ".join(loop))
            if nxt not in state:
                walk(nxt, [*path, node])
        state[node] = 2

    for package in sorted(graph):
        if package not in state:
            walk(package, [])


def test_the_loop_finder_finds_a_loop() -> None:
    """The test above could pass by finding nothing: shown a loop, it must say so."""
    global package_graph
    real = package_graph
    try:
        package_graph = lambda: {"a": {"b"}, "b": {"c"}, "c": {"a"}}  # noqa: E731
        with pytest.raises(AssertionError, match="loop"):
            test_imports_between_packages_form_no_loop()
    finally:
        package_graph = real


def test_an_upload_is_data_only() -> None:
    direct = {t for t in imports(MODULES["unified_ocr.imaging.upload"]) if t.startswith("unified_ocr") or t.startswith(".")}
    module_level = direct - {"unified_ocr.imaging.sources", "unified_ocr.imaging.sources.open_source"}  # decode(), lazily
    assert module_level <= {"unified_ocr.geometry", "unified_ocr.geometry.Transform"}, module_level


def test_the_core_never_imports_or_names_a_vendor() -> None:
    for module, path in MODULES.items():
        assert not any(t.startswith("unified_ocr_") for t in imports(path)), f"{module} imports a plugin"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}  # fmt: skip
        named = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) not in docstrings} & BUILT_IN_ENGINES
        assert not named, f"{module} names the engine(s) {sorted(named)} in code; a plugin says that of itself"


def test_a_plugin_uses_another_plugin_only_through_its_public_names() -> None:
    """A built-in plugin is a package like a third party's: another one may use what it exports
    (the Tesseract engine asks the offline engine for its text detector), never a private name."""
    for path in PLUGINS.rglob("*.py"):
        own = path.relative_to(PLUGINS).parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").startswith("unified_ocr_"):
                if node.module.split(".")[0] != own:
                    private = [a.name for a in node.names if a.name.startswith("_")]
                    assert not private, f"{path.relative_to(PLUGINS)} imports {private} from {node.module}"
