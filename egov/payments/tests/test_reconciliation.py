"""The staff reconciliation page (scope, totals, mismatches, CSV) and the command."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from egov.accounts.tests.helpers import sign_in_verified
from egov.dossiers.models import Dossier
from egov.dossiers.tests.factories import World
from egov.payments import services, signing
from egov.payments.models import Payment, PaymentStatus
from egov.payments.tests.conftest import choose, come_back, start

pytestmark = pytest.mark.django_db

URL = "/thanh-toan/doi-soat/"


def staff_client(user: Any) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


@pytest.fixture
def two_payments(world: World, citizen_client: Client, dossier: Dossier) -> list[Payment]:
    come_back(citizen_client, choose(citizen_client, start(citizen_client, dossier), "success"))
    # A second, mismatched notification on a new dossier's payment.
    from egov.dossiers.models import Status
    from egov.dossiers.tests.factories import dossier_in_status

    other = dossier_in_status(world, Status.AWAITING_PAYMENT, payment_requested=50000)
    payment, _ = services.start_payment(world.staff.citizen, other)
    body = signing.signed(
        {
            "merchant_code": "KG-EGOV",
            "reference": payment.reference,
            "transaction_id": "PGX",
            "amount": 1,
            "status": "success",
        }
    )
    Client().post("/api/v1/payments/callback", data=body, content_type="application/json")
    return list(Payment.objects.order_by("id"))


def test_clerk_of_the_desk_sees_totals_mismatches_and_csv(
    world: World, two_payments: list[Payment]
) -> None:
    paid, mismatched = two_payments
    client = staff_client(world.staff.clerk)
    page = client.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert paid.reference in body and mismatched.reference in body
    assert "150.000 đ" in body  # amount paid on the day
    assert body.count(mismatched.reference) >= 2  # listed and among the mismatches

    export = client.get(URL, {"format": "csv", "status": "succeeded"})
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][0] == "reference"
    assert [row[0] for row in rows[1:]] == [paid.reference]
    assert rows[1][4] == "150000" and rows[1][5] == "succeeded"

    review = client.get(URL, {"review": "on"}).content.decode()
    assert mismatched.reference in review and paid.reference not in review


def test_scope_and_permission(world: World, two_payments: list[Payment]) -> None:
    outsider = staff_client(world.staff.outsider).get(URL)
    assert outsider.status_code == 200
    assert two_payments[0].reference not in outsider.content.decode()
    assert staff_client(world.staff.specialist).get(URL).status_code == 403
    citizen = Client()
    citizen.force_login(world.staff.citizen)
    assert citizen.get(URL).status_code == 403


def test_reconcile_button_and_command(
    world: World, citizen_client: Client, dossier: Dossier, settings: Any
) -> None:
    come_back(citizen_client, choose(citizen_client, start(citizen_client, dossier), "timeout"))
    settings.EGOV_PAYMENTS_RECONCILE_AFTER_MINUTES = 0
    out = io.StringIO()
    call_command("reconcile_payments", stdout=out)
    assert "checked 1; changed: expired: 1" in out.getvalue()
    assert Payment.objects.get().status == PaymentStatus.EXPIRED

    start(citizen_client, dossier)
    response = staff_client(world.staff.clerk).post(URL, follow=True)
    assert response.status_code == 200
    assert Payment.objects.filter(status=PaymentStatus.EXPIRED).count() == 2
