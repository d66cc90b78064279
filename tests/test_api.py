"""Reading saved results: what is not one is a typed error naming the file."""

from __future__ import annotations

import pytest

from unified_ocr import InvalidResultError, load_result


def test_a_missing_or_malformed_result_file_is_a_typed_error(tmp_path) -> None:
    with pytest.raises(InvalidResultError, match="missing.json: cannot be read"):
        load_result(tmp_path / "missing.json")
    for name, text in (("cut.json", '{"schema": "unified-ocr/result", "ver'), ("other.json", '{"schema": "something else"}'),
                       ("shape.json", '{"schema": "unified-ocr/result", "version": 2, "engine": "x", "pages": [{"index": 0}]}')):  # fmt: skip
        (tmp_path / name).write_text(text)
        with pytest.raises(InvalidResultError, match=f"{name}: not a unified-ocr result"):
            load_result(tmp_path / name)
