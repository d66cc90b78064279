"""The Google Cloud Vision engine against its emulator over real sockets on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image
from unified_ocr_google import GoogleEmulator, GoogleEngine, GoogleOptions
from unified_ocr_google.emulator import SERVICE_ACCOUNT
from unified_ocr_google.engine import DEFAULT_ENDPOINT, MAX_IMAGE_BYTES, check

import unified_ocr
from unified_ocr import (
    AuthenticationError,
    BadResponseError,
    ImageFailedError,
    NetworkError,
    Quad,
    RateLimitError,
    RequestTooLargeError,
    Secret,
    ServiceError,
    Upload,
    UploadPage,
)
from unified_ocr.emulator import Faults
from unified_ocr.geometry import Transform

from ..conftest import ROOT, SAMPLE, run_cli

KEY = "AIza-google-s3cret-DO-NOT-LEAK-7d1e"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "google"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def emulator():
    with GoogleEmulator(key=KEY) as server:
        yield server


@pytest.fixture(scope="module")
def canned():
    """An emulator that answers one word across the image without reading it: for tests of the protocol, fast."""
    with GoogleEmulator(key=KEY, canned=True) as server:
        yield server


def options(server: GoogleEmulator, key: str = KEY, **kw: Any) -> GoogleOptions:
    kw.setdefault("retries", 2)
    kw.setdefault("backoff", 0.01)
    return GoogleOptions(endpoint=server.url, api_key=Secret.of(key), **kw)


def make_upload(data: bytes, fmt: str, size: tuple[int, int], name: str) -> Upload:
    return Upload(data, fmt, name, (UploadPage(0, size, Transform.identity(*size)),))


def service_account(tmp_path: Path, token_uri: str, email: str = SERVICE_ACCOUNT) -> Path:
    """A service-account key file whose token endpoint is the emulator's."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    info = {"type": "service_account", "project_id": "emulated", "private_key_id": "k1", "private_key": pem.decode(),
            "client_email": email, "client_id": "1", "token_uri": token_uri}  # fmt: skip
    path = tmp_path / f"{email.split('@')[0]}.json"
    path.write_text(json.dumps(info))
    return path


def test_recognize_end_to_end(emulator) -> None:
    result = unified_ocr.recognize(SAMPLE, engine=options(emulator, lang=("en", "ko")))
    assert result.engine == "google" and result.pages[0].width == 540
    lines = [line.text for line in result.pages[0].lines]
    assert "TOTAL 12,400" in lines and "Green tea 2 3,000" in lines
    assert emulator.last_request["features"] == [11] and emulator.last_request["language_hints"] == ["en", "ko"]
    assert emulator.last_request["api_key"] and not emulator.last_request["bearer"]
    assert all(w.confidence is not None for w in result.words)
    assert result.meta["google"]["pages"][0]["languages"][0]["code"] == "en"


def test_text_detection_and_vendor_lines(emulator) -> None:
    result = unified_ocr.recognize(SAMPLE, engine=options(emulator, feature="TEXT_DETECTION", lines="vendor"))
    assert emulator.last_request["features"] == [5] and "TOTAL 12,400" in result.text


def test_the_emulators_answer_is_googles_shape(emulator) -> None:
    import base64

    body = {"requests": [{"image": {"content": base64.b64encode(SAMPLE.read_bytes()).decode()},
                          "features": [{"type": "DOCUMENT_TEXT_DETECTION"}]}]}  # fmt: skip
    answer = requests.post(emulator.url + "/v1/images:annotate", json=body, headers={"X-Goog-Api-Key": KEY}, timeout=60).json()
    response = answer["responses"][0]
    assert set(response) == {"textAnnotations", "fullTextAnnotation"}
    page = response["fullTextAnnotation"]["pages"][0]
    assert (page["width"], page["height"]) == (540, 470)
    symbol = page["blocks"][0]["paragraphs"][0]["words"][-1]["symbols"][-1]
    assert symbol["property"]["detectedBreak"]["type"] == "LINE_BREAK"
    vertices = [v for b in page["blocks"] for p in b["paragraphs"] for w in p["words"] for v in w["boundingBox"]["vertices"]]
    assert all(isinstance(c, int) and c != 0 for v in vertices for c in v.values())  # zeros left out, as Google does
    assert unified_ocr.parse(answer, engine="google").text == "\n".join(
        line.text for line in unified_ocr.parse(answer, engine="google").pages[0].lines
    )


