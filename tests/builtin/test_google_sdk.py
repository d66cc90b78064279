"""Google's own client library, ``google-cloud-vision`` with its REST transport, reads from the emulator unchanged.

The library is a test extra, never a dependency of the engine: these tests hold the emulator
to the shapes the official client parses (its protobuf JSON mapping is strict about field
names and enum values), and the engine's reading to what that client reads.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

pytest.importorskip("google.cloud.vision")

from google.api_core import exceptions as api_exceptions  # noqa: E402
from google.api_core.client_options import ClientOptions  # noqa: E402
from google.cloud import vision  # noqa: E402
from google.oauth2 import service_account  # noqa: E402
from unified_ocr_google import GoogleEmulator, GoogleOptions  # noqa: E402
from unified_ocr_google.emulator import SERVICE_ACCOUNT  # noqa: E402

import unified_ocr  # noqa: E402
from unified_ocr import Secret  # noqa: E402

from ..conftest import SAMPLE  # noqa: E402
from .test_google import service_account as key_file  # noqa: E402

KEY = "AIza-sdk-s3cret-7f0c"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "google"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def emulator():
    with GoogleEmulator(key=KEY) as server:
        yield server


def client(url: str, key: str = KEY) -> vision.ImageAnnotatorClient:
    return vision.ImageAnnotatorClient(transport="rest", client_options=ClientOptions(api_endpoint=url, api_key=key))


def test_the_official_client_reads_the_emulator_with_an_api_key(emulator) -> None:
    response = client(emulator.url).document_text_detection(image=vision.Image(content=SAMPLE.read_bytes()))
    assert not response.error.message
    page = response.full_text_annotation.pages[0]
    assert (page.width, page.height) == (540, 470)
    assert "TOTAL 12,400" in response.full_text_annotation.text
    breaks = [w.symbols[-1].property.detected_break.type_ for b in page.blocks for p in b.paragraphs for w in p.words]
    assert set(breaks) == {
        vision.TextAnnotation.DetectedBreak.BreakType.SPACE,
        vision.TextAnnotation.DetectedBreak.BreakType.LINE_BREAK,
    }
    assert emulator.last_request["features"] == [11]  # the client sent the enum as a number
    # the engine reads the same answer into the same words
    ours = unified_ocr.recognize(SAMPLE, engine=GoogleOptions(endpoint=emulator.url, api_key=Secret.of(KEY)))
    theirs = [word for b in page.blocks for p in b.paragraphs for word in p.words]
    assert sorted(w.text for w in ours.words) == sorted("".join(s.text for s in w.symbols) for w in theirs)
    texts = response.text_annotations
    assert texts[0].description == response.full_text_annotation.text and len(texts) == len(theirs) + 1


def test_the_official_client_with_service_account_credentials(emulator, tmp_path) -> None:
    path = key_file(tmp_path, emulator.url + "/token")
    credentials = service_account.Credentials.from_service_account_file(str(path))
    sdk = vision.ImageAnnotatorClient(
        transport="rest", credentials=credentials, client_options=ClientOptions(api_endpoint=emulator.url)
    )
    response = sdk.text_detection(image=vision.Image(content=SAMPLE.read_bytes()))
    assert "TOTAL 12,400" in response.full_text_annotation.text
    assert emulator.last_request["bearer"] and emulator.last_request["features"] == [5]
    assert SERVICE_ACCOUNT == credentials.service_account_email


def test_a_replayed_real_answer_is_parsed_by_the_official_client(tmp_path) -> None:
    image = FIXTURES / "tripflex-jp-poster12-text.png"
    raw = json.loads(gzip.open(FIXTURES / "tripflex-jp-poster12-text.json.gz").read())
    (tmp_path / "poster.png").write_bytes(image.read_bytes())
    (tmp_path / "poster.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with GoogleEmulator(key=KEY, replay=tmp_path) as server:
        response = client(server.url).document_text_detection(image=vision.Image(content=image.read_bytes()))
        ours = unified_ocr.recognize(image, engine=GoogleOptions(endpoint=server.url, api_key=Secret.of(KEY), lines="vendor"))
    assert response.full_text_annotation.text == raw["fullTextAnnotation"]["text"]
    assert ours.text == raw["fullTextAnnotation"]["text"].rstrip("\n")


def test_the_official_client_gets_googles_errors(emulator) -> None:
    with pytest.raises(api_exceptions.BadRequest, match="API key not valid"):
        client(emulator.url, key="wrong").document_text_detection(image=vision.Image(content=SAMPLE.read_bytes()))
    with pytest.raises(api_exceptions.BadRequest, match="Request payload size exceeds the limit"):
        client(emulator.url).document_text_detection(image=vision.Image(content=b"\xff" * (16 * 1024 * 1024)))
    response = client(emulator.url).document_text_detection(image=vision.Image(content=b"%PDF-1.4 not an image"))
    assert response.error.code == 3 and response.error.message == "Bad image data."


def test_the_official_client_with_anonymous_credentials() -> None:
    from google.auth.credentials import AnonymousCredentials

    with GoogleEmulator(key=KEY, canned=True, anonymous=True) as server:
        sdk = vision.ImageAnnotatorClient(
            transport="rest", credentials=AnonymousCredentials(), client_options=ClientOptions(api_endpoint=server.url)
        )
        response = sdk.document_text_detection(image=vision.Image(content=SAMPLE.read_bytes()))
        assert response.full_text_annotation.text == "emulated\n"
        assert not server.last_request["api_key"] and not server.last_request["bearer"]
    with GoogleEmulator(key=KEY, canned=True) as strict:  # by default a request with no credential is refused, as Google does
        sdk = vision.ImageAnnotatorClient(
            transport="rest", credentials=AnonymousCredentials(), client_options=ClientOptions(api_endpoint=strict.url)
        )
        with pytest.raises(api_exceptions.Forbidden, match="missing a valid API key"):
            sdk.document_text_detection(image=vision.Image(content=SAMPLE.read_bytes()))
