"""An emulator of Google Cloud Vision's ``images:annotate``, answering in Google's own shapes.

It checks what Google checks, in Google's order and with its error bodies
``{"error": {"code", "message", "status", "details"}}``:

* a path other than ``/v1/images:annotate`` (or ``/token``, below): 404 ``NOT_FOUND``; a method
  other than POST: 405;
* no credential: 403 ``PERMISSION_DENIED`` ("missing a valid API key"); a wrong API key (header
  ``X-Goog-Api-Key`` or ``?key=``): 400 ``INVALID_ARGUMENT`` with reason ``API_KEY_INVALID``;
  a bearer token it did not issue: 401 ``UNAUTHENTICATED``;
* a body over 20 MB: 400 "Request payload size exceeds the limit"; not JSON, no ``requests``,
  more than 16 images, a feature type it does not know: 400 ``INVALID_ARGUMENT``;
* per image, inside the HTTP 200 as ``responses[i].error``: content that is not base64 or
  not an image Google reads inline (a PDF or TIFF sent as an image): code 3 "Bad image data.";
  over 75 megapixels: code 3.
* faults: 429 ``RESOURCE_EXHAUSTED`` with ``Retry-After``, 503 ``UNAVAILABLE``, dropped
  connections, cut-off bodies (the base class's options).

Feature types are taken as names or as numbers: Google's own client libraries send
``"type": 11`` when they ask for ``$alt=json;enum-encoding=int``.

``POST /token`` is an OAuth 2 token endpoint for service-account credentials (the JWT-bearer
grant that ``google-auth`` makes when a key file's ``token_uri`` points here): a well-formed
assertion from one of ``service_accounts`` gets a bearer token the API then accepts. The API also
takes a self-signed JWT of one of them as the bearer token, as Google's client libraries send
(its signature is not checked: the emulator is for tests).

Answers come from the offline engine: each of its blocks a block, each line a paragraph whose
words end in ``SPACE`` or, at the line's end, ``LINE_BREAK``; each word's symbols its characters,
boxed by cutting the word's box evenly; integer vertices with zero coordinates left out, as
Google's JSON leaves them out; ``textAnnotations`` beside ``fullTextAnnotation``. Or, with
``--replay DIR``, recorded answers matched by image content (a recorded error body is answered
with its status).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import secrets
import threading
from collections.abc import Sequence
from typing import Any

from werkzeug.wrappers import Request, Response

from unified_ocr import Line, OcrResult, Page, Quad, Word
from unified_ocr.emulator import Emulator
from unified_ocr.errors import UnifiedOcrError
from unified_ocr.imaging.sources import open_source

from .errors import GRPC_CODES, HTTP_STATUS

PATH = "/v1/images:annotate"
FILES_PATH = "/v1/files:annotate"
MAX_FILE_PAGES = 5
FILE_TYPES = {"application/pdf": "pdf", "image/tiff": "tiff", "image/gif": "gif"}
TOKEN_PATH = "/token"
MB = 1024 * 1024
MAX_REQUEST = 20 * MB
MAX_IMAGES = 16
MAX_PIXELS = 75_000_000
FORMATS = frozenset({"jpeg", "png", "gif", "bmp", "webp"})
#: Feature types by name and by the number Google's clients send with enum-encoding=int.
FEATURES = {"TYPE_UNSPECIFIED": 0, "FACE_DETECTION": 1, "LANDMARK_DETECTION": 2, "LOGO_DETECTION": 3,
            "LABEL_DETECTION": 4, "TEXT_DETECTION": 5, "DOCUMENT_TEXT_DETECTION": 11, "SAFE_SEARCH_DETECTION": 6,
            "IMAGE_PROPERTIES": 7, "CROP_HINTS": 9, "WEB_DETECTION": 10, "PRODUCT_SEARCH": 12,
            "OBJECT_LOCALIZATION": 19}  # fmt: skip
TEXT_FEATURES = frozenset({5, 11})
SERVICE_ACCOUNT = "emulator@unified-ocr-emulator.iam.gserviceaccount.com"


def error(
    status_name: str, message: str, details: Sequence[dict[str, Any]] = (), headers: dict[str, str] | None = None
) -> Response:
    """Google's error answer: the HTTP status of the canonical status, and the body that names both."""
    code = HTTP_STATUS[status_name]
    body: dict[str, Any] = {"code": code, "message": message, "status": status_name}
    if details:
        body["details"] = list(details)
    return Response(json.dumps({"error": body}, indent=2), status=code, headers=headers,
                    content_type="application/json; charset=UTF-8")  # fmt: skip


