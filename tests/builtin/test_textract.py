"""The Textract engine against its emulator over real sockets on 127.0.0.1, SigV4-signed and checked."""

from __future__ import annotations

import base64
import gzip
import json
import logging
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import requests
from unified_ocr_textract import TextractEmulator, TextractEngine, TextractOptions
from unified_ocr_textract.engine import MAX_BYTES, check

import unified_ocr
from unified_ocr import (
    AuthenticationError,
    InvalidRequestError,
    NetworkError,
    RateLimitError,
    RequestTooLargeError,
    Secret,
    ServiceError,
    Upload,
    UploadPage,
)
from unified_ocr.config.profiles import Config
from unified_ocr.emulator import Faults
from unified_ocr.engines import scripts
from unified_ocr.engines.scripts import ScriptWarning
from unified_ocr.geometry import Transform

from ..conftest import ROOT, SAMPLE, run_cli

ACCESS = "AKIATEXTRACTTEST0001"
SECRET = "tExTrAcT/s3cret+DO-NOT-LEAK-5b2c"
TOKEN = "FwoGZXIvYXdzEXAMPLEsessionTOKEN-DO-NOT-LEAK"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "textract"
PDF = FIXTURES / "textractor-async-text-detection-multipage.pdf"

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("isolated_aws")]
pytest.importorskip("botocore")


@pytest.fixture(scope="module")
def emulator():
    with TextractEmulator(key=f"{ACCESS}:{SECRET}") as server:
        yield server


@pytest.fixture(scope="module")
def canned():
    """Answers one word across each image without reading it: for tests of everything but the reading."""
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", canned=True) as server:
        yield server


def options(server: TextractEmulator, secret: str = SECRET, **kw: Any) -> TextractOptions:
    kw.setdefault("retries", 2)
    kw.setdefault("backoff", 0.01)
    kw.setdefault("region", "eu-west-1")
    return TextractOptions(
        endpoint=server.url, access_key_id=Secret.of(kw.pop("access", ACCESS)), secret_access_key=Secret.of(secret), **kw
    )


def test_detect_document_text_end_to_end(emulator) -> None:
    before = emulator.stats["requests"]
    result = unified_ocr.recognize(SAMPLE, engine=options(emulator), cache=False)
    assert result.engine == "textract" and "TOTAL 12,400" in result.text
    assert (result.pages[0].width, result.pages[0].height) == (540, 470)
    assert all(0 < w.confidence <= 1 for w in result.words)
    assert emulator.last_request["operation"] == "DetectDocumentText"
    assert emulator.last_request["content_type"] == "application/x-amz-json-1.1"
    assert emulator.stats["requests"] == before + 1
    assert result.meta["textract"]["api"] == "DetectDocumentText" and "normalised" not in result.meta["textract"]


def test_analyze_document_with_layout_gives_block_kinds(emulator) -> None:
    result = unified_ocr.recognize(SAMPLE, engine=options(emulator, features=("TABLES", "LAYOUT")), cache=False)
    assert emulator.last_request == {**emulator.last_request, "operation": "AnalyzeDocument", "features": ["TABLES", "LAYOUT"]}
    page = result.pages[0]
    assert page.blocks and {b.kind for b in page.blocks} <= {"text", "table", "figure"}
    assert [entry["type"].startswith("LAYOUT_") for entry in result.meta["textract"]["pages"][0]["layout"]]
    assert "TOTAL 12,400" in result.text


def test_a_turned_page_keeps_quads_starting_at_the_texts_top_left(emulator, tmp_path) -> None:
    from PIL import Image

    turned = tmp_path / "turned.png"
    Image.open(SAMPLE).rotate(-90, expand=True).save(turned)
    result = unified_ocr.recognize(turned, engine=options(emulator), cache=False)
    word = next(w for w in result.words if w.text == "TOTAL")
    assert abs(word.quad.angle - 90) < 10  # the text reads downwards; its first point is its own top-left
    (x0, y0), (x1, y1) = word.quad.points[:2]
    assert y1 > y0 and x0 > word.quad.points[3][0]


