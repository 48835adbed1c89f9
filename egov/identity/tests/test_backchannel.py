"""The relying party's back-channel calls go through the shared outside-system
client: each is logged, reads are retried after a provider hiccup, the one-time
code exchange is not."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from egov.accounts import services as account_services
from egov.accounts.models import User
from egov.core.integrations import InProcessTransport, Request, Response
from egov.core.models import IntegrationCall
from egov.identity import adapters
from egov.identity.tests.conftest import CITIZEN_SUBJECT, sign_in


class HiccupTransport:
    """The simulator in-process, except that the first ``fail`` requests whose path
    contains ``part`` are answered 503 by a struggling provider."""

    def __init__(self, part: str, fail: int = 1) -> None:
        self.inner = InProcessTransport()
        self.part = part
        self.fail = fail
        self.seen: list[str] = []

    def send(self, request: Request, *, timeout: float) -> Response:
        self.seen.append(f"{request.method} {request.url}")
        if self.part in request.url and self.fail > 0:
            self.fail -= 1
            return Response(503, b'{"error":"temporarily_unavailable"}', {}, "Unavailable")
        return self.inner.send(request, timeout=timeout)


@pytest.fixture
def demo_citizen() -> User:
    return account_services.register_citizen(
        national_id="091090001234",
        full_name="Nguyễn Văn An",
        password="KienGiang2020",
        email="old@example.com",
        phone="0912345678",
    )


@pytest.fixture(autouse=True)
def no_wait(settings: Any) -> None:
    settings.EGOV_INTEGRATIONS_RETRIES = 2
    settings.EGOV_INTEGRATIONS_BACKOFF_MS = 0


def use(monkeypatch: pytest.MonkeyPatch, transport: Any) -> None:
    monkeypatch.setattr(adapters, "transport", lambda: transport)


def test_every_back_channel_call_is_logged_without_secrets(demo_citizen: User) -> None:
    client = Client()
    assert sign_in(client, CITIZEN_SUBJECT).status_code == 302
    calls = list(IntegrationCall.objects.order_by("id"))
    assert [c.operation for c in calls] == ["discovery", "discovery", "token", "jwks", "userinfo"]
    assert {(c.system, c.outcome, c.status, c.host) for c in calls} == {
        ("identity", "ok", 200, "127.0.0.1")
    }
    stored = " ".join(
        str(value) for row in IntegrationCall.objects.values() for value in row.values()
    )
    assert "091090001234" not in stored and "simulator-secret" not in stored


def test_a_discovery_hiccup_is_retried(monkeypatch: pytest.MonkeyPatch, demo_citizen: User) -> None:
    transport = HiccupTransport(".well-known", fail=2)
    use(monkeypatch, transport)
    assert sign_in(Client(), CITIZEN_SUBJECT).status_code == 302
    attempts = (
        IntegrationCall.objects.filter(operation="discovery")
        .order_by("id")
        .values_list("attempt", "status")
    )
    assert list(attempts)[:3] == [(1, 503), (2, 503), (3, 200)]


def test_the_code_exchange_is_never_repeated(
    monkeypatch: pytest.MonkeyPatch, demo_citizen: User
) -> None:
    transport = HiccupTransport("/token/", fail=1)
    use(monkeypatch, transport)
    response = sign_in(Client(), CITIZEN_SUBJECT)
    assert response.status_code == 400
    assert 'data-reason="token_rejected"' in response.content.decode()
    assert sum(1 for line in transport.seen if "/token/" in line) == 1
