"""AWS Textract: ``DetectDocumentText`` or ``AnalyzeDocument`` over AWS's JSON 1.1 protocol, SigV4-signed.

One request is ``POST /`` to the regional endpoint with ``X-Amz-Target: Textract.<Operation>``,
``Content-Type: application/x-amz-json-1.1`` and ``{"Document": {"Bytes": BASE64}}`` (plus
``FeatureTypes`` for AnalyzeDocument), signed with credentials resolved as AWS's own tools
resolve them (:mod:`.auth`). The synchronous API reads one page: a PDF of several pages reaches
the engine as single-page PDFs (the core splits it, as the limits ask), each answered in the
frame of its page rendered at the run's DPI.

Textract reads printed and handwritten Latin text only (English, German, French, Spanish,
Italian, Portuguese): a profile whose ``lang`` needs Hangul gets the core's script warning.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from typing import Any, Literal

import attrs
import requests

from unified_ocr import Limits, OcrResult, Secret, Upload
from unified_ocr.engines.base import RUNTIME
from unified_ocr.engines.calls import note_billed
from unified_ocr.engines.http import HttpClient, HttpEngine, HttpOptions, http_address, retry_after
from unified_ocr.errors import EngineUnavailableError, RequestTooLargeError
from unified_ocr.imaging.prepare import fit_pixels
from unified_ocr.secrets import url_repr

from . import jobs
from .auth import Signer, botocore_missing, resolve_region
from .errors import VENDOR, provider_error, type_name
from .jobs import s3_check
from .parse import LineMode, parse

URL_ENV = "AWS_ENDPOINT_URL_TEXTRACT"  # botocore's own service-specific endpoint variable
MB = 1024 * 1024
MAX_BYTES = 10 * MB  # synchronous operations, the document's bytes
MAX_SIDE = 10_000
FORMATS = frozenset({"jpeg", "png", "pdf", "tiff"})
TARGET = "Textract.{}"
CONTENT_TYPE = "application/x-amz-json-1.1"

Feature = Literal["TABLES", "FORMS", "LAYOUT", "SIGNATURES"]




def _features(_instance: Any, attribute: attrs.Attribute, value: tuple[str, ...]) -> None:
    allowed = ("TABLES", "FORMS", "LAYOUT", "SIGNATURES")
    wrong = [v for v in value if v not in allowed]
    if wrong:
        raise ValueError(f"'{attribute.name}' takes {', '.join(allowed)}; got {', '.join(map(repr, wrong))}")

_ADDRESS = http_address("https://textract.us-east-1.amazonaws.com", "the AWS credentials")


@attrs.frozen(slots=True)
class TextractOptions(HttpOptions):
    """Settings of a ``backend = "textract"`` profile (timeouts, retries and rate limit: see HttpOptions).

    With no keys given, credentials come from AWS's usual chain (environment, shared files,
    SSO, roles); the region from ``region``, else ``AWS_REGION``/``AWS_DEFAULT_REGION`` or the
    shared config.
    """

    URL_FIELD = "endpoint"
    URL_ENV = URL_ENV
    KEY_FIELD = "secret_access_key"
    KEY_ENV = "AWS_SECRET_ACCESS_KEY"

    region: str | None = None
    endpoint: str | None = attrs.field(
        default=None, validator=_ADDRESS, repr=url_repr
    )  # else $AWS_ENDPOINT_URL_TEXTRACT, $AWS_ENDPOINT_URL, AWS's
    aws_profile: str | None = attrs.field(default=None, metadata=RUNTIME)  # a profile of ~/.aws/config; else $AWS_PROFILE
    access_key_id: Secret | None = attrs.field(default=None, metadata=RUNTIME)  # else the credential chain
    secret_access_key: Secret | None = attrs.field(default=None, metadata=RUNTIME)
    session_token: Secret | None = attrs.field(default=None, metadata=RUNTIME)
    features: tuple[Feature, ...] = attrs.field(
        default=(), validator=_features
    )  # empty: DetectDocumentText; else AnalyzeDocument
    lines: LineMode = "visual"  # visual: the page's visual lines (as every engine); vendor: Textract's own lines
    s3_bucket: str | None = None  # set: PDFs and TIFFs of several pages go through S3 and the asynchronous API
    s3_prefix: str = "unified-ocr/"  # where in the bucket documents are put (and deleted from after the job)
    s3_endpoint: str | None = attrs.field(
        default=None, validator=_ADDRESS, repr=url_repr, metadata=RUNTIME
    )  # else $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, AWS's
    poll_interval: float = attrs.field(
        default=2.0, metadata=RUNTIME, validator=attrs.validators.gt(0)
    )  # seconds between polls of a job
    job_timeout: float = attrs.field(
        default=900.0, metadata=RUNTIME, validator=attrs.validators.gt(0)
    )  # seconds to wait for a job; a rerun collects it later
    max_side: int = attrs.field(default=MAX_SIDE, validator=[attrs.validators.ge(1), attrs.validators.le(MAX_SIDE)])

    def __attrs_post_init__(self) -> None:
        HttpOptions.__attrs_post_init__(self)
        for name in ("access_key_id", "session_token"):
            given = getattr(self, name)
            if given is not None and not isinstance(given, Secret):
                raise TypeError(f"TextractOptions.{name} takes a Secret, not {type(given).__name__}")

    @property
    def s3_url(self) -> str | None:
        """A given S3 endpoint (addressed path style), else ``None`` for AWS's virtual-hosted addresses."""
        return self.s3_endpoint or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None

    @property
    def operation(self) -> str:
        return "AnalyzeDocument" if self.features else "DetectDocumentText"

    @property
    def resolved_region(self) -> str | None:
        return resolve_region(self.region, self.aws_profile)

    @property
    def url(self) -> str | None:
        given = self.endpoint or os.environ.get(URL_ENV) or os.environ.get("AWS_ENDPOINT_URL")
        if given:
            return given
        region = self.resolved_region
        return f"https://textract.{region}.amazonaws.com" if region else None


