"""Fixtures the built-in engines' tests share."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def isolated_aws(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """No AWS settings of this machine's reach the engine or the client: no variables, empty
    shared config and credentials files, no instance metadata lookup."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
