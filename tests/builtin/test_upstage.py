"""The Upstage engine against its emulator over real sockets on 127.0.0.1: recorded answers land on their
images, Document Parse elements in pixels, limits before upload, typed errors, retries, no secret anywhere."""

from __future__ import annotations

import gzip
import io
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image
from unified_ocr_upstage import UpstageEmulator, UpstageEngine, UpstageOptions
from unified_ocr_upstage.emulator import ERRORS

import unified_ocr
from unified_ocr import (
    AuthenticationError,
    BadResponseError,
    NetworkError,
    Quad,
    RateLimitError,
    RequestTooLargeError,
    Secret,
    ServiceError,
    Upload,
    UploadPage,
)
from unified_ocr.api import recognize_recorded
from unified_ocr.emulator import Faults
from unified_ocr.geometry import Transform

from ..conftest import ROOT, SAMPLE

KEY = "up-s3cret-DO-NOT-LEAK-5e7a"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upstage"
#: recorded answer -> its image here (the 150-dpi page shrunk to half: its boxes come back through a scale)
WITH_IMAGE = {
    "cookbook-ocr-dpi-table": "cookbook-ocr-dpi-table.png",
    "cookbook-ocr-water-mark": "cookbook-ocr-water-mark.png",
    "cookbook-ocr-check-box": "cookbook-ocr-check-box.png",
    "cookbook-ocr-dpi-150": "cookbook-ocr-dpi-150.half.png",
}


