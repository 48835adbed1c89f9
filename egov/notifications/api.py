"""JSON API of notifications, mounted at ``/api/v1/notifications``.

``GET /api/v1/notifications?dossier=<code>``: what was sent (or is queued) to the
applicant of a dossier, for staff holding a dossier permission in its units (the
same staff session with second factor as ``/api/v1/dossiers``).
"""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from egov.accounts.api_auth import staff_auth
from egov.core.formatting import local
from egov.core.schemas import ErrorOut
from egov.notifications import selectors
from egov.notifications.models import NotificationStatus, NotifyChannel

router = Router(auth=staff_auth)


class NotificationOut(Schema):
    id: int
    dossier: str = Field(description="Dossier code.")
    event: str = Field(description="The dossier action that caused it, e.g. `receive`.")
    channel: str = Field(description="`email` or `sms`.")
    recipient: str = Field(description="E-mail address, or mobile number as 84xxxxxxxxx.")
    subject: str
    body: str
    status: str = Field(description="`queued`, `sending`, `sent`, `failed` (will retry), `dead`.")
    attempts: int
    next_attempt_at: datetime | None = Field(description="When a queued or failed one is due.")
    last_error: str
    provider_message_id: str
    sent_at: datetime | None
    created_at: datetime


class NotificationFilter(Schema):
    dossier: str = Field("", description="Dossier code.", max_length=60)
    channel: str = Field("", description="`email` or `sms`.")
    status: str = Field("", description="One of the statuses.")
    limit: int = Field(100, ge=1, le=500)


@router.get(
    "",
    response={200: list[NotificationOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Notifications sent to applicants",
)
def list_notifications(request: HttpRequest, filters: Query[NotificationFilter]) -> Any:
    """Newest first; only dossiers of units where the caller holds a dossier
    permission (operators: all)."""
    user = request.auth  # type: ignore[attr-defined]
    if not selectors.may_view_log(user):
        return Status(
            403,
            {
                "code": "forbidden",
                "message": gettext("You do not have permission to see notifications."),
                "field": None,
            },
        )
    if filters.channel and filters.channel not in NotifyChannel.values:
        return Status(
            422,
            {"code": "invalid", "message": gettext("Unknown channel."), "field": "channel"},
        )
    if filters.status and filters.status not in NotificationStatus.values:
        return Status(
            422, {"code": "invalid", "message": gettext("Unknown status."), "field": "status"}
        )
    rows = selectors.search(
        user, dossier_code=filters.dossier, channel=filters.channel, status=filters.status
    )[: filters.limit]
    return [
        {
            "id": row.pk,
            "dossier": row.dossier.code,
            "event": row.event,
            "channel": row.channel,
            "recipient": row.recipient,
            "subject": row.subject,
            "body": row.body,
            "status": row.status,
            "attempts": row.attempts,
            "next_attempt_at": local(row.next_attempt_at)
            if row.status in (NotificationStatus.QUEUED, NotificationStatus.FAILED)
            else None,
            "last_error": row.last_error,
            "provider_message_id": row.provider_message_id,
            "sent_at": local(row.sent_at),
            "created_at": local(row.created_at),
        }
        for row in rows
    ]
