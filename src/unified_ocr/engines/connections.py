"""HTTP sessions for many calls to one service: answers acknowledged at once, the environment read once.

A server that writes an answer's head and body in two sends without ``TCP_NODELAY``
(Python's ``http.server`` and the many small services built on it, some WSGI servers)
holds the body back under Nagle's algorithm until the head is acknowledged. On a
connection kept alive for the next request the client's kernel has learnt that the
exchange is interactive and delays that acknowledgement (by 40 ms on Linux), so every call
took 40 ms longer than the server needed: 0.2 s calls ran at 0.83 of the rate the latency
allows. Asking for a quick acknowledgement (``TCP_QUICKACK``) after each request is sent,
before its answer is read, takes one system call and removes the wait; a fresh connection
acknowledges quickly anyway, and on a system without the option nothing changes.

``requests`` also reads the environment (``HTTPS_PROXY``, ``NO_PROXY``, ``REQUESTS_CA_BUNDLE``)
again for every request: two walks over every variable, about 0.3 ms of the interpreter's
time a call, which a batch of 16 calls in flight pays on its one interpreter lock. A session
here reads it once per service address and keeps what it found, so the proxies and
certificate bundle are those of the environment when the session first called that address.
"""

from __future__ import annotations

import os
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.sessions import merge_setting
from requests.utils import get_environ_proxies
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.response import HTTPResponse

#: The socket option, where the system has it (Linux); ``None`` elsewhere.
QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)


def acknowledge_at_once(sock: Any) -> None:
    """Ask the kernel to acknowledge what arrives next on ``sock`` without delay (and send an
    acknowledgement it is holding). A socket that cannot (a TLS-in-TLS tunnel, another system) is left as it is."""
    if QUICKACK is None or sock is None:
        return
    try:
        sock.setsockopt(socket.IPPROTO_TCP, QUICKACK, 1)
    except (OSError, AttributeError):
        pass


class _QuickAckConnection(HTTPConnection):
    def getresponse(self) -> HTTPResponse:  # type: ignore[override]
        acknowledge_at_once(self.sock)
        return super().getresponse()


class _QuickAckHTTPSConnection(HTTPSConnection):
    def getresponse(self) -> HTTPResponse:  # type: ignore[override]
        acknowledge_at_once(self.sock)
        return super().getresponse()


class _QuickAckPool(HTTPConnectionPool):
    ConnectionCls = _QuickAckConnection


class _QuickAckHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _QuickAckHTTPSConnection


class QuickAckAdapter(HTTPAdapter):
    """``requests``' adapter, with pools whose connections acknowledge answers at once."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _QuickAckPool, "https": _QuickAckHTTPSPool}


#: Service addresses whose environment settings a session keeps (a run calls one or two).
KEPT_ADDRESSES = 32


class ServiceSession(requests.Session):
    """A session that reads the environment's proxies and certificate bundle once per address."""

    def __init__(self) -> None:
        super().__init__()
        self._environment: dict[tuple[str, str, str | None], tuple[dict[str, str], str | None]] = {}

    def merge_environment_settings(self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any) -> dict[str, Any]:
        """What ``requests`` merges, with the environment's part read once per (scheme, host, no_proxy)."""
        if not self.trust_env:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        no_proxy = proxies.get("no_proxy") if proxies is not None else None
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, no_proxy)
        found = self._environment.get(key)
        if found is None:
            if len(self._environment) >= KEPT_ADDRESSES:
                self._environment.clear()
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            found = self._environment[key] = (get_environ_proxies(url, no_proxy=no_proxy), bundle)
        env_proxies, bundle = found
        if proxies is not None:
            for scheme, address in env_proxies.items():
                proxies.setdefault(scheme, address)
        if verify is True or verify is None:
            verify = bundle or verify
        return {"proxies": merge_setting(proxies, self.proxies), "stream": merge_setting(stream, self.stream),
                "verify": merge_setting(verify, self.verify), "cert": merge_setting(cert, self.cert)}  # fmt: skip


def new_session() -> requests.Session:
    """A session for one service: direct connections acknowledge answers at once (through a
    proxy, the proxy's connection is ``requests``' own), the environment is read once per address."""
    session = ServiceSession()
    adapter = QuickAckAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
