"""Azure AI Document Intelligence: ``POST .../documentModels/{model}:analyze``, then polling its operation.

Analysis is asynchronous. The POST answers ``202 Accepted`` with an ``Operation-Location``; GETs
there answer ``{"status": "running"}`` until ``succeeded`` (with ``analyzeResult``) or ``failed``
(with ``error``). The engine waits between polls as long as ``Retry-After`` asks (else
``poll_interval``), gives up after ``deadline`` seconds with an :class:`OperationTimeoutError`,
and counts every request, polls included, against the tier's rate limit (Azure counts them
so). Only the POST is counted in the run's figures: Azure bills the analysis, not the polls.

An accepted operation is noted in the run's store of pending operations
(:mod:`unified_ocr.engines.operations`) before it is polled, and forgotten when it ends: a
rerun after an interruption, a deadline or a storm polls it again instead of paying twice.
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import attrs
import requests

from unified_ocr import Limits, OcrResult, Secret, Upload
from unified_ocr.engines.base import RUNTIME, EngineOptions
from unified_ocr.engines.calls import note_billed
from unified_ocr.engines.http import HttpClient, HttpEngine, HttpOptions, decode_json, http_address, retry_after, status_error
from unified_ocr.engines.operations import pending_operations
from unified_ocr.engines.retry import RetryPolicy
from unified_ocr.errors import BadResponseError, ProviderError
from unified_ocr.secrets import redact_url, url_repr

from .auth import EntraToken, missing_identity
from .failures import OperationTimeoutError, error_from, error_object
from .parse import parse
from .values import VENDOR

URL_ENV = "AZURE_DOCUMENT_INTELLIGENCE_ENDPOINT"
KEY_ENV = "AZURE_DOCUMENT_INTELLIGENCE_KEY"
API_VERSION = "2024-11-30"
MB = 1024 * 1024
MAX_SIDE = 10_000
#: Per tier: bytes a document may have, pages read, and requests a second (polls included).
TIERS = {"S0": (500 * MB, 2000, 15.0), "F0": (4 * MB, 2, 1.0)}
#: The formats Azure reads that unified-ocr can send (HEIF is read by Azure but not made here).
FORMATS = frozenset({"jpeg", "png", "bmp", "tiff", "pdf"})
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "bmp": "image/bmp", "tiff": "image/tiff", "pdf": "application/pdf"}
_UNFINISHED = ("notStarted", "running")




def _model(_instance: Any, attribute: attrs.Attribute, value: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]{1,63}", value):
        raise ValueError(f"'{attribute.name}' must be a model id such as prebuilt-read or prebuilt-layout, got {value[:70]!r}")

_ADDRESS = http_address("https://NAME.cognitiveservices.azure.com/", "key")


@attrs.frozen(slots=True)
class AzureOptions(HttpOptions):
    """Settings of a ``backend = "azure"`` profile (timeouts, retries and rate limit: see HttpOptions)."""

    URL_FIELD = "endpoint"
    URL_ENV = URL_ENV
    KEY_FIELD = "key"
    KEY_ENV = KEY_ENV

    endpoint: str | None = attrs.field(
        default=None, validator=_ADDRESS, repr=url_repr
    )  # https://NAME.cognitiveservices.azure.com/; else $AZURE_DOCUMENT_INTELLIGENCE_ENDPOINT
    key: Secret | None = None  # sent as Ocp-Apim-Subscription-Key; else $AZURE_DOCUMENT_INTELLIGENCE_KEY
    auth: Literal["key", "entra"] = attrs.field(
        default="key", metadata=RUNTIME
    )  # entra: Microsoft Entra ID tokens (the azure extra)
    model: str = attrs.field(
        default="prebuilt-read", validator=_model
    )  # prebuilt-read, prebuilt-layout (or another prebuilt model)
    api_version: str = attrs.field(default=API_VERSION, validator=attrs.validators.matches_re(r"\d{4}-\d{2}-\d{2}(-preview)?"))
    tier: Literal["S0", "F0"] = "S0"  # F0: 4 MB, 2 pages a request and 1 request a second
    locale: str | None = None  # a hint such as "ko" or "en-US"; none: detected
    features: tuple[str, ...] = ()  # add-ons, e.g. ["ocrHighResolution"] (billed apart)
    max_side: int = attrs.field(default=MAX_SIDE, validator=[attrs.validators.ge(50), attrs.validators.le(MAX_SIDE)])
    poll_interval: float = attrs.field(
        default=1.0, metadata=RUNTIME, validator=attrs.validators.ge(0)
    )  # seconds between polls unless Retry-After says
    deadline: float = attrs.field(
        default=300.0, metadata=RUNTIME, validator=attrs.validators.gt(0)
    )  # seconds an operation may run

    @property
    def analyze_url(self) -> str:
        """Where documents are posted; API versions before 2024 lived under ``formrecognizer``."""
        assert self.url is not None
        root = "formrecognizer" if self.api_version < "2024" else "documentintelligence"
        return f"{self.url.rstrip('/')}/{root}/documentModels/{quote(self.model, safe='')}:analyze"


def check(response: requests.Response) -> None:
    """Raise Azure's error answer as a typed error; 2xx answers pass."""
    status = response.status_code
    if status < 300:
        return
    try:
        body = response.json()
    except ValueError:
        body = None
    error = error_object(body)
    if error is None:  # a gateway's page, not the service: the status says what it can
        kind, advice = status_error(status, vendor="Azure", credential="key")
        said = response.text.strip()[:120].replace("\n", " ") if response.text else ""
        raise kind(": ".join(p for p in (said, advice) if p), vendor=VENDOR, status=status, retry_after=retry_after(response))
    raise error_from(error, status=status, retry_after=retry_after(response))


