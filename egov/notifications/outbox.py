"""The outbox: notification rows written in the dossier's own transaction.

:func:`queue_for_event` listens to ``dossiers.signals.dossier_changed`` (sent inside
the transaction of every dossier change) and inserts one :class:`Notification`
per channel that has both a recipient and an active template for the event. It
only renders text and inserts rows, never touches the network: the worker
(:mod:`egov.notifications.worker`) sends them after commit. A rolled-back change
leaves no notification; the same event never gives two rows on one channel.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from egov.core import caches
from egov.notifications.adapters import sms_number
from egov.notifications.models import (
    Notification,
    NotificationStatus,
    NotificationTemplate,
    NotifyChannel,
)
from egov.notifications.rendering import TemplateProblem, dossier_context, render

if TYPE_CHECKING:
    from egov.dossiers.models import Dossier, DossierEvent


def recipients(dossier: Dossier) -> dict[str, str]:
    """Where the applicant can be reached: the dossier's applicant fields, else the
    applicant's account. SMS only to mobile numbers."""
    email = dossier.applicant_email
    phone = dossier.applicant_phone
    if (not email or not phone) and dossier.applicant_id is not None:
        account = dossier.applicant
        email = email or (account.email if account else "")
        phone = phone or (account.phone if account else "")
    found: dict[str, str] = {}
    if email:
        found[NotifyChannel.EMAIL] = email
    number = sms_number(phone or "")
    if number:
        found[NotifyChannel.SMS] = number
    return found


# The active templates, read once per EGOV_NOTIFY_TEMPLATE_CACHE_SECONDS by each
# process: queuing runs inside every dossier change, and a query there costs the
# desk about 1 ms of CPU per receipt. A save in this process forgets them at once.
_cache: dict[str, Any] = {"rows": None, "read_at": 0.0}


@caches.register
def forget_templates() -> None:
    _cache["rows"] = None


@receiver(post_save, sender=NotificationTemplate, dispatch_uid="notifications.forget_templates")
@receiver(post_delete, sender=NotificationTemplate, dispatch_uid="notifications.forget_deleted")
def _template_changed(**kwargs: Any) -> None:
    forget_templates()


def _active_templates() -> list[NotificationTemplate]:
    now = time.monotonic()
    rows = _cache["rows"]
    if rows is None or now - _cache["read_at"] > settings.EGOV_NOTIFY_TEMPLATE_CACHE_SECONDS:
        rows = list(NotificationTemplate.objects.filter(is_active=True))
        _cache["rows"], _cache["read_at"] = rows, now
    return list(rows)


def _templates(event: str, channels: list[str]) -> dict[str, NotificationTemplate]:
    """The active template of each channel, in the site's language if there is one."""
    chosen: dict[str, NotificationTemplate] = {}
    rows = [t for t in _active_templates() if t.event == event and t.channel in channels]
    for template in rows:
        current = chosen.get(template.channel)
        if current is None or template.language == settings.LANGUAGE_CODE:
            chosen[template.channel] = template
    return chosen


def queue_for_event(dossier: Dossier, event: DossierEvent) -> list[Notification]:
    """Insert the notifications of ``event`` (inside the caller's transaction)."""
    rows = _rows_for_event(dossier, event)
    if rows:
        _insert(rows)
    return rows


def queue_for_events(items: list[tuple[Dossier, DossierEvent]]) -> list[Notification]:
    """:func:`queue_for_event` for many events, in one ``INSERT`` (a batch receipt)."""
    rows = [row for dossier, event in items for row in _rows_for_event(dossier, event)]
    if rows:
        _insert(rows)
    return rows


def _insert(rows: list[Notification]) -> None:
    # ON CONFLICT DO NOTHING: a second signal for the same event adds nothing, and
    # does not break the dossier's transaction.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)


def _rows_for_event(dossier: Dossier, event: DossierEvent) -> list[Notification]:
    reachable = recipients(dossier)
    channels = [c for c in settings.EGOV_NOTIFY_CHANNELS if c in reachable]
    if not channels:
        return []
    templates = _templates(event.action, channels)
    if not templates:
        return []
    context = dossier_context(dossier, event)
    now = timezone.now()
    rows: list[Notification] = []
    for channel, template in templates.items():
        try:
            message = render(
                channel=channel,
                subject=template.subject,
                body=template.body,
                unaccented=template.unaccented,
                context=context,
            )
        except TemplateProblem:
            # Templates are checked when saved; one broken since (a Django upgrade)
            # must not stop the dossier's change.
            continue
        rows.append(
            Notification(
                dossier=dossier,
                dossier_event=event,
                event=event.action,
                channel=channel,
                recipient=reachable[channel],
                subject=message.subject,
                body=message.body,
                status=NotificationStatus.QUEUED,
                next_attempt_at=now,
            )
        )
    return rows


def on_dossier_changed(
    sender: Any, *, dossier: Dossier, event: DossierEvent, action: str, **kwargs: Any
) -> None:
    if kwargs.get("in_batch"):
        return  # queued with the whole batch by on_dossiers_changed_in_batch
    queue_for_event(dossier, event)


def on_dossiers_changed_in_batch(
    sender: Any, *, items: list[tuple[Dossier, DossierEvent]], **kwargs: Any
) -> None:
    queue_for_events(items)
