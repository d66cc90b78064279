"""The Kakao engine against its emulator over real sockets on 127.0.0.1, and its parser on real responses."""

from __future__ import annotations

import functools
import io
import json
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import attrs
import cv2
import numpy as np
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import unified_ocr
from unified_ocr import (
    AuthenticationError,
    BadResponseError,
    ImageFailedError,
    InvalidRequestError,
    NetworkError,
    OcrResult,
    ProviderError,
    RateLimitError,
    RequestTooLargeError,
    Secret,
    ServiceError,
    Upload,
    UploadPage,
)
from unified_ocr.api import recognize_recorded
from unified_ocr.emulator import Faults
from unified_ocr.engines.calls import metered
from unified_ocr.geometry import Transform
from unified_ocr.imaging.prepare import prepare
from unified_ocr.imaging.sources import open_source
from unified_ocr_kakao import KakaoEmulator, KakaoEngine, KakaoOptions, parse
from unified_ocr_kakao.engine import REASONS, check

from ..conftest import ROOT, SAMPLE, run_cli
from ..imaging.test_prepare import _pdf

KEY = "kakao-s3cret-DO-NOT-LEAK-91c4"
ENDPOINT = "/ocr/services/general-ocr/e3bd4a3e261e44fc9c2e5c30602ee29f"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kakao"
VISION = ["menu-vision-legacy.json", "mserver-vision-legacy.json"]
#: the seed document's example answer
GENERAL = {"responses": [{"page": 1, "results": [
    {"box": [[67, 20], [308, 20], [308, 91], [67, 91]], "recognized_word": ["초미세먼지"]},
    {"box": [[151, 290], [227, 283], [229, 293], [152, 301]], "recognized_word": ["CarService"]},
]}]}  # fmt: skip

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def emulator():
    with KakaoEmulator(key=KEY) as server:
        yield server


def options(server: KakaoEmulator, path: str = ENDPOINT, key: str = KEY, **kw: Any) -> KakaoOptions:
    kw.setdefault("retries", 2)
    kw.setdefault("backoff", 0.01)
    return KakaoOptions(endpoint=server.url + path, api_key=Secret.of(key), **kw)


def fresh(opts: KakaoOptions) -> KakaoEngine:
    """An engine of its own, so that a test's retries are its own."""
    return KakaoEngine(opts)


def word(result: OcrResult, text: str) -> Any:
    return next(w for w in result.words if w.text == text)


# -- recognition end to end ---------------------------------------------------------------------------


def test_general_ocr_end_to_end(emulator) -> None:
    before = emulator.stats["requests"]
    result, record = recognize_recorded(SAMPLE, engine=options(emulator))
    assert result.engine == "kakao" and emulator.stats["requests"] == before + 1
    assert emulator.last_upload == SAMPLE.read_bytes()  # it fits: sent as it is
    page = result.pages[0]
    assert (page.index, page.width, page.height) == (0, 540, 470)
    lines = [line.text for line in page.lines]
    assert lines[0] == "UNIFIED MART" and "Thank you for shopping" in lines  # lines from the shared grouping
    x0, y0, _, _ = word(result, "TOTAL").quad.bbox()
    assert 30 <= x0 <= 50 and 315 <= y0 <= 340
    assert all(w.confidence is None for w in page.words) and all(line.confidence is None for line in page.lines)
    assert record.attempts == 1 and result.meta["kakao"] == {"format": "general"} and "attempts" not in result.meta
    assert result.raw["responses"][0]["page"] == 1
    assert all(isinstance(v, int) for r in result.raw["responses"][0]["results"] for p in r["box"] for v in p)


@pytest.fixture(scope="module")
def upright_lines(emulator) -> list[str]:
    """The upright sample's lines through the emulator, read once for the three turns."""
    return unified_ocr.recognize(SAMPLE, engine=options(emulator), cache=False).text.splitlines()


