"""An emulator of Azure AI Document Intelligence (2024-11-30), asynchronous as the service is.

* ``POST /documentintelligence/documentModels/{model}:analyze?api-version=...`` (also the older
  ``/formrecognizer/...`` path) checks the key (``Ocp-Apim-Subscription-Key``; ``Authorization:
  Bearer KEY`` stands in for a Microsoft Entra ID token, which it cannot verify), the API version,
  the model (``prebuilt-read``, ``prebuilt-layout``), the body (raw bytes with an image or PDF
  content type, or JSON ``{"base64Source"}``), the tier's byte limit, the format and the image's
  sides (50 to 10,000 px), and answers ``202`` with an ``Operation-Location``;
* ``GET .../analyzeResults/{id}`` answers ``{"status": "running"}`` for ``run_seconds``, then
  ``succeeded`` with the ``analyzeResult`` (or ``failed`` with an ``error``); an unknown id 404.

Errors come as Azure writes them, ``{"error": {"code", "message", "innererror"}}``. Beside the
shared faults (5xx, 429 with ``Retry-After``, dropped connections, cut bodies, stalls, which hit
polls as well as submissions) it injects its own: ``fail_operations`` (a share of operations
that end ``failed`` with ``InternalServerError``) and ``stuck_operations`` (a share that stay
``running`` for ``stuck_seconds``, past a client's deadline). ``paid`` counts, per image, the
operations that succeeded: what Azure would bill.

Words come from the offline engine (run in the background while the operation is ``running``),
or with ``--replay DIR`` from recorded answers matched by image content.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any

import attrs
from werkzeug.wrappers import Request, Response

from unified_ocr import Line, OcrResult, Page, Quad, Word
from unified_ocr.emulator import Emulator
from unified_ocr.errors import UnifiedOcrError
from unified_ocr.imaging.pdf import DEFAULT_DPI
from unified_ocr.imaging.sources import open_source

from .answer import analyze_result
from .engine import TIERS

MODELS = ("prebuilt-read", "prebuilt-layout")
API_VERSIONS = ("2024-11-30", "2024-07-31-preview", "2024-02-29-preview", "2023-07-31", "2022-08-31")
CONTENT_TYPES = {
    "application/octet-stream",
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/bmp",
    "image/tiff",
    "image/heif",
}
FORMATS = frozenset({"jpeg", "png", "bmp", "tiff", "pdf"})
_ANALYZE = re.compile(r"^/(documentintelligence|formrecognizer)/documentModels/([^/:]+):analyze$")
_RESULT = re.compile(r"^/(documentintelligence|formrecognizer)/documentModels/([^/:]+)/analyzeResults/([A-Za-z0-9-]+)$")
_MESSAGES = {
    401: "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an "
    "active subscription and use a correct regional API endpoint for your resource.",
    404: "Resource not found",
}


def error(
    status: int, code: str, message: str, inner: tuple[str, str] | None = None, headers: dict[str, str] | None = None
) -> Response:
    """Azure's error body."""
    body: dict[str, Any] = {"code": code, "message": message}
    if inner is not None:
        body["innererror"] = {"code": inner[0], "message": inner[1]}
    return Response(json.dumps({"error": body}), status=status, mimetype="application/json", headers=headers)


def _invalid(inner: str, message: str) -> Response:
    return error(400, "InvalidRequest", "Invalid request.", (inner, message))


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@attrs.define
class Operation:
    """One accepted analysis: when it may end, how, and its answer once made."""

    id: str
    model: str
    api_version: str
    image: str  # the sha256 of the document, for counting what is paid
    created: float
    created_at: str
    fate: str  # "ok", "fail" or "stuck"
    answer: Future[dict[str, Any]]
    ended_at: str | None = None


