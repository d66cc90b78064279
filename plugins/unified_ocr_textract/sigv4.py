"""Checking an AWS Signature Version 4 the way AWS's front door does, for the emulator.

The standard library only (``hmac``, ``hashlib``): the emulator recomputes the signature of each
request from the secret key it knows for the access key the request names, and compares. The steps
are AWS's published ones: the canonical request (method, path, sorted query, the signed headers
lower-cased with runs of spaces folded, the list of signed headers, the body's SHA-256), the string
to sign (algorithm, ``X-Amz-Date``, scope, the canonical request's hash), and the signing key
derived from ``"AWS4" + secret`` through the date, region, service and ``aws4_request``.

:func:`verify` answers ``None`` for a good signature, else the AWS error type and message a real
endpoint gives (``MissingAuthenticationTokenException``, ``IncompleteSignatureException``,
``UnrecognizedClientException``, ``InvalidSignatureException``), never quoting the secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, quote

ALGORITHM = "AWS4-HMAC-SHA256"
#: How far a request's X-Amz-Date may be from the server's clock.
MAX_SKEW = dt.timedelta(minutes=15)

_AUTH = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)

Failure = tuple[str, str]


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(("AWS4" + secret).encode("utf-8"), date)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return key


def canonical_request(method: str, path: str, query: str, headers: Mapping[str, str], signed: list[str], body: bytes) -> str:
    """AWS's canonical form of a request (``headers`` by lower-case name)."""
    uri = quote(path or "/", safe="/~")
    pairs = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in parse_qsl(query, keep_blank_values=True))
    canonical_query = "&".join(f"{k}={v}" for k, v in pairs)
    lines = "".join(f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in signed)
    payload = headers.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
    return "\n".join([method, uri, canonical_query, lines, ";".join(signed), payload])


def signature(secret: str, amz_date: str, scope: str, canonical: str) -> str:
    date, region, service, _ = scope.split("/")
    to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    return hmac.new(signing_key(secret, date, region, service), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    keys: Mapping[str, str],
    *,
    service: str,
    region: str | None = None,
    now: dt.datetime | None = None,
) -> Failure | None:
    """``None`` when the request is signed by one of ``keys`` (access key id -> secret), else why not."""
    lower = {k.lower(): v for k, v in headers.items()}
    auth = lower.get("authorization")
    if not auth:
        return "MissingAuthenticationTokenException", "Missing Authentication Token"
    found = _AUTH.match(auth.strip())
    if not found:
        return (
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.",
        )
    parts = found["credential"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        return (
            "IncompleteSignatureException",
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.",
        )
    access, date, scope_region, scope_service, _ = parts
    if access not in keys:
        return "UnrecognizedClientException", "The security token included in the request is invalid."
    if scope_service != service:
        return "InvalidSignatureException", f"Credential should be scoped to correct service: '{service}'."
    if region is not None and scope_region != region:
        return "InvalidSignatureException", f"Credential should be scoped to a valid region, not '{scope_region}'."
    signed = found["signed"].split(";")
    if "host" not in signed or signed != sorted(signed):
        return "InvalidSignatureException", "The request signature must sign the host header, with SignedHeaders in order."
    amz_date = lower.get("x-amz-date", "")
    try:
        when = dt.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return (
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    if amz_date[:8] != date:
        return (
            "InvalidSignatureException",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.",
        )
    now = now or dt.datetime.now(dt.timezone.utc)
    if abs(now - when) > MAX_SKEW:
        return (
            "InvalidSignatureException",
            f"Signature expired: {amz_date} is now earlier or later than 15 minutes from the server's time.",
        )
    canonical = canonical_request(method, path, query, lower, signed, body)
    expected = signature(keys[access], amz_date, "/".join(parts[1:]), canonical)
    if not hmac.compare_digest(expected, found["signature"]):
        return (
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        )
    token = lower.get("x-amz-security-token")
    if token is not None and "x-amz-security-token" not in signed:
        return "InvalidSignatureException", "The security token must be signed."
    return None
