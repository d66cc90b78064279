"""The CLOVA engine against its emulator over real sockets on 127.0.0.1."""

from __future__ import annotations

import io
import json
import logging
import shutil
import subprocess
import sys
import time
from pathlib import Path

import cv2
import pytest
import requests
from PIL import Image

import unified_ocr
from unified_ocr import (
    AuthenticationError,
    BadResponseError,
    ImageFailedError,
    InvalidRequestError,
    NetworkError,
    QuotaExceededError,
    RateLimitError,
    Secret,
    ServiceError,
)
from unified_ocr.api import recognize_recorded
from unified_ocr.emulator import Faults
from unified_ocr.engines.retry import RetryPolicy
from unified_ocr_clova import ClovaEmulator, ClovaEngine, ClovaOptions
from unified_ocr_clova.engine import ERROR_CODES, check

from ..conftest import ROOT, SAMPLE, cli_here, run_cli
from ..imaging.test_prepare import _pdf

KEY = "clova-s3cret-DO-NOT-LEAK-7f3a"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clova"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def emulator():
    with ClovaEmulator(key=KEY) as server:
        yield server


def options(server: ClovaEmulator, path: str = "/general", **kw) -> ClovaOptions:
    kw.setdefault("retries", 2)
    kw.setdefault("backoff", 0.01)
    return ClovaOptions(invoke_url=server.url + path, secret=Secret.of(KEY), **kw)


def fresh(opts: ClovaOptions) -> ClovaEngine:
    """An engine of its own, so that a test's retries are its own."""
    return ClovaEngine(opts)


@pytest.mark.parametrize("transport", ["multipart", "json"])
def test_general_ocr_end_to_end(emulator, transport) -> None:
    before = emulator.stats["requests"]
    result, record = recognize_recorded(SAMPLE, engine=options(emulator, transport=transport))
    assert result.engine == "clova" and emulator.stats["requests"] == before + 1
    page = result.pages[0]
    assert (page.index, page.width, page.height) == (0, 540, 470)
    lines = [line.text for line in page.lines]
    assert "UNIFIED MART" in lines and "Thank you for shopping" in lines
    total = next(line for line in page.lines if line.text == "TOTAL 12,400")
    assert 30 <= total.quad.bbox()[0] <= 50 and 315 <= total.quad.bbox()[1] <= 340
    assert all(0 < w.confidence <= 1 for w in page.words)
    assert record.attempts == 1 and record.bytes_sent == SAMPLE.stat().st_size and record.upload_sizes == ((540, 470),)
    assert set(result.meta) == {"clova", "source", "profile"}  # run figures travel beside the result, not in it


def test_resized_uploads_come_back_in_the_original_frame(emulator) -> None:
    direct = unified_ocr.recognize(SAMPLE, engine=options(emulator))
    halved = unified_ocr.recognize(SAMPLE, engine=options(emulator, max_side=270))
    assert (halved.pages[0].width, halved.pages[0].height) == (540, 470)
    want = next(line for line in direct.pages[0].lines if line.text == "TOTAL 12,400").quad
    got = next(line for line in halved.pages[0].lines if line.text == "TOTAL 12,400").quad
    assert got.iou(want) > 0.7


def test_exif_photos_are_sent_as_they_are_and_read_in_the_displayed_frame(emulator) -> None:
    upright = cv2.imread(str(SAMPLE))
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    Image.fromarray(cv2.cvtColor(cv2.rotate(upright, cv2.ROTATE_90_COUNTERCLOCKWISE), cv2.COLOR_BGR2RGB)).save(
        buf, "JPEG", quality=95, exif=exif.tobytes()
    )
    result = unified_ocr.recognize(buf.getvalue(), engine=options(emulator))
    assert (result.pages[0].width, result.pages[0].height) == (540, 470)
    total = next(line for line in result.pages[0].lines if line.text == "TOTAL 12,400")
    assert 30 <= total.quad.bbox()[0] <= 50


def test_pdf_pages_come_back_placed_by_page_index_in_the_dpi_frame(emulator) -> None:
    result = unified_ocr.recognize(_pdf(2), engine=options(emulator), dpi=100)
    assert [(p.index, p.width, p.height) for p in result.pages] == [(0, 540, 470), (1, 540, 470)]
    for page in result.pages:
        total = next(line for line in page.lines if line.text == "TOTAL 12,400")
        assert 30 <= total.quad.bbox()[0] <= 50 and 315 <= total.quad.bbox()[1] <= 340  # rescaled from CLOVA's 200 dpi


