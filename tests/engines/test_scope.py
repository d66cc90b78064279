"""The engine scope a caller gives is the one used, whatever it holds yet."""

from __future__ import annotations

import unified_ocr
from unified_ocr.engines.scope import EngineScope

from ..conftest import SAMPLE


def test_a_new_empty_scope_given_is_the_one_used() -> None:
    """An ``EngineScope`` with no engine yet has length 0; taken as false, it had the call use the
    process-wide scope instead, so the caller's scope stayed empty and its engines unclosed."""
    with EngineScope() as scope:
        unified_ocr.recognize(SAMPLE, engine="rapidocr", cache=False, scope=scope)
        assert len(scope) == 1
