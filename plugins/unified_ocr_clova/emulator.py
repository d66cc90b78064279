"""An emulator of the CLOVA OCR API, as the vendor documents describe it.

It checks what CLOVA checks (the path, ``X-OCR-SECRET``, the JSON or multipart body, the
version, one image, the format, the byte and page limits) and answers with CLOVA's status
codes and error body ``{"code", "message", "path", "timestamp"}``. Recognition comes from
the offline engine, written out as V2 (or V1) fields with ``lineBreak``; or, with
``--replay DIR``, from recorded responses matched by image content. Templates and Document
OCR have no offline equivalent: they are answered from recordings only.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import requests
from werkzeug.wrappers import Request, Response

from unified_ocr import OcrResult
from unified_ocr.emulator import Emulator
from unified_ocr.errors import UnifiedOcrError

MB = 1024 * 1024
FORMATS = {"jpg", "jpeg", "png", "pdf", "tiff", "tif"}
MESSAGES = {
    "0001": "URL is invalid.",
    "0002": "Secret key validate failed.",
    "0011": "Request body invalid.",
    "0021": "Protocol version not support.",
    "0025": "Calls to this api have exceeded the rate limit.",
    "0500": "Unknown service error.",
    "1021": "Not found deploy information. Please confirm the template is released.",
}
STATUS = {"0001": 400, "0002": 401, "0011": 400, "0021": 400, "0025": 400, "0500": 500, "1021": 500}


class ClovaEmulator(Emulator):
    name = "clova"
    description = "NAVER CLOVA OCR (General /general, Template /infer, Document /document/KIND)"
    default_key = "emulator-secret"

    def error(self, code: str, path: str = "", detail: str = "") -> Response:
        body = {
            "code": code,
            "message": MESSAGES[code] + (f" {detail}" if detail else ""),
            "path": path,
            "timestamp": int(time.time() * 1000),
        }
        return Response(json.dumps(body), status=STATUS[code], mimetype="application/json")

    def rate_limited(self) -> Response:
        return self.error("0025")

    def server_error(self) -> Response:
        return self.error("0500")

    def malformed(self) -> Response:
        return Response(b'{"version": "V2", "images": [{"fie', status=200, mimetype="application/json")

    def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        kind = "template" if path.endswith("/infer") else "document" if "/document/" in path else "general" if path.endswith("/general") else None
        if request.method != "POST" or kind is None:
            return self.error("0001", request.path)
        if request.headers.get("X-OCR-SECRET") != self.key:
            return self.error("0002", request.path)
        try:
            message, image_bytes = self._read(request)
        except ValueError as exc:
            return self.error("0011", request.path, str(exc))
        if message.get("version") not in ("V1", "V2"):
            return self.error("0021", request.path)
        image = message["images"][0]
        fmt = str(image.get("format", "")).lower()
        if fmt not in FORMATS:
            return self.error("0011", request.path, f"images.format {fmt!r} is not one of jpg, jpeg, png, pdf, tiff.")
        cap = 20 * MB if kind == "template" and fmt not in ("pdf", "tiff", "tif") else 50 * MB
        if len(image_bytes) > cap:
            return self.error("0011", request.path, f"The image is over the {cap // MB} MB limit.")
        recorded = self.recorded(image_bytes)
        if recorded is not None:
            return self._json(self._echo(recorded, message))
        if kind != "general":
            if kind == "template":
                return self.error("1021", request.path, "(emulator: templates are answered from --replay recordings only)")
            return self._json(self._failure(message, image, "emulator: Document OCR is answered from --replay recordings only"))
        try:
            result = self.recognize(image_bytes)
        except UnifiedOcrError as exc:
            return self._json(self._failure(message, image, f"image cannot be read: {exc}"))
        max_pages = 10
        if len(result.pages) > max_pages:
            return self.error("0011", request.path, f"General OCR reads at most {max_pages} pages.")
        return self._json(self._general(message, image, fmt, result))

    # -- reading the request --------------------------------------------------------------

    def _read(self, request: Request) -> tuple[dict[str, Any], bytes]:
        """The message and the image bytes, from a JSON or multipart body; ValueError says why not."""
        if request.mimetype == "multipart/form-data":
            raw = request.form.get("message")
            upload = request.files.get("file")
            if raw is None or upload is None:
                raise ValueError("multipart needs the fields 'message' and 'file'.")
            message = _message(raw)
            data = upload.read()
        elif request.mimetype == "application/json":
            message = _message(request.get_data(as_text=True))
            image = message["images"][0]
            if image.get("data"):
                try:
                    data = base64.b64decode(image["data"], validate=True)
                except (binascii.Error, ValueError):
                    raise ValueError("images.data is not base64.") from None
            elif image.get("url"):
                data = _fetch(str(image["url"]))
            else:
                raise ValueError("images.url or images.data is required.")
        else:
            raise ValueError(f"Content-Type {request.mimetype or 'none'} is neither application/json nor multipart/form-data.")
        if not data:
            raise ValueError("the image is empty.")
        return message, data

    # -- writing the answer ---------------------------------------------------------------

    @staticmethod
    def _json(body: dict[str, Any]) -> Response:
        """UTF-8 as CLOVA sends it; a replayed answer holding a lone surrogate (which UTF-8 cannot
        carry) goes out as the ``\\udXXX`` escape, legal JSON that a client must survive."""
        try:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            data = json.dumps(body).encode("ascii")
        return Response(data, status=200, mimetype="application/json")

    @staticmethod
    def _envelope(message: dict[str, Any], images: list[dict[str, Any]]) -> dict[str, Any]:
        return {"version": message["version"], "requestId": message.get("requestId", ""),
                "timestamp": int(time.time() * 1000), "images": images}  # fmt: skip

    def _echo(self, recorded: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
        """A recorded response with this request's id and name echoed, as CLOVA echoes them."""
        name = message["images"][0].get("name", "")
        images = [{**img, "name": name} if isinstance(img, dict) else img for img in recorded.get("images", [])]
        return {**recorded, "requestId": message.get("requestId", ""), "timestamp": int(time.time() * 1000), "images": images}

    def _failure(self, message: dict[str, Any], image: dict[str, Any], why: str) -> dict[str, Any]:
        entry = {"uid": uuid.uuid4().hex, "name": image.get("name", ""), "inferResult": "FAILURE",
                 "message": why, "validationResult": {"result": "NO_REQUESTED"}}  # fmt: skip
        return self._envelope(message, [entry])

    def _general(self, message: dict[str, Any], image: dict[str, Any], fmt: str, result: OcrResult) -> dict[str, Any]:
        v2 = message["version"] == "V2"
        images = []
        for page in result.pages:
            fields = []
            for line in page.lines:
                for i, word in enumerate(line.words):
                    field: dict[str, Any] = {
                        "valueType": "ALL",
                        "boundingPoly": {"vertices": [{"x": round(x, 3), "y": round(y, 3)} for x, y in word.quad.points]},
                        "inferText": word.text,
                        "inferConfidence": round(word.confidence if word.confidence is not None else 1.0, 4),
                    }
                    if v2:
                        field["type"] = "NORMAL"
                        field["lineBreak"] = i == len(line.words) - 1
                    fields.append(field)
            entry: dict[str, Any] = {"uid": uuid.uuid4().hex, "name": image.get("name", ""), "inferResult": "SUCCESS",
                                     "message": "SUCCESS", "validationResult": {"result": "NO_REQUESTED"}}  # fmt: skip
            if fmt in ("pdf", "tiff", "tif"):
                entry["convertedImageInfo"] = {"width": page.width, "height": page.height, "pageIndex": page.index}
            entry["fields"] = fields
            images.append(entry)
        return self._envelope(message, images)


def _fetch(url: str) -> bytes:
    """images.url, fetched as CLOVA would; only from this machine, since the emulator is for tests."""
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the emulator fetches images.url only from this machine (127.0.0.1).")
    try:
        answer = requests.get(url, timeout=10)
        answer.raise_for_status()
    except requests.RequestException as exc:
        raise ValueError(f"images.url cannot be fetched ({type(exc).__name__}).") from None
    return answer.content


def _message(raw: str) -> dict[str, Any]:
    try:
        message = json.loads(raw)
    except ValueError:
        raise ValueError("the message is not JSON.") from None
    images = message.get("images") if isinstance(message, dict) else None
    if not isinstance(images, list) or len(images) != 1 or not isinstance(images[0], dict):
        raise ValueError("images must hold exactly one image.")
    for key in ("version", "requestId", "timestamp"):
        if key not in message:
            raise ValueError(f"{key} is required.")
    if not images[0].get("name"):
        raise ValueError("images.name is required.")
    return message
