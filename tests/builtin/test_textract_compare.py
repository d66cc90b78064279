"""``unified-ocr compare`` with textract beside clova and the offline engine: side by side, the Korean warning said once, a rerun free."""

from __future__ import annotations

import json

import cv2
import pytest
from unified_ocr_textract import TextractEmulator

from unified_ocr_clova import ClovaEmulator

from ..conftest import SAMPLE, run_cli

pytest.importorskip("botocore")  # the engine signs with it (the textract extra; boto3 of the test extra brings it)

pytestmark = pytest.mark.slow

ACCESS = "AKIACOMPARETEXTRACT1"
KEYS = {"CMP_AWS_ID": ACCESS, "CMP_AWS_SECRET": "aws-cmp-s3cret/NEVER-SHOWN", "CMP_CLOVA_SECRET": "clova-cmp-s3cret"}


def test_textract_compares_with_clova_and_rapidocr_warns_once_for_korean_and_a_rerun_makes_no_calls(tmp_path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    sample = cv2.imread(str(SAMPLE))
    cv2.imwrite(str(images / "receipt.png"), sample)
    cv2.imwrite(str(images / "receipt-small.png"), cv2.resize(sample, None, fx=0.8, fy=0.8))
    with TextractEmulator(key=f"{ACCESS}:{KEYS['CMP_AWS_SECRET']}", region="ap-northeast-2", canned=True) as textract, \
            ClovaEmulator(key=KEYS["CMP_CLOVA_SECRET"], canned=True) as clova:  # fmt: skip
        config = tmp_path / "unified-ocr.toml"
        config.write_text(
            f'[engines.textract]\nbackend = "textract"\nendpoint = "{textract.url}"\nregion = "ap-northeast-2"\nlang = "ko"\n'
            'access_key_id = { env = "CMP_AWS_ID" }\nsecret_access_key = { env = "CMP_AWS_SECRET" }\n'
            "rate_limit = 5\nprice_per_1000 = 1.5\n\n"
            f'[engines.clova]\nbackend = "clova"\ninvoke_url = "{clova.url}/general"\nsecret = {{ env = "CMP_CLOVA_SECRET" }}\n'
            'lang = "ko"\nrate_limit = 3\nprice_per_1000 = 3.0\n',
            encoding="utf-8",
        )
        out = tmp_path / "report"
        args = ["compare", str(images), "--engine", "textract", "--engine", "clova", "--engine", "rapidocr", "--config", str(config),
                "--out", str(out), "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
        env = {**KEYS, "AWS_EC2_METADATA_DISABLED": "true"}
        first = run_cli(*args, env=env)
        assert first.returncode == 0, first.stderr
        calls = textract.stats["requests"], clova.stats["requests"]
        assert calls == (2, 2)
        said = [line for line in first.stderr.splitlines() if "textract" in line and "Hangul" in line]
        assert len(said) == 1, first.stderr
        second = run_cli(*args, env=env)
        assert second.returncode == 0, second.stderr
        assert (textract.stats["requests"], clova.stats["requests"]) == calls
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["engines"]) == {"textract", "clova", "rapidocr"}
    assert summary["engines"]["textract"]["cost"]["price_per_1000"] == 1.5
    assert not any(k in summary["engines"]["textract"]["options"] for k in ("secret_access_key", "access_key_id"))
    everything = first.stdout + first.stderr + second.stdout + second.stderr
    everything += "".join(p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file())
    assert KEYS["CMP_AWS_SECRET"] not in everything and KEYS["CMP_CLOVA_SECRET"] not in everything
