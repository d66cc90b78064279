"""Secrets held by reference, so that their values never reach a repr, log, error or file.

A configuration names where a secret lives (``{ env = "CLOVA_OCR_SECRET" }`` or
``{ file = "~/.config/clova.key" }``); the value is read only when a request is built.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from ..errors import ConfigError


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
