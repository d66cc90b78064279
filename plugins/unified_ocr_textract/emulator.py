"""An emulator of AWS Textract's synchronous API, in AWS's JSON 1.1 protocol and shapes.

It checks what AWS checks, in AWS's order, and answers errors as AWS does: HTTP 400 (500 for its
own failures) with ``{"__type": TYPE, "message": TEXT}`` and the type again in ``x-amzn-ErrorType``,
and an ``x-amzn-RequestId`` on every answer:

* a path other than ``/`` or a method other than POST: 404 ``UnknownOperationException``;
* the SigV4 signature (:mod:`.sigv4`), recomputed with the secret of the access key it names:
  none: ``MissingAuthenticationTokenException``; an access key it does not know:
  ``UnrecognizedClientException``; a signature that does not match (a wrong secret key), another
  service, region or a clock over 15 minutes off: ``InvalidSignatureException``;
* ``X-Amz-Target`` other than ``Textract.DetectDocumentText`` or ``Textract.AnalyzeDocument``:
  ``UnknownOperationException``; a body that is not JSON: ``SerializationException``;
* ``Document.S3Object``: ``InvalidS3ObjectException`` (the emulator holds no buckets); no
  ``Document.Bytes``, or ``FeatureTypes`` missing, empty or unknown for AnalyzeDocument:
  ``InvalidParameterException``;
* over 10 MB, or over 10,000 px a side: ``DocumentTooLargeException``; not JPEG, PNG, TIFF or
  PDF, or a PDF of more than one page: ``UnsupportedDocumentException``; bytes of a known format
  that cannot be read: ``BadDocumentException``;
* faults: ``ThrottlingException`` (``--throttle-rate``, ``--rate-limit``), 500
  ``InternalServerError``, dropped connections, cut-off bodies.

The asynchronous API (``StartDocument*``/``GetDocument*`` and an S3 bucket in memory to hold
the documents) is in :mod:`.emulated_jobs`.

The key is ``ACCESS_KEY_ID:SECRET_ACCESS_KEY`` (a bare secret goes with :data:`ACCESS_KEY_ID`).
Answers come from the offline engine: a ``PAGE`` block, a ``LINE`` block per line with its
``WORD`` children, normalised polygons starting at the text's own top-left, confidences in
percent; AnalyzeDocument with ``LAYOUT`` adds a ``LAYOUT_TEXT`` (or ``LAYOUT_TABLE``,
``LAYOUT_FIGURE``) block per block of lines. Or, with ``--replay DIR``, recorded answers matched by
image content (``ResponseMetadata``, which boto3 adds, is taken out: it is not in the body).
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import uuid
from typing import Any

from werkzeug.wrappers import Request, Response

from unified_ocr import OcrResult, Page, Quad
from unified_ocr.emulator import Emulator
from unified_ocr.errors import UnifiedOcrError
from unified_ocr.imaging.sources import open_source

from . import sigv4
from .emulated_jobs import JobStore, canned_pages, s3_error

ACCESS_KEY_ID = "AKIAEMULATOR0EXAMPLE"
MB = 1024 * 1024
MAX_BYTES = 10 * MB
MAX_SIDE = 10_000
FORMATS = frozenset({"jpeg", "png", "tiff", "pdf"})
OPERATIONS = ("DetectDocumentText", "AnalyzeDocument")
JOB_OPERATIONS = {"StartDocumentTextDetection": "DetectDocumentText", "StartDocumentAnalysis": "AnalyzeDocument"}
GET_OPERATIONS = ("GetDocumentTextDetection", "GetDocumentAnalysis")
FEATURES = frozenset({"TABLES", "FORMS", "QUERIES", "SIGNATURES", "LAYOUT"})
CONTENT_TYPE = "application/x-amz-json-1.1"
_LAYOUT = {"table": "LAYOUT_TABLE", "figure": "LAYOUT_FIGURE"}


def error(kind: str, message: str, status: int = 400) -> Response:
    """AWS's JSON 1.1 error answer."""
    headers = {"x-amzn-ErrorType": f"{kind}:", "x-amzn-RequestId": str(uuid.uuid4())}
    return Response(json.dumps({"__type": kind, "message": message}), status=status, headers=headers, content_type=CONTENT_TYPE)


def answer(body: Any) -> Response:
    try:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a replayed lone surrogate: legal JSON only escaped
        data = json.dumps(body).encode("ascii")
    return Response(data, status=200, headers={"x-amzn-RequestId": str(uuid.uuid4())}, content_type=CONTENT_TYPE)


