"""The outbox: rows written in the dossier's transaction, one per channel, no
duplicates, text rendered from the dossier."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from egov.dossiers import services
from egov.dossiers.models import DossierEvent, Status
from egov.dossiers.signals import dossier_changed
from egov.dossiers.tests.factories import (
    FrozenClock,
    World,
    applicant,
    at,
    dossier_in_status,
    receive,
)
from egov.notifications.models import Notification, NotificationStatus, NotificationTemplate
from egov.notifications.outbox import queue_for_event

pytestmark = pytest.mark.django_db

MOBILE = "0912 345 678"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen = FrozenClock(at("2026-03-02", "08:00"))
    monkeypatch.setattr(services.inputs, "now", frozen)
    return frozen


def test_receipt_queues_one_email_and_one_sms_with_the_dossier_text(world: World) -> None:
    dossier = receive(
        world, received_at=at("2026-03-02", "08:00"), applicant=applicant(phone=MOBILE)
    )
    rows = {n.channel: n for n in Notification.objects.filter(dossier=dossier)}
    assert set(rows) == {"email", "sms"}
    sms, email = rows["sms"], rows["email"]
    assert sms.recipient == "84912345678"
    assert email.recipient == "hoa@example.vn"
    for row in rows.values():
        assert row.status == NotificationStatus.QUEUED
        assert row.attempts == 0
        assert row.event == "receive"
        assert row.dossier_event.action == "receive"
    assert sms.body.startswith(f"UBND Thanh pho Rach Gia da tiep nhan ho so so {dossier.code}")
    assert "Hen tra ket qua ngay 09/03/2026" in sms.body
    assert sms.body.endswith(f"/tra-cuu/?ma={dossier.code}")
    assert email.subject == f"Đã tiếp nhận hồ sơ số {dossier.code}"
    assert "Kính gửi ông/bà Nguyễn Thị Hoa" in email.body
    assert "“Đăng ký khai sinh có yếu tố nước ngoài”" in email.body
    assert "Ngày hẹn trả kết quả: 09/03/2026." in email.body
    assert "Phí, lệ phí: 50.000 đ." in email.body


def test_no_sms_to_a_landline_and_nothing_without_contact(world: World) -> None:
    landline = receive(world, applicant=applicant(phone="0297 3862 123"))
    assert list(
        Notification.objects.filter(dossier=landline).values_list("channel", flat=True)
    ) == ["email"]
    nobody = receive(world, applicant=applicant(phone="", email=""))
    assert not Notification.objects.filter(dossier=nobody).exists()


def test_an_inactive_template_sends_nothing_on_its_channel(world: World) -> None:
    NotificationTemplate.objects.filter(event="receive", channel="email").update(is_active=False)
    dossier = receive(world, applicant=applicant(phone=MOBILE))
    assert [n.channel for n in Notification.objects.filter(dossier=dossier)] == ["sms"]


def test_the_channels_setting_turns_a_channel_off(world: World, settings: object) -> None:
    settings.EGOV_NOTIFY_CHANNELS = ["email"]  # type: ignore[attr-defined]
    dossier = receive(world, applicant=applicant(phone=MOBILE))
    assert [n.channel for n in Notification.objects.filter(dossier=dossier)] == ["email"]


def test_a_rolled_back_dossier_change_leaves_no_notification(world: World) -> None:
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        receive(world, applicant=applicant(phone=MOBILE))
        assert Notification.objects.count() == 2  # written inside the transaction
        raise Abort
    assert Notification.objects.count() == 0


def test_a_move_that_fails_after_the_signal_leaves_no_notification(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    dossier = receive(world, applicant=applicant(phone=MOBILE))
    before = Notification.objects.count()

    def broken_audit(**kwargs: object) -> None:
        raise RuntimeError("audit store down")

    # The audit entry is written after the signal, in the same transaction.
    monkeypatch.setattr(services.audit, "record", broken_audit)
    with pytest.raises(RuntimeError):
        services.request_payment(
            world.staff.clerk, dossier, expected_version=dossier.version, amount=120_000
        )
    assert Notification.objects.count() == before
    assert not Notification.objects.filter(event="request_payment").exists()


def test_the_same_event_twice_gives_one_row_per_channel(world: World) -> None:
    dossier = receive(world, applicant=applicant(phone=MOBILE))
    event = DossierEvent.objects.get(dossier=dossier, action="receive")
    with transaction.atomic():
        dossier_changed.send(
            type(dossier), dossier=dossier, event=event, action=event.action, actor=None
        )
        queue_for_event(dossier, event)
    assert Notification.objects.filter(dossier=dossier).count() == 2


def test_payment_request_carries_the_amount_in_dong(world: World) -> None:
    dossier = receive(world, applicant=applicant(phone=MOBILE))
    services.request_payment(
        world.staff.clerk, dossier, expected_version=dossier.version, amount=1_250_000
    )
    sms = Notification.objects.get(dossier=dossier, event="request_payment", channel="sms")
    assert "de nghi nop phi, le phi 1.250.000 dong" in sms.body
    email = Notification.objects.get(dossier=dossier, event="request_payment", channel="email")
    assert "1.250.000 đ" in email.body


def test_apology_carries_the_new_appointment_and_the_reason(
    world: World, clock: FrozenClock
) -> None:
    clock.set(at("2026-03-06", "10:00"))
    dossier = dossier_in_status(
        world, Status.PROCESSING, applicant_phone="0987654321", applicant_email="an@example.vn"
    )
    new_due = at("2026-03-12", "16:00")
    services.issue_apology(
        world.staff.specialist,
        dossier,
        expected_version=dossier.version,
        reason="Cần xác minh thêm thông tin với cơ quan đăng ký hộ tịch nước ngoài.",
        new_due_at=new_due,
    )
    sms = Notification.objects.get(dossier=dossier, event="apology", channel="sms")
    assert sms.recipient == "84987654321"
    assert "xin loi" in sms.body
    assert "Ly do: Can xac minh them thong tin voi co quan dang ky ho tich nuoc ngoai." in sms.body
    assert "Hen lai ngay 12/03/2026" in sms.body
    email = Notification.objects.get(dossier=dossier, event="apology", channel="email")
    assert "Ngày hẹn trả kết quả mới: 12/03/2026." in email.body
    assert (
        "Lý do: Cần xác minh thêm thông tin với cơ quan đăng ký hộ tịch nước ngoài." in email.body
    )


def test_supplement_at_the_desk_lists_the_papers_to_bring(world: World) -> None:
    dossier = services.request_supplement_at_desk(
        world.staff.clerk,
        version=world.version,
        agency=world.org.district,
        applicant=applicant(phone=MOBILE),
        papers=[],
        missing=["Giấy chứng nhận kết hôn của cha mẹ"],
    )
    email = Notification.objects.get(dossier=dossier, channel="email")
    assert email.event == "desk_supplement_request"
    assert "Giấy chứng nhận kết hôn của cha mẹ" in email.body
    assert "Tờ khai đăng ký khai sinh" in email.body  # absent from the procedure's list


def test_online_submission_then_acceptance_notify_the_account_holder(world: World) -> None:
    citizen = world.staff.citizen
    dossier = services.submit_online(
        citizen,
        version=world.version,
        agency=world.org.district,
        papers=[
            services.PaperIn(required_paper=p.pk, copies=p.copies, form=p.form)
            for p in world.papers
            if not p.is_optional
        ],
    )
    assert {(n.event, n.channel) for n in Notification.objects.filter(dossier=dossier)} == {
        ("submit_online", "email"),
        ("submit_online", "sms"),
    }
    services.accept_online(world.staff.clerk, dossier, expected_version=dossier.version)
    accepted = Notification.objects.get(dossier=dossier, event="accept", channel="sms")
    assert accepted.recipient == "84912345678"
    assert "Hen tra ket qua ngay" in accepted.body


def test_events_without_a_template_queue_nothing(world: World, clock: FrozenClock) -> None:
    dossier = receive(world, applicant=applicant(phone=MOBILE))
    count = Notification.objects.count()
    clock.set(clock.now + timedelta(hours=1))
    services.forward(world.staff.clerk, dossier, expected_version=dossier.version)
    assert Notification.objects.count() == count
