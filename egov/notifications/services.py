"""Write paths of the notifications app: operators' edits of the templates.

(The outbox rows are written by :mod:`egov.notifications.outbox` inside the
dossier's transaction, and their sending state by :mod:`egov.notifications.worker`;
the notification log itself is the record of what was sent.)
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts.permissions import Perm, has_perm_in_unit, require_perm
from egov.core import audit
from egov.notifications.models import Event, NotificationTemplate, NotifyChannel
from egov.notifications.rendering import check_template


def may_edit_templates(user: Any) -> bool:
    """Operators of the platform (the same permission as the one-stop form templates)."""
    return has_perm_in_unit(user, Perm.OPERATE_PLATFORM, None)


def save_template(
    actor: Any,
    *,
    event: str,
    channel: str,
    language: str,
    subject: str,
    body: str,
    unaccented: bool,
    is_active: bool,
) -> NotificationTemplate:
    """Create or replace the template of (event, channel, language).

    Needs ``Perm.OPERATE_PLATFORM``. Refused with per-field errors, the stored
    template unchanged, unless it compiles, renders on the sample dossier and (SMS)
    fits the segment limit. Audited with the before/after text.
    """
    require_perm(actor, Perm.OPERATE_PLATFORM, None)
    body = body.replace("\r\n", "\n")
    subject = subject.strip() if channel == NotifyChannel.EMAIL else ""
    unaccented = bool(unaccented) and channel == NotifyChannel.SMS
    if event not in Event.values:
        raise ValidationError({"event": _("Unknown event.")})
    check_template(channel=channel, subject=subject, body=body, unaccented=unaccented)
    with transaction.atomic():
        template = (
            NotificationTemplate.objects.select_for_update()
            .filter(event=event, channel=channel, language=language)
            .first()
        )
        before: dict[str, Any] = {}
        if template is None:
            template = NotificationTemplate(event=event, channel=channel, language=language)
        else:
            before = {
                "subject": template.subject,
                "body": template.body,
                "unaccented": template.unaccented,
                "is_active": template.is_active,
            }
        after = {"subject": subject, "body": body, "unaccented": unaccented, "is_active": is_active}
        for name, value in after.items():
            setattr(template, name, value)
        template.updated_by = actor if getattr(actor, "pk", None) else None
        template.save()
        audit.record(
            actor=actor,
            action="notifications.template_saved",
            obj=template,
            changes=audit.diff(before, after),
        )
    return template
