"""The whole flow through the simulator, in-process: the pay page, the signed
request, the simulator's buttons, its notification(s) to our callback, the return
page, reconciliation and the receipt."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from egov.dossiers.models import Dossier, DossierEvent, Status
from egov.dossiers.tests.factories import World, dossier_in_status
from egov.payments import services, signing
from egov.payments.models import Issue, Payment, PaymentEvent, PaymentStatus
from egov.payments.tests.conftest import choose, come_back, path_of, start

pytestmark = pytest.mark.django_db

CONFIRMING = re.compile("đang xác nhận|Confirming", re.IGNORECASE)
PAID = re.compile("Thanh toán thành công|Payment successful")


def confirms(dossier: Dossier) -> int:
    return DossierEvent.objects.filter(dossier=dossier, action="confirm_payment").count()


def text(response: Any) -> str:
    return response.content.decode()


def test_pay_page_shows_amount_and_fee_breakdown(citizen_client: Client, dossier: Dossier) -> None:
    page = citizen_client.get(f"/thanh-toan/ho-so/{dossier.code}/")
    assert page.status_code == 200
    body = text(page)
    assert "150.000 đ" in body
    assert "Một trăm năm mươi nghìn đồng" in body
    assert "Lệ phí đăng ký" in body  # the procedure's fee list
    assert re.search("Thanh toán|>Pay<", body)


def test_only_the_applicant_sees_the_pay_page(world: World, dossier: Dossier) -> None:
    other = Client()
    other.force_login(world.staff.clerk)
    assert other.get(f"/thanh-toan/ho-so/{dossier.code}/").status_code in (302, 404)
    anonymous = Client().get(f"/thanh-toan/ho-so/{dossier.code}/")
    assert anonymous.status_code == 302 and "/tai-khoan/" in anonymous["Location"]


def test_success_pays_once_confirms_the_dossier_and_gives_a_receipt(
    citizen_client: Client, dossier: Dossier
) -> None:
    request = start(citizen_client, dossier)
    assert request["amount"] == "150000" and request["currency"] == "VND"
    assert signing.verify(request)
    back = choose(citizen_client, request, "success")
    page = come_back(citizen_client, back)
    assert page.status_code == 200
    assert PAID.search(text(page))

    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.provider_transaction_id and payment.paid_at
    assert payment.dossier_confirmed_at is not None and not payment.needs_review
    assert len(payment.callbacks) == 1
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING  # back to the status before the pause
    assert dossier.paused_at is None and dossier.remaining_seconds is None  # clock resumed
    assert confirms(dossier) == 1

    receipt = citizen_client.get(f"/thanh-toan/bien-lai/{payment.reference}/")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.content)).pages)
    for expected in (
        "BIÊN LAI THU PHÍ",
        dossier.code,
        "150.000 đ",
        "Một trăm năm mươi nghìn đồng",
        payment.reference,
        payment.provider_transaction_id,
        "Nguyễn Văn An",
    ):
        assert expected in words, expected


def test_double_notification_pays_once(citizen_client: Client, dossier: Dossier) -> None:
    back = choose(citizen_client, start(citizen_client, dossier), "success_twice")
    come_back(citizen_client, back)
    assert Payment.objects.count() == 1
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.SUCCEEDED and not payment.needs_review
    outcomes = list(
        PaymentEvent.objects.filter(payment=payment, kind="callback").values_list(
            "outcome", flat=True
        )
    )
    assert outcomes == ["succeeded", "duplicate"]
    assert len(payment.callbacks) == 2
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert confirms(dossier) == 1


def notify(body: dict[str, Any], secret: str | None = None) -> dict[str, Any]:
    response = Client().post(
        "/api/v1/payments/callback",
        data=signing.signed(body, secret),
        content_type="application/json",
    )
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


def success_body(payment: Payment, **changes: Any) -> dict[str, Any]:
    body = {
        "merchant_code": "KG-EGOV",
        "reference": payment.reference,
        "transaction_id": "PG0000000001",
        "amount": payment.amount,
        "currency": "VND",
        "status": "success",
        "paid_at": "2026-03-03T09:00:00+07:00",
    }
    body.update(changes)
    return body


def open_payment(world: World, dossier: Dossier) -> Payment:
    payment, created = services.start_payment(world.staff.citizen, dossier)
    assert created
    return payment


def test_the_same_notification_twice_gets_the_same_answer(world: World, dossier: Dossier) -> None:
    payment = open_payment(world, dossier)
    first = notify(success_body(payment))
    second = notify(success_body(payment))
    assert first == second == {"code": "00", "message": "Confirmed"}
    assert confirms(dossier) == 1
    # Another transaction for the same payment: never paid twice, flagged.
    third = notify(success_body(payment, transaction_id="PG0000000002"))
    assert third["code"] == "00"
    payment.refresh_from_db()
    assert payment.provider_transaction_id == "PG0000000001"
    assert Issue.PAID_TWICE in payment.issues and payment.needs_review
    assert confirms(dossier) == 1


def test_the_return_alone_never_marks_paid(
    world: World, citizen_client: Client, dossier: Dossier
) -> None:
    payment = open_payment(world, dossier)
    params = signing.signed(
        {
            "merchant_code": "KG-EGOV",
            "reference": payment.reference,
            "transaction_id": "PG1",
            "amount": payment.amount,
            "status": "success",
        }
    )
    page = citizen_client.get("/thanh-toan/ket-qua/", params)
    assert page.status_code == 200
    assert CONFIRMING.search(text(page))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_PAYMENT
    # A forged return is refused and recorded.
    forged = citizen_client.get("/thanh-toan/ket-qua/", {**params, "amount": "1"})
    assert forged.status_code == 400
    assert PaymentEvent.objects.filter(kind="return", signature_valid=False).count() == 1


def test_timeout_expires_on_reconcile_then_a_new_payment_is_possible(
    citizen_client: Client, dossier: Dossier
) -> None:
    request = start(citizen_client, dossier)
    back = choose(citizen_client, request, "timeout")
    assert CONFIRMING.search(text(come_back(citizen_client, back))) is None
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.PENDING  # no notification came
    assert services.reconcile(older_than_minutes=60).checked == 0  # too recent
    report = services.reconcile(older_than_minutes=0)
    assert report.checked == 1 and report.changed == {"expired": 1}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.EXPIRED
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_PAYMENT
    assert confirms(dossier) == 0

    again = start(citizen_client, dossier)
    assert again["reference"] != request["reference"]
    come_back(citizen_client, choose(citizen_client, again, "success"))
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert list(Payment.objects.order_by("id").values_list("status", flat=True)) == [
        "expired",
        "succeeded",
    ]


def test_pressing_pay_again_after_a_timeout_asks_the_platform(
    citizen_client: Client, dossier: Dossier
) -> None:
    first = start(citizen_client, dossier)
    come_back(citizen_client, choose(citizen_client, first, "timeout"))
    # No reconciliation yet: the open payment is reused only if the platform still
    # has it open; it timed out there, so a new one is made.
    second = start(citizen_client, dossier)
    assert second["reference"] != first["reference"]
    assert list(Payment.objects.order_by("id").values_list("status", flat=True)) == [
        "expired",
        "pending",
    ]
    # Reloading the result page records the return once.
    back = choose(citizen_client, second, "failure")
    come_back(citizen_client, back)
    come_back(citizen_client, back)
    assert PaymentEvent.objects.filter(kind="return", reference=second["reference"]).count() == 1


def test_failure_leaves_the_dossier_waiting(citizen_client: Client, dossier: Dossier) -> None:
    page = come_back(
        citizen_client, choose(citizen_client, start(citizen_client, dossier), "failure")
    )
    assert page.status_code == 200
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.FAILED
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_PAYMENT
    assert confirms(dossier) == 0
    start(citizen_client, dossier)
    assert Payment.objects.filter(status=PaymentStatus.PENDING).count() == 1


def test_amount_mismatch_is_refused(world: World, dossier: Dossier) -> None:
    payment = open_payment(world, dossier)
    answer = notify(success_body(payment, amount=payment.amount - 1))
    assert answer["code"] == "04"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert Issue.AMOUNT_MISMATCH in payment.issues and payment.needs_review
    assert confirms(dossier) == 0
    # A string amount with a decimal part is malformed, not rounded.
    assert notify(success_body(payment, amount="150000.0"))["code"] == "99"


def test_unknown_reference_and_bad_signature(world: World, dossier: Dossier) -> None:
    payment = open_payment(world, dossier)
    assert notify(success_body(payment, reference="TT000000NOSUCH"))["code"] == "01"
    assert PaymentEvent.objects.filter(outcome="unknown_reference", payment=None).exists()
    assert notify(success_body(payment), secret="wrong")["code"] == "97"
    assert notify(success_body(payment, merchant_code="OTHER"))["code"] == "02"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    bad = PaymentEvent.objects.get(signature_valid=False)
    assert bad.payment == payment and bad.raw  # the raw body is kept
    not_json = Client().post("/api/v1/payments/callback", data="nope", content_type="text/plain")
    assert not_json.json()["code"] == "99"


def test_late_success_after_expiry_is_recorded_and_flagged(
    citizen_client: Client, dossier: Dossier
) -> None:
    come_back(citizen_client, choose(citizen_client, start(citizen_client, dossier), "timeout"))
    services.reconcile(older_than_minutes=0)
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.EXPIRED
    answer = notify(success_body(payment))
    assert answer["code"] == "00"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert Issue.LATE_SUCCESS in payment.issues and payment.needs_review
    # The money arrived and the dossier still waited for it: it moves on.
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING


def test_success_when_the_dossier_left_status_6_is_flagged(world: World, dossier: Dossier) -> None:
    payment = open_payment(world, dossier)
    from egov.dossiers import services as dossier_services

    dossier_services.withdraw(
        world.staff.citizen, dossier, expected_version=dossier.version, reason="Không cần nữa"
    )
    assert notify(success_body(payment))["code"] == "00"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.issues == [Issue.DOSSIER_NOT_AWAITING] and payment.dossier_confirmed_at is None


def test_a_stale_version_is_retried(world: World, dossier: Dossier, monkeypatch: Any) -> None:
    """Someone changes the dossier between our read and confirm_payment's lock."""
    from egov.dossiers import services as dossier_services

    payment = open_payment(world, dossier)
    real = dossier_services.confirm_payment
    calls: list[int] = []

    def racing(actor: Any, target: Dossier, **kwargs: Any) -> Dossier:
        if not calls:
            Dossier.objects.filter(pk=target.pk).update(version=target.version + 1)
        calls.append(kwargs["expected_version"])
        return real(actor, target, **kwargs)

    monkeypatch.setattr(dossier_services, "confirm_payment", racing)
    assert notify(success_body(payment))["code"] == "00"
    assert len(calls) == 2 and calls[1] == calls[0] + 1
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING


