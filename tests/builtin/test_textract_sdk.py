"""AWS's own client, boto3, calls the Textract emulator unchanged: its signatures are checked, its answers read.

boto3 is a test extra, never a dependency of the engine: these tests hold the emulator to the
protocol and shapes AWS's client speaks and parses (JSON 1.1, SigV4, ``__type`` errors), and the
engine's reading to what that client reads.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

boto3 = pytest.importorskip("boto3")

from botocore.config import Config as BotoConfig  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from unified_ocr_textract import TextractEmulator, TextractOptions, parse  # noqa: E402

import unified_ocr  # noqa: E402
from unified_ocr import Secret  # noqa: E402
from unified_ocr.emulator import Faults  # noqa: E402

from ..conftest import SAMPLE  # noqa: E402

ACCESS = "AKIABOTO3TEST0000001"
SECRET = "boto3/s3cret+DO-NOT-LEAK-91ad"
REGION = "ap-northeast-2"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "textract"

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("isolated_aws")]


@pytest.fixture(scope="module")
def emulator():
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", region=REGION) as server:
        yield server


def client(url: str, secret: str = SECRET, **config: object):
    return boto3.client("textract", endpoint_url=url, region_name=REGION, aws_access_key_id=ACCESS,
                        aws_secret_access_key=secret, config=BotoConfig(**config))  # fmt: skip


def test_boto3_detect_document_text_against_the_emulator(emulator) -> None:
    response = client(emulator.url).detect_document_text(Document={"Bytes": SAMPLE.read_bytes()})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200 and response["DocumentMetadata"]["Pages"] == 1
    assert response["DetectDocumentTextModelVersion"] == "1.0"
    words = [b for b in response["Blocks"] if b["BlockType"] == "WORD"]
    lines = [b["Text"] for b in response["Blocks"] if b["BlockType"] == "LINE"]
    assert "TOTAL 12,400" in lines and all(len(w["Geometry"]["Polygon"]) == 4 for w in words)
    # the engine reads the same service into the same words, and parses boto3's answer (ResponseMetadata and all) alike
    opts = TextractOptions(
        endpoint=emulator.url, region=REGION, access_key_id=Secret.of(ACCESS), secret_access_key=Secret.of(SECRET)
    )
    ours = unified_ocr.recognize(SAMPLE, engine=opts, cache=False)
    assert sorted(w.text for w in ours.words) == sorted(w["Text"] for w in words)
    from_boto3 = parse(response, (540, 470))
    assert sorted(w.text for w in from_boto3.words) == sorted(w.text for w in ours.words)


def test_boto3_analyze_document_against_the_emulator(emulator) -> None:
    response = client(emulator.url).analyze_document(Document={"Bytes": SAMPLE.read_bytes()}, FeatureTypes=["TABLES", "LAYOUT"])
    assert response["AnalyzeDocumentModelVersion"] == "1.0"
    kinds = {b["BlockType"] for b in response["Blocks"]}
    assert {"PAGE", "LINE", "WORD"} <= kinds and any(k.startswith("LAYOUT_") for k in kinds)
    assert emulator.last_request["operation"] == "AnalyzeDocument" and emulator.last_request["features"] == ["TABLES", "LAYOUT"]


def test_boto3_reads_a_replayed_real_answer_with_tables_and_forms(tmp_path) -> None:
    folder = tmp_path / "replay"
    folder.mkdir()
    shutil.copy(FIXTURES / "textractor-single-page-1.1bit.png", folder / "page.png")
    recorded = json.loads(gzip.open(FIXTURES / "textractor-analyze-tables-forms-single-page-1.json.gz").read())
    (folder / "page.json").write_text(json.dumps(recorded))
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", replay=folder) as server:
        response = client(server.url).analyze_document(Document={"Bytes": (folder / "page.png").read_bytes()},
                                                       FeatureTypes=["TABLES", "FORMS"])  # fmt: skip
    assert response["Blocks"] == recorded["Blocks"]  # every field of the real answer survives boto3's parsing
    result = parse(response, (1226, 1514))
    assert result.pages[0].field("Date :").text == "08/14/2022"


def test_a_wrong_secret_key_is_an_authentication_error_boto3_does_not_retry(emulator) -> None:
    before = emulator.stats["requests"]
    with pytest.raises(ClientError) as caught:
        client(emulator.url, secret="not-the-secret").detect_document_text(Document={"Bytes": SAMPLE.read_bytes()})
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidSignatureException" and "signature" in error["Message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert emulator.stats["requests"] == before + 1  # boto3 does not retry it either
    assert SECRET not in str(caught.value)


def test_an_unknown_access_key_and_a_wrong_region_are_refused(emulator) -> None:
    other = boto3.client("textract", endpoint_url=emulator.url, region_name="us-east-1", aws_access_key_id=ACCESS,
                         aws_secret_access_key=SECRET)  # fmt: skip
    with pytest.raises(ClientError) as caught:
        other.detect_document_text(Document={"Bytes": SAMPLE.read_bytes()})
    assert caught.value.response["Error"]["Code"] == "InvalidSignatureException"
    stranger = boto3.client("textract", endpoint_url=emulator.url, region_name=REGION, aws_access_key_id="AKIASTRANGER00000000",
                            aws_secret_access_key=SECRET)  # fmt: skip
    with pytest.raises(ClientError) as caught:
        stranger.detect_document_text(Document={"Bytes": SAMPLE.read_bytes()})
    assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_boto3_retries_throttling_and_raises_textracts_modelled_errors() -> None:
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", region=REGION, canned=True,
                          faults=Faults(throttle_rate=0.5, seed=3)) as server:  # fmt: skip
        sdk = client(server.url, retries={"max_attempts": 10, "mode": "standard"})
        for _ in range(4):
            assert sdk.detect_document_text(Document={"Bytes": SAMPLE.read_bytes()})["Blocks"]
        assert server.stats["rate_limited"] > 0 and server.stats["status_200"] == 4
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", region=REGION, canned=True) as server:
        sdk = client(server.url)
        with pytest.raises(sdk.exceptions.UnsupportedDocumentException):
            sdk.detect_document_text(Document={"Bytes": b"GIF89a" + bytes(40)})
        with pytest.raises(sdk.exceptions.InvalidParameterException):
            sdk.analyze_document(Document={"Bytes": SAMPLE.read_bytes()}, FeatureTypes=[])
        assert server.stats["requests"] == 2  # neither is retried


def test_boto3_runs_an_asynchronous_job_through_the_emulators_s3() -> None:
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", region=REGION, canned=True, job_seconds=0.1, result_page_size=4) as server:
        s3 = boto3.client("s3", endpoint_url=server.url, region_name=REGION, aws_access_key_id=ACCESS, aws_secret_access_key=SECRET,
                          config=BotoConfig(s3={"addressing_style": "path"}))  # fmt: skip
        pdf = FIXTURES / "textractor-async-text-detection-multipage.pdf"
        s3.put_object(Bucket="docs", Key="in/multipage.pdf", Body=pdf.read_bytes())
        sdk = client(server.url)
        location = {"S3Object": {"Bucket": "docs", "Name": "in/multipage.pdf"}}
        job = sdk.start_document_text_detection(DocumentLocation=location, ClientRequestToken="once")["JobId"]
        assert sdk.start_document_text_detection(DocumentLocation=location, ClientRequestToken="once")["JobId"] == job
        answers = [sdk.get_document_text_detection(JobId=job)]
        while answers[-1]["JobStatus"] == "IN_PROGRESS":
            answers = [sdk.get_document_text_detection(JobId=job)]
        while answers[-1].get("NextToken"):
            answers.append(sdk.get_document_text_detection(JobId=job, NextToken=answers[-1]["NextToken"]))
        assert len(answers) > 1 and server.stats["jobs_started"] == 1
        with pytest.raises(sdk.exceptions.InvalidJobIdException):
            sdk.get_document_text_detection(JobId="0" * 64)
    result = parse(answers, [(1700, 2200), (1700, 2200)])  # boto3's answers, ResponseMetadata and all, joined
    assert [p.index for p in result.pages] == [0, 1] and result.text == "emulated\femulated"