class AzureEngine(HttpEngine[AzureOptions]):
    name = "azure"
    Options = AzureOptions
    description = "Azure AI Document Intelligence (prebuilt-read, prebuilt-layout; key or Microsoft Entra ID)"
    scripts = frozenset({"Latn", "Hang", "Hani", "Hira", "Kana", "Cyrl", "Arab", "Hebr", "Thai", "Deva", "Grek"})

    check = staticmethod(check)

    def __init__(self, options: AzureOptions | None = None) -> None:
        super().__init__(options)
        opts = self.options
        rate = opts.rate_limit if opts.rate_limit is not None else TIERS[opts.tier][2]  # the tier's, polls included
        policy = RetryPolicy(retries=opts.retries, backoff=opts.backoff, max_backoff=opts.max_backoff)
        self.http = HttpClient(VENDOR, policy=policy, timeout=opts.timeout, connect_timeout=opts.connect_timeout,
                               check=self.check, rate_limit=rate)  # fmt: skip
        self._token = EntraToken() if opts.auth == "entra" else None

    @classmethod
    def unavailable_reason(cls, options: EngineOptions | None = None) -> str | None:
        opts = options if isinstance(options, AzureOptions) else AzureOptions()
        if opts.auth == "key":
            return super().unavailable_reason(opts)
        if not opts.url:
            return f"missing settings: endpoint (in the profile, or ${URL_ENV})"
        return missing_identity()

    @property
    def limits(self) -> Limits:
        """The tier's bytes and pages, ``max_side`` (Azure reads up to 10,000 px a side), and its formats.

        EXIF orientation is applied before sending, so that the answer's pixels are those of the
        upload whichever way the service would have read the tag."""
        max_bytes, max_pages, _ = TIERS[self.options.tier]
        return Limits(
            max_side=self.options.max_side, max_bytes=max_bytes, formats=FORMATS, max_pages=max_pages, honours_exif=False
        )

    @classmethod
    def parse(cls, raw: Any) -> OcrResult:
        return parse(raw)

    # -- one document ------------------------------------------------------------------------

    def recognize(self, upload: Upload) -> OcrResult:
        store = pending_operations()
        key = self._key(upload)
        kept = store.get(key) if store is not None else None
        body = None
        if kept is not None and isinstance(kept.get("location"), str):
            try:
                body = self._poll(self._location(kept["location"]), time.monotonic() + self.options.deadline, None)
            except ProviderError as exc:
                if exc.status not in (404, 410):  # gone (results are kept 24 hours): submit again
                    raise
                store.drop(key)  # type: ignore[union-attr]
        if body is None:
            location, wait = self._submit(upload)
            if store is not None:
                store.put(key, {"location": location, "submitted": time.time(), "engine": self.name})
            body = self._poll(location, time.monotonic() + self.options.deadline, wait)
        if store is not None:
            store.drop(key)  # it ended: collected, or failed (a failed operation is not billed; a new one is a new request)
        result = self.read_answer(body, upload)
        note_billed(len(result.pages))  # Azure bills the pages it analyzed
        return result

    def read_answer(self, raw: Any, upload: Upload) -> OcrResult:
        """The operation's final body, read from itself alone (its pages say their sizes and units)."""
        return parse(raw)

    def _headers(self) -> dict[str, str]:
        if self._token is not None:
            return {"Authorization": self._token.header()}
        return {"Ocp-Apim-Subscription-Key": self.options.credential.reveal()}

    def _key(self, upload: Upload) -> str:
        """What identifies this request: the bytes and everything of the setup that changes the answer."""
        opts = self.options
        setup = [
            redact_url(opts.url or ""),
            opts.model,
            opts.api_version,
            opts.locale or "",
            ",".join(opts.features),
            upload.format,
        ]
        return "azure|" + "|".join(setup) + "|" + hashlib.sha256(upload.data).hexdigest()

    def _submit(self, upload: Upload) -> tuple[str, float | None]:
        """POST the document; the operation's location and how long Azure asks to wait first."""
        opts = self.options
        params: dict[str, str] = {"api-version": opts.api_version}
        if opts.locale:
            params["locale"] = opts.locale
        if opts.features:
            params["features"] = ",".join(opts.features)
        headers = {**self._headers(), "Content-Type": CONTENT_TYPES.get(upload.format, "application/octet-stream")}

        def accepted(response: requests.Response) -> tuple[str, float | None]:
            if response.status_code != 202:
                raise BadResponseError(f"expected 202 Accepted with an Operation-Location; got HTTP {response.status_code}",
                                       vendor=VENDOR, status=response.status_code)  # fmt: skip
            return self._location(response.headers.get("Operation-Location")), retry_after(response)

        (location, wait), _ = self.http.request(
            "POST", opts.analyze_url, headers=headers, params=params, data=upload.data, read=accepted
        )
        return location, wait

    def _location(self, value: str | None) -> str:
        """The Operation-Location, only when it is the endpoint's own host and carries no credential: the
        key is sent there, and the location is kept on disk until the operation ends."""
        if not value:
            raise BadResponseError("the 202 answer has no Operation-Location header", vendor=VENDOR, status=202)
        mine, theirs = urlsplit(self.options.url or ""), urlsplit(value)
        if (
            (theirs.scheme, theirs.hostname, theirs.port) != (mine.scheme, mine.hostname, mine.port)
            or theirs.username
            or theirs.password
        ):
            exc = BadResponseError(f"the Operation-Location {redact_url(value)!r} is not on the endpoint's host; "
                                   "the key is not sent elsewhere: check the endpoint", vendor=VENDOR, status=202)  # fmt: skip
            exc.retryable = False  # a new POST would be a new, billed operation
            raise exc
        return value

    def _poll(self, location: str, deadline: float, wait: float | None) -> Any:
        """GET the operation until it ends; its final body (``succeeded`` or ``failed``)."""
        opts = self.options
        first = True
        while True:
            if not first or wait is not None:
                pause = wait if wait is not None else opts.poll_interval
                if time.monotonic() + pause > deadline:
                    raise OperationTimeoutError(
                        f"the operation has not ended within deadline = {opts.deadline:g} s; it is kept, and the next round "
                        "or run polls it again instead of submitting anew: run again, or raise the profile's deadline",
                        vendor=VENDOR, code="OperationTimeout",
                    )  # fmt: skip
                time.sleep(pause)
            first = False
            (body, wait), _ = self.http.request("GET", location, headers=self._headers(), read=_status, counted=False)
            status = body.get("status")
            if status not in _UNFINISHED:
                return body

    def close(self) -> None:
        super().close()
        if self._token is not None:
            self._token.close()


def _status(response: requests.Response) -> tuple[dict[str, Any], float | None]:
    """A polling answer: an object with a ``status``, and the wait Azure asks for."""
    body = decode_json(response, VENDOR)
    if not isinstance(body, dict) or not isinstance(body.get("status"), str):
        raise BadResponseError("expected the operation's status ({\"status\": ...}); got something else", vendor=VENDOR,
                               status=response.status_code)  # fmt: skip
    if body["status"] == "failed" and error_object(body) is None:
        body = {**body, "error": {"code": "InternalServerError", "message": "the operation failed and Azure said no more"}}
    return body, retry_after(response)