def test_double_click_reuses_the_open_payment(
    world: World, citizen_client: Client, dossier: Dossier
) -> None:
    first = start(citizen_client, dossier)
    second = start(citizen_client, dossier)
    assert first["reference"] == second["reference"]
    assert Payment.objects.count() == 1
    # The agency changes the amount requested: the open payment is cancelled.
    Dossier.objects.filter(pk=dossier.pk).update(payment_requested=200000)
    third = start(citizen_client, dossier)
    assert third["reference"] != first["reference"] and third["amount"] == "200000"
    assert sorted(Payment.objects.values_list("status", flat=True)) == ["cancelled", "pending"]


def test_no_payment_for_a_dossier_not_awaiting_one(world: World, citizen_client: Client) -> None:
    dossier = dossier_in_status(world, Status.PROCESSING)
    response = citizen_client.post(f"/thanh-toan/ho-so/{dossier.code}/", follow=True)
    assert Payment.objects.count() == 0
    assert re.search("không chờ thanh toán|not waiting for a payment", text(response))


def test_reconcile_finds_a_success_whose_notification_was_lost(
    citizen_client: Client, dossier: Dossier, settings: Any
) -> None:
    settings.EGOV_PAYGOV_CALLBACK_URL = "http://testserver/khong-co/"  # notification lost
    come_back(citizen_client, choose(citizen_client, start(citizen_client, dossier), "success"))
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.PENDING
    report = services.reconcile(older_than_minutes=0)
    assert report.changed == {"succeeded": 1}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.provider_transaction_id
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert confirms(dossier) == 1
    assert services.reconcile(older_than_minutes=0).checked == 0