def test_replayed_exif_photo_maps_to_the_displayed_frame(tmp_path) -> None:
    """A photo stored sideways (orientation 6) goes as it is; Google answers in the turned frame, which is the user's."""
    image = FIXTURES / "ingreedy-IMG_0096-document.small.jpg"
    with gzip.open(FIXTURES / "ingreedy-IMG_0096-document.json.gz", "rt") as f:
        raw = json.load(f)

    def shrink(node: Any) -> Any:  # the recorded answer, for the 8x smaller copy of its photo
        if isinstance(node, dict):
            return {k: (round(v / 8) if k in ("x", "y", "width", "height") else shrink(v)) for k, v in node.items()}
        return [shrink(v) for v in node] if isinstance(node, list) else node

    small = shrink(raw)
    (tmp_path / "photo.jpg").write_bytes(image.read_bytes())
    (tmp_path / "photo.json").write_text(json.dumps(small))
    with GoogleEmulator(key=KEY, replay=tmp_path) as server:
        result = unified_ocr.recognize(image, engine=options(server, lines="vendor"))
    page = result.pages[0]
    assert (page.width, page.height) == (378, 504)  # stored 504x378, displayed upright
    want = unified_ocr.parse(small, engine="google")
    got = {(w.text, w.quad.points) for w in page.words}
    assert got == {(w.text, w.quad.points) for w in unified_ocr.parse(small["responses"][0], engine="google").words}
    assert len(want.words) == len(page.words)
    with Image.open(image) as img:
        assert img.size == (504, 378) and img.getexif().get(274) == 6


def test_api_key_goes_in_a_header_never_the_url(emulator) -> None:
    engine = GoogleEngine(options(emulator))
    headers = engine.headers()
    assert headers == {"X-Goog-Api-Key": KEY}
    assert GoogleOptions().url == DEFAULT_ENDPOINT
    with pytest.raises(ValueError, match="no spaces, query"):
        GoogleOptions(endpoint="https://vision.googleapis.com/?key=" + KEY)


def test_oauth_service_account_token_and_quota_project(canned, tmp_path) -> None:
    path = service_account(tmp_path, canned.url + "/token")
    opts = GoogleOptions(endpoint=canned.url, credentials_file=str(path), quota_project="billing-project", retries=0)
    assert GoogleEngine.unavailable_reason(opts) is None
    result = unified_ocr.recognize(SAMPLE, engine=opts)
    assert result.text == "emulated"
    assert canned.last_request["bearer"] and not canned.last_request["api_key"]
    assert canned.last_request["user_project"] == "billing-project"


def test_bad_credentials_are_typed_errors_at_the_first_call(emulator, tmp_path) -> None:
    with pytest.raises(AuthenticationError, match="API key not valid") as info:
        unified_ocr.recognize(SAMPLE, engine=options(emulator, key="wrong"))
    assert info.value.attempts == 1 and info.value.status == 400
    stranger = service_account(tmp_path, emulator.url + "/token", email="stranger@elsewhere.iam.gserviceaccount.com")
    with pytest.raises(AuthenticationError, match="OAuth token was refused"):
        unified_ocr.recognize(SAMPLE, engine=GoogleOptions(endpoint=emulator.url, credentials_file=str(stranger), retries=0))
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    with pytest.raises(AuthenticationError, match="credentials_file"):
        unified_ocr.recognize(SAMPLE, engine=GoogleOptions(endpoint=emulator.url, credentials_file=str(garbage), retries=0))
    missing = GoogleEngine.unavailable_reason(GoogleOptions(credentials_file=str(tmp_path / "nope.json")))
    assert missing is not None and "is not a file" in missing
    no_key = requests.post(emulator.url + "/v1/images:annotate", json={"requests": []}, timeout=10)
    assert no_key.status_code == 403 and no_key.json()["error"]["status"] == "PERMISSION_DENIED"


def test_a_named_key_that_is_not_set_says_so(monkeypatch) -> None:
    monkeypatch.delenv("MY_GOOGLE_KEY", raising=False)
    reason = GoogleEngine.unavailable_reason(GoogleOptions(api_key=Secret(env="MY_GOOGLE_KEY")))
    assert reason is not None and "MY_GOOGLE_KEY" in reason


def test_an_unreachable_endpoint_is_a_network_error() -> None:
    with GoogleEmulator(key=KEY) as server:
        url = server.url
    started = time.monotonic()
    with pytest.raises(NetworkError) as info:
        unified_ocr.recognize(SAMPLE, engine=GoogleOptions(endpoint=url, api_key=Secret.of(KEY), retries=1, backoff=0.01))
    assert info.value.attempts == 2 and time.monotonic() - started < 10 and KEY not in str(info.value)