def test_replayed_receipt_gives_named_fields(emulator, tmp_path) -> None:
    replay = tmp_path / "replay"
    replay.mkdir()
    for suffix in (".jpg", ".json"):
        shutil.copy(FIXTURES / f"agtm-receipt-3-handondang{suffix}", replay / f"receipt{suffix}")
    with ClovaEmulator(key=KEY, replay=replay) as server:
        result = unified_ocr.recognize(replay / "receipt.jpg", engine=options(server, "/document/receipt"))
    names = [f.name for f in result.pages[0].fields]
    assert "store.name" in names and "total.price" in names and any(n.startswith("items.0.") for n in names)
    assert result.pages[0].width == 194 and result.pages[0].height == 259  # the displayed frame of an EXIF-6 photo


# -- errors: each maps to its type, and only the transient ones are retried ---------------------------


def test_wrong_secret_is_an_authentication_error_and_not_retried(emulator) -> None:
    before = emulator.stats["requests"]
    engine = fresh(ClovaOptions(invoke_url=emulator.url + "/general", secret=Secret.of("wrong"), retries=3, backoff=0.01))
    with pytest.raises(AuthenticationError, match="check the profile's secret") as info:
        unified_ocr.recognize(SAMPLE, engine=engine.options)
    assert (info.value.status, info.value.code) == (401, "0002")
    assert emulator.stats["requests"] == before + 1


def test_bad_url_template_and_document_errors(emulator) -> None:
    with pytest.raises(InvalidRequestError) as info:
        unified_ocr.recognize(SAMPLE, engine=options(emulator, "/nowhere"))
    assert info.value.code == "0001"
    before = emulator.stats["requests"]
    with pytest.raises(InvalidRequestError, match="release it in the template builder") as info:
        unified_ocr.recognize(SAMPLE, engine=options(emulator, "/infer"))
    assert (info.value.status, info.value.code) == (500, "1021") and emulator.stats["requests"] == before + 1
    with pytest.raises(ImageFailedError, match="Document OCR"):
        unified_ocr.recognize(SAMPLE, engine=options(emulator, "/document/receipt"))


@pytest.mark.parametrize(
    ("faults", "error", "retried"),
    [
        (Faults(error_rate=1.0), ServiceError, True),
        (Faults(drop_rate=1.0), NetworkError, True),
        (Faults(malformed_rate=1.0), BadResponseError, True),
    ],
)
def test_transient_faults_are_retried_a_bounded_number_of_times(faults, error, retried) -> None:
    with ClovaEmulator(key=KEY, faults=faults) as server:
        with pytest.raises(error) as info:
            unified_ocr.recognize(SAMPLE, engine=options(server, retries=2))
        assert server.stats["requests"] == 3 and info.value.attempts == 3


def test_timeouts_are_network_errors() -> None:
    with ClovaEmulator(key=KEY, faults=Faults(stall_rate=1.0, stall_seconds=2.0)) as server:
        started = time.monotonic()
        with pytest.raises(NetworkError, match="no answer within 0.3 s"):
            unified_ocr.recognize(SAMPLE, engine=options(server, timeout=0.3, retries=1))
        assert time.monotonic() - started < 1.9


def test_rate_limit_answers_0025_and_retries_get_through() -> None:
    # one call per two seconds; canned answers, so that the burst comes within them however slow the machine
    with ClovaEmulator(key=KEY, faults=Faults(rate_limit=0.5), canned=True) as server:
        opts = options(server, retries=0)
        engine = fresh(opts)
        from unified_ocr.imaging.prepare import prepare
        from unified_ocr.imaging.sources import open_source

        upload = next(prepare(open_source(SAMPLE), engine.limits))
        errors = []
        for _ in range(3):  # a burst over the limit
            try:
                engine.recognize(upload)
            except RateLimitError as exc:
                errors.append(exc)
        assert errors and errors[0].status == 400 and errors[0].code == "0025"
        patient = fresh(options(server, retries=6, backoff=0.2))
        result = patient.recognize(upload)
        assert len(result.words) == 1  # the canned answer: one word across the image


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_every_documented_code_maps_to_its_error_type(code) -> None:
    status = 401 if code == "0002" else 500 if code.startswith(("05", "10")) else 400
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps({"code": code, "message": "vendor says", "path": "/general", "timestamp": 1}).encode()
    kind = ERROR_CODES[code][0]
    with pytest.raises(kind) as info:
        check(response)
    assert (info.value.status, info.value.code) == (status, code) and "vendor says" in str(info.value)
    assert info.value.retryable == (code in ("0025", "0500", "0501"))
    assert (kind is QuotaExceededError) == (code == "0023")


