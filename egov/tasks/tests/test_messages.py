"""Task notices by e-mail and SMS: queued with the act (never on a rollback), to the
lead unit's people and the assigning leader, sent by the job with retries; and the
monthly summary each assigning leader receives."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from egov.accounts.models import User
from egov.documents.tests.factories import Org, Staff
from egov.notifications.adapters import SendError
from egov.tasks import messages, services
from egov.tasks.models import MessageStatus, NoticeKind, Task, TaskMessage
from egov.tasks.tests.conftest import backdate, make_task

pytestmark = pytest.mark.django_db


def _reachable(*people: User) -> None:
    for number, person in enumerate(people):
        User.objects.filter(pk=person.pk).update(
            email=f"{person.username}@kiengiang.gov.vn", phone=f"09123456{number:02d}"
        )
        person.refresh_from_db()


class Gateway:
    def __init__(self, error: SendError | None = None) -> None:
        self.sent: list[dict[str, Any]] = []
        self.error = error

    def send(self, *, phone: str, text: str, ref: str) -> str:
        if self.error is not None:
            raise self.error
        self.sent.append({"phone": phone, "text": text, "ref": ref})
        return "m-1"


def test_an_assignment_reaches_the_lead_unit_by_email_and_sms(org: Org, staff: Staff) -> None:
    _reachable(staff.head, staff.specialist, staff.leader)
    task = make_task(org, staff)
    rows = TaskMessage.objects.filter(task=task, kind=NoticeKind.ASSIGNED)
    assert {(m.person_id, m.channel) for m in rows} == {
        (staff.head.pk, "email"),
        (staff.head.pk, "sms"),
        (staff.specialist.pk, "email"),
        (staff.specialist.pk, "sms"),
    }  # the leader assigned it: not told of their own act
    email = rows.get(person=staff.head, channel="email")
    assert email.recipient == "tp.xdkt@kiengiang.gov.vn"
    assert task.reference in email.subject and "Rà soát" in email.body
    sms = rows.get(person=staff.head, channel="sms")
    assert sms.recipient == "84912345600" and "Ra soat" in sms.body  # no diacritics
    assert sms.status == MessageStatus.QUEUED


def test_a_rolled_back_act_queues_nothing(org: Org, staff: Staff) -> None:
    _reachable(staff.head)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        make_task(org, staff)
        raise Boom
    assert not TaskMessage.objects.exists()


def test_an_extension_request_reaches_the_assigning_leader(org: Org, staff: Staff) -> None:
    _reachable(staff.leader)
    task = make_task(org, staff)
    services.request_extension(
        staff.head, task.pk, new_due_date=task.due_date + timedelta(days=10), reason="Chờ số liệu"
    )
    rows = TaskMessage.objects.filter(kind=NoticeKind.EXTENSION, person=staff.leader)
    assert {m.channel for m in rows} == {"email", "sms"}
    assert "Phòng Xây dựng" in rows.get(channel="email").body


def test_deadline_notices_go_to_the_lead_unit_and_the_leader_once(org: Org, staff: Staff) -> None:
    _reachable(staff.head, staff.leader)
    task = backdate(make_task(org, staff), assigned=10, due=2)
    TaskMessage.objects.all().delete()
    services.warn_deadlines()
    rows = TaskMessage.objects.filter(task=task, kind=NoticeKind.OVERDUE)
    assert {(m.person_id, m.channel) for m in rows} == {
        (staff.head.pk, "email"),
        (staff.head.pk, "sms"),
        (staff.leader.pk, "email"),
        (staff.leader.pk, "sms"),
    }
    services.warn_deadlines()
    assert TaskMessage.objects.filter(task=task).count() == 4


def test_the_job_sends_retries_and_gives_up(org: Org, staff: Staff) -> None:
    _reachable(staff.head)
    make_task(org, staff)
    gateway = Gateway()
    assert messages.send_due(sms_gateway=gateway) == 2
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["tp.xdkt@kiengiang.gov.vn"]
    assert gateway.sent[0]["phone"] == "84912345600"
    assert set(TaskMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert messages.send_due(sms_gateway=gateway) == 0  # nothing sent twice

    make_task(org, staff, text="Báo cáo tình hình cải cách hành chính")
    down = Gateway(SendError("gateway down"))
    assert messages.send_due(sms_gateway=down) == 1  # the e-mail goes, the SMS waits
    failed = TaskMessage.objects.get(status=MessageStatus.FAILED)
    assert failed.channel == "sms" and failed.attempts == 1 and "down" in failed.last_error
    assert failed.next_attempt_at > timezone.now()
    later = timezone.now() + timedelta(minutes=3)
    assert messages.send_due(now=later, sms_gateway=gateway) == 1
    assert TaskMessage.objects.get(pk=failed.pk).status == MessageStatus.SENT

    make_task(org, staff, text="Kiểm tra công tác văn thư")
    refused = Gateway(SendError("invalid number", permanent=True))
    messages.send_due(sms_gateway=refused)
    assert TaskMessage.objects.get(status=MessageStatus.DEAD).attempts == 1


def test_monthly_summary_per_leader_once(org: Org, staff: Staff) -> None:
    _reachable(staff.leader)
    first = make_task(org, staff)
    make_task(org, staff, text="Tổng hợp báo cáo quý")
    make_task(org, staff, text="Giao trong tháng này: không thuộc bản tổng hợp")
    today = services.today()
    last_month = today.replace(day=1) - timedelta(days=3)
    Task.objects.exclude(text__startswith="Giao trong").update(assigned_on=last_month)
    Task.objects.filter(pk=first.pk).update(due_date=today - timedelta(days=1))
    assert messages.queue_monthly_summaries(today) == 2
    rows = TaskMessage.objects.filter(kind="summary")
    assert {(m.person_id, m.channel) for m in rows} == {
        (staff.leader.pk, "email"),
        (staff.leader.pk, "sms"),
    }
    email = rows.get(channel="email")
    assert f"{last_month.month:02d}/{last_month.year}" in email.subject
    assert f"{last_month.month:02d}/{last_month.year}: 2." in email.body
    assert "đang thực hiện quá hạn: 1" in email.body
    assert "đang thực hiện trong hạn: 1" in email.body
    assert messages.queue_monthly_summaries(today) == 0  # once per leader and month
    # A month with no task assigned: nothing.
    assert messages.queue_monthly_summaries(date(2001, 3, 1)) == 0
