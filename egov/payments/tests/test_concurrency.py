"""Two "Thanh toán" clicks at once, and two notifications at once, on PostgreSQL
(real row locks; skipped elsewhere)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from egov.accounts.default_roles import ensure_default_roles
from egov.core.workcalendar import invalidate_calendar
from egov.dossiers.models import Dossier, DossierEvent, Status
from egov.dossiers.tests.factories import World, build_world, dossier_in_status
from egov.dossiers.tests.test_concurrency import postgres_only, run_threads
from egov.payments import services, signing
from egov.payments.models import Payment, PaymentStatus


@pytest.fixture
def pg_world(transactional_db: None) -> Iterator[World]:
    ensure_default_roles()
    invalidate_calendar()
    yield build_world()
    invalidate_calendar()


@pytest.fixture
def awaiting(pg_world: World) -> Dossier:
    return dossier_in_status(pg_world, Status.AWAITING_PAYMENT, payment_requested=150000)


@postgres_only
def test_two_clicks_at_once_make_one_pending_payment(pg_world: World, awaiting: Dossier) -> None:
    def click(index: int) -> str:
        client = Client()
        client.force_login(pg_world.staff.citizen)
        response = client.post(f"/thanh-toan/ho-so/{awaiting.code}/")
        assert response.status_code == 302
        return str(response["Location"])

    results, errors = run_threads(4, click)
    assert errors == []
    assert Payment.objects.count() == 1
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.PENDING
    assert all(f"reference={payment.reference}" in url for url in results)


@postgres_only
def test_two_notifications_at_once_confirm_once(pg_world: World, awaiting: Dossier) -> None:
    payment, _ = services.start_payment(pg_world.staff.citizen, awaiting)
    body = signing.signed(
        {
            "merchant_code": "KG-EGOV",
            "reference": payment.reference,
            "transaction_id": "PG42",
            "amount": payment.amount,
            "status": "success",
        }
    )

    def notify(index: int) -> Any:
        response = Client().post(
            "/api/v1/payments/callback", data=body, content_type="application/json"
        )
        return response.json()

    results, errors = run_threads(4, notify)
    assert errors == []
    assert all(answer == {"code": "00", "message": "Confirmed"} for answer in results)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and not payment.needs_review
    assert DossierEvent.objects.filter(dossier=awaiting, action="confirm_payment").count() == 1
