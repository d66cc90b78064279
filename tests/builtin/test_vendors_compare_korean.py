"""``unified-ocr compare`` with upstage, textract, clova and rapidocr on Korean images: side by side, Textract's
warning that it reads no Hangul said once, a rerun free.

Upstage's emulator replays its real recorded answers for these images; CLOVA's and Textract's answers are canned;
rapidocr reads them."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from unified_ocr_textract import TextractEmulator
from unified_ocr_upstage import UpstageEmulator

from unified_ocr_clova import ClovaEmulator

from ..conftest import run_cli

pytest.importorskip("botocore")  # the textract engine signs with it (the textract extra; boto3 of the test extra brings it)

pytestmark = pytest.mark.slow

ACCESS = "AKIACOMPARETEXTRACT1"
KEYS = {"CMP_UPSTAGE_KEY": "upstage-cmp-s3cret-NEVER-SHOWN", "CMP_CLOVA_SECRET": "clova-cmp-s3cret",
        "CMP_AWS_ID": ACCESS, "CMP_AWS_SECRET": "aws-cmp-s3cret/NEVER-SHOWN"}  # fmt: skip
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upstage"
KOREAN = ["cookbook-ocr-dpi-table", "cookbook-ocr-water-mark"]


def test_upstage_textract_clova_and_rapidocr_compare_korean_images_warn_once_and_a_rerun_makes_no_calls(tmp_path) -> None:
    images, replay = tmp_path / "images", tmp_path / "replay"
    images.mkdir()
    replay.mkdir()
    for name in KOREAN:
        shutil.copy(FIXTURES / f"{name}.png", images / f"{name}.png")
        shutil.copy(FIXTURES / f"{name}.png", replay / f"{name}.png")
        with gzip.open(FIXTURES / f"{name}.json.gz", "rb") as f:
            (replay / f"{name}.json").write_bytes(f.read())
    with UpstageEmulator(key=KEYS["CMP_UPSTAGE_KEY"], replay=replay) as upstage, \
            TextractEmulator(key=f"{ACCESS}:{KEYS['CMP_AWS_SECRET']}", region="ap-northeast-2", canned=True) as textract, \
            ClovaEmulator(key=KEYS["CMP_CLOVA_SECRET"], canned=True) as clova:  # fmt: skip
        config = tmp_path / "unified-ocr.toml"
        config.write_text(
            f'[engines.upstage]\nbackend = "upstage"\nendpoint = "{upstage.url}"\napi_key = {{ env = "CMP_UPSTAGE_KEY" }}\n'
            "price_per_1000 = 1.5\n\n"
            f'[engines.textract]\nbackend = "textract"\nendpoint = "{textract.url}"\nregion = "ap-northeast-2"\nlang = "ko"\n'
            'access_key_id = { env = "CMP_AWS_ID" }\nsecret_access_key = { env = "CMP_AWS_SECRET" }\n'
            "rate_limit = 5\nprice_per_1000 = 1.5\n\n"
            f'[engines.clova]\nbackend = "clova"\ninvoke_url = "{clova.url}/general"\nsecret = {{ env = "CMP_CLOVA_SECRET" }}\n'
            "rate_limit = 3\nprice_per_1000 = 3.0\n",
            encoding="utf-8",
        )
        out = tmp_path / "report"
        args = ["compare", str(images), "--engine", "upstage", "--engine", "textract", "--engine", "clova", "--engine", "rapidocr", "--config", str(config),
                "--out", str(out), "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
        env = {**KEYS, "AWS_EC2_METADATA_DISABLED": "true"}
        first = run_cli(*args, env=env)
        assert first.returncode == 0, first.stderr
        calls = upstage.stats["requests"], textract.stats["requests"], clova.stats["requests"]
        assert calls == (2, 2, 2)
        said = [line for line in first.stderr.splitlines() if "textract" in line and "Hangul" in line]
        assert len(said) == 1, first.stderr
        second = run_cli(*args, env=env)
        assert second.returncode == 0, second.stderr
        assert (upstage.stats["requests"], textract.stats["requests"], clova.stats["requests"]) == calls
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["engines"]) == {"upstage", "textract", "clova", "rapidocr"}
    assert all(e["calls"] == 0 and e["failures"] == {} for e in summary["engines"].values())
    assert summary["engines"]["upstage"]["cost"]["price_per_1000"] == 1.5
    assert "api_key" not in summary["engines"]["upstage"]["options"]
    assert not any(k in summary["engines"]["textract"]["options"] for k in ("secret_access_key", "access_key_id"))
    everything = first.stdout + first.stderr + second.stdout + second.stderr
    everything += "".join(p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file())
    assert "워터마크" in everything  # Upstage's real Korean reading is in the report
    assert not any(key in everything for key in KEYS.values())
