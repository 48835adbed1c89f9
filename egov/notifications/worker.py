"""Sending the outbox in the background, with retries.

:func:`send_due` claims due rows in a short transaction (PostgreSQL:
``SELECT … FOR UPDATE SKIP LOCKED``, so concurrent workers each take different
rows; SQLite takes the database's write lock, so claims are serialised anyway),
marks them *sending* with a lease, commits, and only then calls the network. Each
outcome is written back only if the row is still the one claimed (same attempt),
so a worker that overran its lease cannot overwrite a later attempt.

A failure waits ``backoff_delay(attempt)``: EGOV_NOTIFY_BACKOFF_SECONDS doubled at
each attempt, capped at EGOV_NOTIFY_BACKOFF_MAX_SECONDS, half of it random
(jitter, so rows failing together do not retry together). After
EGOV_NOTIFY_MAX_ATTEMPTS attempts, or on a permanent refusal, the row is *dead*.
A worker that dies while sending leaves its rows *sending*; when the lease ends
they are due again (a gateway that honours ``ref`` does not send them twice).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from egov.notifications.adapters import EmailSender, SendError, SmsGateway, get_sms_gateway
from egov.notifications.models import Notification, NotificationStatus, NotifyChannel

log = logging.getLogger(__name__)

DUE_STATUSES = (NotificationStatus.QUEUED, NotificationStatus.FAILED, NotificationStatus.SENDING)


@dataclass
class Report:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    ids: list[int] = field(default_factory=list)


def backoff_delay(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
    base = float(settings.EGOV_NOTIFY_BACKOFF_SECONDS)
    cap = float(settings.EGOV_NOTIFY_BACKOFF_MAX_SECONDS)
    delay = min(cap, base * 2 ** max(attempt - 1, 0))
    return delay / 2 + (rng or random).uniform(0, delay / 2)


def _claim(limit: int, now: datetime) -> list[Notification]:
    lease = timedelta(seconds=settings.EGOV_NOTIFY_LEASE_SECONDS)
    max_attempts = settings.EGOV_NOTIFY_MAX_ATTEMPTS
    with transaction.atomic():
        due = Notification.objects.filter(
            status__in=DUE_STATUSES, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due[:limit])
        # A row left "sending" by a dead worker after its last allowed attempt.
        spent = [r.pk for r in rows if r.attempts >= max_attempts]
        if spent:
            Notification.objects.filter(pk__in=spent).update(
                status=NotificationStatus.DEAD,
                last_error="The worker stopped while sending the last attempt.",
            )
        claimed = [r for r in rows if r.attempts < max_attempts]
        Notification.objects.filter(pk__in=[r.pk for r in claimed]).update(
            status=NotificationStatus.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + lease,
        )
    for row in claimed:
        row.status = NotificationStatus.SENDING
        row.attempts += 1
    return claimed


def _deliver(row: Notification, sms_gateway: SmsGateway | None, email: EmailSender) -> str:
    ref = f"egov-{row.pk}"
    if row.channel == NotifyChannel.SMS:
        if sms_gateway is None:
            sms_gateway = get_sms_gateway()
        return sms_gateway.send(phone=row.recipient, text=row.body, ref=ref)
    if row.channel == NotifyChannel.EMAIL:
        return email.send(to=row.recipient, subject=row.subject, body=row.body, ref=ref)
    raise SendError(f"unknown channel {row.channel}", permanent=True)


def _claimed(row: Notification) -> QuerySet[Notification]:
    return Notification.objects.filter(
        pk=row.pk, status=NotificationStatus.SENDING, attempts=row.attempts
    )


def send_due(
    limit: int = 50,
    *,
    now: datetime | None = None,
    sms_gateway: SmsGateway | None = None,
    email_sender: EmailSender | None = None,
    rng: random.Random | None = None,
) -> Report:
    """Send up to ``limit`` due notifications; return what happened."""
    fixed = now
    now = now or timezone.now()

    def clock() -> datetime:
        return fixed or timezone.now()

    report = Report()
    rows = _claim(limit, now)
    report.claimed = len(rows)
    email = email_sender or EmailSender()
    for row in rows:
        report.ids.append(row.pk)
        try:
            message_id = _deliver(row, sms_gateway, email)
        except Exception as error:  # any failure of an outside system is retried
            permanent = isinstance(error, SendError) and error.permanent
            text = str(error)[:2000] or error.__class__.__name__
            if permanent or row.attempts >= settings.EGOV_NOTIFY_MAX_ATTEMPTS:
                _claimed(row).update(status=NotificationStatus.DEAD, last_error=text)
                report.dead += 1
                log.warning(
                    "notification %s dead after %s attempts: %s", row.pk, row.attempts, text
                )
            else:
                wait = timedelta(seconds=backoff_delay(row.attempts, rng))
                _claimed(row).update(
                    status=NotificationStatus.FAILED,
                    last_error=text,
                    next_attempt_at=clock() + wait,
                )
                report.failed += 1
                log.info("notification %s failed (attempt %s): %s", row.pk, row.attempts, text)
        else:
            sent_at = clock()
            _claimed(row).update(
                status=NotificationStatus.SENT,
                provider_message_id=message_id[:255],
                sent_at=sent_at,
                last_error="",
                next_attempt_at=sent_at,
            )
            report.sent += 1
    return report
