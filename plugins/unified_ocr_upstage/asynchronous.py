"""Document Parse's asynchronous API, for documents over the synchronous call's 100 pages.

Submit (``POST /v1/document-digitization/async`` → ``{"request_id"}``), poll
(``GET /v1/document-digitization/requests/{id}`` until ``status`` is ``completed`` or
``failed``), then fetch each batch of pages from its ``download_url`` (a pre-signed link: no key
is sent there) and join the batches' elements in batch order into one answer of the synchronous
shape, which :mod:`.parse` reads.

Nothing is paid twice: an accepted request's id is kept in the run's store of pending
operations (:mod:`unified_ocr.engines.operations`, when the run keeps one: a batch does) until
its result is collected, so a round or run interrupted after the submission polls the same
request instead of submitting anew. Polls and downloads are not billed and not counted as calls;
they wait their turn under the asynchronous API's own rate limit.

The reference does not say whether a batch's elements number their pages from the document's
first page or the batch's: when every element's ``page`` fits within the batch's own length and
the batch starts later than page 1, they are taken as counted from the batch's first page.
"""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import requests

from unified_ocr import Upload
from unified_ocr.engines.http import decode_json
from unified_ocr.engines.operations import pending_operations
from unified_ocr.errors import BadResponseError, ImageFailedError, ProviderError, ServiceError
from unified_ocr.secrets import redact_url

from .errors import VENDOR

if TYPE_CHECKING:
    from .engine import UpstageEngine

_UNFINISHED = frozenset({"submitted", "started", "scheduled", "pending", "running"})


class DeadlineError(ServiceError):
    """An accepted request did not complete within the profile's ``deadline``; it is kept, so the
    next round or run polls it again instead of paying for a new one (retryable)."""


def recognize_async(engine: UpstageEngine, upload: Upload, document: tuple[str, bytes, str]) -> dict[str, Any]:
    """The whole document's answer, in the synchronous Document Parse shape."""
    store = pending_operations()
    key = _key(engine, upload)
    kept = store.get(key) if store is not None else None
    status = None
    if kept is not None and isinstance(kept.get("request_id"), str):
        try:
            status = _poll(engine, kept["request_id"])
        except ProviderError as exc:
            if exc.status != 404:  # gone (results are kept 30 days): submit again
                raise
            store.drop(key)  # type: ignore[union-attr]
    if status is None:
        request_id = _submit(engine, document)
        if store is not None:
            store.put(key, {"request_id": request_id, "submitted": time.time(), "engine": engine.name})
        status = _poll(engine, request_id)
    try:
        if status["status"] != "completed":
            raise ImageFailedError(
                f"Document Parse could not read the document: {str(status.get('failure_message') or 'no reason given')[:300]}",
                vendor=VENDOR, code="failed",
            )  # fmt: skip
        answer = _fetch(engine, status)
    except ProviderError as exc:
        if exc.retryable:  # a download may be tried again: keep the request to collect it later
            raise
        if store is not None:
            store.drop(key)
        raise
    if store is not None:
        store.drop(key)  # collected
    return answer


def _key(engine: UpstageEngine, upload: Upload) -> str:
    """What identifies the request: the bytes and everything of the setup that changes the answer."""
    opts = engine.options
    setup = [redact_url(opts.url or ""), opts.model, opts.ocr, upload.format]
    return "upstage|" + "|".join(setup) + "|" + hashlib.sha256(upload.data).hexdigest()


def _submit(engine: UpstageEngine, document: tuple[str, bytes, str]) -> str:
    url = engine.address() + "/async"
    raw, _ = engine.async_http.post_json(url, headers=engine.headers(), data=engine.form(), files={"document": document})
    request_id = raw.get("request_id") if isinstance(raw, dict) else None
    if not isinstance(request_id, str) or not request_id.strip() or len(request_id) > 200:
        raise BadResponseError('expected the accepted request\'s {"request_id": ...}; got something else', vendor=VENDOR)
    return request_id


def _poll(engine: UpstageEngine, request_id: str) -> dict[str, Any]:
    """GET the request until it ends; its last status body."""
    opts = engine.options
    url = f"{engine.address()}/requests/{quote(request_id, safe='')}"
    deadline = time.monotonic() + opts.deadline
    while True:
        body, _ = engine.async_http.request("GET", url, headers=engine.headers(), read=_status, counted=False)
        if body["status"] not in _UNFINISHED:
            return body
        if time.monotonic() + opts.poll_interval > deadline:
            raise DeadlineError(
                f"the request has not completed within deadline = {opts.deadline:g} s; it is kept, and the next round "
                "or run polls it again instead of submitting anew: run again, or raise the profile's deadline",
                vendor=VENDOR, code="deadline",
            )  # fmt: skip
        time.sleep(opts.poll_interval)


def _status(response: requests.Response) -> dict[str, Any]:
    body = decode_json(response, VENDOR)
    if not isinstance(body, dict) or not isinstance(body.get("status"), str):
        raise BadResponseError("expected the request's status ({\"status\": ...}); got something else", vendor=VENDOR,
                               status=response.status_code)  # fmt: skip
    return body


def _fetch(engine: UpstageEngine, status: dict[str, Any]) -> dict[str, Any]:
    """Every batch's answer, joined in batch order, pages counted from the document's first."""
    batches = status.get("batches")
    if not isinstance(batches, list) or not batches or not all(isinstance(b, dict) for b in batches):
        raise BadResponseError("a completed request without batches to download", vendor=VENDOR)
    elements: list[Any] = []
    billed = 0
    model = None
    for batch in sorted(batches, key=lambda b: b.get("id") if isinstance(b.get("id"), int) else 0):
        link = batch.get("download_url")
        if not isinstance(link, str) or urlsplit(link).scheme not in ("http", "https"):
            raise BadResponseError("a completed batch without an http(s) download_url", vendor=VENDOR)
        answer, _ = engine.async_http.request("GET", link, headers={}, read=lambda r: decode_json(r, VENDOR), counted=False)
        if not isinstance(answer, dict) or not isinstance(answer.get("elements"), list):
            raise BadResponseError("a batch's download is not a Document Parse answer", vendor=VENDOR)
        start, end = _page(batch.get("start_page"), 1), _page(batch.get("end_page"), 0)
        pages: list[int] = [e["page"] for e in answer["elements"] if isinstance(e, dict) and isinstance(e.get("page"), int)]
        shift = start - 1 if start > 1 and end >= start and pages and max(pages) <= end - start + 1 else 0
        elements += [{**e, "page": e["page"] + shift} if shift and isinstance(e, dict) and isinstance(e.get("page"), int) else e
                     for e in answer["elements"]]  # fmt: skip
        usage = answer.get("usage")
        if isinstance(usage, dict) and isinstance(usage.get("pages"), int):
            billed += usage["pages"]
        model = model or answer.get("model")
    total = status.get("total_pages")
    return {"api": "2.0", "model": model, "elements": elements,
            "usage": {"pages": billed or (total if isinstance(total, int) else 0)}}  # fmt: skip


def _page(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default