def load(name: str) -> Any:
    with gzip.open(FIXTURES / f"{name}.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def replay(tmp_path_factory) -> Path:
    """The recorded answers beside their images, as ``--replay`` reads them."""
    folder = tmp_path_factory.mktemp("upstage-replay")
    for name, image in WITH_IMAGE.items():
        shutil.copy(FIXTURES / image, folder / image)
        (folder / image).with_suffix(".json").write_text(json.dumps(load(name), ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def emulator(replay):
    with UpstageEmulator(key=KEY, replay=replay) as server:
        yield server


@pytest.fixture(scope="module")
def canned():
    with UpstageEmulator(key=KEY, canned=True) as server:
        yield server


def options(server: UpstageEmulator, **kwargs: Any) -> UpstageOptions:
    kwargs.setdefault("api_key", Secret.of(KEY))
    return UpstageOptions(endpoint=server.url, backoff=0.01, max_backoff=0.05, rate_limit=None, **kwargs)


# -- recorded answers through the engine ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(WITH_IMAGE))
# the check-box form's answer reads a box as the Hiragana "く": the engine rightly warns that it reads no Hiragana
@pytest.mark.filterwarnings("ignore::unified_ocr.engines.scripts.ScriptWarning")
def test_recorded_answers_land_on_their_images_word_for_word(emulator, name: str) -> None:
    """Through the engine and the core's mapping: every raw word, its quad on the image as displayed (IoU >= 0.99)."""
    raw = load(name)
    image = FIXTURES / WITH_IMAGE[name]
    result, record = recognize_recorded(str(image), options(emulator))
    width, height = Image.open(image).size
    page = result.pages[0]
    assert (page.width, page.height) == (width, height)
    sx, sy = width / raw["metadata"]["pages"][0]["width"], height / raw["metadata"]["pages"][0]["height"]
    expected = [
        (w["text"], Quad([(v["x"] * sx, v["y"] * sy) for v in w["boundingBox"]["vertices"]])) for w in raw["pages"][0]["words"]
    ]
    assert sorted(w.text for w in page.words) == sorted(t for t, _ in expected)
    unmatched = list(page.words)
    for text, quad in expected:
        match = next(w for w in unmatched if w.text == text and w.quad.iou(quad) >= 0.99)
        unmatched.remove(match)
    assert record.attempts == 1 and record.billed_pages == 1
    assert result.meta["upstage"]["billed_pages"] == 1


def test_the_older_ocr_address_answers_the_same(emulator) -> None:
    image = str(FIXTURES / "cookbook-ocr-water-mark.png")
    old = unified_ocr.recognize(image, options(emulator, path="document-ai/ocr"))
    assert old.pages == unified_ocr.recognize(image, options(emulator)).pages
    with pytest.raises(ValueError, match="older address"):
        UpstageOptions(path="document-ai/ocr", model="document-parse")


def test_document_parse_elements_come_back_in_pixels(canned) -> None:
    """Normalised coordinates on a 1 x 1 page are scaled by the core onto the page that was sent."""
    result, record = recognize_recorded(SAMPLE, options(canned, model="document-parse", ocr="force"))
    width, height = Image.open(SAMPLE).size
    page = result.pages[0]
    assert (page.width, page.height) == (width, height) and page.text == "emulated"
    (block,) = page.blocks
    assert block.quad is not None and block.quad.iou(Quad.from_bbox(0, 0, width, height)) >= 0.99
    assert result.meta["upstage"]["pages"][0]["categories"] == ["paragraph"]
    assert record.billed_pages == 1
    assert canned.last_upload == Path(SAMPLE).read_bytes()  # the original bytes, untouched


def test_a_replayed_parse_table_comes_back_cell_for_cell(tmp_path) -> None:
    from .test_upstage_parse import TABLE_CELLS, TABLE_HTML

    image = tmp_path / "table.png"
    Image.new("L", (400, 200), 255).save(image)
    box = [{"x": 0.1, "y": 0.2}, {"x": 0.9, "y": 0.2}, {"x": 0.9, "y": 0.6}, {"x": 0.1, "y": 0.6}]
    answer = {"api": "2.0", "elements": [{"category": "table", "content": {"html": TABLE_HTML, "markdown": "", "text": ""},
                                          "coordinates": box, "id": 0, "page": 1}], "usage": {"pages": 1}}  # fmt: skip
    image.with_suffix(".json").write_text(json.dumps(answer), encoding="utf-8")
    with UpstageEmulator(key=KEY, replay=tmp_path) as server:
        result = unified_ocr.recognize(str(image), options(server, model="document-parse"))
    (table,) = result.pages[0].tables
    assert [(c.row, c.col, c.row_span, c.col_span, c.text) for c in table.cells] == TABLE_CELLS
    assert table.quad is not None and table.quad.points == ((40, 40), (360, 40), (360, 120), (40, 120))


def test_a_pdf_is_sent_whole_and_each_page_lands_on_its_own_frame(canned, tmp_path) -> None:
    pdf = tmp_path / "two.pdf"
    pages = [Image.new("RGB", (300, 400), "white"), Image.new("RGB", (500, 300), "white")]
    pages[0].save(pdf, save_all=True, append_images=pages[1:], resolution=100)
    result, record = recognize_recorded(str(pdf), options(canned))
    assert record.attempts == 1 and record.billed_pages == 2
    assert [(p.index, p.width, p.height) for p in result.pages] == [(0, 600, 800), (1, 1000, 600)]  # rendered at 200 dpi
    for page in result.pages:
        assert page.words[0].quad.iou(Quad.from_bbox(0, 0, page.width, page.height)) >= 0.99


# -- limits, errors, retries ---------------------------------------------------------------------------------


def test_limits_and_scripts() -> None:
    ocr = UpstageEngine(UpstageOptions()).limits
    assert (ocr.max_bytes, ocr.max_pages, ocr.formats, ocr.max_side) == (
        50 * 1024 * 1024,
        30,
        {"jpeg", "png", "bmp", "pdf", "tiff", "heic"},
        11_500,
    )
    parse_formats = UpstageEngine(UpstageOptions(model="document-parse")).limits.formats
    assert parse_formats == ocr.formats | {"docx", "pptx", "xlsx"}  # office documents: Document Parse only
    assert UpstageEngine(UpstageOptions(model="document-parse", asynchronous="never")).limits.max_pages == 100
    assert UpstageEngine(UpstageOptions(model="document-parse")).limits.max_pages == 1000  # over 100: the asynchronous API
    assert UpstageEngine.scripts == {"Hang", "Latn"}
    assert UpstageOptions().rate_limit == 3.0 and UpstageOptions().url == "https://api.upstage.ai"
    with pytest.raises(ValueError, match="model must be"):
        UpstageOptions(model="gpt")


def test_a_too_large_document_is_refused_before_the_call(canned) -> None:
    engine = UpstageEngine(options(canned))
    before = canned.stats["requests"]
    frame = Transform.identity(100, 100)
    big = Upload(b"%PDF" + b"0" * (50 * 1024 * 1024), "pdf", "big.pdf", (UploadPage(0, (100, 100), frame),))
    with pytest.raises(RequestTooLargeError, match="over Upstage's 50 MB"):
        engine.recognize(big)
    huge = Upload(b"\xff\xd8", "jpeg", "huge.jpg", (UploadPage(0, (12_000, 9_000), Transform.identity(12_000, 9_000)),))
    with pytest.raises(RequestTooLargeError, match="108 megapixels, over Upstage's 100: set max_side = 11547"):
        engine.recognize(huge)
    assert canned.stats["requests"] == before  # nothing was sent


def test_wrong_credentials_are_an_authentication_error_never_retried(canned) -> None:
    before = canned.stats["requests"]
    with pytest.raises(AuthenticationError) as caught:
        unified_ocr.recognize(SAMPLE, options(canned, api_key=Secret.of("wrong-key"), retries=3))
    error = caught.value
    assert (error.status, error.code, error.attempts) == (401, "invalid_api_key", 1)
    assert "check the profile's api_key" in str(error)
    assert canned.stats["requests"] == before + 1


def _post(server: UpstageEmulator, path: str = "/v1/document-digitization", key: str = KEY, **kwargs: Any) -> requests.Response:
    return requests.post(server.url + path, headers={"Authorization": f"Bearer {key}"}, timeout=10, **kwargs)


def _pdf_of(pages: int) -> bytes:
    out = io.BytesIO()
    images = [Image.new("L", (20, 20), 255) for _ in range(pages)]
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:])
    return out.getvalue()


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("L", (20, 20), 255).save(out, format="GIF")
    return out.getvalue()


PNG = Path(SAMPLE).read_bytes()


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        (lambda s: _post(s, "/v1/nothing", files={"document": PNG}, data={"model": "ocr"}), "not_found"),
        (lambda s: requests.get(s.url + "/v1/document-digitization", timeout=10), "method_not_allowed"),
        (lambda s: _post(s, key="nope", files={"document": PNG}, data={"model": "ocr"}), "invalid_api_key"),
        (lambda s: _post(s, json={"model": "ocr"}), "invalid_request"),
        (lambda s: _post(s, files={"document": PNG}, data={"model": "gpt-4"}), "invalid_model"),
        (lambda s: _post(s, data={"model": "ocr", "x": "y"}, files={"other": PNG}), "invalid_request"),
        (lambda s: _post(s, files={"document": _gif()}, data={"model": "ocr"}), "unsupported_document_format"),
        (lambda s: _post(s, files={"document": b"not a document"}, data={"model": "ocr"}), "unsupported_document_format"),
        (lambda s: _post(s, files={"document": _pdf_of(31)}, data={"model": "ocr"}), "too_many_pages"),
    ],
)
def test_every_refusal_has_its_status_and_error_body(canned, request_: Any, code: str) -> None:
    response = request_(canned)
    status, kind, _ = ERRORS[code]
    assert response.status_code == status
    assert response.json()["error"]["code"] == code and response.json()["error"]["type"] == kind