@pytest.mark.parametrize("code", [cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE])
def test_a_turned_page_reads_as_the_upright_one(emulator, upright_lines, code: int) -> None:
    """The emulator answers with the offline engine's words; turned, they must still start at
    their text's top-left, or the shared layout puts sideways words into nonsense lines."""
    image = cv2.imread(str(SAMPLE))
    upright = upright_lines
    turned = unified_ocr.recognize(cv2.imencode(".png", cv2.rotate(image, code))[1].tobytes(), engine=options(emulator), cache=False)
    lines = turned.text.splitlines()
    assert lines[:2] == upright[:2] == ["UNIFIED MART", "12 Harbour Road, Busan"]  # the model may read the date differently
    assert "TOTAL 12,400" in lines and lines.index("TOTAL 12,400") < lines.index("Thank you for shopping")


def test_pdf_pages_are_rendered_here_and_sent_one_by_one(emulator) -> None:
    before = emulator.stats["requests"]
    result = unified_ocr.recognize(_pdf(2), engine=options(emulator), dpi=100)
    assert emulator.stats["requests"] == before + 2 and emulator.last_upload[:4] == b"\x89PNG"
    assert [(p.index, p.width, p.height) for p in result.pages] == [(0, 540, 470), (1, 540, 470)]
    for page in result.pages:
        x0, y0, _, _ = next(w for w in page.words if w.text == "TOTAL").quad.bbox()
        assert 30 <= x0 <= 50 and 315 <= y0 <= 340


@pytest.fixture(scope="module")
def photo(tmp_path_factory) -> Path:
    """A 6000x4000 JPEG 'photo' of the sample receipt, noisy and over 8 MB."""
    big = cv2.resize(cv2.imread(str(SAMPLE)), (6000, 4000), interpolation=cv2.INTER_LINEAR)
    noise = np.random.default_rng(0).integers(-24, 25, big.shape[:2], dtype=np.int16)[:, :, None]
    path = tmp_path_factory.mktemp("photo") / "photo.jpg"
    cv2.imwrite(str(path), np.clip(big + noise, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert path.stat().st_size > 8 * 1024 * 1024
    return path


def test_cli_recognize_a_large_photo_with_a_profile(emulator, photo, tmp_path) -> None:
    config = tmp_path / "unified-ocr.toml"
    config.write_text(
        f'[engines.menus]\nbackend = "kakao"\nendpoint = "{emulator.url}{ENDPOINT}"\napi_key = {{ env = "MY_KAKAO_KEY" }}\n'
    )
    proc = run_cli("recognize", str(photo), "--engine", "menus", "--config", str(config), env={"MY_KAKAO_KEY": KEY})
    assert proc.returncode == 0, proc.stderr
    assert KEY not in proc.stdout + proc.stderr
    sent = open_source(emulator.last_upload).info
    assert len(emulator.last_upload) <= 8 * 1024 * 1024 and max(sent.width, sent.height) <= 4096
    assert (sent.format, sent.width, sent.height) == ("jpeg", 4096, 2731)
    result = json.loads(proc.stdout)
    assert result["meta"]["profile"] == "menus" and result["engine"] == "kakao"
    page = result["pages"][0]
    assert (page["width"], page["height"]) == (6000, 4000)
    # the offline engine may split the stretched word in two ("TO", "TAL"): the grouping joins them again
    total = next(line for line in page["lines"] if line["text"].replace(" ", "") == "TOTAL12,400")
    xs, ys = [p[0] for p in total["quad"]], [p[1] for p in total["quad"]]
    sx, sy = 6000 / 540, 4000 / 470  # the photo stretches the sample by these
    assert 30 * sx <= min(xs) <= 50 * sx and 315 * sy <= min(ys) <= 340 * sy
    assert 480 * sx <= max(xs) <= 520 * sx and 355 * sy <= max(ys) <= 375 * sy  # to the end of its amount
    proc = run_cli("recognize", str(SAMPLE), "--engine", "menus", "--config", str(config), env={"MY_KAKAO_KEY": "wrong"})
    assert proc.returncode == 1 and "Authentication failed" in proc.stderr and "Traceback" not in proc.stderr


def test_replayed_answers_are_served_as_recorded(tmp_path) -> None:
    replay = tmp_path / "replay"
    replay.mkdir()
    (replay / "sample.png").write_bytes(SAMPLE.read_bytes())
    (replay / "sample.json").write_text(json.dumps(GENERAL, ensure_ascii=False), encoding="utf-8")
    with KakaoEmulator(key=KEY, replay=replay) as server:
        result = unified_ocr.recognize(SAMPLE, engine=options(server))
    assert [w.text for w in result.words] == ["초미세먼지", "CarService"]
    assert result.words[1].quad.points == ((151, 290), (227, 283), (229, 293), (152, 301))


# -- refusals: the vendor's status and reason, and the typed error through the engine ---------------------


@functools.lru_cache(maxsize=None)
def image_bytes(kind: str) -> bytes:
    """Request bodies that the engine's own preparation would never send."""
    buf = io.BytesIO()
    if kind == "over-8mb":  # noise does not compress: a 1800x1800 PNG is about 9.7 MB
        noise = np.random.default_rng(1).integers(0, 256, (1800, 1800, 3), dtype=np.uint8)
        return cv2.imencode(".png", noise, [cv2.IMWRITE_PNG_COMPRESSION, 1])[1].tobytes()
    if kind == "5000px":
        return cv2.imencode(".png", np.full((64, 5000), 255, np.uint8))[1].tobytes()
    if kind == "31-pages":
        pages = [Image.new("RGB", (60, 40), "white") for _ in range(31)]
        pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:])
    elif kind in ("bmp", "gif", "tiff", "ico"):  # formats unified-ocr reads (but ICO), and the service does not
        Image.open(SAMPLE).convert("RGB").save(buf, kind.upper())
    elif kind == "grid":  # 121 short words, far enough apart to be one box each
        grid = np.full((1000, 1400, 3), 255, np.uint8)
        for r in range(11):
            for c in range(11):
                cv2.putText(
                    grid, f"A{r}{c}", (20 + c * 125, 60 + r * 88), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 3, cv2.LINE_AA
                )
        return cv2.imencode(".png", grid)[1].tobytes()
    elif kind == "sample":
        return SAMPLE.read_bytes()
    elif kind == "garbage":
        return b"this is not an image at all"
    elif kind != "empty":
        raise ValueError(kind)
    return buf.getvalue()