def test_retry_waits_are_bounded_jittered_and_honour_retry_after() -> None:
    policy = RetryPolicy(retries=5, backoff=0.5, max_backoff=4.0, jitter=0.5)
    waits = [policy.wait_before(n, None) for n in range(1, 9)]
    assert all(0.5 <= w <= 4.5 for w in waits) and waits[0] <= 1.0
    slow = RateLimitError("slow down", vendor="clova", retry_after=9.0)
    assert policy.wait_before(1, slow) == 9.0
    assert RetryPolicy(max_retry_after=5.0).wait_before(1, slow) == 5.0
    slept = []
    with pytest.raises(ServiceError):
        policy.call(lambda: (_ for _ in ()).throw(ServiceError("down", vendor="x")), sleep=slept.append)
    assert len(slept) == 5 and sum(slept) <= 5 * 4.5


# -- secrets ------------------------------------------------------------------------------------------


def test_the_secret_appears_nowhere(emulator, caplog, tmp_path) -> None:
    caplog.set_level(logging.DEBUG)
    texts = []
    opts = options(emulator)
    texts += [repr(opts), str(opts), repr(ClovaEngine(opts).options)]
    result = unified_ocr.recognize(SAMPLE, engine=opts)
    texts.append(json.dumps(result.to_dict(include_raw=True)))
    with ClovaEmulator(key=KEY, faults=Faults(error_rate=1.0)) as failing:
        for engine_opts in (options(failing, retries=1), ClovaOptions(invoke_url=emulator.url + "/general", secret=Secret.of(KEY + "x"))):
            try:
                unified_ocr.recognize(SAMPLE, engine=engine_opts)
            except Exception as exc:  # noqa: BLE001 - every error's text is searched
                texts += [str(exc), repr(exc), repr(exc.__dict__)]
    texts.append(caplog.text)
    assert texts and not any(KEY in t for t in texts)


def test_cli_recognize_with_a_profile_and_the_secret_from_the_environment(emulator, tmp_path) -> None:
    config = tmp_path / "unified-ocr.toml"
    for transport in ("multipart", "json"):
        config.write_text(
            f'[engines.receipts]\nbackend = "clova"\ninvoke_url = "{emulator.url}/general"\n'
            f'secret = {{ env = "MY_CLOVA_SECRET" }}\ntransport = "{transport}"\nmax_side = 270\n'
        )
        proc = run_cli("recognize", str(SAMPLE), "--engine", "receipts", "--config", str(config), "--no-cache",
                       env={"MY_CLOVA_SECRET": KEY})  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        result = json.loads(proc.stdout)
        assert result["pages"][0]["width"] == 540 and result["meta"]["profile"] == "receipts"
        assert KEY not in proc.stdout + proc.stderr
    before = emulator.stats["requests"]
    proc = run_cli("recognize", str(SAMPLE), "--engine", "receipts", "--config", str(config), env={"MY_CLOVA_SECRET": KEY})
    assert proc.returncode == 0 and emulator.stats["requests"] == before + 1  # the cache is filled
    proc = run_cli("recognize", str(SAMPLE), "--engine", "receipts", "--config", str(config), env={"MY_CLOVA_SECRET": "wrong"})
    assert proc.returncode == 0 and "answered from the result cache, no call made" in proc.stderr
    assert set(json.loads(proc.stdout)["meta"]) == {"clova", "source", "profile"}  # the saved result holds no run figures
    assert emulator.stats["requests"] == before + 1  # no second call
    proc = run_cli("recognize", str(SAMPLE), "--engine", "receipts", "--config", str(config), "--no-cache",
                   env={"MY_CLOVA_SECRET": "wrong"})  # fmt: skip
    assert proc.returncode == 1 and "Secret key validate failed" in proc.stderr and "Traceback" not in proc.stderr


