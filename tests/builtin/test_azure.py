"""The Azure engine against its emulator over real sockets on 127.0.0.1: the asynchronous
operation, typed errors, secrets, limits, resuming an accepted operation, and the CLI."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from unified_ocr_azure import AzureEmulator, AzureEngine, AzureOptions, OperationTimeoutError

import unified_ocr
from unified_ocr import (
    AuthenticationError,
    InvalidRequestError,
    NetworkError,
    RequestTooLargeError,
    Secret,
    ServiceError,
    UnsupportedImageError,
)
from unified_ocr.emulator import Faults
from unified_ocr.engines.calls import metered
from unified_ocr.engines.operations import OperationStore, operations_kept_in
from unified_ocr.errors import BadResponseError
from unified_ocr.imaging.prepare import prepare
from unified_ocr.imaging.sources import open_source

from ..conftest import ROOT, SAMPLE, run_cli

KEY = "azure-s3cret-DO-NOT-LEAK-5d1e"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "azure"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def emulator():
    with AzureEmulator(key=KEY, run_seconds=0.1) as server:
        yield server


def options(server: AzureEmulator, key: str = KEY, **kw: Any) -> AzureOptions:
    kw.setdefault("retries", 2)
    kw.setdefault("backoff", 0.01)
    kw.setdefault("poll_interval", 0.02)
    kw.setdefault("deadline", 20.0)
    return AzureOptions(endpoint=server.url, key=Secret.of(key), **kw)


def test_an_image_goes_through_the_operation_and_comes_back_as_the_offline_engine_read_it(emulator) -> None:
    before = dict(emulator.stats)
    with metered() as meter:
        result = unified_ocr.recognize(SAMPLE, engine=options(emulator))
    expected = emulator.recognize(SAMPLE.read_bytes())
    assert result.engine == "azure" and result.text == expected.text
    assert [w.text for w in result.words] == [w.text for w in expected.words]
    for got, want in zip(result.words, expected.words):
        assert got.quad.iou(want.quad) >= 0.99
    assert result.meta["azure"]["api_version"] == "2024-11-30" and result.meta["azure"]["model_id"] == "prebuilt-read"
    polls = emulator.stats["status_200"] - before.get("status_200", 0)
    assert polls >= 1 and emulator.stats["status_202"] - before.get("status_202", 0) == 1
    assert meter.requests == 1 and meter.billed_pages == 1  # the analysis is what is billed; polls are not counted as calls


def test_the_layout_model_answers_paragraphs_as_blocks(emulator) -> None:
    result = unified_ocr.recognize(SAMPLE, engine=options(emulator, model="prebuilt-layout"))
    assert result.meta["azure"]["model_id"] == "prebuilt-layout" and result.pages[0].blocks


def test_a_recorded_pdf_answer_in_inches_lands_on_the_pdf_page_as_displayed(tmp_path) -> None:
    replay = tmp_path / "replay"
    replay.mkdir()
    for suffix in (".json", ".pdf"):
        shutil.copy(FIXTURES / f"pdfview-layout-2024-02-29-preview-pageobject{suffix}", replay / f"page{suffix}")
    raw = json.loads((replay / "page.json").read_text(encoding="utf-8"))["analyzeResult"]["pages"][0]
    with AzureEmulator(key=KEY, replay=replay, run_seconds=0.05) as server:
        result = unified_ocr.recognize(replay / "page.pdf", engine=options(server, model="prebuilt-layout"), dpi=150)
        assert server.last_upload == (replay / "page.pdf").read_bytes()  # the PDF went as it is
    (page,) = result.pages
    assert (page.width, page.height) == (1275, 1650)  # 8.5 x 11 in at 150 dpi
    words = sorted(raw["words"], key=lambda w: w["span"]["offset"])
    assert len(page.words) == len(words)
    for word, raw_word in zip(page.words, words):
        p = raw_word["polygon"]
        want = unified_ocr.Quad([(p[i] * 150, p[i + 1] * 150) for i in range(0, 8, 2)])
        assert word.quad.iou(want) >= 0.99


# -- errors, typed, at the first call, with no secret in them --------------------------------------------


def test_a_wrong_key_is_an_authentication_error_naming_no_secret(emulator) -> None:
    with pytest.raises(AuthenticationError) as caught:
        unified_ocr.recognize(SAMPLE, engine=options(emulator, key="wrong-" + KEY[::-1]))
    assert caught.value.status == 401 and "check the profile's key" in str(caught.value)
    assert KEY[::-1] not in str(caught.value) and KEY[::-1] not in repr(caught.value)
    assert caught.value.attempts == 1  # not retried


def test_an_unreachable_endpoint_is_a_network_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    opts = AzureOptions(endpoint=f"http://127.0.0.1:{port}", key=Secret.of(KEY), retries=0, connect_timeout=2)
    with pytest.raises(NetworkError) as caught:
        unified_ocr.recognize(SAMPLE, engine=opts)
    assert KEY not in str(caught.value)


def test_a_document_over_the_free_tier_limit_is_fitted_to_it_before_it_is_sent(tmp_path) -> None:
    from ..imaging.test_prepare import _pdf

    big = tmp_path / "big.pdf"
    big.write_bytes(_pdf(3) + b"%" + b"x" * (5 * 1024 * 1024))  # over F0's 4 MB and 2 pages
    with AzureEmulator(key=KEY, tier="F0", canned=True, run_seconds=0.0) as server:
        result = unified_ocr.recognize(big, engine=options(server, tier="F0", rate_limit=50))
        assert server.stats["status_202"] >= 2 and len(server.last_upload or b"") <= 4 * 1024 * 1024
    assert [p.index for p in result.pages] == [0, 1, 2]


def test_an_image_over_the_pixel_guard_is_refused_before_any_call(emulator) -> None:
    before = emulator.stats["requests"]
    with pytest.raises(UnsupportedImageError):
        unified_ocr.recognize(SAMPLE, engine=options(emulator), max_pixels=1000)
    assert emulator.stats["requests"] == before


def test_a_document_over_the_services_limit_is_a_request_too_large_error(tmp_path) -> None:
    photo = tmp_path / "photo.png"
    import cv2
    import numpy as np

    cv2.imwrite(str(photo), np.random.default_rng(0).integers(0, 255, (1400, 1400, 3), dtype=np.uint8))
    assert photo.stat().st_size > 4 * 1024 * 1024
    with AzureEmulator(key=KEY, tier="F0") as server:  # the resource is free, the profile says S0
        with pytest.raises(RequestTooLargeError) as caught:
            unified_ocr.recognize(photo, engine=options(server))
    assert caught.value.code == "InvalidContentLength" and "tier" in str(caught.value)


@pytest.mark.parametrize(
    "change, kind, says",
    [
        ({"model": "prebuilt-nothing"}, InvalidRequestError, "ModelNotFound"),
        ({"api_version": "2019-01-01"}, InvalidRequestError, "api_version"),
    ],
)
def test_a_wrong_model_or_api_version_is_an_invalid_request(emulator, change, kind, says) -> None:
    with pytest.raises(kind, match=says):
        unified_ocr.recognize(SAMPLE, engine=options(emulator, **change))


def test_secrets_stay_out_of_reprs_and_the_endpoints_credentials_out_of_messages() -> None:
    opts = AzureOptions(endpoint="https://user:pa55word@res.cognitiveservices.azure.com/", key=Secret.of(KEY))
    shown = repr(opts) + json.dumps(AzureEngine.fingerprint(opts))
    assert KEY not in shown and "pa55word" not in shown
    for bad in ("ftp://user:pa55word@host/", "https://res.cognitiveservices.azure.com/?token=pa55word"):
        with pytest.raises(ValueError) as caught:
            AzureOptions(endpoint=bad)
        assert "pa55word" not in str(caught.value)


class _Elsewhere(BaseHTTPRequestHandler):
    """A server that accepts and points the client at another host."""

    seen: list[dict[str, str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(202)
        self.send_header(
            "Operation-Location", "http://203.0.113.9/documentintelligence/x/analyzeResults/1?api-version=2024-11-30"
        )
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_an_operation_location_on_another_host_is_refused_and_gets_no_key() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Elsewhere)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        opts = AzureOptions(endpoint=f"http://127.0.0.1:{server.server_port}", key=Secret.of(KEY), retries=2, backoff=0.01)
        with pytest.raises(BadResponseError, match="not on the endpoint's host") as caught:
            unified_ocr.recognize(SAMPLE, engine=opts)
        assert not caught.value.retryable and caught.value.attempts == 1  # not submitted again
    finally:
        server.shutdown()
        server.server_close()


# -- the operation's own failures ------------------------------------------------------------------------


def test_a_failed_operation_is_a_retryable_service_error_with_its_details() -> None:
    with AzureEmulator(key=KEY, run_seconds=0.05, fail_operations=1.0) as server:
        with pytest.raises(ServiceError) as caught:
            unified_ocr.recognize(SAMPLE, engine=options(server))
        assert server.paid == {}
    assert caught.value.retryable and caught.value.code == "InternalServerError"
    assert caught.value.details and "the operation failed" in str(caught.value)  # type: ignore[attr-defined]


def test_an_operation_past_the_deadline_is_kept_and_the_next_run_collects_it_without_paying_again(tmp_path) -> None:
    with AzureEmulator(key=KEY, run_seconds=0.05, stuck_operations=1.0, stuck_seconds=1.0) as server:
        engine = AzureEngine(options(server, deadline=0.3))
        image = SAMPLE.read_bytes()
        started = time.monotonic()
        with operations_kept_in(tmp_path / "ops") as store, pytest.raises(OperationTimeoutError) as caught:
            unified_ocr.recognize(image, engine=engine.options)
        assert time.monotonic() - started < 5 and caught.value.retryable and "deadline" in str(caught.value)
        assert store is not None and len(store) == 1 and server.stats["status_202"] == 1
        time.sleep(0.8)
        with operations_kept_in(tmp_path / "ops") as store:
            result = unified_ocr.recognize(image, engine=options(server, deadline=30))  # a longer deadline is the same request
        assert result.words and server.stats["status_202"] == 1  # polled again, not submitted again
        assert len(OperationStore(tmp_path / "ops")) == 0 and list(server.paid.values()) == [1]
        engine.close()


def test_a_kept_operation_that_is_gone_is_submitted_again(emulator, tmp_path) -> None:
    opts = options(emulator)
    image = SAMPLE.read_bytes()
    engine = AzureEngine(opts)
    store = OperationStore(tmp_path / "ops")
    upload = next(iter(prepare(open_source(image), engine.limits)))
    store.put(
        engine._key(upload),
        {
            "location": f"{emulator.url}/documentintelligence/documentModels/prebuilt-read/analyzeResults/gone?api-version=2024-11-30"
        },
    )
    before = emulator.stats["status_202"]
    with operations_kept_in(tmp_path / "ops"):
        result = unified_ocr.recognize(image, engine=opts)
    assert result.words and emulator.stats["status_202"] == before + 1 and len(store) == 0


def test_polls_wait_as_long_as_retry_after_asks_and_count_against_the_tiers_rate() -> None:
    assert AzureEngine(AzureOptions(tier="F0")).http.limiter.per_second == 1.0  # type: ignore[union-attr]
    assert AzureEngine(AzureOptions()).http.limiter.per_second == 15.0  # type: ignore[union-attr]
    with AzureEmulator(key=KEY, run_seconds=0.0, poll_after=1) as server:
        started = time.monotonic()
        unified_ocr.recognize(SAMPLE, engine=options(server, rate_limit=50))
        assert time.monotonic() - started >= 1.0  # the 202 asked for a second before the first poll


# -- the command line ------------------------------------------------------------------------------------


def test_cli_recognize_through_the_emulator_with_a_profile(emulator, tmp_path) -> None:
    config = tmp_path / "unified-ocr.toml"
    config.write_text(
        f'[engines.di]\nbackend = "azure"\nendpoint = "{emulator.url}"\nkey = {{ env = "MY_AZURE_KEY" }}\npoll_interval = 0.05\n'
    )
    proc = run_cli(
        "recognize", str(SAMPLE), "--engine", "di", "--config", str(config), "--format", "text", env={"MY_AZURE_KEY": KEY}
    )
    assert proc.returncode == 0, proc.stderr
    assert "TOTAL" in proc.stdout and KEY not in proc.stdout + proc.stderr
    proc = run_cli(
        "recognize", str(SAMPLE), "--engine", "di", "--config", str(config), "--no-cache", env={"MY_AZURE_KEY": "wrong-key"}
    )
    assert proc.returncode == 1 and "AuthenticationError" not in proc.stdout and "Traceback" not in proc.stderr
    assert "invalid subscription key" in proc.stderr


def test_cli_emulate_azure_serves_the_asynchronous_api_with_its_own_options() -> None:
    command = [
        sys.executable,
        "-m",
        "unified_ocr",
        "emulate",
        "azure",
        "--port",
        "0",
        "--key",
        KEY,
        "--fail-operations",
        "1",
        "--run-seconds",
        "0",
    ]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=ROOT) as server:
        try:
            banner = server.stderr.readline()
            url = banner.split(" on ")[1].split()[0]
            analyze = f"{url}/documentintelligence/documentModels/prebuilt-read:analyze?api-version=2024-11-30"
            refused = requests.post(analyze, headers={"Ocp-Apim-Subscription-Key": "nope"}, data=b"x", timeout=10)
            accepted = requests.post(analyze, headers={"Ocp-Apim-Subscription-Key": KEY, "Content-Type": "image/png"},
                                     data=SAMPLE.read_bytes(), timeout=10)  # fmt: skip
            for _ in range(50):
                status = requests.get(
                    accepted.headers["Operation-Location"], headers={"Ocp-Apim-Subscription-Key": KEY}, timeout=10
                ).json()
                if status["status"] != "running":
                    break
                time.sleep(0.1)
        finally:
            server.terminate()
    assert banner.startswith("azure emulator on http://127.0.0.1:") and KEY not in banner
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "401"
    assert accepted.status_code == 202 and accepted.headers["Operation-Location"].startswith(url)
    assert status["status"] == "failed" and status["error"]["code"] == "InternalServerError"


def test_cli_parse_reads_a_saved_answer() -> None:
    proc = run_cli("parse", str(FIXTURES / "fr21-layout-sample-layout.json"), "--engine", "azure", "--format", "text")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("UNITED STATES\nSECURITIES AND EXCHANGE COMMISSION")


def test_the_shared_faults_hit_polls_too_and_are_retried(tmp_path) -> None:
    faults = Faults(error_rate=0.2, throttle_rate=0.1, drop_rate=0.05, seed=3)
    with AzureEmulator(key=KEY, run_seconds=0.05, faults=faults) as server:
        opts = options(server, retries=8, backoff=0.01, max_backoff=0.05)
        # how many polls an image takes depends on the machine's pace, so which requests the
        # seeded faults fall on does too: images are read until both kinds have hit (each read)
        for _ in range(20):
            assert unified_ocr.recognize(SAMPLE, engine=opts).words
            if server.stats["server_error"] and server.stats["rate_limited"]:
                break
        assert server.stats["server_error"] and server.stats["rate_limited"]


def test_polls_wait_their_turn_under_the_rate_limit() -> None:
    with AzureEmulator(key=KEY, canned=True, run_seconds=0.6) as server:
        started = time.monotonic()
        unified_ocr.recognize(SAMPLE, engine=options(server, rate_limit=5, poll_interval=0.0))
        took = time.monotonic() - started
        # evenly spaced at 0.2 s, the POST included: about 0.6 s of running is 3 to 5 requests, not dozens
        assert 3 <= server.stats["requests"] <= 6 and took >= 0.6


class _Credential:
    """Stands in for azure-identity's credential: hands out a token (the emulator takes the key as one)."""

    def __init__(self, token: str) -> None:
        self.token, self.asked = token, []

    def get_token(self, *scopes: str) -> Any:
        from azure.core.credentials import AccessToken

        self.asked.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)


