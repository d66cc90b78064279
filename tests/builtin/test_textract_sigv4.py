"""The emulator's SigV4 check agrees with AWS's own signer (botocore) and refuses every tampering."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("botocore")

from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from unified_ocr_textract.sigv4 import verify  # noqa: E402

KEYS = {"AKIAEXAMPLE000000001": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
BODY = b'{"Document": {"Bytes": "AAAA"}}'


def signed(url: str = "https://textract.us-east-1.amazonaws.com/", body: bytes = BODY, token: str | None = None,
           secret: str = KEYS["AKIAEXAMPLE000000001"], region: str = "us-east-1", service: str = "textract") -> AWSRequest:  # fmt: skip
    request = AWSRequest(method="POST", url=url, data=body,
                         headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Textract.DetectDocumentText"})  # fmt: skip
    SigV4Auth(Credentials("AKIAEXAMPLE000000001", secret, token), service, region).add_auth(request)
    return request


def check(request: AWSRequest, body: bytes | None = None, region: str | None = None, **changes: str):
    from urllib.parse import urlsplit

    parts = urlsplit(request.url)
    headers = {k: str(v) for k, v in request.headers.items()}
    headers["Host"] = parts.netloc
    headers.update(changes)
    return verify("POST", parts.path or "/", parts.query, headers, BODY if body is None else body, KEYS,
                  service="textract", region=region)  # fmt: skip


def test_botocores_signatures_verify() -> None:
    assert check(signed()) is None
    assert check(signed(region="eu-west-1"), region="eu-west-1") is None
    assert check(signed(token="session-token"), **{}) is None
    assert check(signed(url="http://127.0.0.1:8080/?b=2&a=1%202")) is None


@pytest.mark.parametrize(
    ("request_", "kwargs", "code"),
    [
        (lambda: signed(secret="wrong"), {}, "InvalidSignatureException"),
        (signed, {"body": b'{"Document": {"Bytes": "BBBB"}}'}, "InvalidSignatureException"),
        (signed, {"X-Amz-Target": "Textract.AnalyzeDocument"}, "InvalidSignatureException"),
        (signed, {"region": "ap-northeast-2"}, "InvalidSignatureException"),
        (lambda: signed(service="s3"), {}, "InvalidSignatureException"),
        (signed, {"Authorization": ""}, "MissingAuthenticationTokenException"),
        (signed, {"Authorization": "AWS4-HMAC-SHA256 Credential=x"}, "IncompleteSignatureException"),
        (signed, {"X-Amz-Date": (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ")},
         "InvalidSignatureException"),
    ],
)  # fmt: skip
def test_tampering_is_refused_with_awss_error_types(request_, kwargs, code) -> None:
    failure = check(request_(), **kwargs)
    assert failure is not None and failure[0] == code
    assert KEYS["AKIAEXAMPLE000000001"] not in failure[1]


def test_an_unknown_access_key_is_an_unrecognized_client() -> None:
    request = signed()
    request.headers.replace_header(
        "Authorization", str(request.headers["Authorization"]).replace("AKIAEXAMPLE000000001", "AKIAOTHER")
    )
    assert check(request) == ("UnrecognizedClientException", "The security token included in the request is invalid.")
