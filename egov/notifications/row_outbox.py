"""Sending the e-mail and SMS rows other apps keep in outboxes of their own (task
messages, complaint notices): one loop, so the claim, the retry delay and the
giving up are the same everywhere.

A row model has ``status`` (queued, sent, failed, dead), ``attempts``,
``next_attempt_at``, ``last_error`` and ``sent_at``. The app writes its rows in the
transaction of the act they tell about, and its background job calls
:func:`send_due_rows` with how to deliver one row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from egov.notifications.adapters import SendError

logger = logging.getLogger(__name__)

QUEUED, SENT, FAILED, DEAD = "queued", "sent", "failed", "dead"
#: How long a claimed row stays out of other runners' reach while it is sent.
LEASE = timedelta(minutes=10)


def send_due_rows(
    model: type[models.Model],
    deliver: Callable[[Any], None],
    *,
    moment: datetime,
    limit: int,
    max_attempts: int,
    label: str,
) -> int:
    """Send the rows of ``model`` that are due; returns how many were sent. A failure
    is retried with a growing delay (2, 4, 8… minutes) up to ``max_attempts``; a
    permanent one (a refused number) is given up at once. Each row is claimed first,
    so two runners never send it twice."""
    manager = model._default_manager
    sent = 0
    due = manager.filter(status__in=[QUEUED, FAILED], next_attempt_at__lte=moment).order_by(
        "next_attempt_at", "pk"
    )[:limit]
    for row in due:
        # Claim the row: another runner that read it too finds it moved on.
        claimed = manager.filter(
            pk=row.pk,
            status=row.status,  # type: ignore[attr-defined]
            next_attempt_at=row.next_attempt_at,  # type: ignore[attr-defined]
        ).update(next_attempt_at=moment + LEASE, attempts=row.attempts + 1)  # type: ignore[attr-defined]
        if not claimed:
            continue
        row.attempts += 1  # type: ignore[attr-defined]
        attempts: int = row.attempts  # type: ignore[attr-defined]
        try:
            deliver(row)
        except SendError as error:
            dead = error.permanent or attempts >= max_attempts
            manager.filter(pk=row.pk).update(
                status=DEAD if dead else FAILED,
                last_error=str(error)[:500],
                next_attempt_at=moment + timedelta(minutes=2**attempts),
            )
            logger.warning("%s %s not sent: %s", label, row.pk, error)
        else:
            manager.filter(pk=row.pk).update(status=SENT, sent_at=timezone.now(), last_error="")
            sent += 1
    return sent
