"""What the file system says (a name too long, a result that cannot be written, a cache that
cannot be written, a folder that cannot be listed) is a typed error or a warning naming the
path; the rest of the run goes on and nothing paid for is lost."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from unified_ocr import ImageNotFoundError, OutputError, Secret
from unified_ocr.batch import recognize_many
from unified_ocr.batch.folder import RESULTS, result_name, run_batch
from unified_ocr.batch.inputs import UnreadableFolderWarning, expand_inputs
from unified_ocr.cache import CacheWriteWarning, ResultCache
from unified_ocr.imaging.sources import open_source
from unified_ocr_clova import ClovaEmulator, ClovaOptions

from .test_runner import make_images

KEY = "file-system-key"


def test_a_file_name_over_the_limit_is_an_input_error() -> None:
    with pytest.raises(ImageNotFoundError, match="cannot be read"):
        open_source("x" * 300 + ".png")


def test_a_result_that_cannot_be_written_fails_that_image_only_and_a_rerun_needs_no_call(tmp_path) -> None:
    folder = tmp_path / "in"
    images = make_images(folder, 4)
    out = tmp_path / "out"
    cache = ResultCache(tmp_path / "cache")
    with ClovaEmulator(key=KEY, canned=True) as server:
        options = ClovaOptions(invoke_url=server.url + "/general", secret=Secret.of(KEY))
        (blocked,) = [o for o in recognize_many([str(images[0])], options, cache=False)]
        (out / RESULTS / result_name(blocked)).mkdir(parents=True)  # where its result would go: a folder
        report = run_batch([str(folder)], out, options, cache=cache)
        assert report.summary["done"] == 3 and report.summary["failed_by_type"] == {"OutputError": 1}
        calls = server.stats["requests"]
        (out / RESULTS / result_name(blocked)).rmdir()
        again = run_batch([str(folder)], out, options, cache=cache)
        assert again.ok and again.summary["done"] == 1 and server.stats["requests"] == calls  # from the cache
    assert OutputError.__doc__ and "rerun" in OutputError.__doc__


def test_a_cache_that_cannot_be_written_warns_and_the_result_is_kept(tmp_path) -> None:
    (image,) = make_images(tmp_path / "in", 1)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with ClovaEmulator(key=KEY, canned=True) as server:
        options = ClovaOptions(invoke_url=server.url + "/general", secret=Secret.of(KEY))
        with pytest.warns(CacheWriteWarning, match="cannot be written"):
            (outcome,) = recognize_many([str(image)], options, cache=ResultCache(blocker / "cache"))
    assert outcome.ok and outcome.result is not None


@contextlib.contextmanager
def without_root() -> Iterator[None]:
    """Run the body as an ordinary user: root reads every folder, whatever its mode. Only the
    effective user changes (for the body's few calls), so the process gets root back after."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)  # nobody
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_a_folder_that_cannot_be_listed_is_said() -> None:
    with tempfile.TemporaryDirectory() as top:  # not under pytest's own folder, which only its owner may enter
        root = Path(top)
        root.chmod(0o755)
        make_images(root / "in", 1)
        (root / "in").chmod(0o755)
        locked = root / "in" / "locked"
        locked.mkdir()
        make_images(locked, 1)
        locked.chmod(0)
        try:
            with without_root(), pytest.warns(UnreadableFolderWarning, match="locked: cannot be listed"):
                found = list(expand_inputs([root / "in"]))
            assert [Path(p).parent for p in found] == [root / "in"]  # the readable image, and the rest said
        finally:
            locked.chmod(0o755)


def test_a_summary_that_cannot_be_written_is_said_after_the_work(tmp_path) -> None:
    folder = tmp_path / "in"
    make_images(folder, 2)
    out = tmp_path / "out"
    (out / "summary.json").mkdir(parents=True)  # where the summary goes: a folder
    with ClovaEmulator(key=KEY, canned=True) as server:
        report = run_batch([str(folder)], out, ClovaOptions(invoke_url=server.url + "/general", secret=Secret.of(KEY)), cache=False)
    assert report.summary["done"] == 2 and any("summary.json: cannot be written" in line for line in report.lines)


def test_a_file_that_cannot_be_read_is_an_input_error_naming_it() -> None:
    """(That one bad input fails alone in a batch is the runner's rule for every input error.)"""
    with tempfile.TemporaryDirectory() as top:
        root = Path(top)
        root.chmod(0o755)
        (locked,) = make_images(root, 1)
        locked.chmod(0)
        with without_root(), pytest.raises(ImageNotFoundError, match=f"{locked.name}: cannot be read .*ermission"):
            open_source(locked)
