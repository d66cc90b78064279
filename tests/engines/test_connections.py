"""The sessions HTTP engines call through: answers acknowledged at once, the environment read once."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests
from urllib3.connection import HTTPConnection

from unified_ocr.engines.connections import QUICKACK, acknowledge_at_once, new_session
from unified_ocr.engines.http import HttpClient
from unified_ocr.engines.retry import RetryPolicy

from ..plain_server import PlainServer, serving


@pytest.fixture
def plain_server() -> Iterator[PlainServer]:
    """Answers as Python's http.server does by default: the head and the body in two sends, Nagle on."""
    with serving(PlainServer()) as server:
        yield server


@pytest.mark.skipif(QUICKACK is None, reason="TCP_QUICKACK is Linux's")
def test_a_connected_socket_is_asked_to_acknowledge_at_once(plain_server: PlainServer) -> None:
    with socket.create_connection(("127.0.0.1", plain_server.server_address[1])) as sock:
        assert QUICKACK is not None
        sock.setsockopt(socket.IPPROTO_TCP, QUICKACK, 0)  # as a kept-alive connection turns after a few exchanges
        assert sock.getsockopt(socket.IPPROTO_TCP, QUICKACK) == 0
        acknowledge_at_once(sock)
        assert sock.getsockopt(socket.IPPROTO_TCP, QUICKACK) == 1


def test_a_socket_that_cannot_is_left_alone() -> None:
    acknowledge_at_once(None)
    acknowledge_at_once(object())  # a tunnel's socket without setsockopt: no error
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        acknowledge_at_once(sock)  # not TCP: the option is refused, and that is no error


def test_an_engine_s_calls_keep_one_connection_through_the_quick_acknowledging_pool(plain_server: PlainServer) -> None:
    url = f"http://127.0.0.1:{plain_server.server_address[1]}/general"
    client = HttpClient("plain", policy=RetryPolicy(retries=0), timeout=10, connect_timeout=10, check=lambda response: None)
    try:
        answers = [client.post_json(url, headers={}, data={"message": "{}"}, files={"file": ("a.png", b"x" * 100)})[0]
                   for _ in range(5)]  # fmt: skip
        pool = client.session.get_adapter(url).poolmanager.connection_from_url(url)  # type: ignore[attr-defined]
        assert pool.ConnectionCls.getresponse is not HTTPConnection.getresponse  # ours, which asks for the quick ACK
    finally:
        client.close()
    assert answers == [{"ok": True}] * 5
    assert plain_server.connections == 1  # kept alive: the quick acknowledgement is what keeps it fast


def test_the_environment_is_read_as_requests_reads_it_but_once_per_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/bundle.pem")
    ours, theirs = new_session(), requests.Session()
    urls = ["https://ocr.example/general", "https://internal.example/ocr", "http://127.0.0.1:8080/general"]
    for url in urls:
        for proxies in ({}, {"no_proxy": "ocr.example"}):
            for verify in (None, False):
                expected = theirs.merge_environment_settings(url, dict(proxies), None, verify, None)
                assert ours.merge_environment_settings(url, dict(proxies), None, verify, None) == expected

    def proxy(session: requests.Session) -> str | None:
        return session.merge_environment_settings(urls[0], {}, None, None, None)["proxies"].get("https")

    assert proxy(ours) == "http://proxy.example:3128"
    monkeypatch.setenv("HTTPS_PROXY", "http://other.example:3128")  # read once: the session keeps what it found
    assert proxy(ours) == "http://proxy.example:3128" and proxy(new_session()) == "http://other.example:3128"
    ours.trust_env = False  # as requests: nothing from the environment
    assert proxy(ours) is None
