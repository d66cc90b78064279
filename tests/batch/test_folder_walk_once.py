"""A batch walks its inputs once: the check for no images, the progress count and the run use one
list. A folder of 10,000 scans on a network share was listed three times for one command."""

from __future__ import annotations

import io

import unified_ocr.batch.folder as folder_module
from unified_ocr import Secret
from unified_ocr.batch.folder import run_batch
from unified_ocr_clova import ClovaEmulator, ClovaOptions

from .test_runner import make_images


def test_a_batch_lists_its_folder_once(tmp_path, monkeypatch) -> None:
    make_images(tmp_path / "in", 5)
    walks: list[object] = []
    original = folder_module.expand_inputs

    def counting(inputs):  # type: ignore[no-untyped-def]
        walks.append(inputs)
        return original(inputs)

    monkeypatch.setattr(folder_module, "expand_inputs", counting)
    with ClovaEmulator(key="k", canned=True) as server:
        options = ClovaOptions(invoke_url=f"{server.url}/general", secret=Secret.of("k"))
        report = run_batch([str(tmp_path / "in")], tmp_path / "out", options, cache=False, stream=io.StringIO())
        assert server.stats["requests"] == 5
    assert report.summary["done"] == 5 and len(walks) == 1
