"""A URL is written with its credentials redacted: userinfo, query values and fragment become ``***``;
scheme, host, port, path and query keys stay. Engine fingerprints (what reports write of the options)
and request failures hold no credential of the URL, and a URL without any is left as it is."""

from __future__ import annotations

import pytest

from unified_ocr.api import _cache_key
from unified_ocr.config.choice import choose_engine
from unified_ocr.engines.http import HttpClient
from unified_ocr.engines.retry import RetryPolicy
from unified_ocr.errors import NetworkError
from unified_ocr.imaging.sources import open_source
from unified_ocr.secrets import redact_url, redact_urls, redact_urls_in, url_secrets
from unified_ocr_clova import ClovaEngine, ClovaOptions
from unified_ocr_kakao import KakaoOptions

from ..conftest import SAMPLE

SECRET_URL = "http://user:pw-9x@ocr.example.com:8443/custom/v1/general?access_token=tok-abc123&lang=ko#frag-key"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (SECRET_URL, "http://***@ocr.example.com:8443/custom/v1/general?access_token=***&lang=***#***"),
        ("http://user:pw@host/general?access_token=t0k", "http://***@host/general?access_token=***"),
        ("https://token-only@host/x", "https://***@host/x"),
        ("https://host/x?bare-token-value", "https://host/x?***"),
        ("https://host/x?a=1;b=2", "https://host/x?a=***&b=***"),
        ("http://user:pw@127.0.0.1:99999/x?t=1", "http://***"),  # cannot be parsed: only the scheme is kept
        ("https://ocr.example.com/custom/v1/general", "https://ocr.example.com/custom/v1/general"),
        ("not a url at all", "not a url at all"),
    ],
)
def test_a_url_keeps_where_it_goes_and_loses_its_credentials(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_a_url_with_no_credential_is_the_same_string() -> None:
    clean = "https://abc.apigw.ntruss.com/custom/v1/123/def/general"
    assert redact_url(clean) is clean


def test_the_secrets_of_a_url_and_text_that_quotes_them() -> None:
    hidden = url_secrets("http://user:p%40ss@h/x?access_token=tok-1&v=1")
    assert {"user", "p%40ss", "p@ss", "tok-1"} <= set(hidden) and "1" not in hidden  # one character is never scrubbed
    said = "Max retries exceeded with url: /x?access_token=tok-1 (Caused by Error('http://user:p%40ss@h/x?v=1'))"
    text = redact_urls_in(said, hidden=hidden)
    assert "tok-1" not in text and "p%40ss" not in text and "user" not in text
    assert "url: /x?access_token=***" in text and "'http://***@h/x?v=***'" in text
    assert redact_urls({"a": [SECRET_URL, 3], "b": (SECRET_URL,)}) == {"a": [redact_url(SECRET_URL), 3], "b": (redact_url(SECRET_URL),)}


def test_the_fingerprint_holds_no_credential_and_keeps_clean_urls_as_they_were() -> None:
    options = ClovaEngine.fingerprint(ClovaOptions(invoke_url=SECRET_URL))["options"]
    assert options["invoke_url"] == redact_url(SECRET_URL)
    clean = "https://ocr.example.com/custom/v1/general"
    assert ClovaEngine.fingerprint(ClovaOptions(invoke_url=clean))["options"]["invoke_url"] == clean  # earlier caches still hit
    source = open_source(SAMPLE)
    rotated = SECRET_URL.replace("tok-abc123", "tok-rotated")
    keys = {_cache_key(source, choose_engine(ClovaOptions(invoke_url=u)), 200) for u in (SECRET_URL, rotated)}
    assert len(keys) == 1  # like a new key in the header, a new token in the URL still finds earlier results


def test_options_and_their_errors_show_urls_redacted() -> None:
    for opts in (ClovaOptions(invoke_url=SECRET_URL), KakaoOptions(endpoint=SECRET_URL)):
        assert "pw-9x" not in repr(opts) and "tok-abc123" not in repr(opts) and "frag-key" not in repr(opts)
    for bad in ("ftp://user:pw-9x@host/x?access_token=tok-abc123", "user:pw-9x@host/x"):
        for make in (lambda u: ClovaOptions(invoke_url=u), lambda u: KakaoOptions(endpoint=u)):
            with pytest.raises(ValueError) as caught:
                make(bad)
            assert "pw-9x" not in str(caught.value) and "tok-abc123" not in str(caught.value)


def test_a_request_that_fails_says_so_without_the_urls_credentials() -> None:
    client = HttpClient("acme", policy=RetryPolicy(retries=0, backoff=0.01, max_backoff=0.01), timeout=2, connect_timeout=2,
                        check=lambda response: None)  # fmt: skip
    for url in ("http://user:pw-9x@127.0.0.1:99999/x?access_token=tok-abc123", "http://user:pw-9x@127.0.0.1:9/x?access_token=tok-abc123"):
        with pytest.raises(NetworkError) as caught:
            client.post_json(url, headers={"x-api-key": "header-value"}, json={})
        assert "pw-9x" not in str(caught.value) and "tok-abc123" not in str(caught.value)
