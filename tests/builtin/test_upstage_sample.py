"""Upstage's documented ``requests`` sample, pointed at the emulator, runs as written and gets the documented shape."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
from unified_ocr_upstage import UpstageEmulator
from unified_ocr_upstage.parse import parse

from ..conftest import SAMPLE

KEY = "up-sample-key-DO-NOT-LEAK-3b1f"

#: The sample of Upstage's Document OCR page, as written there; only the three values it asks the reader to fill in differ.
SAMPLE_CODE = """
import requests

api_key = "{api_key}"
filename = "{filename}"

url = "{url}"
headers = {{"Authorization": f"Bearer {{api_key}}"}}
files = {{"document": open(filename, "rb")}}
data = {{"model": "{model}"}}
response = requests.post(url, headers=headers, files=files, data=data)
print(response.json())
"""


def run_sample(url: str, api_key: str, filename: str, model: str = "ocr") -> tuple[dict, str]:
    code = SAMPLE_CODE.format(url=url, api_key=api_key, filename=filename, model=model)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return ast.literal_eval(done.stdout.strip()), done.stdout + done.stderr


@pytest.fixture(scope="module")
def emulator():
    with UpstageEmulator(key=KEY, canned=True) as server:
        yield server


def test_the_documented_ocr_sample_runs_as_written(emulator) -> None:
    body, _ = run_sample(emulator.url + "/v1/document-digitization", KEY, SAMPLE)
    assert sorted(body) == ["apiVersion", "confidence", "metadata", "mimeType", "modelVersion", "numBilledPages",
                            "pages", "stored", "text"]  # fmt: skip
    assert body["numBilledPages"] == 1 and body["pages"][0]["words"][0]["text"] == "emulated"
    assert sorted(body["pages"][0]["words"][0]) == ["boundingBox", "confidence", "id", "text"]
    assert parse(body).text == "emulated"


def test_the_documented_parse_sample_gets_elements(emulator) -> None:
    body, _ = run_sample(emulator.url + "/v1/document-digitization", KEY, SAMPLE, model="document-parse")
    assert sorted(body) == ["api", "content", "elements", "merged_elements", "model", "ocr", "usage"]
    assert body["elements"][0]["category"] == "paragraph" and body["usage"] == {"pages": 1}


def test_the_sample_with_a_wrong_key_gets_the_error_body(emulator) -> None:
    body, output = run_sample(emulator.url + "/v1/document-digitization", "wrong", SAMPLE)
    assert body["error"]["code"] == "invalid_api_key" and body["error"]["type"] == "invalid_request_error"
    assert KEY not in output
