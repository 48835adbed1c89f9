"""Background work of the work files (run by ``manage.py run_background``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts.models import RoleAssignment
from egov.accounts.permissions import Perm
from egov.core.formatting import format_date
from egov.workfiles import selectors, services
from egov.workfiles.models import HandoverNotice, WorkFile

BATCH = 200


def _clerks(agency_id: int) -> list[Any]:
    rows = RoleAssignment.objects.filter(
        unit_id=agency_id, revoked_at__isnull=True, user__is_active=True
    ).select_related("role", "user")
    return [row.user for row in rows if Perm.REGISTER_DOCUMENTS in (row.role.permissions or [])]


def warn_handover_due() -> int:
    """Tell the file's responsible person and the agency's records clerks, once per
    due date, that a closed file is due at the archive within the warning window.
    Safe to run any number of times and from several runners: one notice per file,
    person and due date (a unique constraint), the file row locked while writing."""
    sent = 0
    on = services.today()
    pks = list(selectors.due_for_handover(on).values_list("pk", flat=True)[:BATCH])
    for pk in pks:
        with transaction.atomic():
            work_file = (
                WorkFile.objects.select_for_update().select_related("agency", "owner").get(pk=pk)
            )
            if work_file.handover_due is None or work_file.status != "closed":
                continue
            people = {p.pk: p for p in [work_file.owner, *_clerks(work_file.agency_id)] if p}
            text = _("File %(symbol)s “%(title)s” is due at the archive by %(due)s.") % {
                "symbol": work_file.symbol,
                "title": work_file.title[:200],
                "due": format_date(work_file.handover_due),
            }
            for person in people.values():
                _notice, created = HandoverNotice.objects.get_or_create(
                    work_file=work_file,
                    recipient=person,
                    due=work_file.handover_due,
                    defaults={"text": text[:500], "created_at": services.now()},
                )
                sent += int(created)
            if work_file.handover_warned_at is None:
                work_file.handover_warned_at = services.now()
                work_file.save(update_fields=["handover_warned_at"])
    return sent
