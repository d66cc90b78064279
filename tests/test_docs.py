"""The documentation keeps up with the code: every hook is documented, and the complete
plugin example of docs/plugins.md is real code that type-checks and runs."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import unified_ocr
from unified_ocr.engines import hookspecs
from unified_ocr.engines.registry import KINDS, Registry

ROOT = Path(__file__).resolve().parents[1]
PLUGINS_MD = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")


def hookspec_functions() -> dict[str, object]:
    return {name: fn for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(fn, f"{hookspecs.PROJECT}_spec")}


def test_every_hook_has_a_docstring_and_a_heading_in_plugins_md() -> None:
    specs = hookspec_functions()
    assert {"register_engines", "register_emulators"} <= set(specs)
    for name, fn in specs.items():
        assert (inspect.getdoc(fn) or "").strip(), f"hook {name} has no docstring in hookspecs.py"
        assert re.search(rf"^### {name}\(\)$", PLUGINS_MD, re.M), f"hook {name} has no '### {name}()' section in docs/plugins.md"


def test_every_kind_of_the_registry_has_a_hook() -> None:
    assert {kind.hook for kind in KINDS.values()} <= set(hookspec_functions())


def _complete_example() -> str:
    section = PLUGINS_MD.split("## A complete example", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def test_the_complete_plugin_example_registers_and_type_checks(tmp_path: Path) -> None:
    package = tmp_path / "unified_ocr_acme"
    package.mkdir()
    (package / "__init__.py").write_text(_complete_example(), encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        import unified_ocr_acme

        registry = Registry([unified_ocr_acme], entry_points=False)
        assert list(registry.engines) == ["acme"]
        raw = {"lines": [{"words": [{"text": "TOTAL", "points": [[10, 5], [60, 5], [60, 20], [10, 20]], "score": 0.98}]}]}
        result = unified_ocr_acme.parse(raw, (100, 50))
        assert result.text == "TOTAL" and result.pages[0].words[0].confidence == 0.98
        reason = registry.engine_class("acme").unavailable_reason()
        assert reason == "missing settings: endpoint, api_key (set them in a profile of unified-ocr.toml)"
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("unified_ocr_acme", None)
    mypy = subprocess.run([sys.executable, "-m", "mypy", "--ignore-missing-imports", "--no-incremental", str(package)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)  # fmt: skip
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr


def test_the_readme_and_docs_name_no_module_that_moved() -> None:
    # 0.1's flat paths, and 0.2's own that moved so that imports between packages run one way
    # (emulator, secrets and cache are top-level modules again: those names are their homes)
    moved = re.compile(r"unified_ocr\.(engine|http|plugins|hookspecs|prepare|sources|journal|crop|pdf|engines\.emulator|"
                       r"config\.secrets|batch\.cache|batch\.files|engines\.upload)\b(?!s)")
    hookspecs_py = Path(hookspecs.__file__)  # the one file a plugin author reads
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), hookspecs_py]:
        for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
            if "0.1" not in paragraph:  # where the old paths are named as old
                assert not moved.search(paragraph), f"{path.name}: {paragraph.strip()[:200]}"
    assert unified_ocr.recognize_many  # exported, as the docs say


def test_the_quick_start_prints_what_the_readme_says() -> None:
    """The README's sample output is what the quick-start command prints, visual lines and all."""
    import pytest

    if unified_ocr.choose_engine(None).engine.unavailable_reason() is not None:
        pytest.skip("needs the offline engine: pip install 'unified-ocr[local]'")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"After pip's output it prints:\n\n```\n(.*?)```", readme, re.S)
    assert shown, "the README's quick start lost its sample output"
    proc = subprocess.run([sys.executable, "-m", "unified_ocr", "recognize", str(ROOT / "examples" / "sample-receipt.png"),
                           "--format", "text", "--no-cache"], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == shown.group(1).strip()
    assert "Green tea 2 3,000" in proc.stdout.splitlines()


def test_the_korean_section_prints_what_the_readme_says() -> None:
    """The README's Korean command, on the bundled phone photo, prints the block it shows: the
    photo found, flattened and read line by line by Tesseract, picked by ``--lang ko``."""
    import pytest

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Korean, offline", 1)[1].split("\n## ", 1)[0]
    command, shown = re.findall(r"```\n(.*?)```", section, re.S)[:2]
    assert "recognize examples/korean-receipt-photo.jpg --lang ko --format text" in command
    missing = unified_ocr.choose_engine("tesseract").engine.unavailable_reason()
    if missing is not None:
        pytest.skip(f"needs Tesseract with Korean: {missing}")
    proc = subprocess.run([sys.executable, "-m", "unified_ocr", "recognize", str(ROOT / "examples" / "korean-receipt-photo.jpg"),
                           "--lang", "ko", "--format", "text", "--no-cache"], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == shown.strip()
