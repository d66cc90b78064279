"""Microsoft Entra ID tokens for the ``azure`` engine, through ``azure-identity`` (the ``azure`` extra).

Only the credential library is used, never the service SDK: ``DefaultAzureCredential`` finds
a token the way Azure's own tools do (environment variables of a service principal, a
managed identity, ``az login``), and the engine sends it as ``Authorization: Bearer`` through
the project's own HTTP client. A token is reused until five minutes before it expires.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from typing import Any

from unified_ocr.errors import AuthenticationError

from .values import VENDOR

#: The scope a token for any Azure AI services resource is asked for.
SCOPE = "https://cognitiveservices.azure.com/.default"
INSTALL = "pip install unified-ocr[azure]"
_EARLY = 300.0  # seconds before expiry a token is renewed


def missing_identity() -> str | None:
    """Why tokens cannot be had here, or ``None``."""
    if importlib.util.find_spec("azure.identity") is None:
        return f'auth = "entra" needs the azure-identity package: {INSTALL} (or set auth = "key" and a key)'
    return None


class EntraToken:
    """A bearer token for the resource, fetched lazily and renewed before it expires; thread-safe."""

    def __init__(self) -> None:
        self._credential: Any = None
        self._token: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "EntraToken(<hidden>)"

    def header(self) -> str:
        with self._lock:
            if self._token is None or time.time() > self._expires - _EARLY:
                self._token, self._expires = self._fetch()
            return f"Bearer {self._token}"

    def _fetch(self) -> tuple[str, float]:
        reason = missing_identity()
        if reason:
            raise AuthenticationError(reason, vendor=VENDOR)
        from azure.core.exceptions import ClientAuthenticationError
        from azure.identity import DefaultAzureCredential

        if self._credential is None:
            self._credential = DefaultAzureCredential()
        try:
            token = self._credential.get_token(SCOPE)
        except ClientAuthenticationError as exc:  # its text lists the sources tried, never a secret
            first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
            raise AuthenticationError(
                f"no Microsoft Entra ID token could be had ({first}): sign in with 'az login', set a service "
                'principal\'s AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET, or use auth = "key"',
                vendor=VENDOR,
            ) from None
        return token.token, float(token.expires_on)

    def close(self) -> None:
        if self._credential is not None and hasattr(self._credential, "close"):
            self._credential.close()
