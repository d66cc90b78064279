"""``unified-ocr compare`` with google beside clova and kakao, each against its emulator: side by side, a rerun free."""

from __future__ import annotations

import json

import cv2
import pytest
from unified_ocr_google import GoogleEmulator

from unified_ocr_clova import ClovaEmulator
from unified_ocr_kakao import KakaoEmulator

from ..conftest import SAMPLE, run_cli

pytestmark = pytest.mark.slow

KEYS = {
    "CMP_GOOGLE_KEY": "google-cmp-s3cret-NEVER-SHOWN",
    "CMP_CLOVA_SECRET": "clova-cmp-s3cret",
    "CMP_KAKAO_KEY": "kakao-cmp-s3cret",
}
KAKAO_PATH = "/ocr/services/general-ocr/compare0000000000000000000000000"


def test_google_compares_with_clova_and_kakao_and_a_rerun_makes_no_calls(tmp_path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    sample = cv2.imread(str(SAMPLE))
    cv2.imwrite(str(images / "receipt.png"), sample)
    cv2.imwrite(str(images / "receipt-small.png"), cv2.resize(sample, None, fx=0.8, fy=0.8))
    with GoogleEmulator(key=KEYS["CMP_GOOGLE_KEY"], canned=True) as google, \
            ClovaEmulator(key=KEYS["CMP_CLOVA_SECRET"], canned=True) as clova, \
            KakaoEmulator(key=KEYS["CMP_KAKAO_KEY"], canned=True) as kakao:  # fmt: skip
        config = tmp_path / "unified-ocr.toml"
        config.write_text(
            f'[engines.google]\nbackend = "google"\nendpoint = "{google.url}"\napi_key = {{ env = "CMP_GOOGLE_KEY" }}\n'
            "rate_limit = 5\nprice_per_1000 = 1.5\n\n"
            f'[engines.clova]\nbackend = "clova"\ninvoke_url = "{clova.url}/general"\nsecret = {{ env = "CMP_CLOVA_SECRET" }}\n'
            "rate_limit = 3\nprice_per_1000 = 3.0\n\n"
            f'[engines.kakao]\nbackend = "kakao"\nendpoint = "{kakao.url}{KAKAO_PATH}"\napi_key = {{ env = "CMP_KAKAO_KEY" }}\n',
            encoding="utf-8",
        )
        out = tmp_path / "report"
        args = ["compare", str(images), "--engine", "google", "--engine", "clova", "--engine", "kakao", "--config", str(config),
                "--out", str(out), "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
        first = run_cli(*args, env=KEYS)
        assert first.returncode == 0, first.stderr
        calls = google.stats["requests"], clova.stats["requests"], kakao.stats["requests"]
        assert calls == (2, 2, 2)
        second = run_cli(*args, env=KEYS)
        assert second.returncode == 0, second.stderr
        assert (google.stats["requests"], clova.stats["requests"], kakao.stats["requests"]) == calls
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["engines"]) == {"google", "clova", "kakao"}
    assert all(e["calls"] == 0 and e["failures"] == {} for e in summary["engines"].values())
    assert summary["engines"]["google"]["cost"]["price_per_1000"] == 1.5
    assert "api_key" not in summary["engines"]["google"]["options"]
    everything = first.stdout + first.stderr + second.stdout + second.stderr
    everything += "".join(p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file())
    assert not any(key in everything for key in KEYS.values())
