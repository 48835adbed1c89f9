"""Reads of the notifications app: who may see which notifications."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from egov.accounts.permissions import Perm, has_perm_in_unit, units_with_perm
from egov.notifications.models import Notification, NotificationStatus

#: Holding any of these in a unit lets staff see the notifications of its dossiers.
DOSSIER_PERMS: tuple[str, ...] = (
    Perm.RECEIVE_DOSSIERS,
    Perm.PROCESS_DOSSIERS,
    Perm.APPROVE_DOSSIERS,
    Perm.RETURN_RESULTS,
)


def may_view_log(user: Any) -> bool:
    return any(
        has_perm_in_unit(user, perm, None) for perm in (*DOSSIER_PERMS, Perm.OPERATE_PLATFORM)
    )


def visible_notifications(user: Any) -> QuerySet[Notification]:
    """Notifications of the dossiers received by, or now handled in, a unit where
    ``user`` holds a dossier permission (the unit's subtree); operators see all."""
    rows = Notification.objects.select_related("dossier")
    if has_perm_in_unit(user, Perm.OPERATE_PLATFORM, None):
        return rows
    condition = Q()
    for perm in DOSSIER_PERMS:
        units = units_with_perm(user, perm).values("pk")
        condition |= (
            Q(dossier__receiving_unit__in=units)
            | Q(dossier__receiving_agency__in=units)
            | Q(dossier__current_unit__in=units)
        )
    if not condition:
        return rows.none()
    return rows.filter(condition)


def search(
    user: Any, *, dossier_code: str = "", channel: str = "", status: str = ""
) -> QuerySet[Notification]:
    rows = visible_notifications(user)
    if dossier_code:
        rows = rows.filter(dossier__code=dossier_code.strip())
    if channel:
        rows = rows.filter(channel=channel)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


# --- the outbox, for the metrics endpoint ----------------------------------------------------

_WAITING = (NotificationStatus.QUEUED, NotificationStatus.SENDING, NotificationStatus.FAILED)


def outbox_waiting() -> int:
    """Notifications not yet sent nor given up."""
    return Notification.objects.filter(status__in=_WAITING).count()


def outbox_oldest_age_seconds() -> float:
    """How long the oldest waiting notification has waited (0 when none waits)."""
    from django.db.models import Min
    from django.utils import timezone

    oldest = Notification.objects.filter(status__in=_WAITING).aggregate(at=Min("created_at"))["at"]
    return 0.0 if oldest is None else (timezone.now() - oldest).total_seconds()
