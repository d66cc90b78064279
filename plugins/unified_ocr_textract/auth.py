"""AWS credentials and request signing for Textract, resolved the way AWS's own tools resolve them.

Through ``botocore`` (the ``textract`` extra), imported only when a request is signed: access keys
given in the profile (as secrets), else botocore's credential chain: the environment
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``), the shared
``~/.aws/credentials`` and ``~/.aws/config`` files with named profiles (``aws_profile``, else
``AWS_PROFILE``), SSO, assumed roles, container and instance roles. Temporary credentials are
refreshed by botocore before they expire. Only the credentials and the SigV4 signature come from
the library; the request goes through the project's own HTTP client.

Failures are typed: no credentials, a profile that does not exist, an SSO login that expired are
:class:`~unified_ocr.errors.AuthenticationError`\\ s saying what to do. No message, repr or log
carries a secret key or a session token.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import threading
from typing import Any

from unified_ocr import Secret
from unified_ocr.errors import AuthenticationError, EngineUnavailableError

from .errors import VENDOR

INSTALL = "pip install 'unified-ocr[textract]'"
SERVICE = "textract"
ADVICE = (
    "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, name a profile of ~/.aws/config (aws_profile, or AWS_PROFILE), "
    "run `aws sso login`, or give access_key_id and secret_access_key in the profile"
)


class _HideTokens(logging.Filter):
    """botocore logs the canonical request at DEBUG, session token included: that line is redacted."""

    _LINE = re.compile(r"(?im)^(x-amz-security-token:).*$")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "x-amz-security-token" in message.lower():
            record.msg, record.args = self._LINE.sub(r"\1***", message), ()
        return True


_hide_tokens = _HideTokens()


def botocore_missing() -> str | None:
    """Why requests cannot be signed here, or ``None``."""
    if importlib.util.find_spec("botocore") is None:
        return f"botocore is needed to sign requests to AWS: {INSTALL}"
    return None


def _said(exc: BaseException) -> str:
    """The library's reason, first line only and short."""
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return text or type(exc).__name__


def _session(aws_profile: str | None) -> Any:
    try:
        import botocore.session
    except ImportError:
        raise EngineUnavailableError(VENDOR, f"botocore is needed to sign requests to AWS: {INSTALL}") from None
    return botocore.session.Session(profile=aws_profile) if aws_profile else botocore.session.Session()


def resolve_region(region: str | None, aws_profile: str | None) -> str | None:
    """The profile's region, else ``AWS_REGION``, ``AWS_DEFAULT_REGION`` or the shared config's (botocore's lookup)."""
    if region:
        return region
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if os.environ.get(name):
            return os.environ[name]
    if botocore_missing() is not None:
        return None
    try:
        found = _session(aws_profile).get_config_variable("region")
    except Exception:  # a broken or missing profile: said when credentials are resolved
        return None
    return str(found) if found else None


class Signer:
    """One engine's credentials, resolved at the first request and refreshed by botocore; thread-safe."""

    def __init__(
        self,
        region: str,
        *,
        aws_profile: str | None = None,
        access_key_id: Secret | None = None,
        secret_access_key: Secret | None = None,
        session_token: Secret | None = None,
    ) -> None:
        self.region = region
        self.aws_profile = aws_profile
        self._given = (access_key_id, secret_access_key, session_token)
        self._credentials: Any = None
        self._lock = threading.Lock()
        signing_log = logging.getLogger("botocore.auth")
        if _hide_tokens not in signing_log.filters:
            signing_log.addFilter(_hide_tokens)

    def __repr__(self) -> str:
        where = (
            "given keys"
            if self._given[0] is not None
            else f"profile {self.aws_profile!r}"
            if self.aws_profile
            else "the default chain"
        )
        return f"Signer(region={self.region!r}, credentials from {where})"

    def _load(self) -> Any:
        access, secret, token = self._given
        if access is not None or secret is not None:
            if access is None or secret is None:
                raise AuthenticationError("access_key_id and secret_access_key go together: give both, or neither", vendor=VENDOR)
            from botocore.credentials import Credentials

            return Credentials(access.reveal(), secret.reveal(), token.reveal() if token is not None else None)
        session = _session(self.aws_profile)
        import botocore.exceptions

        try:
            credentials = session.get_credentials()
        except botocore.exceptions.BotoCoreError as exc:
            raise AuthenticationError(f"AWS credentials cannot be loaded ({_said(exc)}); {ADVICE}", vendor=VENDOR) from None
        if credentials is None:
            raise AuthenticationError(f"no AWS credentials were found; {ADVICE}", vendor=VENDOR)
        return credentials

    def headers(self, url: str, target: str, body: bytes) -> dict[str, str]:
        """The headers of a signed JSON 1.1 request to ``url`` calling ``target`` with ``body``."""
        return self.sign("POST", url, body, {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target})

    def sign(self, method: str, url: str, body: bytes, headers: dict[str, str], *, service: str = SERVICE) -> dict[str, str]:
        """``headers`` with the SigV4 signature of the request added (S3's variant for ``service="s3"``)."""
        import botocore.exceptions
        from botocore.auth import S3SigV4Auth, SigV4Auth
        from botocore.awsrequest import AWSRequest

        with self._lock:
            if self._credentials is None:
                self._credentials = self._load()
            try:
                frozen = self._credentials.get_frozen_credentials()
            except botocore.exceptions.BotoCoreError as exc:  # a role or SSO refresh that failed
                raise AuthenticationError(
                    f"AWS credentials cannot be refreshed ({_said(exc)}); {ADVICE}", vendor=VENDOR
                ) from None
        request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
        auth = S3SigV4Auth if service == "s3" else SigV4Auth
        auth(frozen, service, self.region).add_auth(request)
        return {name: str(value) for name, value in request.headers.items()}
