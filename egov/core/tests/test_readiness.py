"""Liveness, readiness and the JSON log lines (issue 16, observability)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client

from egov.core import readiness, request_context
from egov.core.logs import JsonFormatter


def test_liveness_asks_nothing_of_the_database(client: Client) -> None:
    # No django_db mark: a query would fail the test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_when_database_cache_and_files_work(
    client: Client, settings: Any, tmp_path: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ready", "checked": ["database", "cache", "file_store"]}
    assert not any(tmp_path.rglob("*.txt"))  # the probe file is removed


@pytest.mark.django_db
def test_not_ready_names_the_failed_checks_only(
    client: Client, settings: Any, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocked)},
        },
    }
    with caplog.at_level(logging.WARNING, logger="egov.core.readiness"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "failed": ["file_store"]}
    assert "file store not writable" in caplog.text
    assert str(blocked) not in response.content.decode()


@pytest.mark.django_db
def test_a_pending_migration_is_not_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    assert readiness.database() is False


def test_json_log_lines_carry_the_request_id() -> None:
    record = logging.LogRecord("egov.test", logging.WARNING, __file__, 1, "hồ sơ %s", ("X",), None)
    token = request_context.bind(request_context.RequestContext(request_id="abc123"))
    try:
        line = JsonFormatter().format(record)
    finally:
        request_context.reset(token)
    entry = json.loads(line)
    assert entry["message"] == "hồ sơ X" and entry["level"] == "WARNING"
    assert entry["request_id"] == "abc123" and entry["logger"] == "egov.test"
    assert "hồ sơ" in line  # readable, not \\u-escaped
