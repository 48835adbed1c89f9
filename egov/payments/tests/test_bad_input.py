"""Hostile or broken input to the payment callback and the reconciliation page is
answered with a clear error (and a callback is still recorded), never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from egov.accounts.tests.helpers import sign_in_verified
from egov.dossiers.models import Dossier
from egov.dossiers.tests.factories import World
from egov.payments import services, signing
from egov.payments.models import PaymentEvent

pytestmark = pytest.mark.django_db

CALLBACK = "/api/v1/payments/callback"
RECONCILE = "/thanh-toan/doi-soat/"


def _post(raw: str | bytes) -> Any:
    return Client(raise_request_exception=False).post(
        CALLBACK, data=raw, content_type="application/json"
    )


def _recorded_as_malformed(response: Any) -> None:
    assert response.status_code == 200
    assert response.json() == {"code": "99", "message": "Malformed notification"}
    event = PaymentEvent.objects.filter(kind="callback").latest("id")
    assert event.outcome == "malformed"
    assert event.raw


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"merchant_code": "KG-EGOV", "reference": ' + "[" * 100_000 + "]" * 100_000 + "}",
        # Parses, but deeper than any notification; deep values blow up later on.
        '{"merchant_code": "KG-EGOV", "reference": ' + "[" * 400 + "]" * 400 + "}",
    ],
    ids=["deep-array", "deep-value", "nested-value"],
)
def test_deeply_nested_json_is_recorded_as_malformed(world: World, raw: str) -> None:
    _recorded_as_malformed(_post(raw))


def _body(dossier: Dossier, **changes: Any) -> dict[str, Any]:
    payment, _created = services.start_payment(dossier.applicant, dossier)
    return {
        "merchant_code": "KG-EGOV",
        "reference": payment.reference,
        "transaction_id": "PG1",
        "amount": payment.amount,
        "status": "success",
        **changes,
    }


def test_a_lone_surrogate_in_the_signature_is_recorded_as_malformed(
    world: World, dossier: Dossier
) -> None:
    raw = json.dumps(_body(dossier, signature="\ud920"))  # sent as the escape "\\ud920"
    assert "\\ud920" in raw
    _recorded_as_malformed(_post(raw))


def test_a_lone_surrogate_or_nul_in_a_signed_value_is_malformed(
    world: World, dossier: Dossier
) -> None:
    body = _body(dossier)
    for bad in ("PG\ud920", "PG\x00"):
        raw = json.dumps({**body, "transaction_id": bad, "signature": signing.sign(body)})
        _recorded_as_malformed(_post(raw))


def test_a_nul_byte_in_the_body_is_kept_as_evidence(world: World) -> None:
    _recorded_as_malformed(_post(b'{"merchant_code": "KG-EGOV"\x00}'))
    assert "\x00" not in PaymentEvent.objects.latest("id").raw


def test_a_flat_notification_still_reads(world: World, dossier: Dossier) -> None:
    body = signing.signed(_body(dossier))
    response = _post(json.dumps(body))
    assert response.json()["code"] == "00"


@pytest.mark.parametrize(
    "query",
    [{"end": "9999-12-31"}, {"start": "0001-01-01"}, {"start": "9999-12-31", "end": "9999-12-31"}],
)
def test_reconciliation_dates_at_the_calendars_ends_are_refused(
    world: World, query: dict[str, str]
) -> None:
    client = Client(raise_request_exception=False)
    sign_in_verified(client, world.staff.clerk)
    response = client.get(RECONCILE, query)
    assert response.status_code == 200
    assert "Nhập ngày trong khoảng từ 01/01/2000 đến 31/12/2099." in response.content.decode()
    csv = client.get(RECONCILE, {**query, "format": "csv"})
    assert csv.status_code == 200


def test_a_non_ascii_signature_is_a_bad_signature(world: World, dossier: Dossier) -> None:
    response = _post(json.dumps(_body(dossier, signature="u+:oUß")))
    assert response.status_code == 200
    assert response.json()["code"] == "97"
    assert PaymentEvent.objects.latest("id").outcome == "bad_signature"


def test_a_non_ascii_signature_on_the_return_page_is_refused(
    world: World, dossier: Dossier, citizen_client: Client
) -> None:
    body = _body(dossier, signature="ß")
    response = citizen_client.get("/thanh-toan/ket-qua/", body)
    assert response.status_code == 400  # shown as an invalid return, not a 500


def test_signing_refuses_what_cannot_be_compared_or_signed() -> None:
    assert not signing.verify({"amount": 1, "signature": "ß"})
    assert not signing.verify({"amount": "\ud920", "signature": "ab"})


def test_a_nul_in_the_return_parameters_is_not_stored(
    world: World, dossier: Dossier, citizen_client: Client
) -> None:
    body = _body(dossier, signature="ab")
    before = PaymentEvent.objects.filter(kind="return").count()
    response = citizen_client.get("/thanh-toan/ket-qua/", {**body, "transaction_id": "PG\x00"})
    # Refused by the input middleware before the view (no genuine return carries
    # U+0000, and PostgreSQL could not store it): nothing is recorded, nothing breaks.
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert PaymentEvent.objects.filter(kind="return").count() == before