@attrs.frozen
class Case:
    status: int
    code: str
    error: type[ProviderError]
    image: str = "sample"  # what image_bytes() sends
    path: str = ENDPOINT
    key: str = KEY
    raw_only: dict[str, Any] | None = None  # a request the engine cannot make: requests.request() arguments


CASES = {
    "wrong-key": Case(401, "Authentication failed", AuthenticationError, key="wrong"),
    "path-outside-ocr": Case(404, "NOT FOUND", InvalidRequestError, path="/v1/vision/text"),
    "no-signature": Case(400, "Bad Request", InvalidRequestError, path="/ocr/"),
    "invalid-signature": Case(400, "INVALID_SIGNATURE", InvalidRequestError, path="/ocr/services/general-ocr/invalid"),
    "wrong-method": Case(405, "Method Not Allowed", InvalidRequestError, raw_only={"method": "GET"}),
    "not-multipart": Case(415, "Unsupported content type", InvalidRequestError, raw_only={"json": {"image": "x"}}),
    "missing-image": Case(400, "NO_IMAGE", ImageFailedError, raw_only={"files": {"file": ("a.png", b"\x89PNG")}}),
    "empty-image": Case(400, "NO_IMAGE", ImageFailedError, image="empty"),
    "not-an-image": Case(400, "NO_IMAGE", ImageFailedError, image="garbage"),
    "over-8mb": Case(413, "Request Entity Too Large", RequestTooLargeError, image="over-8mb"),
    "5000px": Case(413, "EXCEED_MAX_LEN", RequestTooLargeError, image="5000px"),
    "31-pages": Case(413, "EXCEED_MAX_PAGES", RequestTooLargeError, image="31-pages"),
    "bmp": Case(405, "UNSUPPORTED_IMAGE_FORMAT", InvalidRequestError, image="bmp"),
    "gif": Case(405, "UNSUPPORTED_IMAGE_FORMAT", InvalidRequestError, image="gif"),
    "tiff": Case(405, "UNSUPPORTED_IMAGE_FORMAT", InvalidRequestError, image="tiff"),
    "ico": Case(405, "UNSUPPORTED_IMAGE_FORMAT", InvalidRequestError, image="ico"),
    "121-words": Case(405, "TOO_MANY_BOXES", RequestTooLargeError, image="grid"),
}


