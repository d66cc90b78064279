"""One way to read a set with several engines: run options as one object, inputs expanded once,
readings from the run itself, the dataset job as a Python call, and the same figures on a Dask
cluster as in one process. (The engine built once per run: tests/cli/test_batch_engine_once.py.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import cv2
import pytest

import unified_ocr
from unified_ocr.batch.inputs import ImageList, expand_inputs, image_list
from unified_ocr.batch.options import RunOptions
from unified_ocr.batch.readings import Reading, choose_engines, read_set
from unified_ocr.cache import ResultCache

from ..conftest import SAMPLE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("readings") / "in"
    folder.mkdir()
    sample = cv2.imread(str(SAMPLE))
    cv2.imwrite(str(folder / "a.png"), sample)
    cv2.imwrite(str(folder / "b.png"), cv2.resize(sample, None, fx=0.8, fy=0.8))
    return folder


def test_run_options_are_one_object_and_a_misspelt_one_is_refused() -> None:
    run = RunOptions.merged(RunOptions(concurrency=8), rounds=0, cache=False)
    assert (run.concurrency, run.rounds, run.cache) == (8, 0, None)
    with pytest.raises(TypeError, match="unknown run option.*concurency"):
        RunOptions.merged(concurency=8)
    with pytest.raises(unified_ocr.ConfigError, match="concurrency must be at least 1"):
        RunOptions(concurrency=0)


def test_inputs_are_expanded_once(images: Path) -> None:
    listed = image_list([images, images / "a.png"])
    assert isinstance(listed, ImageList) and len(listed) == 2  # a path given twice is read once
    shutil.copy(images / "a.png", images / "c.png")
    try:
        assert list(expand_inputs(listed)) == list(listed)  # passed through: the folder is not walked again
    finally:
        (images / "c.png").unlink()


def test_readings_of_this_run_come_from_the_run_and_earlier_ones_from_the_journal(images: Path, tmp_path: Path) -> None:
    listed = image_list([images])
    choices = choose_engines(["rapidocr"], None)
    run = RunOptions(cache=False)
    first = read_set(listed, choices, None, run, out=tmp_path / "cmp", stream=open("/dev/null", "w"))  # noqa: SIM115
    again = read_set(listed, choices, None, run, out=tmp_path / "cmp", stream=open("/dev/null", "w"))  # noqa: SIM115
    assert first.calls == {"rapidocr": 2} and again.calls == {"rapidocr": 0}
    assert [r.result for r in first.of("rapidocr")] == [r.result for r in again.of("rapidocr")]
    assert all(isinstance(r, Reading) and r.ok and r.result is not None and r.result.raw is None for r in first.of("rapidocr"))
    rows = list(again)
    assert [image for image, _ in rows] == list(listed) and set(rows[0][1]) == {"rapidocr"}


def test_the_dataset_job_is_a_python_call(images: Path, tmp_path: Path) -> None:
    truth = tmp_path / "gt"
    truth.mkdir()
    result = unified_ocr.recognize(images / "a.png", cache=False)
    rows = [",".join(f"{v:.0f}" for p in w.quad.points for v in p) + f",{w.text}" for w in result.words]
    (truth / "a.txt").write_text("\n".join(rows), encoding="utf-8")
    report = unified_ocr.dataset([images], tmp_path / "ds", "dtrb", truth=truth, stream=open("/dev/null", "w"))  # noqa: SIM115
    assert report.summary["kept"] == len(result.words) > 5
    assert report.problems == (f"{images / 'b.png'}: no truth file for it in {truth}",)  # one image without truth: said, not the end
    assert not report.ok
    with pytest.raises(unified_ocr.ConfigError, match="one of the two"):
        unified_ocr.dataset([images], tmp_path / "ds2", "dtrb")


def summary_figures(out: Path) -> dict[str, Any]:
    """summary.json without what differs from run to run (times, speed, versions, and the calls
    this run made: the cache answered the run here)."""
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for engine in summary["engines"].values():
        engine.pop("speed")
        engine.pop("calls"), engine.pop("calls_recorded")
    return {k: v for k, v in summary.items() if k not in ("created", "versions")}


def test_compare_on_a_dask_cluster_gives_the_figures_of_one_process(images: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    truth = tmp_path / "gt"
    truth.mkdir()
    cache = ResultCache(tmp_path / "cache")  # the readings that made the truth answer the run here: each image is read once here
    for name in ("a", "b"):
        lines = unified_ocr.recognize(images / f"{name}.png", "rapidocr", cache=cache).pages[0].lines
        text = [line.text.replace("0", "O", 1) for line in lines]  # some errors, so that figures are not all 1.0
        (truth / f"{name}.txt").write_text("\n".join(text), encoding="utf-8")
    here = unified_ocr.compare([images], ["rapidocr"], truth, out=tmp_path / "here", cache=cache, stream=open("/dev/null", "w"))  # noqa: SIM115
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            with distributed.get_task_stream(client) as tasks:
                unified_ocr.compare([images], ["rapidocr"], truth, out=tmp_path / "there", cache=False,
                                    executor=client.get_executor(), stream=open("/dev/null", "w"))  # noqa: SIM115
            assert len(tasks.data) == 2  # each image was read on the cluster's worker, not here
    there = json.loads((tmp_path / "there" / "summary.json").read_text(encoding="utf-8"))
    assert here.summary["engines"]["rapidocr"]["calls"] == 0 and there["engines"]["rapidocr"]["calls"] == 2  # the cluster read both anew
    assert here.summary["engines"]["rapidocr"]["text"]["cer"] > 0
    assert summary_figures(tmp_path / "here") == summary_figures(tmp_path / "there")


def test_the_command_line_runs_a_batch_on_a_local_dask_cluster(images: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    from click.testing import CliRunner

    from unified_ocr.cli import cli

    outcome = CliRunner().invoke(cli, ["batch", str(images), "--engine", "rapidocr", "--out", str(tmp_path / "out"),
                                       "--no-cache", "--scheduler", "local"])  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    journal = [json.loads(line) for line in (tmp_path / "out" / "journal.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(Path(e["source"]).name for e in journal if e["status"] == "ok") == ["a.png", "b.png"]