class TextractEmulator(Emulator):
    name = "textract"
    description = "AWS Textract (POST / with X-Amz-Target Textract.<Operation>, SigV4; key ID:SECRET), with S3 for its jobs"
    default_key = f"{ACCESS_KEY_ID}:emulator-secret-key"
    OPTIONS = {
        "region": (str, "the region signatures must be scoped to [default: any]"),
        "job_seconds": (float, "how long an asynchronous job stays IN_PROGRESS [default: 0.3]"),
        "result_page_size": (int, "blocks in one GetDocument* answer before a NextToken [default: 1000]"),
        "fail_jobs": (float, "share of asynchronous jobs that end FAILED [default: 0]"),
    }

    def __init__(self, *, region: str | None = None, job_seconds: float = 0.3, result_page_size: int = 1000, fail_jobs: float = 0.0,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(**kwargs)
        self.jobs = JobStore(job_seconds=job_seconds, result_page_size=result_page_size, fail_jobs=fail_jobs, draw=self._draw)
        access, _, secret = self.key.rpartition(":")
        self.access_key_id = access or ACCESS_KEY_ID
        self._keys = {self.access_key_id: secret}
        self.region = region  # None: a signature scoped to any region is taken
        #: what the last request asked for (operation, feature types, signed headers), for tests
        self.last_request: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TextractEmulator(access_key_id={self.access_key_id!r}, region={self.region!r})"

    def rate_limited(self) -> Response:
        return error("ThrottlingException", "Rate exceeded")

    def server_error(self) -> Response:
        return error("InternalServerError", "Amazon Textract experienced a service issue. Try your call again.", 500)

    def malformed(self) -> Response:
        return Response(b'{"DocumentMetadata":{"Pages":1},"Blocks":[{"BlockType":"PAGE","Geometry":{"Bounding', status=200,
                        content_type=CONTENT_TYPE)  # fmt: skip

    def fault_answer(self, outcome: str, request: Request) -> Response:
        """S3's own words for a fault on an S3 request (AWS throttles S3 with 503 SlowDown), Textract's otherwise."""
        if not _is_s3(request):
            return super().fault_answer(outcome, request)
        if outcome == "rate_limited":
            return s3_error("SlowDown", "Please reduce your request rate.", 503)
        if outcome == "server_error":
            return s3_error("InternalError", "We encountered an internal error. Please try again.", 500)
        return Response(b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Co', status=500, content_type="application/xml")

    # -- the protocol ------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if _is_s3(request):
            return self.jobs.s3(request, self._keys, self.region)
        if request.path != "/" or request.method != "POST":
            return error("UnknownOperationException", f"{request.method} {request.path} is no Textract operation.", 404)
        data = request.get_data()
        failure = sigv4.verify(request.method, request.path, request.query_string.decode("latin-1"), dict(request.headers),
                               data, self._keys, service="textract", region=self.region)  # fmt: skip
        if failure is not None:
            return error(*failure)
        target = request.headers.get("X-Amz-Target", "")
        operation = target.removeprefix("Textract.")
        if not target.startswith("Textract.") or operation not in (*OPERATIONS, *JOB_OPERATIONS, *GET_OPERATIONS):
            return error("UnknownOperationException", f"Unknown operation {target or '(no X-Amz-Target)'}.")
        try:
            body = json.loads(data)
        except ValueError:
            return error("SerializationException", "The request body is not JSON.")
        if not isinstance(body, dict):
            return error("SerializationException", "The request body is not a JSON object.")
        if operation in JOB_OPERATIONS or operation in GET_OPERATIONS:
            return self._job(operation, body)
        features = body.get("FeatureTypes")
        with self._lock:
            self.last_request = {"operation": operation, "features": features, "content_type": request.headers.get("Content-Type"),
                                 "signed": True}  # fmt: skip
        if operation == "AnalyzeDocument":
            if not isinstance(features, list) or not features or not all(f in FEATURES for f in features):
                return error("InvalidParameterException", "Request has invalid parameters: FeatureTypes must name TABLES, FORMS, "
                             "QUERIES, SIGNATURES or LAYOUT.")  # fmt: skip
        document = body.get("Document")
        if isinstance(document, dict) and document.get("S3Object") is not None:
            return error(
                "InvalidS3ObjectException",
                "Unable to get object metadata from S3. Check object key, region and/or access permissions.",
            )
        content = document.get("Bytes") if isinstance(document, dict) else None
        if not isinstance(content, str) or not content:
            return error("InvalidParameterException", "Request has invalid parameters: Document.Bytes is required.")
        try:
            image = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            return error("InvalidParameterException", "Request has invalid parameters: Document.Bytes is not base64.")
        return self._recognize(image, operation, features or [])

    def _job(self, operation: str, body: dict[str, Any]) -> Response:
        with self._lock:
            self.last_request = {"operation": operation, "features": body.get("FeatureTypes"), "signed": True}
        if operation in JOB_OPERATIONS:
            before = len(self.jobs.jobs)
            found = self.jobs.start(JOB_OPERATIONS[operation], body)
            if len(self.jobs.jobs) > before:
                self.count("jobs_started")
        else:
            found = self.jobs.get(body, self._read_document, blocks_answer)
        return answer(found) if isinstance(found, dict) else error(*found)

    def _read_document(self, data: bytes) -> OcrResult:
        """Every page of a job's document: the offline engine's reading (one word a page when canned)."""
        return canned_pages(data) if self.canned else self.recognize(data)

    def _recognize(self, image: bytes, operation: str, features: list[str]) -> Response:
        if len(image) > MAX_BYTES:
            return error("DocumentTooLargeException", f"Document size {len(image):,} bytes exceeds the limit of {MAX_BYTES:,}.")
        recorded = self.recorded(image)
        if recorded is not None:
            if isinstance(recorded.get("__type"), str):  # a recorded error body is answered as AWS answered it
                return error(recorded["__type"].rsplit("#", 1)[-1], str(recorded.get("message", recorded.get("Message", ""))))
            return answer({k: v for k, v in recorded.items() if k != "ResponseMetadata"})
        try:
            info = open_source(image, "document", max_pixels=2**62).info
        except UnifiedOcrError:
            return error("UnsupportedDocumentException", "Request has unsupported document format")
        assert info is not None
        if info.format not in FORMATS:
            return error("UnsupportedDocumentException", "Request has unsupported document format")
        if info.format == "pdf" and info.pages > 1:
            return error(
                "UnsupportedDocumentException", "Request has unsupported document format"
            )  # what AWS says of a multi-page PDF
        if info.format != "pdf" and max(info.width, info.height) > MAX_SIDE:
            return error(
                "DocumentTooLargeException", f"The image is {info.width}x{info.height} px; at most {MAX_SIDE:,} px a side."
            )
        try:
            result = self.recognize(image)
        except UnifiedOcrError:
            return error("BadDocumentException", "Unable to read the document.")
        return answer(blocks_answer(result, operation, features))


def _geometry(quad: Quad, page: Page) -> dict[str, Any]:
    """A quad as Textract's geometry: fractions of the page; the polygon keeps the quad's order."""
    w, h = max(page.width, 1), max(page.height, 1)
    x0, y0, x1, y1 = quad.bbox()
    return {
        "BoundingBox": {"Width": (x1 - x0) / w, "Height": (y1 - y0) / h, "Left": x0 / w, "Top": y0 / h},
        "Polygon": [{"X": x / w, "Y": y / h} for x, y in quad.points],
    }


def _percent(confidence: float | None) -> float:
    return 100.0 * (confidence if confidence is not None else 0.99)


def blocks_answer(result: OcrResult, operation: str, features: list[str], *, every_page: bool = False) -> dict[str, Any]:
    """The offline engine's reading as Textract's answer: PAGE, LINE and WORD blocks (and LAYOUT_* when asked);
    the synchronous API's first page, or ``every_page`` with its ``Page`` number on each block (a job's)."""
    blocks: list[dict[str, Any]] = []
    for page in result.pages if every_page else result.pages[:1]:
        first = len(blocks)
        page_block: dict[str, Any] = {"BlockType": "PAGE", "Geometry": _geometry(Quad.from_bbox(0, 0, page.width, page.height), page),
                                      "Id": str(uuid.uuid4()), "Relationships": [{"Type": "CHILD", "Ids": []}]}  # fmt: skip
        blocks.append(page_block)
        lines, words = [], []
        line_ids = []
        for line in page.lines:
            ids = []
            for word in line.words:
                ids.append(str(uuid.uuid4()))
                words.append({"BlockType": "WORD", "Confidence": _percent(word.confidence), "Text": word.text, "TextType": "PRINTED",
                              "Geometry": _geometry(word.quad, page), "Id": ids[-1]})  # fmt: skip
            line_ids.append(str(uuid.uuid4()))
            lines.append({"BlockType": "LINE", "Confidence": _percent(line.confidence), "Text": line.text,
                          "Geometry": _geometry(line.quad, page), "Id": line_ids[-1],
                          "Relationships": [{"Type": "CHILD", "Ids": ids}]})  # fmt: skip
        children = list(line_ids)
        layout: list[dict[str, Any]] = []
        if operation == "AnalyzeDocument" and "LAYOUT" in features:
            for block, members in page.iter_blocks():
                ids = line_ids[block.start : block.end]
                quad = block.quad or members[0].quad.union(*(m.quad for m in members[1:]))
                layout.append({"BlockType": _LAYOUT.get(block.kind, "LAYOUT_TEXT"), "Confidence": 90.0,
                               "Geometry": _geometry(quad, page), "Id": str(uuid.uuid4()),
                               "Relationships": [{"Type": "CHILD", "Ids": ids}]})  # fmt: skip
            children += [str(b["Id"]) for b in layout]
        page_block["Relationships"][0]["Ids"] = children
        blocks += lines + words + layout
        if every_page:
            for item in blocks[first:]:
                item["Page"] = page.index + 1
    key = "AnalyzeDocumentModelVersion" if operation == "AnalyzeDocument" else "DetectDocumentTextModelVersion"
    pages = len(result.pages) if every_page else 1
    return {"DocumentMetadata": {"Pages": pages}, "Blocks": blocks, key: "1.0"}


def _is_s3(request: Request) -> bool:
    """A request for the emulated S3 (path-style ``/BUCKET/KEY``), not for Textract (``POST /``)."""
    return request.path != "/" and request.method in ("PUT", "GET", "DELETE")
