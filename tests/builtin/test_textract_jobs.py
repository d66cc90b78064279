"""Documents of several pages through S3 and Textract's asynchronous API, against the emulator: one job a
document, NextToken pages joined, the object deleted, and a job never started twice for one document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from unified_ocr_textract import TextractEmulator, TextractOptions
from unified_ocr_textract.engine import TextractEngine

import unified_ocr
from unified_ocr import AuthenticationError, ImageFailedError, InvalidRequestError, Secret, ServiceError

pytest.importorskip("botocore")  # the engine signs with it (the textract extra; boto3 of the test extra brings it)

ACCESS = "AKIAJOBSTEXTRACT0001"
SECRET = "jobs/s3cret+DO-NOT-LEAK-4e1f"
PDF = Path(__file__).resolve().parents[1] / "fixtures" / "textract" / "textractor-async-text-detection-multipage.pdf"

pytestmark = pytest.mark.usefixtures("isolated_aws")


def options(server: TextractEmulator, secret: str = SECRET, **kw: Any) -> TextractOptions:
    kw.setdefault("retries", 1)
    kw.setdefault("backoff", 0.01)
    kw.setdefault("poll_interval", 0.05)
    return TextractOptions(endpoint=server.url, s3_endpoint=server.url, s3_bucket="ocr-inbox", region="us-east-1",
                           access_key_id=Secret.of(ACCESS), secret_access_key=Secret.of(secret), **kw)  # fmt: skip


def test_a_multipage_pdf_is_one_job_read_through_next_tokens_and_the_object_is_deleted() -> None:
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", canned=True, job_seconds=0.2, result_page_size=3) as server:
        result = unified_ocr.recognize(PDF, engine=options(server), cache=False)
        assert server.stats["jobs_started"] == 1
        assert server.last_request["operation"] == "GetDocumentTextDetection"
        assert server.jobs.objects == {}  # deleted after the job
    assert [p.index for p in result.pages] == [0, 1] and result.text == "emulated\femulated"
    assert result.meta["textract"]["job_status"] == "SUCCEEDED" and result.meta["textract"]["result_pages"] == 2
    page = result.pages[1]
    assert page.words[0].quad.bbox() == pytest.approx((0, 0, page.width, page.height), abs=1)  # in the page's own pixels


def test_analysis_jobs_carry_their_feature_types() -> None:
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", canned=True, job_seconds=0.0) as server:
        result = unified_ocr.recognize(PDF, engine=options(server, features=("TABLES", "LAYOUT")), cache=False)
        assert server.last_request["operation"] == "GetDocumentAnalysis"
    assert len(result.pages) == 2 and all(p.blocks for p in result.pages)


def test_a_poll_that_runs_out_of_time_is_collected_by_the_rerun_without_a_second_job() -> None:
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", canned=True, job_seconds=1.0) as server:
        with pytest.raises(ServiceError, match="still IN_PROGRESS"):
            unified_ocr.recognize(PDF, engine=options(server, job_timeout=0.1, retries=0), cache=False)
        result = unified_ocr.recognize(PDF, engine=options(server, job_timeout=30), cache=False)
        assert server.stats["jobs_started"] == 1  # the same document, the same ClientRequestToken, the same job
    assert len(result.pages) == 2


def test_a_failed_job_is_a_typed_error() -> None:
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", canned=True, job_seconds=0.0, fail_jobs=1.0) as server:
        with pytest.raises(ImageFailedError, match="could not be read"):
            unified_ocr.recognize(PDF, engine=options(server), cache=False)
        assert server.jobs.objects == {}


def test_a_wrong_secret_is_refused_by_s3_as_s3_refuses_it() -> None:
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", canned=True) as server:
        with pytest.raises(AuthenticationError) as caught:
            unified_ocr.recognize(PDF, engine=options(server, secret="wrong"), cache=False)
        assert caught.value.code == "SignatureDoesNotMatch" and caught.value.attempts == 1
        assert server.stats.get("jobs_started", 0) == 0 and SECRET not in str(caught.value)


def test_unknown_jobs_and_missing_objects_are_typed() -> None:
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", canned=True) as server:
        engine = TextractEngine(options(server))
        runner = engine.job_runner()
        with pytest.raises(InvalidRequestError) as caught:
            runner.call("GetDocumentTextDetection", {"JobId": "nope"})
        assert caught.value.code == "InvalidJobIdException"
        with pytest.raises(InvalidRequestError) as caught:
            runner.call("StartDocumentTextDetection", {"DocumentLocation": {"S3Object": {"Bucket": "b", "Name": "none.pdf"}}})
        assert caught.value.code == "InvalidS3ObjectException"


def test_single_pages_still_go_the_synchronous_way(tmp_path) -> None:
    from ..conftest import SAMPLE

    with TextractEmulator(key=f"{ACCESS}:{SECRET}", canned=True) as server:
        assert unified_ocr.recognize(SAMPLE, engine=options(server), cache=False).text == "emulated"
        assert server.stats.get("jobs_started", 0) == 0 and server.last_request["operation"] == "DetectDocumentText"


def test_an_image_over_10_mb_that_the_bucket_let_through_is_fitted_for_the_synchronous_api(tmp_path) -> None:
    import numpy as np
    from PIL import Image

    noisy = tmp_path / "noise.png"
    Image.fromarray(np.random.default_rng(23).integers(0, 256, (2400, 2000, 3), dtype=np.uint8)).save(noisy)
    assert noisy.stat().st_size > 10 * 1024 * 1024
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", canned=True) as server:
        result = unified_ocr.recognize(noisy, engine=options(server), cache=False)
        assert server.stats["status_200"] == 1 and server.stats.get("jobs_started", 0) == 0
    page = result.pages[0]
    assert (page.width, page.height) == (2000, 2400)
    assert page.words[0].quad.bbox() == pytest.approx((0, 0, 2000, 2400), abs=2)  # mapped back onto the image


def test_jobs_under_faults_each_document_one_job(tmp_path) -> None:
    from unified_ocr.batch import recognize_many
    from unified_ocr.emulator import Faults
    from unified_ocr.imaging.pdf import subset

    data = PDF.read_bytes()
    documents = []
    for i in range(6):  # six different documents of two pages: the same pages in another order, or doubled
        path = tmp_path / f"doc{i}.pdf"
        path.write_bytes(subset(data, "doc", [i % 2, (i + 1) % 2] + [0] * (i // 2)))
        documents.append(str(path))
    faults = Faults(error_rate=0.1, throttle_rate=0.05, drop_rate=0.05, seed=5)
    with TextractEmulator(key=f"{ACCESS}:{SECRET}", canned=True, job_seconds=0.05, faults=faults) as server:
        outcomes = list(recognize_many(documents, options(server, retries=3), concurrency=3, round_wait=0.02))
        assert all(o.ok for o in outcomes), [str(o.error) for o in outcomes if not o.ok]
        assert server.stats["jobs_started"] == len(documents)  # retried starts reached the job already started
        assert sum(server.stats.get(f, 0) for f in ("server_error", "rate_limited", "dropped")) > 0


def test_faults_on_s3_requests_come_in_s3s_words_and_are_retried() -> None:
    """The emulator serves Textract and the S3 its jobs read from on one port; a throttle or a
    5xx on an S3 request must come as S3 sends it (XML, 503 SlowDown), not as Textract's JSON
    400 ThrottlingException, which an S3 client reads as a bad request and gives up on (seen
    as a rare failure of the storm of jobs)."""
    import requests as http
    from unified_ocr_textract.jobs import s3_check
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from unified_ocr.errors import RateLimitError, ServiceError

    with TextractEmulator(key=f"{ACCESS}:{SECRET}", canned=True) as server:
        s3 = Request(EnvironBuilder(method="PUT", path="/bucket/doc.pdf", data=b"%PDF").get_environ())
        textract = Request(EnvironBuilder(method="POST", path="/", data=b"{}").get_environ())
        for outcome, error in (("rate_limited", RateLimitError), ("server_error", ServiceError), ("malformed", ServiceError)):
            answer = server.fault_answer(outcome, s3)
            assert answer.mimetype == "application/xml" and answer.status_code >= 500, (outcome, answer.status)
            response = http.Response()
            response.status_code, response._content = answer.status_code, answer.get_data()
            response.headers.update(dict(answer.headers))
            with pytest.raises(error) as caught:
                s3_check(response)
            assert caught.value.retryable, outcome
        assert server.fault_answer("rate_limited", textract).mimetype == "application/x-amz-json-1.1"
