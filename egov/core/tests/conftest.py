"""Fixtures of the core tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _audit_checkpoints_in_tmp(settings: Any, tmp_path: Path) -> Path:
    """Audit checkpoints go to a fresh directory per test, never to the checkout's
    var/ (whose checkpoints describe the demo database, not the test one)."""
    directory = tmp_path / "audit-checkpoints"
    settings.EGOV_AUDIT_CHECKPOINT_DIR = str(directory)
    return directory