def test_too_large_images_are_refused_before_upload(canned) -> None:
    engine = GoogleEngine(options(canned))
    big = make_upload(b"x", "jpeg", (10000, 8000), "huge.jpg")
    before = canned.stats["requests"]
    with pytest.raises(RequestTooLargeError, match="max_side"):
        engine.recognize(big)
    heavy = make_upload(b"x" * (MAX_IMAGE_BYTES + 10), "jpeg", (100, 100), "heavy.jpg")
    with pytest.raises(RequestTooLargeError, match="20 MB"):
        engine.recognize(heavy)
    assert canned.stats["requests"] == before
    # through the core a large image is shrunk under the limits instead, and mapped back
    noisy = np.random.default_rng(1).integers(0, 255, (1200, 1600, 3), dtype=np.uint8)
    result = unified_ocr.recognize(noisy, engine=options(canned, max_side=400))
    assert (result.pages[0].width, result.pages[0].height) == (1600, 1200)
    assert result.words[0].quad.iou(Quad.from_bbox(0, 0, 1600, 1200)) > 0.99  # the word across the 400 px upload


def test_per_image_errors_inside_a_200(emulator) -> None:
    pdf = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    engine = GoogleEngine(options(emulator))
    upload = make_upload(pdf, "jpeg", (10, 10), "doc.pdf")
    with pytest.raises(ImageFailedError, match="Bad image data") as info:
        engine.recognize(upload)
    assert info.value.code == "INVALID_ARGUMENT" and info.value.attempts == 1


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        (Faults(error_rate=1.0), ServiceError),
        (Faults(throttle_rate=1.0), RateLimitError),
        (Faults(drop_rate=1.0), NetworkError),
        (Faults(malformed_rate=1.0), BadResponseError),
    ],
)
def test_transient_faults_are_retried_a_bounded_number_of_times(faults, error) -> None:
    with GoogleEmulator(key=KEY, faults=faults, canned=True) as server:
        with pytest.raises(error) as info:
            unified_ocr.recognize(SAMPLE, engine=options(server, retries=2, max_backoff=0.05))
        assert server.stats["requests"] == 3 and info.value.attempts == 3


def test_429_carries_retry_after_and_retries_get_through() -> None:
    with GoogleEmulator(key=KEY, faults=Faults(rate_limit=2.0), canned=True) as server:
        engine = GoogleEngine(options(server, retries=0, rate_limit=None))
        upload = make_upload(SAMPLE.read_bytes(), "png", (540, 470), "sample.png")
        errors = []
        for _ in range(4):
            try:
                engine.recognize(upload)
            except RateLimitError as exc:
                errors.append(exc)
        assert errors and errors[0].status == 429 and errors[0].code == "RESOURCE_EXHAUSTED" and errors[0].retry_after == 1.0
        patient = GoogleEngine(options(server, retries=4, backoff=0.1))
        assert len(patient.recognize(upload).words) == 1