def check(response: requests.Response) -> None:
    """Raise Textract's error (``__type``/``x-amzn-ErrorType``) as a typed error; let a good answer pass."""
    status = response.status_code
    if status < 300:
        return
    kind = type_name(response.headers.get("x-amzn-ErrorType"))
    message = ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        kind = type_name(body.get("__type")) or kind
        said = body.get("message", body.get("Message"))
        message = said if isinstance(said, str) else ""
    if not message and body is None:
        message = response.reason or ""
    raise provider_error(kind, message, status=status, retry_after=retry_after(response))


class TextractEngine(HttpEngine[TextractOptions]):
    name = "textract"
    Options = TextractOptions
    description = "AWS Textract DetectDocumentText / AnalyzeDocument (SigV4); Latin script only, no Hangul"
    scripts = frozenset({"Latn"})  # English, German, French, Spanish, Italian, Portuguese

    check = staticmethod(check)

    def __init__(self, options: TextractOptions | None = None) -> None:
        super().__init__(options)
        self._signer: Signer | None = None
        self._signer_lock = threading.Lock()
        opts = self.options
        # S3's answers are XML: a client of their own, under the same retry policy and the same rate limit
        self.s3 = HttpClient(VENDOR, policy=self.http.policy, timeout=opts.timeout, connect_timeout=opts.connect_timeout,
                             check=s3_check)  # fmt: skip
        self.s3.limiter = self.http.limiter

    @classmethod
    def missing_dependencies(cls) -> str | None:
        return botocore_missing()

    @classmethod
    def unavailable_reason(cls, options: Any = None) -> str | None:
        """The base checks, then a region (or endpoint) and keys that go together.

        The credential chain itself is only followed at the first call: it may ask an instance's
        metadata service or an SSO portal, which is not for a settings check to do.
        """
        opts = options if isinstance(options, TextractOptions) else TextractOptions()
        reason = super(HttpEngine, cls).unavailable_reason(opts)
        if reason:
            return reason
        if (opts.access_key_id is None) != (opts.secret_access_key is None):
            return "access_key_id and secret_access_key go together: give both in the profile, or neither"
        for name in ("access_key_id", "secret_access_key", "session_token"):
            secret = getattr(opts, name)
            missing = secret.missing_reason() if secret is not None else None
            if missing:
                return f"missing credentials: {name} from {missing}"
        if opts.resolved_region is None:
            return "missing settings: region (in the profile, or $AWS_REGION / $AWS_DEFAULT_REGION, or the shared AWS config)"
        return None

    @property
    def limits(self) -> Limits:
        """10 MB, 10,000 px a side, JPEG/PNG/TIFF/PDF, one page a request (the synchronous API's);
        with an ``s3_bucket``, PDFs and TIFFs of up to 3,000 pages and 500 MB in one job."""
        if self.options.s3_bucket:
            return Limits(max_side=self.options.max_side, max_bytes=jobs.MAX_BYTES, formats=FORMATS, max_pages=jobs.MAX_PAGES)
        return self.sync_limits

    @property
    def sync_limits(self) -> Limits:
        return Limits(max_side=self.options.max_side, max_bytes=MAX_BYTES, formats=FORMATS, max_pages=1, honours_exif=False)

    @classmethod
    def parse(cls, raw: Any) -> OcrResult:
        """A saved answer, with no image: pages are 1 by 1 and points stay normalised."""
        return parse(raw)

    def signer(self) -> Signer:
        """The engine's one signer (its credentials resolved once, whichever thread asks first)."""
        with self._signer_lock:
            if self._signer is None:
                opts = self.options
                region = opts.resolved_region
                if region is None:
                    raise EngineUnavailableError(self.name, "no AWS region: set region in the profile, or $AWS_REGION")
                self._signer = Signer(region, aws_profile=opts.aws_profile, access_key_id=opts.access_key_id,
                                      secret_access_key=opts.secret_access_key, session_token=opts.session_token)  # fmt: skip
            return self._signer

    def body(self, upload: Upload) -> dict[str, Any]:
        body: dict[str, Any] = {"Document": {"Bytes": base64.b64encode(upload.data).decode("ascii")}}
        if self.options.features:
            body["FeatureTypes"] = list(self.options.features)
        return body

    def close(self) -> None:
        super().close()
        self.s3.close()

    def job_runner(self) -> jobs.Jobs:
        opts = self.options
        assert opts.s3_bucket and opts.url
        return jobs.Jobs(self.http, self.s3, self.signer(), url=opts.url.rstrip("/") + "/", bucket=opts.s3_bucket,
                         prefix=opts.s3_prefix, s3_url=opts.s3_url, poll_interval=opts.poll_interval,
                         deadline=opts.job_timeout)  # fmt: skip

    def recognize(self, upload: Upload) -> OcrResult:
        document = upload.format in ("pdf", "tiff") and (len(upload.pages) > 1 or len(upload.data) > MAX_BYTES)
        if self.options.s3_bucket and document:
            answers = self.job_runner().run(upload, self.options.features)
            result = self.read_answer(answers, upload)
            note_billed(len(result.pages))
            return result
        if self.options.s3_bucket and len(upload.data) > MAX_BYTES and len(upload.pages) == 1:
            # an image the bucket's 500 MB let through whole, over the synchronous 10 MB: fitted here, mapped back
            small = fit_pixels(upload.decode(), self.sync_limits, upload.source, lossy=upload.format == "jpeg")
            return self.recognize(small).mapped(small.transform)
        if len(upload.data) > MAX_BYTES:  # the core keeps uploads under the limit; a caller building its own may not
            raise RequestTooLargeError(f"{upload.source}: {len(upload.data) / MB:.1f} MB is over Textract's 10 MB", vendor=VENDOR)
        width, height = upload.size
        if max(width, height) > MAX_SIDE:
            raise RequestTooLargeError(f"{upload.source}: {width}x{height} px is over Textract's {MAX_SIDE:,} px a side",
                                       vendor=VENDOR)  # fmt: skip
        url = self.options.url
        assert url is not None  # unavailable_reason made sure of a region or an endpoint
        url = url.rstrip("/") + "/"
        data = json.dumps(self.body(upload)).encode("ascii")
        headers = self.signer().headers(url, TARGET.format(self.options.operation), data)
        raw, _ = self.http.post_json(url, headers=headers, data=data)
        result = self.read_answer(raw, upload)
        note_billed(len(result.pages))
        return result

    def read_answer(self, raw: Any, upload: Upload) -> OcrResult:
        """Textract's points are fractions of the page: read in the upload's page sizes (a job's
        answer, a list of its result pages, in each page's; one answer in the upload's)."""
        if isinstance(raw, list):
            return parse(raw, [page.size for page in upload.pages], lines=self.options.lines)
        return parse(raw, upload.size, lines=self.options.lines)
