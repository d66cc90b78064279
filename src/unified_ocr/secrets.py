"""Secrets held by reference, so that their values never reach a repr, log, error or file.

A configuration names where a secret lives (``{ env = "CLOVA_OCR_SECRET" }`` or
``{ file = "~/.config/clova.key" }``); the value is read only when a request is built.

A URL can carry credentials too (``https://user:pw@host/ocr?access_token=...``):
:func:`redact_url` is how any URL is written or shown, and :func:`url_secrets` lists what a
message about a request to it must not hold.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import attrs

from .errors import ConfigError


class _Unusable(ConfigError):
    """A secret that cannot be used; the reason names where it lives, never what it is."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"secret unavailable: {reason}")


@attrs.frozen(slots=True, repr=False)
class Secret:
    """A secret's location (an environment variable or a file), or a value given in code.

    ``repr`` and ``str`` show where the secret comes from, never what it is.
    """

    env: str | None = None
    file: str | None = None
    _value: str | None = attrs.field(default=None, alias="value")

    def __attrs_post_init__(self) -> None:
        given = [x for x in (self.env, self.file, self._value) if x is not None]
        if len(given) != 1:
            raise ConfigError("a secret is exactly one of { env = \"NAME\" } or { file = \"PATH\" }")

    @classmethod
    def from_config(cls, value: Any) -> Secret:
        """Read a reference as written in TOML; a plain string is refused on purpose."""
        if isinstance(value, Secret):
            return value
        if isinstance(value, Mapping):
            unknown = set(value) - {"env", "file"}
            if unknown or len(value) != 1:
                raise ConfigError(
                    f"a secret reference has exactly one key, env or file; got {sorted(value)}"
                )
            (kind, where), = value.items()
            if not isinstance(where, str) or not where:
                raise ConfigError(f"a secret's {kind} must be a non-empty string")
            return cls(**{kind: where})
        raise ConfigError(
            'secrets are given by reference, not as text: write { env = "VARIABLE" } or { file = "PATH" }'
        )

    @classmethod
    def of(cls, value: str) -> Secret:
        """Wrap a value a program already holds (from a vault, say); it is never shown."""
        return cls(value=value)

    @property
    def where(self) -> str:
        if self.env is not None:
            return f"environment variable {self.env}"
        if self.file is not None:
            return f"file {self.file}"
        return "a value given in code"

    def missing_reason(self) -> str | None:
        """Why the secret cannot be used now, or ``None`` when it can: unset, missing, empty,
        unreadable, or holding a character no header can carry. Never says the value."""
        try:
            self._read()
        except _Unusable as exc:
            return exc.reason
        return None

    def reveal(self) -> str:
        """The value, for building a request header; never log or store it.

        Surrounding whitespace is dropped, as ``.env`` files and mounted secrets leave a
        trailing newline; a line break or other control character inside is refused.
        """
        return self._read()

    def _read(self) -> str:
        if self._value is not None:
            raw = self._value
        elif self.env is not None:
            if self.env not in os.environ:
                raise _Unusable(f"{self.where} is not set")
            raw = os.environ[self.env]
        else:
            path = Path(str(self.file)).expanduser()
            if not path.is_file():
                raise _Unusable(f"{self.where} does not exist")
            try:
                raw = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise _Unusable(f"{self.where} cannot be read ({type(exc).__name__})") from None
        value = raw.strip()
        if not value:
            raise _Unusable(f"{self.where} is empty")
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise _Unusable(f"{self.where} holds a line break or another control character inside its value; no header can carry it")
        return value

    def to_config(self) -> dict[str, str]:
        """The reference as it would be written in TOML (a value given in code is not written)."""
        if self.env is not None:
            return {"env": self.env}
        if self.file is not None:
            return {"file": self.file}
        return {"value": "***"}

    def __repr__(self) -> str:
        if self.env is not None:
            return f"Secret(env={self.env!r})"
        if self.file is not None:
            return f"Secret(file={self.file!r})"
        return "Secret(value='***')"

    __str__ = __repr__


