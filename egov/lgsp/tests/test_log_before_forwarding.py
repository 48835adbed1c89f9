"""A call that may act at the provider is logged before it is forwarded: a log that
cannot be written stops it before anything happened, and a log that fails after the
provider acted never answers 503 (which would invite a retry that acts twice)."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from egov.lgsp import messagelog, monitoring, providers
from egov.lgsp.models import MessageLogEntry, Service
from egov.lgsp.tests.conftest import PROVINCE, Caller

pytestmark = pytest.mark.django_db


@pytest.fixture
def acts(platform_services: dict[str, Service]) -> list[providers.ProviderCall]:
    """CATEGORY-UNITS turned into a provider that acts on POST and records each act."""
    done: list[providers.ProviderCall] = []

    def act(call: providers.ProviderCall) -> providers.ProviderAnswer:
        done.append(call)
        return providers.ProviderAnswer.of_json({"receipt": len(done)}, status=201)

    providers.register("test.act", act)
    service = platform_services["CATEGORY-UNITS"]
    service.methods = "GET,POST"
    service.save()
    service.provider.target = "test.act"
    service.provider.save()
    return done


def _failing_log(monkeypatch: pytest.MonkeyPatch, *phases: str) -> None:
    real = messagelog.append

    def append(message: messagelog.Message) -> Any:
        if message.phase in phases:
            raise RuntimeError("log database is down")
        return real(message)

    monkeypatch.setattr(messagelog, "append", append)


def _post(caller: Caller) -> Any:
    return caller.call("POST", f"{PROVINCE}/CATEGORY-UNITS/v1/x", json.dumps({"a": 1}).encode())


def test_a_post_is_logged_before_and_after_and_the_chain_verifies(
    caller: Caller, acts: list[providers.ProviderCall]
) -> None:
    response = _post(caller)
    assert response.status_code == 201
    rows = list(MessageLogEntry.objects.filter(request_id=response["X-Road-Id"]).order_by("id"))
    assert [(row.phase, row.status, row.outcome) for row in rows] == [
        ("request", 0, "forwarding"),
        ("response", 201, "ok"),
    ]
    assert json.loads(rows[0].request_body) == {"a": 1} and rows[1].request_body == ""
    assert rows[0].request_hash == rows[1].request_hash
    assert json.loads(rows[1].response_body) == {"receipt": 1}
    assert messagelog.verify().ok
    assert messagelog.unanswered(older_than=timedelta(0)) == []
    # Monitoring counts the exchange once.
    assert [(f.name, f.count) for f in monitoring.figures()] == [(rows[0].service, 1)]


def test_an_edited_request_row_is_detected(
    caller: Caller, acts: list[providers.ProviderCall]
) -> None:
    response = _post(caller)
    request_row = MessageLogEntry.objects.get(request_id=response["X-Road-Id"], phase="request")
    MessageLogEntry.objects.filter(pk=request_row.pk).update(phase="")
    assert [p.entry_id for p in messagelog.verify().problems] == [request_row.pk]


def test_log_down_before_forwarding_stops_the_call(
    caller: Caller, acts: list[providers.ProviderCall], monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_log(monkeypatch, "request")
    response = _post(caller)
    assert response.status_code == 503
    assert response.json()["code"] == "log_unavailable"
    assert acts == []  # nothing happened at the provider: a retry is safe
    assert not MessageLogEntry.objects.exists()


def test_log_down_after_the_provider_acted_still_answers_what_it_said(
    caller: Caller, acts: list[providers.ProviderCall], monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_log(monkeypatch, "response")
    before = monitoring.LOG_FAILURES.labels(_service_id())._value.get()
    response = _post(caller)
    assert response.status_code == 201  # not 503: the act is done, a retry would double it
    assert response.json() == {"receipt": 1}
    assert response["X-Road-Log"] == "incomplete"
    assert len(acts) == 1
    assert monitoring.LOG_FAILURES.labels(_service_id())._value.get() == before + 1
    # The request row is there and the gap is named by the verification.
    (row,) = messagelog.unanswered(older_than=timedelta(0))
    assert row.request_id == response["X-Road-Id"] and row.phase == "request"
    assert messagelog.verify().ok
    err = StringIO()
    call_command("verify_lgsp_log", stdout=StringIO(), stderr=err)
    # Only rows older than five minutes are named (younger ones may be in flight).
    assert "answer is not in the log" not in err.getvalue()
    later = timezone.now() + timedelta(minutes=10)
    monkeypatch.setattr(messagelog.timezone, "now", lambda: later)
    call_command("verify_lgsp_log", stdout=StringIO(), stderr=err)
    assert f"row #{row.pk}" in err.getvalue()


def test_log_down_on_a_safe_call_is_503(
    caller: Caller, acts: list[providers.ProviderCall], monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_log(monkeypatch, "")
    response = caller.get(f"{PROVINCE}/CATEGORY-UNITS/v1/x")
    assert response.status_code == 503
    assert response.json()["code"] == "log_unavailable"
    # A GET only reads: it was answered by the provider, and asking again is harmless.
    assert len(acts) == 1


def _service_id() -> str:
    return f"{PROVINCE}/CATEGORY-UNITS/v1"