def upload_of(data: bytes) -> Upload:
    """An upload made by hand, bypassing prepare(): the bytes go out exactly as given."""
    return Upload(data, "png", "<raw>", (UploadPage(0, (1, 1), Transform.identity(1, 1)),))


@pytest.mark.parametrize("name", list(CASES))
def test_every_refusal_has_its_status_reason_and_error_type(emulator, name) -> None:
    case = CASES[name]
    data = image_bytes(case.image)
    request = case.raw_only or {"method": "POST", "files": {"image": ("image.png", data)}}
    request = {"method": "POST", **request}
    answer = requests.request(url=emulator.url + case.path, headers={"x-api-key": case.key}, timeout=60, **request)
    assert (answer.status_code, answer.json()["code"]) == (case.status, case.code), answer.text
    before = emulator.stats["requests"]
    with pytest.raises(ProviderError) as info:
        if case.raw_only:
            check(answer)  # the engine's reading of what it cannot send itself
        else:
            fresh(options(emulator, case.path, case.key, retries=3)).recognize(upload_of(data))
    error = info.value
    assert type(error) is case.error and not error.retryable
    assert (error.vendor, error.status, error.code, error.attempts) == ("kakao", case.status, case.code, 1)
    assert emulator.stats["requests"] == before + (0 if case.raw_only else 1)  # tried once: no retries
    advice = next(advice for reason, _, advice in REASONS[case.status] if reason == case.code)
    assert str(error).startswith(f"kakao: {case.code}: ") and advice in str(error)  # e.g. TOO_MANY_BOXES: crop the image


def test_a_domain_not_deployed_is_425() -> None:
    with KakaoEmulator(key=KEY, deployed=False) as server:
        with pytest.raises(InvalidRequestError, match="deploy it in the console") as info:
            unified_ocr.recognize(SAMPLE, engine=options(server, retries=3))
        assert (info.value.status, info.value.code) == (425, "Domain not deployed") and server.stats["requests"] == 1


def test_rate_limit_is_429_and_retry_after_is_honoured() -> None:
    with KakaoEmulator(key=KEY, faults=Faults(rate_limit=1.0)) as server:  # one request a second
        upload = next(prepare(open_source(SAMPLE), fresh(options(server)).limits))
        requests.get(server.url + ENDPOINT, timeout=10)  # takes this second's request
        with pytest.raises(RateLimitError) as info:
            fresh(options(server, retries=0)).recognize(upload)
        assert (info.value.status, info.value.code, info.value.retry_after) == (429, "Too many Requests", 1.0)
        assert info.value.retryable
        with metered() as meter:
            result = fresh(options(server, retries=5, backoff=0.01)).recognize(upload)
        # without Retry-After the first wait would be at most 0.01 + 0.5 s of jitter: refused again
        assert meter.requests == 2 and server.stats["rate_limited"] == 2
        assert "TOTAL" in result.text


@pytest.mark.parametrize(
    ("faults", "error", "status", "code"),
    [
        (Faults(error_rate=1.0), ServiceError, 503, "INTERNAL ERROR"),
        (Faults(drop_rate=1.0), NetworkError, None, None),
        (Faults(malformed_rate=1.0), BadResponseError, 200, None),
    ],
)
def test_transient_faults_are_retried_a_bounded_number_of_times(faults, error, status, code) -> None:
    with KakaoEmulator(key=KEY, faults=faults) as server:
        with pytest.raises(error) as info:
            unified_ocr.recognize(SAMPLE, engine=options(server, retries=2))
        assert server.stats["requests"] == 3 and info.value.attempts == 3
        assert (info.value.status, info.value.code) == (status, code)


def response(status: int, body: bytes, headers: dict[str, str] | None = None) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer._content = body
    answer.headers.update(headers or {})
    return answer


REASON_ROWS = [(status, reason, kind) for status, rows in REASONS.items() for reason, kind, _ in rows]


