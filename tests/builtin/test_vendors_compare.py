"""``unified-ocr compare`` with google, azure, clova and kakao, each against its emulator: side by side, each
under its own rate limit, a rerun free."""

from __future__ import annotations

import json

import cv2
import pytest
from unified_ocr_azure import AzureEmulator
from unified_ocr_google import GoogleEmulator

from unified_ocr_clova import ClovaEmulator
from unified_ocr_kakao import KakaoEmulator

from ..conftest import SAMPLE, run_cli

pytestmark = pytest.mark.slow

KEYS = {
    "CMP_GOOGLE_KEY": "google-cmp-s3cret-NEVER-SHOWN",
    "CMP_AZURE_KEY": "azure-cmp-s3cret-NEVER-SHOWN",
    "CMP_CLOVA_SECRET": "clova-cmp-s3cret",
    "CMP_KAKAO_KEY": "kakao-cmp-s3cret",
}
KAKAO_PATH = "/ocr/services/general-ocr/compare0000000000000000000000000"


def test_google_azure_clova_and_kakao_compare_side_by_side_and_a_rerun_makes_no_calls(tmp_path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    sample = cv2.imread(str(SAMPLE))
    cv2.imwrite(str(images / "receipt.png"), sample)
    cv2.imwrite(str(images / "receipt-small.png"), cv2.resize(sample, None, fx=0.8, fy=0.8))
    with GoogleEmulator(key=KEYS["CMP_GOOGLE_KEY"], canned=True) as google, \
            AzureEmulator(key=KEYS["CMP_AZURE_KEY"], canned=True, run_seconds=0.2) as azure, \
            ClovaEmulator(key=KEYS["CMP_CLOVA_SECRET"], canned=True) as clova, \
            KakaoEmulator(key=KEYS["CMP_KAKAO_KEY"], canned=True) as kakao:  # fmt: skip
        config = tmp_path / "unified-ocr.toml"
        config.write_text(
            f'[engines.google]\nbackend = "google"\nendpoint = "{google.url}"\napi_key = {{ env = "CMP_GOOGLE_KEY" }}\n'
            "rate_limit = 5\nprice_per_1000 = 1.5\n\n"
            f'[engines.azure]\nbackend = "azure"\nendpoint = "{azure.url}"\nkey = {{ env = "CMP_AZURE_KEY" }}\n'
            "price_per_1000 = 10.0\n\n"
            f'[engines.clova]\nbackend = "clova"\ninvoke_url = "{clova.url}/general"\nsecret = {{ env = "CMP_CLOVA_SECRET" }}\n'
            "rate_limit = 3\nprice_per_1000 = 3.0\n\n"
            f'[engines.kakao]\nbackend = "kakao"\nendpoint = "{kakao.url}{KAKAO_PATH}"\napi_key = {{ env = "CMP_KAKAO_KEY" }}\n',
            encoding="utf-8",
        )
        out = tmp_path / "report"
        args = ["compare", str(images), "--engine", "google", "--engine", "azure", "--engine", "clova", "--engine", "kakao", "--config", str(config),
                "--out", str(out), "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
        first = run_cli(*args, env=KEYS)
        assert first.returncode == 0, first.stderr
        calls = google.stats["requests"], sum(azure.paid.values()), clova.stats["requests"], kakao.stats["requests"]
        assert calls == (2, 2, 2, 2)
        polled = azure.stats["requests"]
        second = run_cli(*args, env=KEYS)
        assert second.returncode == 0, second.stderr
        assert (google.stats["requests"], sum(azure.paid.values()), clova.stats["requests"], kakao.stats["requests"]) == calls
        assert azure.stats["requests"] == polled  # no POST and no poll either
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["engines"]) == {"google", "azure", "clova", "kakao"}
    assert all(e["calls"] == 0 and e["failures"] == {} for e in summary["engines"].values())
    assert summary["engines"]["google"]["cost"]["price_per_1000"] == 1.5
    assert "api_key" not in summary["engines"]["google"]["options"] and "key" not in summary["engines"]["azure"]["options"]
    assert summary["engines"]["azure"]["cost"]["all_images_once"] == pytest.approx(0.02)  # both images read, 10 per 1,000
    everything = first.stdout + first.stderr + second.stdout + second.stderr
    everything += "".join(p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file())
    assert not any(key in everything for key in KEYS.values())