def test_entra_id_tokens_are_sent_as_bearer_and_reused(emulator) -> None:
    engine = AzureEngine(AzureOptions(endpoint=emulator.url, auth="entra", poll_interval=0.02))
    credential = _Credential(KEY)
    engine._token._credential = credential  # type: ignore[union-attr]  # what DefaultAzureCredential() would be
    upload = next(iter(prepare(open_source(SAMPLE.read_bytes()), engine.limits)))
    assert engine.recognize(upload).words and engine.recognize(upload).words
    assert credential.asked == [("https://cognitiveservices.azure.com/.default",)]  # fetched once, reused
    assert "Bearer" not in repr(engine._token) and KEY not in repr(engine._token)
    engine.close()
    assert (
        AzureEngine.unavailable_reason(AzureOptions(auth="entra"))
        == "missing settings: endpoint (in the profile, or $AZURE_DOCUMENT_INTELLIGENCE_ENDPOINT)"
    )
    assert AzureEngine.unavailable_reason(AzureOptions(auth="entra", endpoint="https://r.cognitiveservices.azure.com/")) is None


def test_a_batch_writes_no_secret_anywhere(emulator, tmp_path) -> None:
    from unified_ocr.batch.folder import run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "a.png")
    (folder / "bad.png").write_bytes(b"not an image")
    report = run_batch(
        [str(folder)], tmp_path / "out", options(emulator), cache=tmp_path / "cache", stream=open("/dev/null", "w")
    )  # noqa: SIM115
    assert report.summary["failed"] == 1
    wrong = options(emulator, key="wrong-" + KEY[::-1])
    run_batch([str(folder)], tmp_path / "out2", wrong, cache=tmp_path / "cache2", stream=open("/dev/null", "w"))  # noqa: SIM115
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix != ".png":
            text = path.read_bytes()
            assert KEY.encode() not in text and KEY[::-1].encode() not in text, path


def test_entra_id_without_azure_identity_says_which_extra_to_install(monkeypatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "azure.identity" else real(name, *a))
    reason = AzureEngine.unavailable_reason(AzureOptions(auth="entra", endpoint="https://r.cognitiveservices.azure.com/"))
    assert reason is not None and "pip install unified-ocr[azure]" in reason
