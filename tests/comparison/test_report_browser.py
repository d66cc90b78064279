"""report.html in a real browser (headless Chromium): the viewer draws, the console stays
quiet, and nothing is requested from a network (every request would reach a listening proxy)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

import unified_ocr
from unified_ocr.cache import ResultCache

from ..conftest import SAMPLE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium: apt-get install chromium (.ci/run installs it where it can)"),
]


class Proxy:
    """A TCP listener standing in for a proxy: it notes the host each request asked for."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.hosts: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            try:
                conn.settimeout(1.0)
                first = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")  # "CONNECT host:443 HTTP/1.1" or "GET http://host/..."
                target = first.split(" ")[1] if " " in first else first
                self.hosts.add(target.split("://", 1)[-1].split("/", 1)[0])
            except OSError:
                self.hosts.add("?")
            finally:
                conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def browse(page: Path, profile: Path, *extra: str) -> tuple[str, list[str], set[str]]:
    """The DOM after the page's scripts ran, its console messages, and the hosts requests went to
    (the browser's own background requests among them: compare with a blank page's). ``extra``:
    more Chromium switches."""
    proxy = Proxy()
    try:
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--disable-default-apps", f"--user-data-dir={profile}",
             "--enable-logging=stderr", "--v=0", f"--proxy-server={proxy.address}", "--proxy-bypass-list=<-loopback>",
             "--virtual-time-budget=5000", *extra, "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        proxy.close()
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return proc.stdout, console, proxy.hosts


def test_the_check_itself_sees_console_errors_and_requests(tmp_path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text('<html><body><script>nothing();</script><img src="http://example.com/x.png"></body></html>')
    _, console, hosts = browse(bad, tmp_path / "profile")
    assert any("Uncaught ReferenceError" in line for line in console) and "example.com" in hosts


def test_the_report_draws_with_no_console_error_and_no_request(tmp_path) -> None:
    comparison = unified_ocr.compare([SAMPLE], ["rapidocr"], cache=ResultCache(tmp_path / "cache"))
    out = comparison.write(tmp_path / "report")
    blank = tmp_path / "blank.html"
    blank.write_text("<html><body></body></html>")
    _, _, background = browse(blank, tmp_path / "profile-blank")  # what the browser asks for by itself
    dom, console, hosts = browse(out / "report.html", tmp_path / "profile")
    assert console == [] and hosts <= background, hosts - background
    assert 'class="shown"' in dom and "<svg" in dom and dom.count("<polygon") >= 10  # the first image opened and drawn
    assert "UNIFIED MART" in dom  # its text, as the engine read it
