"""Fixtures of the evaluation tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.eval.tinyset import make_tiny_set


@pytest.fixture
def tiny_set(tmp_path: Path) -> Path:
    """A one-document set (text format) with its label and manifest, in a fresh folder."""
    return make_tiny_set(tmp_path / "set")
