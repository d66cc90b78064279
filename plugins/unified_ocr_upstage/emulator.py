"""An emulator of Upstage's Document OCR and Document Parse APIs, in their exact shapes.

``POST /v1/document-digitization`` (multipart ``document`` and ``model``: ``ocr`` or
``document-parse...``) and the older ``POST /v1/document-ai/ocr`` (Document OCR, no ``model``),
``Authorization: Bearer KEY``. It checks what the service checks, before reading the document
where it can: the address and method, the key, the multipart body, the model, 50 MB, the format
(JPEG, PNG, BMP, PDF, TIFF, HEIC; DOCX, PPTX and XLSX for Document Parse only, refused for
``model=ocr`` as Upstage refuses them), pages per call (Document OCR 30, Document Parse 100) and
100 megapixels, read from the header. Errors come in
the OpenAI-style body of Upstage's API reference (see :mod:`.errors`; no real one is public)::

    {"error": {"message": "...", "type": "invalid_request_error", "code": "invalid_api_key", "param": null}}

Answers come from the offline engine, written as Upstage writes them (Document OCR: integer
vertices, keys in alphabetical order, ``metadata.pages`` with each page's size,
``numBilledPages``; Document Parse: one ``paragraph`` element per block, a ``table`` element
with its ``<table>`` HTML for a table-like block, coordinates 0..1, ``usage.pages``); or, with
``--replay DIR``, the recorded answer for the same document bytes. HEIC and office files, which
the emulator cannot read, get the recorded answer or, without one, the canned one: one word
(``emulated``) over a whole page, of :data:`CANNED_SIZE` pixels for Document OCR.

Document Parse's asynchronous API runs for real: ``POST /v1/document-digitization/async``
(up to 1,000 pages) answers ``{"request_id"}``; ``GET /v1/document-digitization/requests/ID``
answers ``started`` for ``--async-polls N`` polls (default 1), then ``completed`` with batches of
10 pages, each with a ``download_url`` on this server (a pre-signed link: no key asked) whose
answer numbers its pages from the batch's first; an unknown id is 404 ``not_found``.
"""

from __future__ import annotations

import datetime
import html
import io
import json
import math
import threading
import uuid
from typing import Any, ClassVar

from PIL import Image
from werkzeug.wrappers import Request, Response

from unified_ocr import Line, OcrResult, Page, Quad, Word
from unified_ocr.emulator import Emulator
from unified_ocr.errors import UnifiedOcrError, UnsupportedImageError
from unified_ocr.imaging.sources import open_source

MB = 1024 * 1024
MAX_BYTES = 50 * MB
MAX_PIXELS = 100_000_000
MAX_PAGES = {"ocr": 30, "document-parse": 100, "async": 1000}
#: Pages in each batch of an asynchronous request, as the reference describes it.
BATCH_PAGES = 10
FORMATS = frozenset({"jpeg", "png", "bmp", "pdf", "tiff", "heic"})
#: Read by Document Parse only.
OFFICE = frozenset({"docx", "pptx", "xlsx"})
#: The page a canned answer to a document the emulator cannot read describes, in pixels.
CANNED_SIZE = (1000, 1000)
OCR_MODEL = "ocr-2.2.1"
PARSE_MODEL = "document-parse-250116"
PATHS = ("/v1/document-digitization", "/v1/document-ai/ocr", "/v1/document-digitization/async")
REQUESTS = "/v1/document-digitization/requests/"
#: A body this far over the limit is refused unread.
_UNREAD_OVER = MAX_BYTES + MB

#: Each error code's status, type and message, as the API reference describes them.
ERRORS: dict[str, tuple[int, str, str]] = {
    "invalid_api_key": (401, "invalid_request_error", "Invalid API key. Please check your API key and try again."),
    "not_found": (404, "invalid_request_error", "The requested resource was not found."),
    "method_not_allowed": (405, "invalid_request_error", "Method not allowed."),
    "invalid_request": (400, "invalid_request_error", "Invalid request."),
    "invalid_model": (400, "invalid_request_error", "The model is not supported."),
    "unsupported_document_format": (415, "invalid_request_error", "The document format is not supported."),
    "invalid_document": (400, "invalid_request_error", "The document cannot be read."),
    "file_too_large": (413, "invalid_request_error", "The document is larger than 50 MB."),
    "too_many_pages": (413, "invalid_request_error", "The document has too many pages."),
    "too_many_pixels": (413, "invalid_request_error", "The image is larger than 100 megapixels."),
    "too_many_requests": (429, "rate_limit_error", "Too many requests. Please retry after a while."),
    "internal_server_error": (500, "server_error", "An internal server error occurred."),
}