def test_parse_takes_a_hundred_pages_where_ocr_takes_thirty(canned) -> None:
    pdf = _pdf_of(31)
    assert _post(canned, files={"document": pdf}, data={"model": "document-parse"}).status_code == 200


@pytest.mark.parametrize(
    ("faults", "kind"),
    [
        (Faults(error_rate=1.0), ServiceError),
        (Faults(throttle_rate=1.0), RateLimitError),
        (Faults(drop_rate=1.0), NetworkError),
        (Faults(malformed_rate=1.0), BadResponseError),
    ],
)
def test_transient_faults_are_retried_a_bounded_number_of_times(faults: Faults, kind: type) -> None:
    with UpstageEmulator(key=KEY, canned=True, faults=faults) as server:
        with pytest.raises(kind) as caught:
            unified_ocr.recognize(SAMPLE, options(server, retries=2))
        assert caught.value.attempts == 3 and server.stats["requests"] == 3


def test_a_rate_limit_is_429_with_retry_after_and_is_honoured() -> None:
    with UpstageEmulator(key=KEY, canned=True, faults=Faults(rate_limit=2.0)) as server:
        answers = [_post(server, files={"document": PNG}, data={"model": "ocr"}) for _ in range(4)]
        limited = [a for a in answers if a.status_code == 429]
        assert limited and limited[0].headers["Retry-After"] == "1"
        assert limited[0].json()["error"] == {"message": ERRORS["too_many_requests"][2], "type": "rate_limit_error",
                                              "code": "too_many_requests", "param": None}  # fmt: skip
        result = unified_ocr.recognize(SAMPLE, options(server, retries=3))
        assert result.text == "emulated"


