from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from egov.dossiers import services
from egov.dossiers.tests.factories import FrozenClock, World, at, build_world


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen = FrozenClock(at("2026-03-02", "08:00"))
    monkeypatch.setattr(services.inputs, "now", frozen)
    return frozen


@pytest.fixture
def inprocess_postal(settings: Any) -> None:
    """The postal client and the simulator talk over Django's test Client."""
    settings.APPLICANTS_POSTAL_INPROCESS = True
    settings.EGOV_SIMULATORS = True
    settings.APPLICANTS_POSTAL_API_URL = "http://testserver/ca-nhan/mo-phong/buu-dien/api"
    settings.APPLICANTS_POSTAL_CALLBACK_URL = "http://testserver/api/v1/me/postal/callback"
