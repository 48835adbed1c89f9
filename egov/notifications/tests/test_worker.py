"""Sending in the background: the real HTTP adapter talks to the real simulator
in-process; failures are retried with backoff, then given up."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from egov.core.integrations import InProcessTransport
from egov.dossiers.tests.factories import World, applicant, receive
from egov.notifications.adapters import HttpSmsGateway, SendError
from egov.notifications.models import Notification, NotificationStatus, SimulatedSms
from egov.notifications.simulator import set_faults
from egov.notifications.worker import backoff_delay, send_due

from .conftest import SIMULATOR_URL

pytestmark = pytest.mark.django_db

MOBILE = "0912 345 678"


@pytest.fixture(autouse=True)
def _settings(settings: object) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    settings.EGOV_NOTIFY_MAX_ATTEMPTS = 4  # type: ignore[attr-defined]
    settings.EGOV_NOTIFY_BACKOFF_SECONDS = 60  # type: ignore[attr-defined]
    settings.EGOV_NOTIFY_BACKOFF_MAX_SECONDS = 3600  # type: ignore[attr-defined]


def sms_row(world: World) -> Notification:
    dossier = receive(world, applicant=applicant(phone=MOBILE, email=""))
    return Notification.objects.get(dossier=dossier, channel="sms")


def test_queued_sms_and_email_are_sent_and_recorded(world: World, gateway: HttpSmsGateway) -> None:
    dossier = receive(world, applicant=applicant(phone=MOBILE))
    report = send_due(10, sms_gateway=gateway)
    assert (report.claimed, report.sent, report.failed) == (2, 2, 0)
    sms = Notification.objects.get(dossier=dossier, channel="sms")
    email = Notification.objects.get(dossier=dossier, channel="email")
    for row in (sms, email):
        assert row.status == NotificationStatus.SENT
        assert row.attempts == 1
        assert row.sent_at is not None
        assert row.provider_message_id
    received = SimulatedSms.objects.get()
    assert received.phone == "84912345678"
    assert received.text == sms.body
    assert received.encoding == "GSM-7"
    assert received.message_id == sms.provider_message_id
    assert received.brandname == "KIENGIANG"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hoa@example.vn"]
    assert mail.outbox[0].subject == email.subject
    assert mail.outbox[0].extra_headers["Message-ID"] == email.provider_message_id
    # Nothing left to do.
    assert send_due(10, sms_gateway=gateway).claimed == 0


def test_failures_are_retried_with_growing_backoff_then_sent(
    world: World, gateway: HttpSmsGateway, transport: InProcessTransport
) -> None:
    row = sms_row(world)
    set_faults(fail_next=2)
    rng = random.Random(7)
    t0 = timezone.now()

    first = send_due(10, now=t0, sms_gateway=gateway, rng=rng)
    assert (first.failed, first.sent) == (1, 0)
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert row.attempts == 1
    assert "503" in row.last_error
    wait1 = (row.next_attempt_at - t0).total_seconds()
    assert 30 <= wait1 <= 60  # base 60 s, half of it random

    # Not due yet: nothing is claimed, nothing sent.
    assert send_due(10, now=t0 + timedelta(seconds=wait1 - 1), sms_gateway=gateway).claimed == 0
    assert transport.calls == 1

    t1 = row.next_attempt_at
    second = send_due(10, now=t1, sms_gateway=gateway, rng=rng)
    assert second.failed == 1
    row.refresh_from_db()
    assert row.attempts == 2
    wait2 = (row.next_attempt_at - t1).total_seconds()
    assert 60 <= wait2 <= 120  # doubled

    third = send_due(10, now=row.next_attempt_at, sms_gateway=gateway, rng=rng)
    assert third.sent == 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert row.attempts == 3
    assert row.last_error == ""
    assert SimulatedSms.objects.count() == 1
    assert transport.calls == 3


def test_a_timeout_is_retried_without_sending_the_sms_twice(
    world: World, gateway: HttpSmsGateway
) -> None:
    row = sms_row(world)
    gateway.timeout = 0.05
    set_faults(timeout_next=1, hang_seconds=0.2)
    t0 = timezone.now()
    send_due(10, now=t0, sms_gateway=gateway)
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert "did not answer" in row.last_error
    # The gateway had accepted it: the retry carries the same ref and gets the same id.
    stored = SimulatedSms.objects.get()
    # The retry must not time out in its turn on a loaded machine: the point is the
    # same reference, not a second 50 ms race.
    gateway.timeout = 10
    send_due(10, now=row.next_attempt_at, sms_gateway=gateway)
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert row.provider_message_id == stored.message_id
    assert SimulatedSms.objects.count() == 1


def test_dead_after_the_maximum_number_of_attempts(world: World, gateway: HttpSmsGateway) -> None:
    row = sms_row(world)
    set_faults(fail_next=10)
    moment = timezone.now()
    for attempt in range(1, 5):
        report = send_due(10, now=moment, sms_gateway=gateway)
        assert report.claimed == 1
        row.refresh_from_db()
        assert row.attempts == attempt
        moment = row.next_attempt_at
    assert row.status == NotificationStatus.DEAD
    assert "503" in row.last_error
    # A dead row is never claimed again.
    assert send_due(10, now=moment + timedelta(days=30), sms_gateway=gateway).claimed == 0
    assert not SimulatedSms.objects.exists()


def test_a_refusal_of_the_number_is_not_retried(world: World, gateway: HttpSmsGateway) -> None:
    row = sms_row(world)
    Notification.objects.filter(pk=row.pk).update(recipient="8412")  # not a mobile number
    send_due(10, sms_gateway=gateway)
    row.refresh_from_db()
    assert row.status == NotificationStatus.DEAD
    assert row.attempts == 1
    assert "400" in row.last_error


def test_a_wrong_api_key_is_retried(world: World, gateway: HttpSmsGateway) -> None:
    row = sms_row(world)
    gateway.api_key = "wrong"
    send_due(10, sms_gateway=gateway)
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert "401" in row.last_error


def test_a_row_left_sending_by_a_dead_worker_is_taken_again_after_the_lease(
    world: World, gateway: HttpSmsGateway, settings: object
) -> None:
    row = sms_row(world)
    t0 = timezone.now()
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.SENDING, attempts=1, next_attempt_at=t0 + timedelta(minutes=5)
    )
    assert send_due(10, now=t0, sms_gateway=gateway).claimed == 0
    report = send_due(10, now=t0 + timedelta(minutes=6), sms_gateway=gateway)
    assert report.sent == 1
    row.refresh_from_db()
    assert row.attempts == 2


def test_backoff_doubles_up_to_the_cap_with_jitter(settings: object) -> None:
    rng = random.Random(1)
    for attempt, full in ((1, 60), (2, 120), (3, 240), (10, 3600)):
        delays = [backoff_delay(attempt, rng) for _ in range(50)]
        assert all(full / 2 <= d <= full for d in delays)
        assert len({round(d, 3) for d in delays}) > 10  # jitter: not all the same


def test_the_simulator_api_needs_its_key_and_a_mobile_number(
    gateway: HttpSmsGateway, db: None
) -> None:
    with pytest.raises(SendError) as exc:
        HttpSmsGateway(
            url=gateway.url, api_key="nope", transport=gateway.transport, timeout=5
        ).send(phone="84912345678", text="xin chao", ref="t-1")
    assert not exc.value.permanent
    with pytest.raises(SendError) as exc:
        gateway.send(phone="0912345678", text="xin chao", ref="t-2")
    assert exc.value.permanent
    message_id = gateway.send(phone="84912345678", text="Hồ sơ đã có kết quả", ref="t-3")
    stored = SimulatedSms.objects.get(message_id=message_id)
    assert stored.encoding == "UCS-2"


def test_the_simulator_is_off_when_simulators_are_off(
    gateway: HttpSmsGateway, settings: object, db: None
) -> None:
    settings.EGOV_SIMULATORS = False  # type: ignore[attr-defined]
    with pytest.raises(SendError) as exc:
        gateway.send(phone="84912345678", text="xin chao", ref="t-1")
    assert "404" in str(exc.value)


def test_run_notifications_once_sends_what_is_due(world: World, settings: object) -> None:
    # The default adapter, sent in-process to the simulator by the transport setting.
    settings.EGOV_SMS_TRANSPORT = "inprocess"  # type: ignore[attr-defined]
    settings.EGOV_SMS_API_URL = SIMULATOR_URL  # type: ignore[attr-defined]
    receive(world, applicant=applicant(phone=MOBILE))
    call_command("run_notifications", "--once", verbosity=0)
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert SimulatedSms.objects.count() == 1