def _info(reason: str) -> dict[str, Any]:
    return {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com",
            "metadata": {"service": "vision.googleapis.com"}}  # fmt: skip


def image_error(code: int, message: str) -> dict[str, Any]:
    """One image's error inside an HTTP 200: a google.rpc.Status with the gRPC code."""
    assert code in GRPC_CODES
    return {"error": {"code": code, "message": message}}


class GoogleEmulator(Emulator):
    name = "google"
    description = "Google Cloud Vision (POST /v1/images:annotate, X-Goog-Api-Key or OAuth; POST /token for service accounts)"
    default_key = "emulator-api-key"

    def __init__(self, *, service_accounts: Sequence[str] = (SERVICE_ACCOUNT,), anonymous: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service_accounts = frozenset(service_accounts)
        #: take requests with no credential at all (a client with anonymous credentials), as a local stand-in may
        self.anonymous = anonymous
        self._tokens: set[str] = set()
        self._tokens_lock = threading.Lock()
        #: what the last annotate request asked for (feature types, language hints, headers seen), for tests
        self.last_request: dict[str, Any] = {}

    def rate_limited(self) -> Response:
        rate = self.faults.rate_limit or 1.0
        wait = str(max(1, math.ceil(1.0 / rate)))
        message = ("Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of service "
                   "'vision.googleapis.com' for consumer 'project_number:0'.")  # fmt: skip
        return error("RESOURCE_EXHAUSTED", message, [_info("RATE_LIMIT_EXCEEDED")], {"Retry-After": wait})

    def server_error(self) -> Response:
        return error("UNAVAILABLE", "The service is currently unavailable.")

    def malformed(self) -> Response:
        return Response(b'{\n  "responses": [\n    {\n      "fullTextAnnotation": {\n        "pa', status=200,
                        content_type="application/json; charset=UTF-8")  # fmt: skip

    # -- the protocol ------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.path == TOKEN_PATH:
            return self._token(request)
        if request.path not in (PATH, FILES_PATH):
            return error("NOT_FOUND", f"The requested URL {request.path} was not found on this server.")
        if request.method != "POST":
            return Response(f"Method {request.method} is not allowed.", status=405)
        refused = self._authenticate(request)
        if refused is not None:
            return refused
        if (request.content_length or 0) > MAX_REQUEST:
            return error("INVALID_ARGUMENT", f"Request payload size exceeds the limit: {MAX_REQUEST} bytes.")
        data = request.get_data()
        if len(data) > MAX_REQUEST:
            return error("INVALID_ARGUMENT", f"Request payload size exceeds the limit: {MAX_REQUEST} bytes.")
        try:
            body = json.loads(data)
        except ValueError:
            return error("INVALID_ARGUMENT", "Invalid JSON payload received. Unexpected token.")
        requests = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list) or not requests:
            return error("INVALID_ARGUMENT", "No requests specified.")
        if len(requests) > MAX_IMAGES:
            return error("INVALID_ARGUMENT", f"At most {MAX_IMAGES} images are allowed per request.")
        answers = []
        for i, entry in enumerate(requests):
            features = _features(entry)
            if isinstance(features, str):
                return error("INVALID_ARGUMENT", f"Invalid value at 'requests[{i}].features': {features}")
            answer = (
                self._annotate_file(entry, features) if request.path == FILES_PATH else self._annotate(entry, features, request)
            )
            if isinstance(answer, Response):
                return answer
            answers.append(answer)
        return _json({"responses": answers})

    def _authenticate(self, request: Request) -> Response | None:
        key = request.headers.get("X-Goog-Api-Key") or request.args.get("key")
        bearer = request.headers.get("Authorization", "")
        self.last_request = {"api_key": key is not None, "bearer": bearer.startswith("Bearer "),
                             "user_project": request.headers.get("x-goog-user-project")}  # fmt: skip
        if key is not None:
            if key != self.key:
                return error("INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [_info("API_KEY_INVALID")])
            return None
        if bearer.startswith("Bearer "):
            with self._tokens_lock:
                known = bearer[7:] in self._tokens
            if not known and not self._self_signed(bearer[7:]):
                return error("UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access "
                             "token, login cookie or other valid authentication credential.", [_info("ACCESS_TOKEN_TYPE_UNSUPPORTED")])  # fmt: skip
            return None
        if self.anonymous:
            return None
        return error("PERMISSION_DENIED", "The request is missing a valid API key.", [_info("API_KEY_SERVICE_BLOCKED")])

    def _self_signed(self, token: str) -> bool:
        """A self-signed JWT from a known service account (what Google's client libraries send in place
        of an access token); its signature is not checked here, only who it says it is from."""
        try:
            claims = json.loads(_b64url(token.split(".")[1]))
        except (IndexError, ValueError, binascii.Error):
            return False
        return isinstance(claims, dict) and claims.get("iss") in self.service_accounts

    def _token(self, request: Request) -> Response:
        """The JWT-bearer grant: a well-formed assertion from a known service account gets a token."""

        def refuse(description: str) -> Response:
            body = json.dumps({"error": "invalid_grant", "error_description": description})
            return Response(body, status=400, content_type="application/json; charset=utf-8")

        if request.method != "POST" or request.form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return refuse("Unsupported grant type.")
        try:
            claims = json.loads(_b64url(request.form.get("assertion", "").split(".")[1]))
        except (IndexError, ValueError, binascii.Error):
            return refuse("Invalid JWT.")
        if not isinstance(claims, dict) or claims.get("iss") not in self.service_accounts:
            return refuse("Invalid JWT Signature.")
        token = "ya29.emulator-" + secrets.token_urlsafe(24)
        with self._tokens_lock:
            self._tokens.add(token)
        return _json({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    def _annotate(self, entry: Any, features: set[int], request: Request) -> dict[str, Any] | Response:
        image = entry.get("image") if isinstance(entry, dict) else None
        content = image.get("content") if isinstance(image, dict) else None
        if not isinstance(content, str) or not content:
            if isinstance(image, dict) and image.get("source"):
                return image_error(7, "The emulator reads inline content only; image.source is not fetched.")
            return image_error(3, "Bad image data.")
        try:
            data = base64.b64decode(content.replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            return image_error(3, "Bad image data.")
        context = entry.get("imageContext") or {}
        self.last_request.update(
            features=sorted(features), language_hints=context.get("languageHints", []) if isinstance(context, dict) else []
        )
        recorded = self.recorded(data)
        if recorded is not None:
            return self._replayed(recorded)
        try:
            info = open_source(data, "image", max_pixels=2**62).info
        except UnifiedOcrError:
            return image_error(3, "Bad image data.")
        if info is None or info.format not in FORMATS:
            return image_error(3, "Bad image data.")
        if info.width * info.height > MAX_PIXELS:
            return image_error(3, f"Image size ({info.width}x{info.height}) exceeds the limit of 75 megapixels.")
        if not features & TEXT_FEATURES:
            return {}
        try:
            result = self.recognize(data)
        except UnifiedOcrError:
            return image_error(3, "Bad image data.")
        hints = self.last_request.get("language_hints") or ["en"]
        return _answer(result, str(hints[0]))

    def _annotate_file(self, entry: Any, features: set[int]) -> dict[str, Any] | Response:
        """files:annotate: a PDF, TIFF or GIF given inline, at most 5 of its pages, normalised vertices."""
        config = entry.get("inputConfig") if isinstance(entry, dict) else None
        content = config.get("content") if isinstance(config, dict) else None
        mime = config.get("mimeType") if isinstance(config, dict) else None
        if not isinstance(content, str) or not content:
            return error("INVALID_ARGUMENT", "inputConfig.content is required: the emulator reads inline files only.")
        if mime not in FILE_TYPES:
            return error("INVALID_ARGUMENT", f"Unsupported input file format: mimeType {mime!r}.")
        try:
            data = base64.b64decode(content, validate=True)
            info = open_source(data, "file", max_pixels=2**62).info
        except (binascii.Error, ValueError, UnifiedOcrError):
            return error("INVALID_ARGUMENT", "Bad input file data.")
        if info is None or info.format != FILE_TYPES[mime]:
            return error("INVALID_ARGUMENT", "The file is not of the mimeType given.")
        total = info.pages
        asked = entry.get("pages") or list(range(1, min(total, MAX_FILE_PAGES) + 1))
        if not isinstance(asked, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in asked):
            return error("INVALID_ARGUMENT", "pages must be a list of page numbers.")
        if len(asked) > MAX_FILE_PAGES:
            return error("INVALID_ARGUMENT", f"At most {MAX_FILE_PAGES} pages are annotated in one call; ask for fewer pages.")
        numbers = [n if n > 0 else total + 1 + n for n in asked]
        if any(not 1 <= n <= total for n in numbers):
            return error("INVALID_ARGUMENT", f"Invalid page number in {asked}: the file has {total} pages.")
        self.last_request.update(features=sorted(features), pages=numbers)
        try:
            result = (self._canned_pages(data) if self.canned else self.recognize(data)) if features & TEXT_FEATURES else None
        except UnifiedOcrError:
            return error("INVALID_ARGUMENT", "Bad input file data.")
        scale = 72 / float(result.meta.get("dpi", 200)) if result is not None and FILE_TYPES[mime] == "pdf" else 1.0
        answers = []
        for n in numbers:
            answer: dict[str, Any] = {}
            if result is not None:
                page = next(p for p in result.pages if p.index == n - 1)
                answer = _answer(OcrResult(result.engine, (page,)), "en", normalized=scale)
            answer["context"] = {"pageNumber": n}
            answers.append(answer)
        return {"inputConfig": {"mimeType": mime}, "responses": answers, "totalPages": total}

    @staticmethod
    def _canned_pages(data: bytes) -> OcrResult:
        """One word across each page (PDF pages at 200 dpi), unread: for load tests, as ``canned`` is for images."""
        pages = []
        for i, (width, height) in enumerate(open_source(data, "file").page_sizes(200)):
            quad = Quad.from_bbox(0, 0, width, height)
            pages.append(Page(i, width, height, (Line("emulated", quad, (Word("emulated", quad, 1.0),), 1.0),)))
        return OcrResult("emulator", tuple(pages), meta={"dpi": 200})

    def _replayed(self, recorded: Any) -> dict[str, Any] | Response:
        """A recorded answer as this image's response; a recorded error body is answered as it was."""
        if isinstance(recorded, list) and recorded:
            recorded = recorded[0]
        if isinstance(recorded, dict) and "responses" in recorded and recorded["responses"]:
            recorded = recorded["responses"][0]
        if (
            isinstance(recorded, dict)
            and isinstance(recorded.get("error"), dict)
            and isinstance(recorded["error"].get("status"), str)
        ):
            err = recorded["error"]
            return Response(
                json.dumps(recorded), status=int(err.get("code", 500)), content_type="application/json; charset=UTF-8"
            )
        return recorded if isinstance(recorded, dict) else image_error(13, "Internal error.")


def _features(entry: Any) -> set[int] | str:
    """The feature types asked for, as numbers; a string says what is wrong."""
    features = entry.get("features") if isinstance(entry, dict) else None
    if not isinstance(features, list):
        return "features must be a list"
    out = set()
    for feature in features:
        kind = feature.get("type") if isinstance(feature, dict) else None
        if isinstance(kind, str) and kind in FEATURES:
            out.add(FEATURES[kind])
        elif isinstance(kind, int) and kind in FEATURES.values():
            out.add(kind)
        else:
            return f"unknown feature type {kind!r}"
    return out


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json(body: Any) -> Response:
    try:
        data = json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
    except UnicodeEncodeError:  # a replayed lone surrogate: legal JSON only escaped
        data = json.dumps(body, indent=2).encode("ascii")
    return Response(data, status=200, content_type="application/json; charset=UTF-8")


# -- the answer --------------------------------------------------------------------------------


#: The page size normalised vertices are fractions of, while an answer is being written (None: pixels).
_normal = threading.local()


def _vertices(points: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """Integer vertices, zero coordinates left out (an all-zero vertex is ``{}``), as Google writes them;
    or, for a file's page, ``normalizedVertices`` (fractions of the page, zeros left out too)."""
    size = getattr(_normal, "size", None)
    out = []
    for x, y in points:
        vertex: dict[str, Any] = {}
        if size is not None:
            x, y = round(x / size[0], 6), round(y / size[1], 6)
        else:
            x, y = round(x), round(y)
        if x:
            vertex["x"] = x
        if y:
            vertex["y"] = y
        out.append(vertex)
    return {"normalizedVertices" if size is not None else "vertices": out}


def _symbols(text: str, quad: Quad, last_break: str | None, confidence: float | None) -> list[dict[str, Any]]:
    """The word's characters, each boxed by an even cut of the word's box along the text."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad.points
    n = len(text)
    out = []
    for i, char in enumerate(text):
        a, b = i / n, (i + 1) / n
        points = [(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
                  (x3 + (x2 - x3) * b, y3 + (y2 - y3) * b), (x3 + (x2 - x3) * a, y3 + (y2 - y3) * a)]  # fmt: skip
        symbol: dict[str, Any] = {"boundingBox": _vertices(points), "text": char}
        if i == n - 1 and last_break:
            symbol["property"] = {"detectedBreak": {"type": last_break}}
        if confidence is not None:
            symbol["confidence"] = round(confidence, 4)
        out.append(symbol)
    return out


def _answer(result: OcrResult, language: str, normalized: float | None = None) -> dict[str, Any]:
    """The offline engine's reading as one AnnotateImageResponse (one page: an image). With
    ``normalized`` (a file's page: the unit's size in pixels, 72/dpi for PDF points) the vertices are
    fractions of the page and the page's size is in that unit, as files:annotate answers."""
    page = result.pages[0]
    _normal.size = (page.width, page.height) if normalized is not None else None
    try:
        answer = _write(page, language)
    finally:
        _normal.size = None
    if normalized is not None and answer:
        full = answer["fullTextAnnotation"]["pages"][0]
        full["width"], full["height"] = round(page.width * normalized), round(page.height * normalized)
        del answer["textAnnotations"]  # files:annotate answers carry only the full text
    return answer


def _write(page: Page, language: str) -> dict[str, Any]:
    blocks = []
    annotations: list[dict[str, Any]] = []
    for block, lines in page.iter_blocks():
        paragraphs = []
        for line in lines:
            words = []
            for k, word in enumerate(line.words):
                last = k == len(line.words) - 1
                entry: dict[str, Any] = {"boundingBox": _vertices(word.quad.points),
                                         "symbols": _symbols(word.text, word.quad, "LINE_BREAK" if last else "SPACE", word.confidence)}  # fmt: skip
                if word.confidence is not None:
                    entry["confidence"] = round(word.confidence, 4)
                words.append(entry)
                annotations.append({"description": word.text, "boundingPoly": _vertices(word.quad.points)})
            paragraph: dict[str, Any] = {"boundingBox": _vertices(line.quad.points), "words": words}
            if line.confidence is not None:
                paragraph["confidence"] = round(line.confidence, 4)
            paragraphs.append(paragraph)
        quad = block.quad or Quad.enclosing([line.quad for line in lines])
        blocks.append({"boundingBox": _vertices(quad.points), "paragraphs": paragraphs, "blockType": "TEXT"})
    text = "".join(line.text + "\n" for line in page.lines)
    if not text:
        return {}
    languages = [{"languageCode": language, "confidence": 1}]
    full = {"pages": [{"property": {"detectedLanguages": languages}, "width": page.width, "height": page.height,
                       "blocks": blocks}], "text": text}  # fmt: skip
    everything = Quad.enclosing([w.quad for w in page.words], angle=0)
    first = {"locale": language, "description": text, "boundingPoly": _vertices(everything.points)}
    return {"textAnnotations": [first, *annotations], "fullTextAnnotation": full}
