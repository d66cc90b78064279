"""Textract's asynchronous API for documents of several pages: through S3, one job a document.

Where the profile names an ``s3_bucket``, a PDF or TIFF of several pages is put into the bucket
(``PUT``, SigV4-signed for S3), a job is started on it (``StartDocumentTextDetection``, or
``StartDocumentAnalysis`` with the profile's feature types), polled with
``GetDocumentTextDetection``/``GetDocumentAnalysis`` until it ends, its result read page by page
through ``NextToken``, and the object deleted.

Nothing is paid twice: the job is started with a ``ClientRequestToken`` made from the document's
content and the request, and Textract answers the same token with the same job for seven days.
So a retried start, or a rerun after a poll ran out of time, collects the job already running
instead of starting another. The object's key is made from the content too, so a retried upload
writes the same object.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import requests

from unified_ocr import Upload
from unified_ocr.engines.http import HttpClient, retry_after
from unified_ocr.errors import BadResponseError, ServiceError

from .auth import Signer
from .errors import VENDOR, provider_error

#: The asynchronous API's own limits: 500 MB and 3,000 pages a document.
MAX_BYTES = 500 * 1024 * 1024
MAX_PAGES = 3000
MAX_RESULTS = 1000
_SUFFIX = {"pdf": "pdf", "tiff": "tif", "jpeg": "jpg", "png": "png"}


def s3_check(response: requests.Response) -> None:
    """S3's XML error answer (``<Error><Code>...</Code><Message>...</Message></Error>``) as a typed error."""
    if response.status_code < 300:
        return
    text = response.text[:2000]
    code = re.search(r"<Code>([^<]{1,100})</Code>", text)
    message = re.search(r"<Message>([^<]{0,300})</Message>", text)
    raise provider_error(code[1] if code else None, message[1] if message else response.reason or "",
                         status=response.status_code, retry_after=retry_after(response))  # fmt: skip


class Jobs:
    """One engine's asynchronous calls: ``textract`` and ``s3`` clients, the signer, and where things go."""

    def __init__(
        self,
        textract: HttpClient,
        s3: HttpClient,
        signer: Signer,
        *,
        url: str,
        bucket: str,
        prefix: str,
        s3_url: str | None,
        poll_interval: float,
        deadline: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.textract, self.s3, self.signer = textract, s3, signer
        self.url, self.bucket, self.prefix = url, bucket, prefix
        self.s3_url = s3_url
        self.poll_interval, self.deadline = poll_interval, deadline
        self.sleep = sleep

    def object_url(self, key: str) -> str:
        """Path style at a given S3 endpoint (an emulator, a VPC endpoint); else AWS's virtual-hosted style."""
        if self.s3_url:
            return f"{self.s3_url.rstrip('/')}/{quote(self.bucket)}/{quote(key)}"
        return f"https://{self.bucket}.s3.{self.signer.region}.amazonaws.com/{quote(key)}"

    def call(self, operation: str, body: dict[str, Any]) -> Any:
        data = json.dumps(body).encode("ascii")
        headers = self.signer.headers(self.url, f"Textract.{operation}", data)
        raw, _ = self.textract.post_json(self.url, headers=headers, data=data)
        return raw

    def run(self, upload: Upload, features: tuple[str, ...]) -> list[dict[str, Any]]:
        """The answers of one document's job, every ``NextToken`` page of it, in order."""
        digest = hashlib.sha256(upload.data).hexdigest()
        token = hashlib.sha256(f"{digest}|{','.join(features)}".encode()).hexdigest()[:64]
        key = f"{self.prefix}{digest[:32]}.{_SUFFIX.get(upload.format, 'bin')}"
        url = self.object_url(key)
        headers = self.signer.sign("PUT", url, upload.data, {"Content-Type": "application/octet-stream"}, service="s3")
        self.s3.request("PUT", url, headers=headers, data=upload.data)
        try:
            start: dict[str, Any] = {
                "DocumentLocation": {"S3Object": {"Bucket": self.bucket, "Name": key}},
                "ClientRequestToken": token,
            }
            if features:
                start["FeatureTypes"] = list(features)
            started = self.call("StartDocumentAnalysis" if features else "StartDocumentTextDetection", start)
            job = started.get("JobId") if isinstance(started, dict) else None
            if not isinstance(job, str) or not job:
                raise BadResponseError("the job was started but its answer holds no JobId", vendor=VENDOR)
            return self._collect(job, "GetDocumentAnalysis" if features else "GetDocumentTextDetection", upload.source)
        finally:
            self._delete(url)

    def _collect(self, job: str, operation: str, source: str) -> list[dict[str, Any]]:
        ends = time.monotonic() + self.deadline
        while True:
            first = self.call(operation, {"JobId": job, "MaxResults": MAX_RESULTS})
            if not isinstance(first, dict):
                raise BadResponseError("a job's answer is not an object", vendor=VENDOR)
            if first.get("JobStatus") != "IN_PROGRESS":
                break
            if time.monotonic() >= ends:
                raise ServiceError(f"{source}: job {job} still IN_PROGRESS after {self.deadline:g} s; run again to collect it "
                                   "(the same document reaches the same job, not a new one)", vendor=VENDOR, code="IN_PROGRESS")  # fmt: skip
            self.sleep(self.poll_interval)
        answers = [first]
        while isinstance(answers[-1].get("NextToken"), str) and answers[-1]["NextToken"]:
            answers.append(self.call(operation, {"JobId": job, "MaxResults": MAX_RESULTS, "NextToken": answers[-1]["NextToken"]}))
        return answers

    def _delete(self, url: str) -> None:
        """Best effort: a document left in the bucket costs storage, not a failed recognition."""
        try:
            headers = self.signer.sign("DELETE", url, b"", {}, service="s3")
            self.s3.request("DELETE", url, headers=headers)
        except Exception:  # noqa: BLE001 - the result stands whatever the clean-up does
            pass