class AzureEmulator(Emulator):
    name = "azure"
    description = "Azure AI Document Intelligence (POST .../documentModels/{model}:analyze, then GET the Operation-Location)"
    default_key = "emulator-key"
    #: the emulator's own options, for ``unified-ocr emulate azure --NAME VALUE``
    OPTIONS = {
        "tier": (str, "S0 (500 MB) or F0 (4 MB, the first 2 pages)"),
        "run_seconds": (float, "seconds an operation stays running before it ends [0.5]"),
        "fail_operations": (float, "share of operations that end failed (InternalServerError) [0]"),
        "stuck_operations": (float, "share of operations that stay running for --stuck-seconds [0]"),
        "stuck_seconds": (float, "how long a stuck operation stays running [3600]"),
        "poll_after": (int, "Retry-After seconds sent with 202 and running answers [none]"),
    }

    def __init__(
        self,
        *,
        tier: str = "S0",
        run_seconds: float = 0.5,
        fail_operations: float = 0.0,
        stuck_operations: float = 0.0,
        stuck_seconds: float = 3600.0,
        poll_after: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if tier not in TIERS:
            raise ValueError(f"tier must be S0 or F0, got {tier!r}")
        for share in (fail_operations, stuck_operations):
            if not 0 <= share <= 1:
                raise ValueError("fail_operations and stuck_operations are shares of operations, 0..1")
        self.tier = tier
        self.run_seconds = run_seconds
        self.fail_operations = fail_operations
        self.stuck_operations = stuck_operations
        self.stuck_seconds = stuck_seconds
        self.poll_after = poll_after
        self.operations: dict[str, Operation] = {}
        #: per image (sha256), the operations that succeeded: what the service bills
        self.paid: Counter[str] = Counter()
        self._billed: set[str] = set()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="azure-emulator")
        #: the document bytes of the last submission that got as far as reading them (for tests)
        self.last_upload: bytes | None = None

    # -- the shared faults in Azure's words --------------------------------------------------

    def rate_limited(self) -> Response:
        rate = self.faults.rate_limit or 1.0
        wait = max(1, math.ceil(1.0 / rate))
        message = (f"Requests to the Analyze Document operation under Document Intelligence API ({API_VERSIONS[0]}) have exceeded "
                   f"rate limit of your current {self.tier} pricing tier. Please retry after {wait} second.")  # fmt: skip
        return error(429, "429", message, headers={"Retry-After": str(wait)})

    def server_error(self) -> Response:
        return error(500, "InternalServerError", "An unexpected error occurred.")

    def malformed(self) -> Response:
        return Response(
            b'{"status": "succeeded", "createdDateTime": "2025-01-01T00:00:00Z", "analyzeRes',
            status=200,
            mimetype="application/json",
        )

    # -- the protocol ------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        analyze, result = _ANALYZE.match(request.path), _RESULT.match(request.path)
        if analyze is None and result is None:
            return error(404, "404", _MESSAGES[404])
        if (
            request.headers.get("Ocp-Apim-Subscription-Key") != self.key
            and request.headers.get("Authorization") != f"Bearer {self.key}"
        ):
            return error(401, "401", _MESSAGES[401])  # a bearer token equal to the key stands in for a Microsoft Entra ID token
        version = request.args.get("api-version")
        if version not in API_VERSIONS:
            return error(404, "404", _MESSAGES[404])
        if result is not None:
            return self._get(request, result.group(3)) if request.method == "GET" else error(405, "405", "Method not allowed.")
        assert analyze is not None
        if request.method != "POST":
            return error(405, "405", "Method not allowed.")
        model = analyze.group(2)
        if model not in MODELS:
            return error(404, "NotFound", "Resource not found.",
                         ("ModelNotFound", "The requested model was not found. It may have been deleted or is still building."))  # fmt: skip
        return self._submit(request, model, version)

    def _submit(self, request: Request, model: str, version: str) -> Response:
        max_bytes = TIERS[self.tier][0]
        if (request.content_length or 0) > 2 * max_bytes + 4096:  # refused unread; base64 is a third larger
            return _invalid("InvalidContentLength", f"The input document is too large: at most {max_bytes // (1024 * 1024)} MB.")
        data, refused = self._document(request)
        if refused is not None:
            return refused
        assert data is not None
        self.last_upload = data
        if len(data) > max_bytes:
            return _invalid("InvalidContentLength", f"The input document is too large: at most {max_bytes // (1024 * 1024)} MB.")
        try:
            info = open_source(data, "document", max_pixels=2**62).info
        except UnifiedOcrError:
            info = None
        if info is None or info.format not in FORMATS:
            return _invalid(
                "InvalidContent",
                "The file is corrupted or format is unsupported. Refer to documentation for the list of supported formats.",
            )
        if info.format != "pdf" and not (50 <= min(info.width, info.height) and max(info.width, info.height) <= 10_000):
            return _invalid(
                "InvalidContentDimensions", "The input image dimensions are out of range: 50 x 50 to 10,000 x 10,000 pixels."
            )
        fate = self._fate()
        answer: Future[dict[str, Any]] = Future()
        if fate == "fail":
            answer.set_result({})  # it will fail whatever the document says: nothing to read
        else:
            answer = self._answer(data, model, version, info.format == "pdf")
        op = Operation(uuid.uuid4().hex, model, version, hashlib.sha256(data).hexdigest(), time.monotonic(), _now(), fate, answer)
        with self._lock:
            self.operations[op.id] = op
        location = f"{request.host_url.rstrip('/')}{request.path.rsplit(':', 1)[0]}/analyzeResults/{op.id}?api-version={version}"
        headers = {"Operation-Location": location, "apim-request-id": op.id}
        if self.poll_after is not None:
            headers["Retry-After"] = str(self.poll_after)
        return Response(b"", status=202, headers=headers)

    def _document(self, request: Request) -> tuple[bytes | None, Response | None]:
        """The document: raw bytes, or the JSON body's ``base64Source``."""
        mimetype = request.mimetype
        if mimetype == "application/json":
            try:
                body = json.loads(request.get_data(as_text=True) or "null")
            except ValueError:
                return None, _invalid("InvalidContentSourceFormat", "The request body is not valid JSON.")
            if not isinstance(body, dict) or not (body.get("base64Source") or body.get("urlSource")):
                return None, _invalid("InvalidContentSourceFormat", "Either base64Source or urlSource is required.")
            if body.get("urlSource"):
                return None, _invalid(
                    "ContentSourceNotAccessible", "The emulator fetches no URLs: send base64Source or the bytes."
                )
            try:
                return base64.b64decode(body["base64Source"], validate=True), None
            except (binascii.Error, ValueError, TypeError):
                return None, _invalid("InvalidContentSourceFormat", "base64Source is not base64.")
        if mimetype not in CONTENT_TYPES:
            return None, error(415, "UnsupportedMediaType", f"Content type {mimetype or 'none'} is not supported.")
        data = request.get_data()
        if not data:
            return None, _invalid("InvalidContent", "The request has no document.")
        return data, None

    def _fate(self) -> str:
        draw = self._draw()
        if draw < self.fail_operations:
            return "fail"
        return "stuck" if draw < self.fail_operations + self.stuck_operations else "ok"

    def _answer(self, data: bytes, model: str, version: str, pdf: bool) -> Future[dict[str, Any]]:
        """The operation's final body, made in the background while it is running."""
        recorded = self.recorded(data)
        if recorded is not None:
            done: Future[dict[str, Any]] = Future()
            if not isinstance(recorded, dict):  # a saved ``readResult.blocks`` list (Image Analysis 4.0)
                recorded = {"analyzeResult": {"readResult": {"blocks": recorded}}}
            body = (
                recorded
                if "status" in recorded
                else {"status": "succeeded", "analyzeResult": recorded.get("analyzeResult", recorded)}
            )
            done.set_result(body)
            return done

        def make() -> dict[str, Any]:
            try:
                result = self._canned_pdf(data) if self.canned and pdf else self.recognize(data)
            except UnifiedOcrError as exc:
                return {"status": "failed", "error": {"code": "InvalidRequest", "message": "Invalid request.",
                                                      "innererror": {"code": "InvalidContent", "message": f"The document cannot be read: {exc}"}}}  # fmt: skip
            if self.tier == "F0":
                result = attrs.evolve(result, pages=result.pages[:2])  # the free tier reads the first two pages
            return {
                "status": "succeeded",
                "analyzeResult": analyze_result(result, model, pdf_dpi=DEFAULT_DPI if pdf else None, api_version=version),
            }

        return self._pool.submit(make)

    @staticmethod
    def _canned_pdf(data: bytes) -> OcrResult:
        """One word across each page of a PDF, unread (load tests)."""
        pages = []
        for index, (width, height) in enumerate(open_source(data).page_sizes(DEFAULT_DPI)):
            quad = Quad.from_bbox(0, 0, width, height)
            pages.append(Page(index, width, height, (Line("emulated", quad, (Word("emulated", quad, 1.0),), 1.0),)))
        return OcrResult("emulator", pages)

    def _get(self, request: Request, op_id: str) -> Response:
        with self._lock:
            op = self.operations.get(op_id)
        if op is None:
            return error(404, "NotFound", "Resource not found.")
        age = time.monotonic() - op.created
        running = age < self.run_seconds or not op.answer.done() or (op.fate == "stuck" and age < self.stuck_seconds)
        body: dict[str, Any] = {"status": "running", "createdDateTime": op.created_at, "lastUpdatedDateTime": _now()}
        headers = {"Retry-After": str(self.poll_after)} if self.poll_after is not None else None
        if running:
            return Response(json.dumps(body), status=200, mimetype="application/json", headers=headers)
        if op.fate == "fail":
            body.update(status="failed", error={"code": "InternalServerError", "message": "An unexpected error occurred.",
                                                "details": [{"code": "InternalServerError", "message": "The analysis failed on the service side."}]})  # fmt: skip
        else:
            final = op.answer.result()
            body.update({k: v for k, v in final.items() if k not in ("createdDateTime", "lastUpdatedDateTime")})
            if final.get("status") == "succeeded":
                with self._lock:
                    if op.id not in self._billed:
                        self._billed.add(op.id)
                        self.paid[op.image] += 1
        op.ended_at = op.ended_at or _now()
        body["lastUpdatedDateTime"] = op.ended_at
        try:
            text = json.dumps(body, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:  # a replayed lone surrogate: legal JSON, escaped
            text = json.dumps(body).encode("ascii")
        return Response(text, status=200, mimetype="application/json")

    def stop(self) -> None:
        super().stop()
        self._pool.shutdown(wait=False, cancel_futures=True)