def test_check_reads_retry_info_and_daily_quota() -> None:
    def answer(status: int, error: dict[str, Any]) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps({"error": error}).encode()
        return response

    slow = {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "Quota exceeded",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"}]}  # fmt: skip
    with pytest.raises(RateLimitError) as info:
        check(answer(429, slow))
    assert info.value.retry_after == 7.0
    daily = {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "Quota exceeded for quota metric 'Requests per day'"}
    with pytest.raises(unified_ocr.QuotaExceededError):
        check(answer(429, daily))
    recorded = json.loads(gzip.open(FIXTURES / "gcloudnotes-error-403-api-disabled.json.gz").read())
    with pytest.raises(AuthenticationError, match="has not been used in project") as info:
        check(answer(403, recorded["error"]))
    assert info.value.code == "PERMISSION_DENIED"
    html = requests.Response()
    html.status_code, html._content, html.reason = 502, b"<html>Bad Gateway</html>", "Bad Gateway"
    with pytest.raises(ServiceError):
        check(html)


def test_the_key_appears_nowhere(canned, caplog, tmp_path) -> None:
    caplog.set_level(logging.DEBUG)
    opts = options(canned)
    texts = [repr(opts), str(opts), repr(GoogleEngine(opts).options)]
    texts.append(json.dumps(unified_ocr.recognize(SAMPLE, engine=opts).to_dict(include_raw=True)))
    with GoogleEmulator(key=KEY, faults=Faults(error_rate=1.0), canned=True) as failing:
        for engine_opts in (options(failing, retries=1), options(canned, key=KEY + "x", retries=0)):
            try:
                unified_ocr.recognize(SAMPLE, engine=engine_opts)
            except Exception as exc:  # noqa: BLE001 - every error's text is searched
                texts += [str(exc), repr(exc), repr(exc.__dict__)]
    texts.append(caplog.text)
    assert not any(KEY in t for t in texts)


def test_cli_recognize_with_a_profile_and_the_key_from_the_environment(canned, tmp_path) -> None:
    config = tmp_path / "unified-ocr.toml"
    config.write_text(
        f'[engines.gv]\nbackend = "google"\nendpoint = "{canned.url}"\napi_key = {{ env = "MY_GOOGLE_KEY" }}\n'
        'lang = ["en"]\nprice_per_1000 = 1.5\n'
    )
    proc = run_cli("recognize", str(SAMPLE), "--engine", "gv", "--config", str(config), "--no-cache", env={"MY_GOOGLE_KEY": KEY})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["engine"] == "google" and result["pages"][0]["width"] == 540 and KEY not in proc.stdout + proc.stderr
    proc = run_cli(
        "recognize", str(SAMPLE), "--engine", "gv", "--config", str(config), "--no-cache", env={"MY_GOOGLE_KEY": "bad"}
    )
    assert proc.returncode == 1 and "API key not valid" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_emulate_and_parse(tmp_path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "unified_ocr", "emulate", "google", "--port", "0", "--api-key", KEY],
        stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "google emulator on http://127.0.0.1:" in line and KEY not in line
        url = line.split(" on ")[1].split()[0]
        answer = requests.post(url + "/v1/images:annotate", headers={"X-Goog-Api-Key": "nope"}, json={}, timeout=10)
        assert answer.status_code == 400 and answer.json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    saved = tmp_path / "poster.json"
    saved.write_bytes(gzip.open(FIXTURES / "tripflex-jp-poster12-text.json.gz").read())
    proc = run_cli("parse", str(saved), "--engine", "google", "--format", "text")
    assert proc.returncode == 0 and "1杯100円" in proc.stdout


def test_pdf_goes_to_files_annotate_five_pages_a_call_and_comes_back_placed() -> None:
    from ..imaging.test_prepare import _pdf

    with GoogleEmulator(key=KEY, canned=True) as server:  # one word across each page, at 200 dpi, in points
        result = unified_ocr.recognize(_pdf(7), engine=options(server), dpi=100)
        assert server.stats["requests"] == 2 and server.last_request["pages"] == [1, 2]  # 5 pages, then 2
    assert [(p.index, p.width, p.height) for p in result.pages] == [(i, 540, 470) for i in range(7)]
    whole = Quad.from_bbox(0, 0, 540, 470)
    for page in result.pages:  # Google's normalised vertices on pages in points, scaled onto the 100 dpi frame
        assert page.text == "emulated" and page.words[0].quad.iou(whole) > 0.99


def test_multipage_tiff_goes_to_files_annotate(emulator) -> None:
    import io

    sample = Image.open(SAMPLE).convert("RGB")
    buf = io.BytesIO()
    sample.save(buf, "TIFF", save_all=True, append_images=[sample.rotate(180)], compression="tiff_deflate")
    result = unified_ocr.recognize(buf.getvalue(), engine=options(emulator))
    assert emulator.last_request["pages"] == [1, 2]
    assert [(p.index, p.width, p.height) for p in result.pages] == [(0, 540, 470), (1, 540, 470)]
    assert all("TOTAL 12,400" in page.text for page in result.pages)


def test_with_no_credentials_at_all_the_engine_is_not_usable(monkeypatch, tmp_path) -> None:
    for name in ("GOOGLE_VISION_API_KEY", "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "no-gcloud"))
    reason = GoogleEngine.unavailable_reason(GoogleOptions())
    assert reason is not None and "missing credentials: api_key" in reason and "application-default login" in reason
    assert GoogleEngine.unavailable_reason(GoogleOptions(auth="oauth")) is None  # the metadata server, at the first call
    monkeypatch.setenv("GOOGLE_VISION_API_KEY", KEY)
    assert GoogleEngine.unavailable_reason(GoogleOptions()) is None
    proc = run_cli("recognize", str(SAMPLE), "--engine", "google", env={"CLOUDSDK_CONFIG": str(tmp_path / "no-gcloud"),
                                                                         "GOOGLE_VISION_API_KEY": ""})  # fmt: skip
    assert proc.returncode == 2 and "missing credentials" in proc.stderr
