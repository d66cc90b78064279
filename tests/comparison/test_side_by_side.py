"""The engines of a comparison read side by side, and stop together: two slow vendors (emulators
that take a while to answer, one image at a time each) are asked at the same time, not one
after the other, and an interrupted comparison resumes from journals that stayed valid."""

from __future__ import annotations

import _thread
import io
import threading
import time
from pathlib import Path
from typing import Any

import cv2
import pytest

import unified_ocr
from unified_ocr.batch.readings import RUNS
from unified_ocr.emulator import Faults
from unified_ocr_clova import ClovaEmulator
from unified_ocr_kakao import KakaoEmulator

from ..conftest import SAMPLE

KAKAO_PATH = "/ocr/services/general-ocr/side0000000000000000000000000000"
SPANS: list[tuple[str, float, float]] = []
SPANS_LOCK = threading.Lock()


def timed(emulator: type[Any], name: str) -> type[Any]:
    """The emulator, noting when it took each request and when it answered."""

    class Timed(emulator):  # type: ignore[misc,valid-type]
        def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
            began = time.monotonic()
            try:
                return super().__call__(environ, start_response)
            finally:
                with SPANS_LOCK:
                    SPANS.append((name, began, time.monotonic()))

    return Timed


def write_config(tmp_path: Path, clova_url: str, kakao_url: str) -> Path:
    config = tmp_path / "unified-ocr.toml"
    config.write_text(
        f'[engines.clova]\nbackend = "clova"\ninvoke_url = "{clova_url}/general"\nsecret = {{ env = "SIDE_CLOVA" }}\nretries = 0\n\n'
        f'[engines.kakao]\nbackend = "kakao"\nendpoint = "{kakao_url}{KAKAO_PATH}"\napi_key = {{ env = "SIDE_KAKAO" }}\nretries = 0\n',
        encoding="utf-8",
    )
    return config


def images_in(tmp_path: Path, count: int) -> list[Path]:
    sample = cv2.imread(str(SAMPLE))
    paths = []
    for k in range(count):  # each image differs by a row, so that no cache answers for another
        path = tmp_path / f"img{k}.png"
        cv2.imwrite(str(path), cv2.copyMakeBorder(sample, k + 1, 0, 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255)))
        paths.append(path)
    return paths


def test_two_slow_vendors_are_asked_at_the_same_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIDE_CLOVA", "ck")
    monkeypatch.setenv("SIDE_KAKAO", "kk")
    SPANS.clear()
    slow = Faults(latency=0.3)
    with timed(ClovaEmulator, "clova")(key="ck", canned=True, faults=slow) as clova, \
            timed(KakaoEmulator, "kakao")(key="kk", canned=True, faults=slow) as kakao:  # fmt: skip
        config = write_config(tmp_path, clova.url, kakao.url)
        comparison = unified_ocr.compare(images_in(tmp_path, 3), ["clova", "kakao"], config=config, out=tmp_path / "out",
                                         concurrency=1, cache=False, stream=io.StringIO())  # fmt: skip
    assert comparison.summary["engines"]["clova"]["failures"] == {} and comparison.summary["engines"]["kakao"]["failures"] == {}
    clova_spans = [(a, b) for name, a, b in SPANS if name == "clova"]
    kakao_spans = [(a, b) for name, a, b in SPANS if name == "kakao"]
    assert len(clova_spans) == len(kakao_spans) == 3
    overlapping = sum(1 for a, b in clova_spans for c, d in kakao_spans if a < d and c < b)
    assert overlapping >= 2, SPANS  # one after the other, no request of one would overlap one of the other


def test_an_interrupt_stops_every_engine_and_the_comparison_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIDE_CLOVA", "ck")
    monkeypatch.setenv("SIDE_KAKAO", "kk")
    images = images_in(tmp_path, 6)
    slow = Faults(latency=0.2)
    with ClovaEmulator(key="ck", canned=True, faults=slow) as clova, KakaoEmulator(key="kk", canned=True, faults=slow) as kakao:
        config = write_config(tmp_path, clova.url, kakao.url)

        def ctrl_c_once_both_were_asked() -> None:
            deadline = time.monotonic() + 60
            while min(clova.stats["requests"], kakao.stats["requests"]) < 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            _thread.interrupt_main()

        threading.Thread(target=ctrl_c_once_both_were_asked, daemon=True).start()
        with pytest.raises(KeyboardInterrupt):
            unified_ocr.compare(images, ["clova", "kakao"], config=config, out=tmp_path / "out", concurrency=1,
                                cache=tmp_path / "cache", stream=io.StringIO())  # fmt: skip
        asked = clova.stats["requests"], kakao.stats["requests"]
        assert 0 < asked[0] < 6 and 0 < asked[1] < 6  # both had begun; neither went on to the end
        time.sleep(0.5)
        assert (clova.stats["requests"], kakao.stats["requests"]) == asked  # nothing left running after the interrupt
        for run in (tmp_path / "out" / RUNS).iterdir():
            assert (run / "summary.json").is_file() and '"interrupted": true' in (run / "summary.json").read_text(encoding="utf-8")
        comparison = unified_ocr.compare(images, ["clova", "kakao"], config=config, out=tmp_path / "out", concurrency=1,
                                         cache=tmp_path / "cache", stream=io.StringIO())  # fmt: skip
    assert all(engine["failures"] == {} for engine in comparison.summary["engines"].values())
    assert clova.stats["requests"] + kakao.stats["requests"] == 12  # each image asked of each vendor once in all