def error(code: str, detail: str = "", headers: dict[str, str] | None = None) -> Response:
    """Upstage's error answer for ``code``, with ``detail`` after the message."""
    status, kind, message = ERRORS[code]
    body = {"error": {"message": f"{message} {detail}".strip(), "type": kind, "code": code, "param": None}}
    return Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)


class UpstageEmulator(Emulator):
    name = "upstage"
    description = "Upstage Document OCR and Document Parse (POST /v1/document-digitization, multipart 'document', Bearer key)"
    default_key = "emulator-key"

    OPTIONS: ClassVar[dict[str, tuple[type, str]]] = {
        "async_polls": (int, "polls an asynchronous request answers 'started' before 'completed' (default 1)"),
    }

    def __init__(self, *, async_polls: int = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: the document bytes of the last request that got as far as reading them (for tests)
        self.last_upload: bytes | None = None
        #: and the content type and file name it came with
        self.last_upload_type: tuple[str | None, str | None] | None = None
        self.async_polls = async_polls
        #: asynchronous requests by id: their answer and how often they were polled
        self.requests: dict[str, dict[str, Any]] = {}
        self._requests_lock = threading.Lock()

    def recognize(self, image: bytes) -> OcrResult:
        """The offline engine's reading; canned (load tests, and documents it cannot read: HEIC,
        office files), one word across each page, so that a PDF gets as many pages (and billed
        pages) as it has."""
        source = open_source(image)
        if not self.canned and not source.document:
            return super().recognize(image)
        pages = []
        for k, (width, height) in enumerate([CANNED_SIZE] if source.document else source.page_sizes()):
            quad = Quad.from_bbox(0, 0, width, height)
            pages.append(Page(k, width, height, (Line("emulated", quad, (Word("emulated", quad, 1.0),), 1.0),)))
        return OcrResult("emulator", pages)

    def rate_limited(self) -> Response:
        rate = self.faults.rate_limit or 1.0
        return error("too_many_requests", headers={"Retry-After": str(max(1, math.ceil(1.0 / rate)))})

    def server_error(self) -> Response:
        return error("internal_server_error")

    def malformed(self) -> Response:
        return Response(
            b'{"apiVersion": "1.1", "confidence": 0.98, "metadata": {"pages": [{"hei', status=200, mimetype="application/json"
        )

    def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path.startswith(REQUESTS):
            return self._request_status(request, path[len(REQUESTS) :])
        if path not in PATHS:
            return error("not_found", f"No API at {path or '/'}.")
        if request.method != "POST":
            return error("method_not_allowed", f"{request.method} is not allowed; use POST.")
        if request.headers.get("Authorization") != f"Bearer {self.key}":
            return error("invalid_api_key")
        if request.mimetype != "multipart/form-data":
            return error("invalid_request", f"Content-Type {request.mimetype or 'none'} is not multipart/form-data.")
        if (request.content_length or 0) > _UNREAD_OVER:
            return error("file_too_large")
        model = request.form.get("model", "ocr" if path.endswith("/ocr") else "")
        api = "document-parse" if model.startswith("document-parse") else "ocr" if model.startswith("ocr") else None
        if api is None or (api == "document-parse" and path.endswith("/ocr")) or (api == "ocr" and path.endswith("/async")):
            return error("invalid_model", f"model {model[:40]!r}: use 'ocr' or 'document-parse'.")
        upload = request.files.get("document")
        data = upload.read() if upload is not None else b""
        self.last_upload = data
        self.last_upload_type = (upload.mimetype, upload.filename) if upload is not None else None
        if not data:
            return error("invalid_request", "The multipart field 'document' is missing or empty.")
        if len(data) > MAX_BYTES:
            return error("file_too_large", f"It is {len(data):,} bytes.")
        refused = self._refuse_document(data, "async" if path.endswith("/async") else api)
        if refused is not None:
            return refused
        recorded = self.recorded(data)
        if recorded is not None and not path.endswith("/async"):
            return _json(recorded)
        try:
            answer = recorded or self._answer(data, api, request.form.get("ocr") == "force")
        except UnifiedOcrError as exc:
            return error("invalid_document", str(exc)[:200])
        if not path.endswith("/async"):
            return _json(answer)
        request_id = str(uuid.uuid4())
        with self._requests_lock:
            self.requests[request_id] = {"answer": answer, "polls": 0, "at": _now()}
        return _json({"request_id": request_id})

    def _answer(self, data: bytes, api: str, force: bool) -> dict[str, Any]:
        result = self.recognize(data)
        return ocr_answer(result) if api == "ocr" else parse_answer(result, force=force)

    def _request_status(self, request: Request, rest: str) -> Response:
        """``GET requests/ID`` (Bearer key): the request's status and batches; ``GET requests/ID/batches/N``
        (a pre-signed download link: no key): that batch's answer, pages counted from the batch's first."""
        if request.method != "GET":
            return error("method_not_allowed", f"{request.method} is not allowed; use GET.")
        request_id, _, batch = rest.partition("/batches/")
        with self._requests_lock:
            kept = self.requests.get(request_id)
            if kept is not None and not batch:
                if request.headers.get("Authorization") != f"Bearer {self.key}":
                    return error("invalid_api_key")
                kept["polls"] += 1
        if kept is None:
            return error("not_found", "No such request.")
        batches = _batches(kept["answer"])
        if batch:
            number = int(batch) if batch.isdigit() else -1
            if not 0 <= number < len(batches):
                return error("not_found", "No such batch.")
            return _json(batches[number])
        done = kept["polls"] > self.async_polls
        base = f"{request.host_url.rstrip('/')}{REQUESTS}{request_id}/batches/"
        total = kept["answer"].get("usage", {}).get("pages", 0)
        listed = [
            {"id": k, "model": PARSE_MODEL, "status": "completed" if done else "started", "failure_message": "",
             "download_url": base + str(k) if done else "", "start_page": k * BATCH_PAGES + 1,
             "end_page": min(total, (k + 1) * BATCH_PAGES), "requested_at": kept["at"], "updated_at": _now()}
            for k in range(len(batches))
        ]  # fmt: skip
        return _json({"id": request_id, "status": "completed" if done else "started", "failure_message": "",
                      "total_pages": total, "completed_pages": total if done else 0, "batches": listed,
                      "requested_at": kept["at"], "completed_at": _now() if done else None})  # fmt: skip

    def _refuse_document(self, data: bytes, api: str) -> Response | None:
        """Format, page and pixel limits, read from the header: nothing is decoded."""
        try:
            info = open_source(data, "document", max_pixels=2**62).info
        except UnsupportedImageError as exc:
            if _pillow_format(data) is None:
                return error("unsupported_document_format", "Send JPEG, PNG, BMP, PDF, TIFF or HEIC (or, to Document Parse, DOCX, PPTX or XLSX).")
            return error("unsupported_document_format", exc.problem)
        except UnifiedOcrError as exc:
            return error("invalid_document", str(exc)[:200])
        assert info is not None
        if info.format in OFFICE and api == "ocr":
            return error("unsupported_document_format", f"{info.format.upper()} is read by Document Parse only (model=document-parse).")
        if info.format not in FORMATS | OFFICE:
            return error("unsupported_document_format", f"{info.format.upper()} is not supported.")
        if info.pages > MAX_PAGES[api]:
            return error("too_many_pages", f"It has {info.pages} pages; at most {MAX_PAGES[api]} are read in one call.")
        if info.format != "pdf" and info.width * info.height > MAX_PIXELS:
            return error("too_many_pixels", f"It is {info.width}x{info.height}.")
        return None


def _json(body: dict[str, Any]) -> Response:
    """UTF-8, keys in alphabetical order, as Upstage sends them; a replayed answer holding a lone
    surrogate goes out as its escape."""
    try:
        data = json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")
    except UnicodeEncodeError:
        data = json.dumps(body, sort_keys=True).encode("ascii")
    return Response(data, status=200, mimetype="application/json")


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _batches(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """A Document Parse answer cut into batches of ``BATCH_PAGES`` pages, each numbering its pages from 1."""
    total = max(1, answer.get("usage", {}).get("pages", 1))
    out = []
    for k in range(0, total, BATCH_PAGES):
        elements = [{**e, "page": e["page"] - k} for e in answer.get("elements", []) if k < e.get("page", 1) <= k + BATCH_PAGES]
        pages = min(BATCH_PAGES, total - k)
        out.append({**answer, "elements": elements, "usage": {"pages": pages},
                    "content": {"html": "\n".join(e["content"]["html"] for e in elements), "markdown": "", "text": ""}})  # fmt: skip
    return out


def _pillow_format(data: bytes) -> str | None:
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.format
    except (OSError, ValueError, SyntaxError):
        return None


def _score(value: float | None) -> float:
    return round(1.0 if value is None else value, 4)


def ocr_answer(result: OcrResult) -> dict[str, Any]:
    """The offline engine's words as a Document OCR answer."""
    pages: list[dict[str, Any]] = []
    sizes: list[dict[str, int]] = []
    scores: list[float] = []
    for k, page in enumerate(result.pages):
        words: list[dict[str, Any]] = [
            {"boundingBox": {"vertices": [{"x": round(x), "y": round(y)} for x, y in word.quad.points]},
             "confidence": _score(word.confidence), "id": i, "text": word.text}
            for i, word in enumerate(page.words)
        ]  # fmt: skip
        score = round(sum(w["confidence"] for w in words) / len(words), 4) if words else 0.0
        scores.append(score)
        pages.append({"confidence": score, "height": page.height, "id": k, "text": page.text.replace("\n", " \n"),
                      "width": page.width, "words": words})  # fmt: skip
        sizes.append({"height": page.height, "page": k + 1, "width": page.width})
    return {
        "apiVersion": "1.1",
        "confidence": min(scores, default=0.0),
        "metadata": {"pages": sizes},
        "mimeType": "multipart/form-data",
        "modelVersion": OCR_MODEL,
        "numBilledPages": len(pages),
        "pages": pages,
        "stored": False,
        "text": "\n".join(p["text"] for p in pages),
    }


def parse_answer(result: OcrResult, *, force: bool = False) -> dict[str, Any]:
    """The offline engine's blocks as a Document Parse answer: a ``paragraph`` element each, a
    ``table`` element (each line a row, each word a cell) for a table-like block."""
    elements: list[dict[str, Any]] = []
    for page in result.pages:
        w, h = max(page.width, 1), max(page.height, 1)
        for block, lines in page.iter_blocks():
            if not lines:
                continue
            quad = block.quad or lines[0].quad.union(*(line.quad for line in lines[1:]))
            k = len(elements)
            if block.kind == "table":
                rows = "".join(
                    "<tr>" + "".join(f"<td>{html.escape(word.text)}</td>" for word in line.words) + "</tr>" for line in lines
                )
                markup, category = f"<table id='{k}'>{rows}</table>", "table"
            else:
                text = "<br>".join(html.escape(line.text) for line in lines)
                markup, category = f"<p id='{k}' data-category='paragraph' style='font-size:14px'>{text}</p>", "paragraph"
            elements.append({
                "category": category,
                "content": {"html": markup, "markdown": "", "text": ""},
                "coordinates": [{"x": round(x / w, 4), "y": round(y / h, 4)} for x, y in quad.points],
                "id": k,
                "page": page.index + 1,
            })  # fmt: skip
    return {
        "api": "2.0",
        "content": {"html": "\n".join(e["content"]["html"] for e in elements), "markdown": "", "text": ""},
        "elements": elements,
        "merged_elements": [],
        "model": PARSE_MODEL,
        "ocr": force,
        "usage": {"pages": len(result.pages)},
    }