# -- secrets, settings, the command line ---------------------------------------------------------------------


def test_the_secret_appears_nowhere(canned, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    opts = options(canned)
    texts = [repr(opts), str(opts), repr(UpstageEngine(opts).options)]
    result = unified_ocr.recognize(SAMPLE, engine=opts)
    texts.append(json.dumps(result.to_dict(include_raw=True)))
    with UpstageEmulator(key=KEY, canned=True, faults=Faults(error_rate=1.0)) as failing:
        for engine_opts in (options(failing, retries=1), options(canned, api_key=Secret.of(KEY + "x"))):
            try:
                unified_ocr.recognize(SAMPLE, engine=engine_opts)
            except Exception as exc:  # noqa: BLE001 - every error's text is searched
                texts += [str(exc), repr(exc), repr(exc.__dict__)]
    texts.append(caplog.text)
    assert len(texts) == 11 and not any(KEY in t for t in texts)


def test_environment_fallback_and_missing_settings(canned, monkeypatch) -> None:
    monkeypatch.delenv("UPSTAGE_ENDPOINT", raising=False)
    monkeypatch.delenv("UPSTAGE_API_KEY", raising=False)
    assert "missing credentials: api_key from environment variable UPSTAGE_API_KEY" in UpstageEngine.unavailable_reason()
    monkeypatch.setenv("UPSTAGE_API_KEY", KEY)
    monkeypatch.setenv("UPSTAGE_ENDPOINT", canned.url)
    assert UpstageEngine.unavailable_reason() is None
    assert unified_ocr.recognize(SAMPLE, engine=UpstageOptions(rate_limit=None)).text == "emulated"
    with pytest.raises(ValueError, match="must be an http"):
        UpstageOptions(endpoint="https://user:pw@api.upstage.ai/v1?key=x")


def test_cli_emulate_serves_and_recognize_reads_through_it(tmp_path) -> None:
    command = [sys.executable, "-m", "unified_ocr", "emulate", "upstage", "--port", "0", "--api-key", KEY, "--canned"]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=ROOT) as server:
        try:
            banner = server.stderr.readline()
            url = banner.split(" on ")[1].split()[0]
            env = {"UPSTAGE_ENDPOINT": url, "UPSTAGE_API_KEY": KEY, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
            done = subprocess.run([sys.executable, "-m", "unified_ocr", "recognize", SAMPLE, "--engine", "upstage", "--format", "text"],
                                  capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)  # fmt: skip
        finally:
            server.terminate()
    assert banner.startswith("upstage emulator on http://127.0.0.1:") and KEY not in banner
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "emulated" and KEY not in done.stdout + done.stderr
