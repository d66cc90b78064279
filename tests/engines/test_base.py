"""What every engine shares: the fingerprint the result cache keys on."""

from __future__ import annotations

from typing import ClassVar

import attrs

from unified_ocr import Engine, EngineOptions, OcrResult, Secret, Upload
from unified_ocr.engines.base import RUNTIME


@attrs.frozen
class AcmeOptions(EngineOptions):
    model: str = "v1"
    api_key: Secret = attrs.field(factory=lambda: Secret.of("k-123"))
    timeout: float = attrs.field(default=30.0, metadata=RUNTIME)


class AcmeEngine(Engine[AcmeOptions]):
    name: ClassVar[str] = "acme"
    Options = AcmeOptions

    def recognize(self, upload: Upload) -> OcrResult:
        raise NotImplementedError


def test_the_fingerprint_has_the_options_that_change_results_and_no_secret() -> None:
    assert AcmeEngine.fingerprint(AcmeOptions()) == {"engine": "acme", "options": {"model": "v1"}}
    assert AcmeEngine.fingerprint(AcmeOptions(timeout=5)) == AcmeEngine.fingerprint(AcmeOptions())


def test_a_new_revision_changes_the_fingerprint_and_the_first_leaves_it_as_it_was() -> None:
    """A mapping fix must not be answered from results cached before it; caches written
    before revisions existed must still hit for engines that never raised theirs."""

    class Fixed(AcmeEngine):
        revision = 2

    assert AcmeEngine.revision == 1 and "revision" not in AcmeEngine.fingerprint(AcmeOptions())
    assert Fixed.fingerprint(AcmeOptions()) == {"engine": "acme", "revision": 2, "options": {"model": "v1"}}
