"""The official ``azure-ai-documentintelligence`` client, unchanged, against the emulator.

The SDK is a test extra, never a dependency of the engine: these tests hold the emulator to
the shapes Azure's own client expects (the 202 and its Operation-Location, the polling body,
the result, the error bodies), so that what the engine is tested against is what Azure sends.
Token credentials refuse plain http by design, so the key credential is used.
"""

from __future__ import annotations

import socket

import pytest

azure_di = pytest.importorskip("azure.ai.documentintelligence")

from azure.ai.documentintelligence import DocumentIntelligenceClient  # noqa: E402
from azure.ai.documentintelligence.models import AnalyzeDocumentRequest  # noqa: E402
from azure.core.credentials import AzureKeyCredential  # noqa: E402
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError  # noqa: E402
from unified_ocr_azure import AzureEmulator, AzureOptions  # noqa: E402

import unified_ocr  # noqa: E402
from unified_ocr import Secret  # noqa: E402

from ..conftest import SAMPLE  # noqa: E402

KEY = "azure-sdk-s3cret-7f2a"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def emulator():
    with AzureEmulator(key=KEY, run_seconds=0.1) as server:
        yield server


def client(url: str, key: str = KEY) -> DocumentIntelligenceClient:
    return DocumentIntelligenceClient(endpoint=url, credential=AzureKeyCredential(key), retry_total=0)


def test_the_sdk_reads_an_image_through_the_emulator_as_the_engine_does(emulator) -> None:
    data = SAMPLE.read_bytes()
    poller = client(emulator.url).begin_analyze_document(
        "prebuilt-read", AnalyzeDocumentRequest(bytes_source=data), polling_interval=0.05
    )
    result = poller.result()
    assert poller.status() == "succeeded" and poller.details["operation_id"]
    ours = unified_ocr.recognize(SAMPLE, engine=AzureOptions(endpoint=emulator.url, key=Secret.of(KEY), poll_interval=0.05))
    (page,) = result.pages
    assert (result.api_version, result.model_id, page.unit, page.width, page.height) == (
        "2024-11-30",
        "prebuilt-read",
        "pixel",
        540,
        470,
    )
    assert [line.content for line in page.lines] == [line.text for line in ours.pages[0].lines]
    assert [w.content for w in page.words] == [w.text for w in ours.words]
    for word, mine in zip(page.words, ours.words):
        assert word.polygon == pytest.approx([v for point in mine.quad.points for v in point], abs=1e-3)
        assert word.span.offset >= 0 and result.content[word.span.offset : word.span.offset + word.span.length] == word.content
    assert result.paragraphs and result.paragraphs[0].bounding_regions[0].page_number == 1


def test_the_sdk_sends_raw_bytes_to_the_layout_model(emulator) -> None:
    poller = client(emulator.url).begin_analyze_document(
        "prebuilt-layout", SAMPLE.read_bytes(), content_type="application/octet-stream", polling_interval=0.05
    )
    result = poller.result()
    assert result.model_id == "prebuilt-layout" and result.tables == [] and result.pages[0].lines


def test_a_bad_key_is_the_sdks_authentication_error_at_the_first_call(emulator) -> None:
    with pytest.raises(ClientAuthenticationError) as caught:
        client(emulator.url, key="wrong-key-0000").begin_analyze_document(
            "prebuilt-read", AnalyzeDocumentRequest(bytes_source=b"x")
        )
    assert caught.value.status_code == 401 and KEY not in str(caught.value)


def test_a_too_large_document_is_the_sdks_error_with_azures_inner_code() -> None:
    with AzureEmulator(key=KEY, tier="F0") as server:
        with pytest.raises(HttpResponseError) as caught:
            client(server.url).begin_analyze_document(
                "prebuilt-read", b"\x89PNG" + b"\0" * (4 * 1024 * 1024), content_type="application/octet-stream"
            )
    assert caught.value.status_code == 400 and caught.value.error is not None
    assert caught.value.error.code == "InvalidRequest" and caught.value.error.innererror["code"] == "InvalidContentLength"


def test_a_failed_operation_reaches_the_sdk_as_a_failed_poll() -> None:
    with AzureEmulator(key=KEY, run_seconds=0.0, fail_operations=1.0) as server:
        poller = client(server.url).begin_analyze_document(
            "prebuilt-read", AnalyzeDocumentRequest(bytes_source=SAMPLE.read_bytes()), polling_interval=0.05
        )
        with pytest.raises(HttpResponseError) as caught:
            poller.result()
    assert "failed" in str(caught.value).lower() and KEY not in str(caught.value)


def test_an_unreachable_endpoint_is_the_sdks_request_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ServiceRequestError):
        client(f"http://127.0.0.1:{port}").begin_analyze_document("prebuilt-read", AnalyzeDocumentRequest(bytes_source=b"x"))
