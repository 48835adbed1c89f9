"""Task notices beyond the application: e-mail and SMS to the staff concerned.

The services write a :class:`TaskNotice` for each person (shown in the application);
for the kinds that cannot wait for the person to sign in — a task assigned to their
unit, an extension asked for or decided, a deadline coming or missed —
:func:`queue_notices` also writes one :class:`TaskMessage` per channel the person
can be reached on (their account's e-mail; SMS to a mobile number), in the same
transaction: a rolled-back act sends nothing. :func:`send_due` (the background job
``tasks.send_messages``) hands them to the notifications app's adapters (Django
e-mail, the SMS gateway) outside any transaction, with retries and backoff.
:func:`queue_monthly_summaries` (the job ``tasks.monthly_summaries``) writes each
assigning leader a summary of the tasks they assigned in the past month.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.models import Unit
from egov.notifications.adapters import EmailSender, SmsGateway, get_sms_gateway
from egov.notifications.adapters import sms_number as mobile_number
from egov.notifications.row_outbox import send_due_rows
from egov.notifications.sms import truncate_to_segments, unaccent
from egov.tasks.models import NoticeKind, TaskMessage, TaskNotice

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6

#: Notices that also go out by e-mail and SMS; the others stay in the application.
SENT_KINDS = frozenset(
    {
        NoticeKind.ASSIGNED,
        NoticeKind.EXTENSION,
        NoticeKind.DECIDED,
        NoticeKind.DUE_SOON,
        NoticeKind.OVERDUE,
    }
)


def _targets(person: Any) -> dict[str, str]:
    channels = settings.EGOV_NOTIFY_CHANNELS
    found: dict[str, str] = {}
    address = str(person.email or "")
    if "email" in channels and address:
        found["email"] = address
    number = mobile_number(str(person.phone or ""))
    if "sms" in channels and number:
        found["sms"] = number
    return found


def _rows(
    key: str, kind: str, person: Any, task_id: int | None, subject: str, body: str
) -> list[TaskMessage]:
    now = timezone.now()
    return [
        TaskMessage(
            key=f"{key}:{channel}",
            kind=kind,
            person=person,
            task_id=task_id,
            channel=channel,
            recipient=recipient,
            subject=subject[:255] if channel == "email" else "",
            # SMS without diacritics: one GSM-7 segment carries more.
            body=body if channel == "email" else truncate_to_segments(unaccent(body), 2),
            created_at=now,
            next_attempt_at=now,
        )
        for channel, recipient in _targets(person).items()
    ]


def queue_notices(notices: Iterable[TaskNotice]) -> int:
    """Queue the e-mails and SMS of ``notices`` (saved rows, inside the act's
    transaction); returns how many messages were queued."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("task messages are queued inside the act's transaction")
    rows: list[TaskMessage] = []
    for notice in notices:
        if notice.kind not in SENT_KINDS or notice.pk is None:
            continue
        reference = notice.task.reference
        subject = f"{NoticeKind(notice.kind).label}: {reference}"
        rows += _rows(
            f"notice:{notice.pk}",
            notice.kind,
            notice.recipient,
            notice.task_id,
            subject,
            notice.text,
        )
    TaskMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- the monthly summary per leader ---------------------------------------------------------


def _previous_month(day: date) -> tuple[int, int]:
    return (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)


def queue_monthly_summaries(today: date | None = None) -> int:
    """Queue for each leader who assigned tasks last month a summary: how many, how
    many done on time or late, how many still open (overdue or in time). Safe to run
    any number of times: one summary per leader, month and channel."""
    from egov.tasks import selectors

    day = today or timezone.localdate()
    year, month = _previous_month(day)
    roots = list(Unit.objects.filter(depth=1))
    summaries = selectors.monthly_summary(roots, year, month)
    if not summaries:
        return 0
    people = get_user_model().objects.in_bulk([s.leader_id for s in summaries])
    label = f"{month:02d}/{year}"
    rows: list[TaskMessage] = []
    for summary in summaries:
        person = people.get(summary.leader_id)
        if person is None or not person.is_active:
            continue
        subject = _("Tasks you assigned in %(month)s") % {"month": label}
        body = _(
            "Tasks you assigned in %(month)s: %(assigned)s. Done on time: %(on_time)s; done "
            "late: %(late)s; still open and overdue: %(overdue)s; still open within the "
            "deadline: %(open)s."
        ) % {
            "month": label,
            "assigned": summary.assigned,
            "on_time": summary.done_on_time,
            "late": summary.done_late,
            "overdue": summary.open_overdue,
            "open": summary.open_in_time,
        }
        rows += _rows(
            f"summary:{person.pk}:{year}-{month:02d}", "summary", person, None, subject, body
        )
    known = set(
        TaskMessage.objects.filter(key__in=[row.key for row in rows]).values_list("key", flat=True)
    )
    rows = [row for row in rows if row.key not in known]
    TaskMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- sending --------------------------------------------------------------------------------


def _deliver(row: TaskMessage, sms: SmsGateway | None, email: EmailSender) -> None:
    ref = f"egov-task-{row.pk}"
    if row.channel == "sms":
        (sms or get_sms_gateway()).send(phone=row.recipient, text=row.body, ref=ref)
    else:
        email.send(to=row.recipient, subject=row.subject, body=row.body, ref=ref)


def send_due(
    *,
    now: datetime | None = None,
    limit: int = 100,
    sms_gateway: SmsGateway | None = None,
    email_sender: EmailSender | None = None,
) -> int:
    """Send the messages that are due; returns how many were sent. A failure is
    retried with a growing delay (2, 4, 8… minutes) up to ``MAX_ATTEMPTS``; a
    permanent one (a refused number) is given up at once."""
    moment = now or timezone.now()
    email = email_sender or EmailSender()
    return send_due_rows(
        TaskMessage,
        lambda row: _deliver(row, sms_gateway, email),
        moment=moment,
        limit=limit,
        max_attempts=MAX_ATTEMPTS,
        label="task message",
    )
