"""Notices to the sender of a complaint: queued in the step's transaction, sent later.

:func:`queue` inserts one :class:`ComplaintNotice` per channel the sender can be
reached on (e-mail; SMS to a mobile number), keyed so that the same step never
queues twice. :func:`send_due` (a background job registered by the app) hands
them to the notifications app's adapters (Django e-mail, the SMS gateway) outside
any transaction, with retries and backoff; a rolled-back step leaves no notice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.formatting import format_date
from egov.feedback.complaint_models import Complaint, ComplaintNotice
from egov.notifications.adapters import EmailSender, SmsGateway, get_sms_gateway
from egov.notifications.adapters import sms_number as mobile_number
from egov.notifications.row_outbox import send_due_rows
from egov.notifications.sms import truncate_to_segments, unaccent

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6


def _texts(complaint: Complaint, event: str) -> tuple[str, str]:
    values = {
        "code": complaint.code,
        "agency": complaint.agency.name,
        "due": format_date(complaint.answer_due_at),
        "reason": complaint.refusal_reason,
        "request": complaint.more_info_request,
        "url": settings.EGOV_PUBLIC_BASE_URL.rstrip("/")
        + reverse("pakn:track", args=[complaint.code]),
    }
    texts = {
        "received": (
            _("Your feedback %(code)s was received"),
            _(
                "Your feedback %(code)s was received and sent to %(agency)s. The answer "
                "is due by %(due)s. Follow it at %(url)s with your follow-up key."
            ),
        ),
        "refused": (
            _("Your feedback %(code)s was not accepted"),
            _("%(agency)s did not accept your feedback %(code)s: %(reason)s"),
        ),
        "more_info": (
            _("More information is needed for your feedback %(code)s"),
            _(
                "%(agency)s needs more information for your feedback %(code)s: "
                "%(request)s Reply at %(url)s with your follow-up key."
            ),
        ),
        "published": (
            _("Your feedback %(code)s was answered"),
            _("%(agency)s answered your feedback %(code)s. Read the answer at %(url)s."),
        ),
    }
    subject, body = texts[event]
    return subject % values, body % values


def queue(complaint: Complaint, event: str, occurrence: int = 0) -> list[ComplaintNotice]:
    """Insert the notices of ``event`` (inside the caller's transaction)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("complaint notices are queued inside the step's transaction")
    targets: dict[str, str] = {}
    channels = settings.EGOV_NOTIFY_CHANNELS
    if "email" in channels and complaint.sender_email:
        targets["email"] = complaint.sender_email
    number = mobile_number(complaint.sender_phone)
    if "sms" in channels and number:
        targets["sms"] = number
    subject, body = _texts(complaint, event)
    now = timezone.now()
    rows = [
        ComplaintNotice(
            complaint=complaint,
            key=f"{complaint.pk}:{event}:{occurrence}:{channel}",
            event=event,
            channel=channel,
            recipient=recipient,
            subject=subject if channel == "email" else "",
            # SMS without diacritics: one GSM-7 segment goes further.
            body=body if channel == "email" else truncate_to_segments(unaccent(body), 3),
            next_attempt_at=now,
        )
        for channel, recipient in targets.items()
    ]
    ComplaintNotice.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


def _deliver(row: ComplaintNotice, sms: SmsGateway | None, email: EmailSender) -> None:
    ref = f"egov-pakn-{row.pk}"
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
    """Send the notices that are due; returns how many were sent."""
    moment = now or timezone.now()
    email = email_sender or EmailSender()
    return send_due_rows(
        ComplaintNotice,
        lambda row: _deliver(row, sms_gateway, email),
        moment=moment,
        limit=limit,
        max_attempts=MAX_ATTEMPTS,
        label="complaint notice",
    )