def test_simulator_refuses_a_tampered_request(citizen_client: Client, dossier: Dossier) -> None:
    request = start(citizen_client, dossier)
    tampered = citizen_client.get("/thanh-toan/mo-phong/", {**request, "amount": "1000"})
    assert tampered.status_code == 400
    assert "Chữ ký" in text(tampered)
    posted = citizen_client.post(
        "/thanh-toan/mo-phong/",
        {**request, "amount": "1000", "outcome": "success", "channel": "bidv"},
    )
    assert posted.status_code == 400
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_simulator_page_and_status_query(citizen_client: Client, dossier: Dossier) -> None:
    request = start(citizen_client, dossier)
    page = citizen_client.get("/thanh-toan/mo-phong/", request)
    body = text(page)
    for label in (
        "Thanh toán thành công",
        "Thất bại",
        "Hết thời gian (không gọi lại)",
        "Thành công và gọi lại hai lần",
        "150.000 đ",
        request["reference"],
    ):
        assert label in body
    url = f"/thanh-toan/mo-phong/giao-dich/{request['reference']}"
    unsigned = Client().get(url, {"merchant_code": "KG-EGOV", "reference": request["reference"]})
    assert unsigned.status_code == 403


def test_simulators_off(citizen_client: Client, dossier: Dossier, settings: Any) -> None:
    request = start(citizen_client, dossier)
    settings.EGOV_SIMULATORS = False
    assert citizen_client.get("/thanh-toan/mo-phong/", request).status_code == 404


def test_receipt_only_for_owner_and_staff_in_scope(
    world: World, citizen_client: Client, dossier: Dossier
) -> None:
    from egov.accounts.tests.helpers import sign_in_verified

    come_back(citizen_client, choose(citizen_client, start(citizen_client, dossier), "success"))
    reference = Payment.objects.get().reference
    url = f"/thanh-toan/bien-lai/{reference}/"
    clerk = Client()
    sign_in_verified(clerk, world.staff.clerk)
    assert clerk.get(url).status_code == 200
    outsider = Client()
    sign_in_verified(outsider, world.staff.outsider)
    assert outsider.get(url).status_code == 404
    assert path_of(Client().get(url)["Location"]).startswith("/tai-khoan/")
