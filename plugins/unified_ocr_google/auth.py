"""OAuth 2 access tokens for Google Cloud Vision, found the way Google's own libraries find them.

Through ``google-auth`` (the ``google`` extra), imported only when OAuth is used: a
``credentials_file`` (a service-account key, or any file ``gcloud`` writes), else the
application default credentials (``$GOOGLE_APPLICATION_CREDENTIALS``, the file
``gcloud auth application-default login`` leaves, the metadata server on Google Cloud). Only
the token comes from the library; requests go through the project's own HTTP client. Failures
are typed: credentials that cannot be found or are refused are an
:class:`~unified_ocr.errors.AuthenticationError`, a token endpoint that cannot be reached a
:class:`~unified_ocr.errors.NetworkError`. No message carries a token or a key.
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
from pathlib import Path
from typing import Any

from unified_ocr.errors import AuthenticationError, EngineUnavailableError, NetworkError

from .errors import VENDOR

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
INSTALL = "pip install 'unified-ocr[google]'"
ADVICE = "set api_key, or credentials_file, or run `gcloud auth application-default login`"


def auth_missing(credentials_file: str | None, *, explicit: bool) -> str | None:
    """Why OAuth cannot be used here (say what to do), or ``None``.

    With ``auth = "auto"`` (``explicit`` false) and no API key, OAuth is taken only when some
    credentials are there to find: a ``credentials_file``, ``$GOOGLE_APPLICATION_CREDENTIALS``,
    or the file ``gcloud auth application-default login`` writes. The metadata server of Google's
    own machines cannot be asked without a network call, so there ``auth = "oauth"`` says to use it.
    """
    if importlib.util.find_spec("google.auth") is None:
        return f"no api_key, and OAuth needs google-auth: {INSTALL} (or set api_key)"
    if credentials_file and not Path(credentials_file).expanduser().is_file():
        return f"credentials_file {credentials_file!r} is not a file"
    if not explicit and not credentials_file and not _adc_file():
        return (
            "missing credentials: api_key (or $GOOGLE_VISION_API_KEY), or OAuth credentials: credentials_file, "
            "$GOOGLE_APPLICATION_CREDENTIALS, or `gcloud auth application-default login` "
            '(on Google Cloud\'s own machines, auth = "oauth" uses the metadata server)'
        )
    return None


def _adc_file() -> Path | None:
    """The application default credentials file Google's libraries would read first, if there is one."""
    named = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if named:
        return Path(named).expanduser()
    if os.environ.get("CLOUDSDK_CONFIG"):
        folder = Path(os.environ["CLOUDSDK_CONFIG"])
    elif os.name == "nt":
        folder = Path(os.environ.get("APPDATA", "")) / "gcloud"
    else:
        folder = Path.home() / ".config" / "gcloud"
    path = folder / "application_default_credentials.json"
    return path if path.is_file() else None


def _said(exc: BaseException) -> str:
    """The library's reason, first line only and short (its later lines may quote a server's body)."""
    first = exc.args[0] if exc.args else exc
    return str(first).splitlines()[0][:200] if str(first) else type(exc).__name__


class Credentials:
    """One engine's OAuth credentials, loaded at the first call and refreshed when stale; thread-safe."""

    def __init__(self, credentials_file: str | None) -> None:
        self.file = str(Path(credentials_file).expanduser()) if credentials_file else None
        self.quota_project: str | None = None
        self._credentials: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        try:
            import google.auth
            import google.auth.exceptions
        except ImportError:
            raise EngineUnavailableError("google", f"OAuth needs google-auth: {INSTALL} (or set api_key)") from None
        try:
            if self.file:
                credentials = _from_file(self.file)
            else:
                credentials, _ = google.auth.default(scopes=SCOPES)
        except (google.auth.exceptions.DefaultCredentialsError, ValueError, KeyError, OSError) as exc:
            where = f"credentials_file {self.file!r}" if self.file else "no application default credentials"
            raise AuthenticationError(f"{where}: {_said(exc)}; {ADVICE}", vendor=VENDOR) from None
        self.quota_project = getattr(credentials, "quota_project_id", None)
        return credentials

    def token(self) -> str:
        """A valid access token, refreshed first if it expired."""
        import google.auth.exceptions
        import google.auth.transport.requests

        with self._lock:
            if self._credentials is None:
                self._credentials = self._load()
            credentials = self._credentials
            if not credentials.valid:
                try:
                    credentials.refresh(google.auth.transport.requests.Request())
                except google.auth.exceptions.RefreshError as exc:
                    raise AuthenticationError(f"the OAuth token was refused: {_said(exc)}; {ADVICE}", vendor=VENDOR) from None
                except google.auth.exceptions.TransportError as exc:
                    raise NetworkError(f"the OAuth token endpoint cannot be reached: {_said(exc)}", vendor=VENDOR) from None
            return str(credentials.token)


def _from_file(path: str) -> Any:
    """Credentials from a key file, by the loader of its own ``type`` (a service account, a user's
    ``gcloud`` login), else Google's generic loader (workload identity federation and the like)."""
    import google.auth
    import google.auth.exceptions

    try:
        with open(path, encoding="utf-8") as f:
            info = json.load(f)
    except (OSError, ValueError) as exc:
        raise google.auth.exceptions.DefaultCredentialsError(f"the file cannot be read as JSON ({type(exc).__name__})") from None
    kind = info.get("type") if isinstance(info, dict) else None
    if kind == "service_account":
        from google.oauth2 import service_account

        return service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
    if kind == "authorized_user":
        from google.oauth2 import credentials

        return credentials.Credentials.from_authorized_user_info(info, scopes=SCOPES)
    credentials, _ = google.auth.load_credentials_from_file(path, scopes=SCOPES)
    return credentials