@pytest.mark.parametrize(("status", "reason", "kind"), REASON_ROWS)
@pytest.mark.parametrize("shape", ["code", "message", "nested", "plain", "snake"])
def test_every_documented_reason_is_found_wherever_the_body_puts_it(status, reason, kind, shape) -> None:
    bodies: dict[str, Any] = {
        "code": {"code": reason, "message": "vendor says"},
        "message": {"msg": f"failed: {reason}"},
        "nested": {"error": {"reason": reason}},
        "plain": reason,
        "snake": {"error": reason.upper().replace(" ", "_")},
    }
    body = bodies[shape]
    with pytest.raises(ProviderError) as info:
        check(response(status, body.encode() if isinstance(body, str) else json.dumps(body).encode(), {"Retry-After": "7"}))
    assert type(info.value) is kind and (info.value.status, info.value.code) == (status, reason)
    assert info.value.retryable == (status in (429, 503)) and info.value.retry_after == 7.0
    assert reason in str(info.value) and ("vendor says" in str(info.value)) == (shape == "code")


@pytest.mark.parametrize(
    ("status", "body", "kind", "code"),
    [
        (400, b"", InvalidRequestError, "Bad Request"),
        (413, b"", RequestTooLargeError, "Request Entity Too Large"),
        (425, b"", InvalidRequestError, "Domain not found"),
        (429, b"<html>slow down</html>", RateLimitError, None),
        (502, b"Bad Gateway", ServiceError, "Bad Gateway"),
        (403, b'{"message": "Forbidden"}', AuthenticationError, "Forbidden"),
        (418, b"[1, 2]", InvalidRequestError, None),
    ],
)
def test_bare_statuses_and_unknown_reasons(status, body, kind, code) -> None:
    with pytest.raises(ProviderError) as info:
        check(response(status, body))
    assert type(info.value) is kind and info.value.code == code
    check(response(200, b"{}"))  # passes


# -- secrets and settings --------------------------------------------------------------------------------


def test_the_secret_appears_nowhere(emulator, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    opts = options(emulator)
    texts = [repr(opts), str(opts), repr(KakaoEngine(opts).options)]
    result = unified_ocr.recognize(SAMPLE, engine=opts)
    texts.append(json.dumps(result.to_dict(include_raw=True)))
    with KakaoEmulator(key=KEY, faults=Faults(error_rate=1.0)) as failing:
        for engine_opts in (options(failing, retries=1), options(emulator, key=KEY + "x"), options(emulator, "/ocr/x/invalid")):
            try:
                unified_ocr.recognize(SAMPLE, engine=engine_opts)
            except Exception as exc:  # noqa: BLE001 - every error's text is searched
                texts += [str(exc), repr(exc), repr(exc.__dict__)]
    texts.append(caplog.text)
    assert len(texts) == 14 and not any(KEY in t for t in texts)


def test_environment_fallback_and_missing_settings(emulator, monkeypatch) -> None:
    monkeypatch.delenv("KAKAO_OCR_ENDPOINT", raising=False)
    monkeypatch.delenv("KAKAO_OCR_API_KEY", raising=False)
    assert "missing settings: endpoint (in the profile, or $KAKAO_OCR_ENDPOINT)" in KakaoEngine.unavailable_reason()
    monkeypatch.setenv("KAKAO_OCR_ENDPOINT", emulator.url + ENDPOINT)
    assert "missing credentials: api_key from environment variable KAKAO_OCR_API_KEY" in KakaoEngine.unavailable_reason()
    monkeypatch.setenv("KAKAO_OCR_API_KEY", KEY)
    assert KakaoEngine.unavailable_reason() is None
    assert "TOTAL" in unified_ocr.recognize(SAMPLE, engine=KakaoOptions(backoff=0.01)).text
    with pytest.raises(ValueError, match="must match regex"):
        KakaoOptions(endpoint="ftp://example.invalid/ocr/x")
    limits = KakaoEngine(KakaoOptions(max_side=2000)).limits
    assert (limits.max_side, limits.max_bytes, limits.formats, limits.honours_exif) == (
        2000,
        8 * 1024 * 1024,
        {"jpeg", "png"},
        False,
    )


def test_cli_emulate_serves_until_stopped() -> None:
    command = [sys.executable, "-m", "unified_ocr", "emulate", "kakao", "--port", "0", "--api-key", KEY]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=ROOT) as server:
        try:
            banner = server.stderr.readline()
            url = banner.split(" on ")[1].split()[0]
            refused = requests.post(url + ENDPOINT, headers={"x-api-key": "nope"}, files={"image": b"x"}, timeout=10)
        finally:
            server.terminate()
    assert banner.startswith("kakao emulator on http://127.0.0.1:") and KEY not in banner
    assert (refused.status_code, refused.json()) == (401, {"code": "Authentication failed", "message": ANY})


