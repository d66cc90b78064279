"""The emulator's asynchronous half: an S3 bucket in memory and Textract jobs that run for a while.

* ``PUT``/``GET``/``DELETE /{bucket}/{key}`` (path style), SigV4-signed for S3, with S3's XML
  errors (``SignatureDoesNotMatch``, ``InvalidAccessKeyId``, ``NoSuchKey``);
* ``StartDocumentTextDetection`` / ``StartDocumentAnalysis`` on an object in it (else
  ``InvalidS3ObjectException``): a job id, the same one for the same ``ClientRequestToken``;
* ``GetDocumentTextDetection`` / ``GetDocumentAnalysis``: ``IN_PROGRESS`` for ``job_seconds``,
  then ``SUCCEEDED`` with every page's blocks (each with its ``Page``), ``MaxResults`` blocks an
  answer (at most ``result_page_size``) and a ``NextToken`` to the rest; a share ``fail_jobs`` of
  jobs ends ``FAILED``; an unknown job id is ``InvalidJobIdException``.

``stats["jobs_started"]`` counts the jobs that were started (paid), not the starts asked for.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import attrs
from werkzeug.wrappers import Request, Response

from unified_ocr import Line, OcrResult, Page, Quad, Word
from unified_ocr.imaging.sources import open_source

from . import sigv4

#: The S3 codes for the signature failures :func:`.sigv4.verify` names.
S3_AUTH = {
    "MissingAuthenticationTokenException": ("AccessDenied", 403),
    "UnrecognizedClientException": ("InvalidAccessKeyId", 403),
    "InvalidSignatureException": ("SignatureDoesNotMatch", 403),
    "IncompleteSignatureException": ("AuthorizationHeaderMalformed", 400),
}


def s3_error(code: str, message: str, status: int) -> Response:
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
            f"<RequestId>{uuid.uuid4().hex[:16].upper()}</RequestId></Error>")  # fmt: skip
    return Response(body, status=status, content_type="application/xml")


@attrs.define
class Job:
    document: bytes
    operation: str  # "DetectDocumentText" or "AnalyzeDocument"
    features: list[str]
    started: float
    fails: bool
    answer: dict[str, Any] | None = None


class JobStore:
    """Objects and jobs of one emulator; thread-safe."""

    def __init__(self, *, job_seconds: float, result_page_size: int, fail_jobs: float, draw: Callable[[], float]) -> None:
        self.job_seconds = job_seconds
        self.result_page_size = max(1, result_page_size)
        self.fail_jobs = fail_jobs
        self.draw = draw
        self.objects: dict[tuple[str, str], bytes] = {}
        self.jobs: dict[str, Job] = {}
        self.tokens: dict[str, str] = {}
        self.lock = threading.Lock()

    # -- S3 ------------------------------------------------------------------------------------

    def s3(self, request: Request, keys: dict[str, str], region: str | None) -> Response:
        data = request.get_data()
        failure = sigv4.verify(request.method, request.path, request.query_string.decode("latin-1"), dict(request.headers),
                               data, keys, service="s3", region=region)  # fmt: skip
        if failure is not None:
            code, status = S3_AUTH.get(failure[0], ("AccessDenied", 403))
            return s3_error(code, failure[1], status)
        bucket, _, key = request.path.lstrip("/").partition("/")
        if not bucket or not key:
            return s3_error("InvalidRequest", "Path-style addressing: /BUCKET/KEY.", 400)
        with self.lock:
            if request.method == "PUT":
                self.objects[(bucket, key)] = data
                return Response(b"", status=200, headers={"ETag": f'"{uuid.uuid4().hex}"'})
            if request.method == "DELETE":
                self.objects.pop((bucket, key), None)
                return Response(b"", status=204)
            if request.method == "GET" and (bucket, key) in self.objects:
                return Response(self.objects[(bucket, key)], status=200, content_type="application/octet-stream")
        if request.method == "GET":
            return s3_error("NoSuchKey", "The specified key does not exist.", 404)
        return s3_error("MethodNotAllowed", "The specified method is not allowed against this resource.", 405)

    # -- jobs ----------------------------------------------------------------------------------

    def start(self, operation: str, body: dict[str, Any]) -> tuple[str, str] | dict[str, Any]:
        """The job id for a start request, or ``(error type, message)``."""
        location = body.get("DocumentLocation")
        s3 = location.get("S3Object") if isinstance(location, dict) else None
        if not isinstance(s3, dict) or not isinstance(s3.get("Bucket"), str) or not isinstance(s3.get("Name"), str):
            return "InvalidParameterException", "Request has invalid parameters: DocumentLocation.S3Object is required."
        features = body.get("FeatureTypes") or []
        token = body.get("ClientRequestToken")
        with self.lock:
            if isinstance(token, str) and token in self.tokens:
                return {"JobId": self.tokens[token]}
            document = self.objects.get((s3["Bucket"], s3["Name"]))
            if document is None:
                return (
                    "InvalidS3ObjectException",
                    "Unable to get object metadata from S3. Check object key, region and/or access permissions.",
                )
            job_id = uuid.uuid4().hex + uuid.uuid4().hex
            self.jobs[job_id] = Job(document, operation, list(features), time.monotonic(), self.draw() < self.fail_jobs)
            if isinstance(token, str):
                self.tokens[token] = job_id
        return {"JobId": job_id}

    def get(
        self, body: dict[str, Any], read: Callable[[bytes], OcrResult], answer: Callable[..., dict[str, Any]]
    ) -> tuple[str, str] | dict[str, Any]:
        job_id = body.get("JobId")
        with self.lock:
            job = self.jobs.get(job_id) if isinstance(job_id, str) else None
        if job is None:
            return "InvalidJobIdException", "An invalid job identifier was passed."
        version = "AnalyzeDocumentModelVersion" if job.operation == "AnalyzeDocument" else "DetectDocumentTextModelVersion"
        if time.monotonic() - job.started < self.job_seconds:
            return {"JobStatus": "IN_PROGRESS", version: "1.0"}
        if job.fails:
            return {"JobStatus": "FAILED", "StatusMessage": "The document could not be read.", version: "1.0"}
        if job.answer is None:
            job.answer = answer(read(job.document), job.operation, job.features, every_page=True)
        blocks = job.answer["Blocks"]
        asked = body.get("MaxResults")
        size = min(asked if isinstance(asked, int) and asked > 0 else 1000, self.result_page_size)
        start = int(body["NextToken"]) if isinstance(body.get("NextToken"), str) and body["NextToken"].isdigit() else 0
        out: dict[str, Any] = {"DocumentMetadata": job.answer["DocumentMetadata"], "JobStatus": "SUCCEEDED",
                               "Blocks": blocks[start : start + size], version: "1.0"}  # fmt: skip
        if start + size < len(blocks):
            out["NextToken"] = str(start + size)
        return out


def canned_pages(data: bytes) -> OcrResult:
    """One word across each page (PDF pages at 200 dpi), unread: for load tests, as ``canned`` is for images."""
    pages = []
    for i, (width, height) in enumerate(open_source(data, "document").page_sizes(200)):
        quad = Quad.from_bbox(0, 0, width, height)
        pages.append(Page(i, width, height, (Line("emulated", quad, (Word("emulated", quad, 1.0),), 1.0),)))
    return OcrResult("emulator", tuple(pages), meta={"dpi": 200})
