"""The outside connectors through the gateway: payment status at the national payment
platform, parcel tracking at the postal service, the identity provider's published
configuration — each against its real simulator over the in-process transport, and
with the outside system timing out or unreachable."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from egov.applicants.models import SimulatedParcel
from egov.core.integrations import TransportError
from egov.lgsp.messagelog import verify
from egov.lgsp.models import MessageLogEntry, Service
from egov.lgsp.tests.conftest import PROVINCE, Caller, make_caller
from egov.payments.models import SimulatedTransaction

pytestmark = pytest.mark.django_db

CONNECTORS = ("PAYMENT-STATUS", "POSTAL-TRACKING", "IDENTITY-DISCOVERY")


class _SlowTransport:
    def send(self, request: Any, *, timeout: float) -> Any:
        raise TransportError("no answer", timeout=True)


class _DownTransport:
    def send(self, request: Any, *, timeout: float) -> Any:
        raise TransportError("refused", sent=False)


SLOW = "egov.lgsp.tests.test_connectors._SlowTransport"
DOWN = "egov.lgsp.tests.test_connectors._DownTransport"


@pytest.fixture(autouse=True)
def _outside_systems(settings: Any) -> None:
    settings.EGOV_SIMULATORS = True
    settings.EGOV_INTEGRATIONS_RETRIES = 0
    settings.EGOV_PUBLIC_BASE_URL = "http://testserver"
    settings.EGOV_PAYMENTS_TRANSPORT = "inprocess"
    settings.EGOV_PAYGOV_QUERY_URL = ""
    settings.APPLICANTS_POSTAL_ADAPTER = "http"
    settings.APPLICANTS_POSTAL_INPROCESS = True
    settings.APPLICANTS_POSTAL_API_URL = "http://testserver/ca-nhan/mo-phong/buu-dien/api"
    settings.APPLICANTS_POSTAL_API_KEY = "postal-test-key"
    settings.APPLICANTS_POSTAL_TIMEOUT_SECONDS = 10
    settings.EGOV_IDENTITY_ISSUER = ""
    settings.EGOV_IDENTITY_HTTP_TRANSPORT = "inprocess"


@pytest.fixture
def connector_caller(platform_services: dict[str, Service]) -> Caller:
    return make_caller("000.00.05.H33", "motcua", [platform_services[c] for c in CONNECTORS])


def _logged(response: Any) -> MessageLogEntry:
    entry = MessageLogEntry.objects.get(request_id=response["X-Road-Id"])
    assert entry.status == response.status_code
    return entry


# --- payment status -------------------------------------------------------------------


def _transaction(reference: str, merchant: str | None = None) -> SimulatedTransaction:
    from django.conf import settings

    now = timezone.now()
    return SimulatedTransaction.objects.create(
        merchant_code=settings.EGOV_PAYGOV_MERCHANT_CODE if merchant is None else merchant,
        reference=reference,
        transaction_id="GD0001",
        amount=150000,
        expires_at=now + timedelta(minutes=15),
        status="success",
        paid_at=now,
    )


def test_payment_status_comes_from_the_platform_by_its_signed_query(
    connector_caller: Caller,
) -> None:
    _transaction("TT261208ABCDEF0123")
    response = connector_caller.get(f"{PROVINCE}/PAYMENT-STATUS/v1/TT261208ABCDEF0123")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["reference"] == "TT261208ABCDEF0123"
    assert body["status"] == "success" and body["amount"] == 150000
    assert body["transaction_id"] == "GD0001" and body["paid_at"]
    assert _logged(response).outcome == "ok"
    # A reference the platform does not know: 404 from the provider, passed on.
    missing = connector_caller.get(f"{PROVINCE}/PAYMENT-STATUS/v1/TT000000NOTHERE")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    # A malformed reference never reaches the platform.
    bad = connector_caller.get(f"{PROVINCE}/PAYMENT-STATUS/v1/")
    assert bad.status_code == 400 and bad.json()["field"] == "reference"
    assert verify().ok


def test_payment_status_with_an_untrusted_answer_is_502(connector_caller: Caller) -> None:
    # The platform answers about another merchant's transaction: not to be trusted.
    _transaction("TT261208BADSIG0001", merchant="OTHER-MERCHANT")
    response = connector_caller.get(f"{PROVINCE}/PAYMENT-STATUS/v1/TT261208BADSIG0001")
    assert response.status_code == 502
    assert response.json()["code"] == "provider_error"
    assert _logged(response).outcome == "provider_error"


# --- postal tracking ------------------------------------------------------------------


def test_postal_tracking_comes_from_the_postal_service(connector_caller: Caller) -> None:
    SimulatedParcel.objects.create(
        tracking_number="EG123456789VN",
        client_reference="BP-1",
        recipient_name="Nguyễn Văn An",
        address="12 Lê Lợi, Rạch Giá",
        phone="0912345678",
        status="in_transit",
    )
    response = connector_caller.get(f"{PROVINCE}/POSTAL-TRACKING/v1/EG123456789VN")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["tracking_number"] == "EG123456789VN" and body["status"] == "in_transit"
    # The tracking answer carries no personal data of the recipient.
    assert "Nguyễn" not in response.content.decode() and "0912345678" not in str(body)
    assert _logged(response).outcome == "ok"
    missing = connector_caller.get(f"{PROVINCE}/POSTAL-TRACKING/v1/EG000000000VN")
    assert missing.status_code == 404 and missing.json()["field"] == "tracking_number"
    assert verify().ok


def test_postal_tracking_refused_by_the_service_is_502(
    connector_caller: Caller, settings: Any
) -> None:
    settings.APPLICANTS_POSTAL_API_KEY = ""  # the simulator refuses every call: 401
    response = connector_caller.get(f"{PROVINCE}/POSTAL-TRACKING/v1/EG123456789VN")
    assert response.status_code == 502 and response.json()["code"] == "provider_error"


# --- identity provider ----------------------------------------------------------------


def test_identity_discovery_publishes_configuration_and_public_keys(
    connector_caller: Caller,
) -> None:
    response = connector_caller.get(f"{PROVINCE}/IDENTITY-DISCOVERY/v1")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["configuration"]["issuer"].startswith("http://testserver")
    assert body["configuration"]["jwks_uri"]
    assert body["keys"] and all(key["kty"] == "RSA" for key in body["keys"])
    # Public parts only: no private RSA member ever leaves.
    assert not any(set(key) & {"d", "p", "q", "dp", "dq", "qi"} for key in body["keys"])
    assert _logged(response).outcome == "ok"
    assert verify().ok


# --- rights and outside failures -----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "PAYMENT-STATUS/v1/TT261208ABCDEF0123",
        "POSTAL-TRACKING/v1/EG123456789VN",
        "IDENTITY-DISCOVERY/v1",
    ],
)
def test_without_the_right_the_connector_is_refused_403(
    platform_services: dict[str, Service], path: str
) -> None:
    other = make_caller("000.00.33.H33", "qlvb", [platform_services["CATEGORY-UNITS"]])
    response = other.get(f"{PROVINCE}/{path}")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert _logged(response).outcome == "forbidden"


def _switch(settings: Any, monkeypatch: Any, service: str, transport: str) -> None:
    if service == "PAYMENT-STATUS":
        settings.EGOV_PAYMENTS_TRANSPORT = transport
    elif service == "IDENTITY-DISCOVERY":
        settings.EGOV_IDENTITY_HTTP_TRANSPORT = transport
    else:
        # The postal client's transport setting is a switch (in-process or HTTP).
        from egov.applicants import postal
        from egov.core.integrations import transport_for

        monkeypatch.setattr(postal, "transport_for", lambda _choice: transport_for(transport))


@pytest.mark.parametrize(
    ("transport", "status", "code", "outcome"),
    [
        (SLOW, 504, "provider_timeout", "timeout"),
        (DOWN, 502, "provider_unreachable", "provider_error"),
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "PAYMENT-STATUS/v1/TT261208ABCDEF0123",
        "POSTAL-TRACKING/v1/EG123456789VN",
        "IDENTITY-DISCOVERY/v1",
    ],
)
def test_outside_system_timing_out_or_unreachable(
    connector_caller: Caller,
    settings: Any,
    monkeypatch: Any,
    path: str,
    transport: str,
    status: int,
    code: str,
    outcome: str,
) -> None:
    _switch(settings, monkeypatch, path.split("/")[0], transport)
    response = connector_caller.get(f"{PROVINCE}/{path}")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert _logged(response).outcome == outcome
    assert verify().ok


def test_the_postal_service_answering_too_late_is_a_timeout(
    connector_caller: Caller, settings: Any
) -> None:
    # The real in-process simulator, judged against a timeout nothing can meet.
    settings.APPLICANTS_POSTAL_TIMEOUT_SECONDS = 0
    response = connector_caller.get(f"{PROVINCE}/POSTAL-TRACKING/v1/EG123456789VN")
    assert response.status_code == 504
    assert response.json()["code"] == "provider_timeout"


def test_the_postal_simulator_tracking_is_off_without_simulators(
    client: Any, settings: Any
) -> None:
    settings.EGOV_SIMULATORS = False
    response = client.get(
        "/ca-nhan/mo-phong/buu-dien/api/parcels/EG123456789VN",
        HTTP_AUTHORIZATION="Bearer postal-test-key",
    )
    assert response.status_code == 404