# -- the parser on recorded answers ----------------------------------------------------------------------


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def given_words(results: list[dict[str, Any]], box: str, words: str) -> list[tuple[str, tuple[tuple[float, float], ...]]]:
    """(text, points) per result, straight from the JSON, sorted so that line order does not matter."""
    out = [(" ".join(w.strip() for w in r[words] if w.strip()), tuple((float(x), float(y)) for x, y in r[box])) for r in results]
    return sorted(out)


@pytest.mark.parametrize("name", VISION)
def test_recorded_vision_answers_keep_every_word_and_box(name) -> None:
    raw = load(name)
    result = parse(raw)
    assert result.engine == "kakao" and result.raw is raw and result.meta == {"kakao": {"format": "vision"}}
    assert [(p.index, p.width, p.height) for p in result.pages] == [(0, 0, 0)]
    got = sorted((w.text, w.quad.points) for w in result.words)
    assert got == given_words(raw["result"], "boxes", "recognition_words")
    assert all(w.confidence is None for w in result.words)
    assert OcrResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result
    (page,) = result.pages  # blocks from the shared layout cut the lines into runs, in reading order
    assert page.blocks and page.blocks[0].start == 0 and page.blocks[-1].end == len(page.lines)
    assert [line for _, lines in page.iter_blocks() for line in lines] == list(page.lines)


def test_menu_words_keep_the_spaces_between_syllables() -> None:
    result = parse(load("menu-vision-legacy.json"))
    assert {w.text for w in result.words} == {"전 골", "낙 지", "모", "두", "부", "모 두 부 반 모", "가 자 미 구 이"}
    assert result.pages[0].lines[0].text == "전 골 낙 지"  # one row, from the shared grouping
    assert result.text.endswith("가 자 미 구 이")
    assert word(result, "가 자 미 구 이").quad.points == ((9, 225), (385, 227), (384, 271), (8, 269))


def test_leading_spaces_are_stripped_and_rotated_boxes_kept_in_order() -> None:
    result = parse(load("mserver-vision-legacy.json"))
    assert word(result, "PE B").quad.points == ((13, 808), (143, 801), (144, 815), (13, 822))  # was " PE B"
    assert not any(w.text != w.text.strip() for w in result.words)
    assert word(result, "수").quad.points == ((46, 113), (54, 116), (53, 122), (44, 120))  # turned ~20°, as given
    assert word(result, "EA").quad.angle == pytest.approx(-6.6, abs=0.5)


def test_general_answers_give_a_page_per_entry() -> None:
    result = parse(GENERAL)
    assert result.meta == {"kakao": {"format": "general"}} and [w.text for w in result.words] == ["초미세먼지", "CarService"]
    assert result.words[0].quad.points == ((67, 20), (308, 20), (308, 91), (67, 91)) and result.words[0].confidence is None
    pages = {"responses": [
        {"page": 2, "results": [{"box": [[0, 0], [9.5, 0], [9.5, 5], [0, 5]], "recognized_word": [" a", "b "]}]},
        {"page": 1, "results": []},
        {"results": [{"box": [[0, 0], [9, 0], [9, 5], [0, 5]], "recognized_word": "c"}]},
    ]}  # fmt: skip
    result = parse(pages)
    assert [p.index for p in result.pages] == [0, 1, 2]  # page - 1, else the position; in page order
    assert result.pages[1].words[0].text == "a b" and result.pages[1].words[0].quad.points[1] == (9.5, 0.0)
    assert result.pages[2].text == "c" and result.pages[0].lines == ()
    assert unified_ocr.parse(json.dumps(GENERAL), engine="kakao").text == "초미세먼지\nCarService"


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ([], "expected a Kakao OCR response: an object with a 'responses' list"),
        ({"images": []}, "got an object with keys ['images']"),
        ({"responses": {}}, "expected responses to be a list"),
        ({"responses": [[]]}, "expected responses[0] to be an object"),
        ({"responses": [{"page": 0}]}, "expected responses[0].page to be a page number >= 1; got the number 0"),
        ({"responses": [{"page": 1}, {"page": 1.0}]}, "expected responses[1].page to be a page number no other entry has"),
        (
            {"responses": [{"results": [{"box": [[0, 0]] * 3, "recognized_word": []}]}]},
            "responses[0].results[0].box to be a list of four",
        ),
        ({"responses": [{"results": [{"box": [[0, "0"]] * 4, "recognized_word": []}]}]}, "box[0][1] to be a finite number"),
        ({"responses": [{"results": [{"box": [[0, 0]] * 4}]}]}, "recognized_word to be a list of strings; got nothing"),
        ({"result": [{"boxes": [[0, 0]] * 4, "recognition_words": [1]}]}, "result[0].recognition_words to be a list of strings"),
        ({"result": [{"boxes": [[0, 1e999]] * 4, "recognition_words": []}]}, "result[0].boxes[0][1] to be a finite number"),
    ],
)
def test_wrong_shapes_say_what_was_expected(raw, says) -> None:
    with pytest.raises(BadResponseError) as info:
        parse(raw)
    assert says in str(info.value) and info.value.vendor == "kakao"