#: What stands where a secret was.
REDACTED = "***"
#: A URL inside free text (a message, a log line): a scheme, ``://``, and what follows up to a space or quote.
_URL_IN_TEXT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>]+")
#: A path with a query inside free text, as HTTP libraries quote a request (``url: /general?access_token=...``).
_QUERY_IN_TEXT = re.compile(r"(/[^\s'\"<>?]*)\?([^\s'\"<>#]*)")


def redact_url(url: str) -> str:
    """``url`` as it may be written anywhere: scheme, host, port, path and query keys kept;
    the userinfo, every query value (a bare query item whole) and the fragment replaced by ``***``.

    A URL with none of those comes back unchanged, the same string; so does a string that is
    not a URL. One that cannot be parsed keeps only its scheme.

    >>> redact_url("http://user:pw@ocr.example.com:8080/general?access_token=abc&lang=ko")
    'http://***@ocr.example.com:8080/general?access_token=***&lang=***'
    >>> redact_url("https://ocr.example.com/general")
    'https://ocr.example.com/general'
    """
    if "://" not in url:
        return url
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsed for its check: a bad port is an unparseable URL
    except ValueError:
        return f"{url.split('://', 1)[0]}://{REDACTED}"
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not (at or parts.query or parts.fragment):
        return url
    netloc = f"{REDACTED}@{hostport}" if at else hostport
    query = _redact_query(parts.query)
    return (f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")
            + (f"#{REDACTED}" if parts.fragment else ""))  # fmt: skip


def _redact_query(query: str) -> str:
    """``key=***`` for each item; an item with no ``=`` may be a token itself, and goes whole."""
    return "&".join(f"{key}={REDACTED}" if eq else REDACTED if key else key
                    for key, eq, _ in (item.partition("=") for item in re.split("[&;]", query)))  # fmt: skip


def url_secrets(url: str | None) -> list[str]:
    """The parts of ``url`` that :func:`redact_url` hides (user, password, query values, fragment),
    as written and percent-decoded, longest first: what to scrub from a message that may quote
    the request (an HTTP library's ``... with url: /general?access_token=...``)."""
    if not url or "://" not in url:
        return []
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    found: list[str] = []
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at:
        found += [userinfo, *userinfo.split(":", 1)]
    for item in re.split("[&;]", parts.query):
        key, eq, value = item.partition("=")
        found.append(value if eq else key)
    found.append(parts.fragment)
    found += [unquote(v) for v in found]
    return sorted({v for v in found if len(v) >= 2}, key=len, reverse=True)  # one character would garble any message


def redact_urls_in(text: str, *, hidden: list[str] | None = None) -> str:
    """``text`` with every URL in it redacted (:func:`redact_url`), the values of every query quoted
    after a path too, and then each of ``hidden`` (say, :func:`url_secrets` of the URL a request
    went to, and header values) replaced by ``***``."""
    text = _URL_IN_TEXT.sub(lambda m: redact_url(m.group()), text)
    text = _QUERY_IN_TEXT.sub(lambda m: f"{m.group(1)}?{_redact_query(m.group(2))}", text)
    for value in hidden or ():
        text = text.replace(value, REDACTED)
    return text


def redact_urls(value: Any) -> Any:
    """``value`` (an option, or lists, tuples and dicts of them) with every string that is a URL redacted."""
    if isinstance(value, str):
        return redact_url(value)
    if type(value) in (list, tuple):
        return type(value)(redact_urls(v) for v in value)
    if isinstance(value, dict):
        return {k: redact_urls(v) for k, v in value.items()}
    return value


def url_repr(value: Any) -> str:
    """An attrs ``repr`` for an option holding a URL: the redacted URL, so that printing the
    options (a log line, a traceback's locals) never shows its credentials."""
    return repr(redact_url(value) if isinstance(value, str) else value)