def test_a_multipage_pdf_is_sent_one_page_a_request(tmp_path) -> None:
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", canned=True) as server:
        result = unified_ocr.recognize(PDF, engine=options(server), cache=False)
        assert server.stats["status_200"] == 2 and server.stats["requests"] == 2  # the emulator refuses PDFs of several pages
    assert [p.index for p in result.pages] == [0, 1]
    assert all(p.words[0].quad.bbox()[2] == pytest.approx(p.width, abs=1) for p in result.pages)


def test_a_wrong_secret_is_an_authentication_error_never_retried(emulator) -> None:
    before = emulator.stats["requests"]
    with pytest.raises(AuthenticationError, match="signature") as caught:
        unified_ocr.recognize(SAMPLE, engine=options(emulator, secret="wrong-secret"), cache=False)
    assert caught.value.code == "InvalidSignatureException" and caught.value.attempts == 1
    assert emulator.stats["requests"] == before + 1
    with pytest.raises(AuthenticationError) as caught:
        unified_ocr.recognize(SAMPLE, engine=options(emulator, access="AKIAUNKNOWN000000000"), cache=False)
    assert caught.value.code == "UnrecognizedClientException" and caught.value.attempts == 1


def test_a_region_the_emulator_does_not_serve_is_a_bad_signature() -> None:
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", region="us-east-1", canned=True) as server:
        assert unified_ocr.recognize(SAMPLE, engine=options(server, region="us-east-1"), cache=False).text == "emulated"
        with pytest.raises(AuthenticationError, match="region"):
            unified_ocr.recognize(SAMPLE, engine=options(server, region="ap-northeast-2"), cache=False)