def test_cli_parse_reads_saved_responses(tmp_path) -> None:
    proc = run_cli("parse", str(FIXTURES / VISION[0]), "--engine", "kakao", "--format", "text")
    assert proc.returncode == 0 and proc.stdout.startswith("전 골 낙 지"), proc.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"images": []}')
    proc = run_cli("parse", str(bad), "--engine", "kakao")
    assert proc.returncode == 1 and "expected a Kakao OCR response" in proc.stderr and "Traceback" not in proc.stderr


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6)
KEYS = ["responses", "page", "results", "box", "recognized_word", "result", "boxes", "recognition_words"]
kakao_like = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=30,
)
number = st.integers(-(10**6), 10**6) | st.floats(allow_nan=True, allow_infinity=True)
point = st.lists(number, min_size=1, max_size=3)
results = st.lists(
    st.fixed_dictionaries(
        {"box": st.lists(point, min_size=3, max_size=5), "recognized_word": st.lists(st.text(max_size=5), max_size=3)}
    ),
    max_size=6,
)
near_valid = st.fixed_dictionaries(
    {
        "responses": st.lists(
            st.fixed_dictionaries({"results": results}, optional={"page": st.integers(-1, 4) | number}), max_size=3
        )
    }
)


def parses_or_refuses(raw: Any, attempt: Callable[[Any], OcrResult] = parse) -> None:
    try:
        result = attempt(raw)
    except BadResponseError as exc:
        assert exc.vendor == "kakao" and str(exc)
    else:
        assert isinstance(result, OcrResult) and all(w.confidence is None for w in result.words)


@settings(max_examples=300, deadline=None)
@given(kakao_like | st.dictionaries(st.sampled_from(KEYS), kakao_like, max_size=3))
def test_random_json_parses_or_raises_only_bad_response_errors(raw: Any) -> None:
    parses_or_refuses(raw)


@settings(max_examples=300, deadline=None)
@given(near_valid)
def test_near_valid_bodies_parse_or_raise_only_bad_response_errors(raw: Any) -> None:
    parses_or_refuses(raw)


@pytest.mark.parametrize("name", VISION)
def test_the_fast_reading_of_a_result_agrees_with_the_strict_one(name) -> None:
    """Well-formed results skip the path-building strict reader; both must read them alike."""
    from unified_ocr_kakao.parse import _plain_word, _word

    results = load(name)["result"]
    for k, r in enumerate(results):
        fast = _plain_word(r, "boxes", "recognition_words")
        assert fast is not None and fast == _word(r, f"result[{k}]", "boxes", "recognition_words")
    box = results[0]["boxes"]
    odd = [
        {"boxes": box, "recognition_words": "one string"},
        {"boxes": [[True, 1], *box[1:]], "recognition_words": ["x"]},
        {"boxes": [[float("nan"), 1], *box[1:]], "recognition_words": ["x"]},
        {"boxes": [[10**400, 1], *box[1:]], "recognition_words": ["x"]},
    ]
    assert [_plain_word(r, "boxes", "recognition_words") for r in odd] == [None] * 4