def test_environment_fallback_and_missing_settings(emulator, monkeypatch) -> None:
    monkeypatch.delenv("CLOVA_OCR_INVOKE_URL", raising=False)
    monkeypatch.delenv("CLOVA_OCR_SECRET", raising=False)
    assert "missing settings: invoke_url" in ClovaEngine.unavailable_reason()
    monkeypatch.setenv("CLOVA_OCR_INVOKE_URL", emulator.url + "/general")
    assert "missing credentials: secret from environment variable CLOVA_OCR_SECRET" in ClovaEngine.unavailable_reason()
    monkeypatch.setenv("CLOVA_OCR_SECRET", KEY)
    assert ClovaEngine.unavailable_reason() is None
    assert "TOTAL" in unified_ocr.recognize(SAMPLE, engine=ClovaOptions(backoff=0.01)).text


def test_request_options_reach_the_wire(emulator) -> None:
    opts = options(emulator, lang=("ko", "ja"), enable_table_detection=True, template_ids=(7,), version="V1")
    body = ClovaEngine(opts).message({"format": "png", "name": "x"})
    assert body["lang"] == "ko,ja" and body["enableTableDetection"] is True and body["images"][0]["templateIds"] == [7]
    assert body["version"] == "V1" and len(body["requestId"]) == 36 and abs(body["timestamp"] / 1000 - time.time()) < 60
    result = unified_ocr.recognize(SAMPLE, engine=opts)
    assert "TOTAL 12,400" in [line.text for line in result.pages[0].lines]


def test_cli_emulate_serves_until_stopped(tmp_path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "unified_ocr", "emulate", "clova", "--port", "0", "--secret", KEY],
        stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        line = proc.stderr.readline()
        assert "clova emulator on http://127.0.0.1:" in line and KEY not in line
        url = line.split(" on ")[1].split()[0]
        answer = requests.post(url + "/general", headers={"X-OCR-SECRET": "nope"}, json={}, timeout=10)
        assert answer.status_code == 401 and answer.json()["code"] == "0002"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cli_parse_reads_saved_responses(tmp_path) -> None:
    saved = FIXTURES / "agtm-receipt-3-handondang.json"
    proc = run_cli("parse", str(saved), "--engine", "clova", "--format", "text")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
    bad = tmp_path / "bad.json"
    bad.write_text('{"words": []}')
    proc = run_cli("parse", str(bad), "--engine", "clova")
    assert proc.returncode == 1 and "expected a CLOVA OCR response" in proc.stderr and "Traceback" not in proc.stderr
    proc = cli_here("parse", str(bad), "--engine", "nope")
    assert proc.returncode == 2 and "unknown reader 'nope'" in proc.stderr and "clova, google, hocr" in proc.stderr


def test_a_url_is_fetched_by_the_service(emulator) -> None:
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SAMPLE.parent))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/{SAMPLE.name}"
        result = unified_ocr.recognize(url, engine=options(emulator, transport="json"))
        assert "TOTAL 12,400" in [line.text for line in result.pages[0].lines] and result.meta["source"] == url
        with pytest.raises(InvalidRequestError, match="cannot be fetched"):
            unified_ocr.recognize(url + ".missing", engine=options(emulator))
    finally:
        server.shutdown()


def test_a_plain_string_secret_is_refused_clearly_and_not_repeated() -> None:
    """In code, ``secret="..."`` would fail deep in a request; it is refused at once, value unsaid."""
    with pytest.raises(unified_ocr.ConfigError, match=r"ClovaOptions.secret takes a Secret, not str: .*Secret\(value=") as caught:
        ClovaOptions(invoke_url="http://127.0.0.1:9/general", secret="s3cr3t-value")  # type: ignore[arg-type]
    assert "s3cr3t-value" not in str(caught.value)
    assert ClovaOptions(invoke_url="http://127.0.0.1:9/general", secret=unified_ocr.Secret(value="s3cr3t-value")).credential.reveal() == "s3cr3t-value"