def test_credentials_from_the_environment_and_the_region_from_aws_region(canned, monkeypatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_TEXTRACT", canned.url)
    opts = TextractOptions(retries=0)
    assert TextractEngine.unavailable_reason(opts) is None and opts.url == canned.url
    assert unified_ocr.recognize(SAMPLE, engine=opts, cache=False).text == "emulated"


def test_credentials_from_a_named_profile_of_the_shared_files(canned, monkeypatch, tmp_path) -> None:
    (tmp_path / "aws-credentials").write_text(f"[ocr]\naws_access_key_id = {ACCESS}\naws_secret_access_key = {SECRET}\n")
    (tmp_path / "aws-config").write_text("[profile ocr]\nregion = sa-east-1\n")
    opts = TextractOptions(endpoint=canned.url, aws_profile="ocr", retries=0)
    assert opts.resolved_region == "sa-east-1"
    assert unified_ocr.recognize(SAMPLE, engine=opts, cache=False).text == "emulated"
    monkeypatch.setenv("AWS_PROFILE", "ocr")
    assert TextractOptions().url == "https://textract.sa-east-1.amazonaws.com"


def test_no_credentials_anywhere_is_an_authentication_error_before_any_call(emulator) -> None:
    before = emulator.stats["requests"]
    with pytest.raises(AuthenticationError, match="no AWS credentials"):
        unified_ocr.recognize(SAMPLE, engine=TextractOptions(endpoint=emulator.url, region="us-east-1"), cache=False)
    assert emulator.stats["requests"] == before
    with pytest.raises(AuthenticationError, match="could not be found|cannot be loaded"):
        unified_ocr.recognize(SAMPLE, engine=TextractOptions(endpoint=emulator.url, region="us-east-1", aws_profile="nope"),
                              cache=False)  # fmt: skip


def test_settings_checks_say_what_is_missing(monkeypatch) -> None:
    assert "region" in (TextractEngine.unavailable_reason(TextractOptions()) or "")
    half = TextractOptions(region="us-east-1", access_key_id=Secret.of(ACCESS))
    assert "go together" in (TextractEngine.unavailable_reason(half) or "")
    unset = TextractOptions(
        region="us-east-1", access_key_id=Secret(env="NOT_SET_ID"), secret_access_key=Secret(env="NOT_SET_KEY")
    )
    assert "NOT_SET" in (TextractEngine.unavailable_reason(unset) or "")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    assert TextractEngine.unavailable_reason(TextractOptions()) is None  # credentials are looked for at the first call
    assert TextractOptions().url == "https://textract.us-west-2.amazonaws.com"
    with pytest.raises(ValueError, match="FeatureTypes|takes TABLES"):
        TextractOptions(features=("TEXT",))  # type: ignore[arg-type]


def test_a_korean_profile_warns_once_that_textract_reads_no_hangul(canned, monkeypatch) -> None:
    monkeypatch.setattr(scripts, "_said", set())
    config = Config.from_dict({"engines": {"aws": {"backend": "textract", "lang": "ko", "endpoint": canned.url,
                                                   "region": "us-east-1", "access_key_id": {"env": "T_ID"},
                                                   "secret_access_key": {"env": "T_KEY"}}}})  # fmt: skip
    monkeypatch.setenv("T_ID", ACCESS)
    monkeypatch.setenv("T_KEY", SECRET)
    assert TextractEngine.reads() == frozenset({"Latn"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = unified_ocr.recognize(SAMPLE, engine="aws", config=config, cache=False)
        unified_ocr.recognize(SAMPLE, engine="aws", config=config, cache=False)
    said = [w for w in caught if issubclass(w.category, ScriptWarning)]
    assert len(said) == 1 and "reads no Hangul" in str(said[0].message)
    assert "Hangul" in first.meta["warnings"][0]


def _post(engine: TextractEngine, body: Any, target: str = "Textract.DetectDocumentText") -> Any:
    """A signed request with a body of the test's choosing, through the engine's own client."""
    data = json.dumps(body).encode()
    url = engine.options.url
    assert url is not None
    return engine.http.post_json(url, headers=engine.signer().headers(url, target, data), data=data)


@pytest.mark.parametrize(
    ("body", "target", "error", "code"),
    [
        ({"Document": {"Bytes": base64.b64encode(b"GIF89a" + bytes(40)).decode()}}, None, InvalidRequestError,
         "UnsupportedDocumentException"),
        ({"Document": {"Bytes": base64.b64encode(PDF.read_bytes()).decode()}}, None, InvalidRequestError, "UnsupportedDocumentException"),
        ({"Document": {}}, None, InvalidRequestError, "InvalidParameterException"),
        ({"Document": {"S3Object": {"Bucket": "b", "Name": "n"}}}, None, InvalidRequestError, "InvalidS3ObjectException"),
        ({"Document": {"Bytes": "AAAA"}, "FeatureTypes": []}, "Textract.AnalyzeDocument", InvalidRequestError,
         "InvalidParameterException"),
        ({"Document": {"Bytes": base64.b64encode(bytes(MAX_BYTES + 1)).decode()}}, None, RequestTooLargeError,
         "DocumentTooLargeException"),
        ({}, "Textract.AnalyzeExpense", InvalidRequestError, "UnknownOperationException"),
    ],
)  # fmt: skip
def test_refusals_are_typed_and_never_retried(emulator, body, target, error, code) -> None:
    engine = TextractEngine(options(emulator))
    with pytest.raises(error) as caught:
        _post(engine, body, target or "Textract.DetectDocumentText")
    assert caught.value.code == code and caught.value.attempts == 1 and not caught.value.retryable


@pytest.mark.parametrize(
    ("faults", "error"),
    [(Faults(throttle_rate=1.0), RateLimitError), (Faults(error_rate=1.0), ServiceError), (Faults(drop_rate=1.0), NetworkError)],
)
def test_transient_faults_are_retried_a_bounded_number_of_times(faults, error) -> None:
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", faults=faults, canned=True) as server:
        with pytest.raises(error) as caught:
            unified_ocr.recognize(SAMPLE, engine=options(server, retries=2), cache=False)
        assert caught.value.attempts == 3 and server.stats["requests"] == 3


def test_throttling_and_provisioned_throughput_bodies_are_rate_limits() -> None:
    def response(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
        r = requests.Response()
        r.status_code, r._content = status, json.dumps(body).encode()
        r.headers.update(headers or {})
        return r

    for kind in ("ThrottlingException", "ProvisionedThroughputExceededException", "com.amazonaws.textract#ThrottlingException"):
        with pytest.raises(RateLimitError):
            check(response(400, {"__type": kind, "message": "slow down"}))
    with pytest.raises(AuthenticationError):  # the type only in the header, the body with "Message"
        check(response(400, {"Message": "denied"}, {"x-amzn-ErrorType": "AccessDeniedException:http://internal.amazon.com/"}))
    with pytest.raises(ServiceError):
        check(response(503, "<html>unavailable</html>"))


def test_too_large_uploads_are_refused_before_any_call(emulator) -> None:
    engine = TextractEngine(options(emulator))
    before = emulator.stats["requests"]
    big = Upload(bytes(MAX_BYTES + 1), "png", "big.png", (UploadPage(0, (100, 100), Transform.identity(100, 100)),))
    wide = Upload(b"x", "png", "wide.png", (UploadPage(0, (10_001, 10), Transform.identity(10_001, 10)),))
    for upload in (big, wide):
        with pytest.raises(RequestTooLargeError):
            engine.recognize(upload)
    assert emulator.stats["requests"] == before
    assert engine.limits.max_side == 10_000 and engine.limits.max_bytes == MAX_BYTES and engine.limits.max_pages == 1


def test_replayed_real_answers_come_back_as_recorded_in_the_images_pixels(emulator, tmp_path) -> None:
    folder = tmp_path / "replay"
    folder.mkdir()
    shutil.copy(FIXTURES / "textractor-single-page-1.1bit.png", folder / "page.png")
    recorded = json.loads(gzip.open(FIXTURES / "textractor-analyze-tables-forms-single-page-1.json.gz").read())
    (folder / "page.json").write_text(json.dumps(recorded))
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", replay=folder) as server:
        result = unified_ocr.recognize(folder / "page.png", engine=options(server, features=("TABLES", "FORMS")), cache=False)
    page = result.pages[0]
    assert (page.width, page.height) == (1226, 1514)
    assert "ResponseMetadata" not in result.raw and result.raw["Blocks"] == recorded["Blocks"]
    assert page.field("Name of package:").text == "Textractor" and page.tables[0].n_cols == 5
    first = recorded["Blocks"][1]["Geometry"]["Polygon"][0]
    assert page.lines[0].quad.points[0] == pytest.approx((first["X"] * 1226, first["Y"] * 1514), abs=0.5)


def test_no_secret_appears_anywhere(emulator, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    opts = options(emulator, session_token=Secret.of(TOKEN))
    engine = TextractEngine(opts)
    texts = [repr(opts), str(opts), repr(engine.options), repr(engine.signer()), repr(emulator)]
    texts.append(json.dumps(unified_ocr.recognize(SAMPLE, engine=opts, cache=False).to_dict(include_raw=True)))
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", faults=Faults(error_rate=1.0), canned=True) as failing:
        for engine_opts in (options(failing, retries=1), options(emulator, secret=SECRET + "x", retries=0)):
            try:
                unified_ocr.recognize(SAMPLE, engine=engine_opts, cache=False)
            except Exception as exc:  # noqa: BLE001 - every error's text is searched
                texts += [str(exc), repr(exc), repr(exc.__dict__)]
    texts.append(caplog.text)
    assert not any(SECRET in t or TOKEN in t for t in texts)


def test_cli_recognize_with_a_profile_and_keys_from_the_environment(canned, tmp_path) -> None:
    config = tmp_path / "unified-ocr.toml"
    config.write_text(
        f'[engines.aws]\nbackend = "textract"\nendpoint = "{canned.url}"\nregion = "us-east-1"\n'
        'access_key_id = { env = "MY_AWS_ID" }\nsecret_access_key = { env = "MY_AWS_KEY" }\nprice_per_1000 = 1.5\n'
    )
    env = {"MY_AWS_ID": ACCESS, "MY_AWS_KEY": SECRET, "AWS_EC2_METADATA_DISABLED": "true"}
    proc = run_cli("recognize", str(SAMPLE), "--engine", "aws", "--config", str(config), "--no-cache", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["engine"] == "textract" and SECRET not in proc.stdout + proc.stderr
    proc = run_cli(
        "recognize", str(SAMPLE), "--engine", "aws", "--config", str(config), "--no-cache", env={**env, "MY_AWS_KEY": "bad"}
    )
    assert proc.returncode == 1 and "InvalidSignatureException" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_emulate_and_parse(tmp_path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "unified_ocr", "emulate", "textract", "--port", "0", "--key", f"{ACCESS}:{SECRET}",
         "--region", "us-east-1", "--canned"],
        stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "textract emulator on http://127.0.0.1:" in line
        url = line.split(" on ")[1].split()[0]
        answer = requests.post(url + "/", headers={"X-Amz-Target": "Textract.DetectDocumentText"}, data=b"{}", timeout=10)
        assert answer.status_code == 400 and answer.json()["__type"] == "MissingAuthenticationTokenException"
        assert answer.headers["x-amzn-ErrorType"].startswith("MissingAuthenticationTokenException")
        opts = TextractOptions(
            endpoint=url, region="us-east-1", access_key_id=Secret.of(ACCESS), secret_access_key=Secret.of(SECRET)
        )
        assert unified_ocr.recognize(SAMPLE, engine=opts, cache=False).text == "emulated"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    saved = tmp_path / "answer.json"
    saved.write_bytes(gzip.open(FIXTURES / "trp-analyze-tables-forms-employment-application.json.gz").read())
    proc = run_cli("parse", str(saved), "--engine", "textract", "--format", "text")
    assert proc.returncode == 0 and "Jane Doe" in proc.stdout
    failed = tmp_path / "failed.json"
    failed.write_bytes(gzip.open(FIXTURES / "trp-get-document-analysis-failed.json.gz").read())
    proc = run_cli("parse", str(failed), "--engine", "textract")
    assert proc.returncode == 1 and "Dummy Status Message" in proc.stderr and "Traceback" not in proc.stderr


def test_without_botocore_the_engine_says_what_to_install(monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "botocore", None)  # as if it were not installed
    reason = TextractEngine.unavailable_reason(TextractOptions(region="us-east-1"))
    assert reason is not None and "pip install 'unified-ocr[textract]'" in reason
    with pytest.raises(unified_ocr.EngineUnavailableError, match=r"unified-ocr\[textract\]"):
        unified_ocr.recognize(SAMPLE, engine=TextractOptions(region="us-east-1"), cache=False)


def test_a_replayed_error_body_is_answered_as_aws_answers_it(tmp_path) -> None:
    shutil.copy(SAMPLE, tmp_path / "refused.png")
    (tmp_path / "refused.json").write_text(json.dumps({"__type": "BadDocumentException", "message": "Unable to read."}))
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", replay=tmp_path) as server:
        with pytest.raises(unified_ocr.ImageFailedError) as caught:
            unified_ocr.recognize(tmp_path / "refused.png", engine=options(server), cache=False)
    assert caught.value.code == "BadDocumentException" and caught.value.status == 400 and caught.value.attempts == 1
