"""The availability contract holds for web-service engines too: the base checks come first."""

from __future__ import annotations

import importlib.util
from typing import Any

import attrs
import pytest

import unified_ocr
from unified_ocr import EngineUnavailableError, OcrResult, Secret, Upload
from unified_ocr.engines.http import HttpEngine, HttpOptions, status_error
from unified_ocr.errors import AuthenticationError, InvalidRequestError, RateLimitError, RequestTooLargeError, ServiceError


@attrs.frozen
class AcmeOptions(HttpOptions):
    URL_FIELD = "endpoint"
    KEY_FIELD = "api_key"

    endpoint: str | None = "http://127.0.0.1:9/ocr"
    api_key: Secret | None = Secret.of("k")
    region: str = attrs.field(default="", metadata={"required": True})


class AcmeEngine(HttpEngine[AcmeOptions]):
    """A vendor engine whose SDK is not installed here."""

    name = "acme-http"
    Options = AcmeOptions

    @classmethod
    def missing_dependencies(cls) -> str | None:
        if importlib.util.find_spec("acme_ocr_sdk_not_installed") is None:
            return "acme_ocr_sdk_not_installed not installed; pip install 'unified-ocr-acme[sdk]'"
        return None

    @staticmethod
    def check(response: Any) -> None:
        return None

    def recognize(self, upload: Upload) -> OcrResult:  # pragma: no cover - never reached
        raise AssertionError("an unusable engine was called")


def test_a_missing_package_is_reported_before_the_url_and_credential_checks(tmp_path) -> None:
    reason = AcmeEngine.unavailable_reason(AcmeOptions(region="eu"))
    assert reason is not None and "acme_ocr_sdk_not_installed not installed" in reason
    with pytest.raises(EngineUnavailableError, match="acme_ocr_sdk_not_installed"):
        unified_ocr.recognize(tmp_path / "never-read.png", engine=AcmeOptions(region="eu"), registry=_registry())


def test_required_settings_and_secrets_of_http_options_are_checked(monkeypatch) -> None:
    monkeypatch.setattr(AcmeEngine, "missing_dependencies", classmethod(lambda cls: None))
    assert AcmeEngine.unavailable_reason(AcmeOptions()) == "missing settings: region (set them in a profile of unified-ocr.toml)"
    monkeypatch.delenv("ACME_KEY_FOR_TEST", raising=False)
    reason = AcmeEngine.unavailable_reason(AcmeOptions(region="eu", api_key=Secret(env="ACME_KEY_FOR_TEST")))
    assert reason == "missing credentials: api_key from environment variable ACME_KEY_FOR_TEST is not set"
    assert str(AcmeEngine.unavailable_reason(AcmeOptions(region="eu", endpoint=None))).startswith("missing settings: endpoint")
    assert AcmeEngine.unavailable_reason(AcmeOptions(region="eu")) is None


@pytest.mark.parametrize(
    ("status", "kind", "advice"),
    [(401, AuthenticationError, "check the profile's api_key"), (403, AuthenticationError, "check the profile's api_key"),
     (413, RequestTooLargeError, "over Acme's limit"), (429, RateLimitError, "too many calls"),
     (502, ServiceError, "Acme failed on its side"), (418, InvalidRequestError, "refused")],
)  # fmt: skip
def test_a_status_the_vendor_says_nothing_more_about(status, kind, advice) -> None:
    got, text = status_error(status, vendor="Acme", credential="api_key")
    assert got is kind and advice in text


def _registry():  # type: ignore[no-untyped-def]
    from unified_ocr.engines.registry import Registry

    class Plugin:
        @unified_ocr.hookimpl
        def register_engines(self) -> list[type]:
            return [AcmeEngine]

    return Registry([Plugin()], entry_points=False)
