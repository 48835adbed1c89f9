"""Background work of the incoming side (run by ``manage.py run_background``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from egov.core.workcalendar import get_calendar
from egov.documents.models import OPEN_STATUSES, IncomingDocument, NoticeKind, OcrStatus
from egov.documents.services import common, recognise_document

OCR_BATCH = 5
NOTICE_BATCH = 200


def recognise_pending() -> int:
    """Read the text of up to a few queued scans; each is claimed with a row lock
    (SKIP LOCKED where the database has it) so two runners never read the same one."""
    done = 0
    for _round in range(OCR_BATCH):
        with transaction.atomic():
            qs = IncomingDocument.objects.filter(ocr_status=OcrStatus.PENDING).order_by("pk")
            if transaction.get_connection().features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            pk = qs.values_list("pk", flat=True).first()
        if pk is None:
            break
        recognise_document(pk)
        done += 1
    return done


def send_deadline_notices() -> int:
    """Tell the people handling a document once when it is due soon and once when it
    is overdue (and its leader when overdue)."""
    now = common.now()
    soon = get_calendar().add_working_days(now, int(settings.EGOV_DOCUMENTS_DUE_SOON_DAYS))
    sent = 0
    due = IncomingDocument.objects.filter(status__in=OPEN_STATUSES, due_at__isnull=False)
    for kind, qs, field in (
        (
            NoticeKind.OVERDUE,
            due.filter(due_at__lt=now, overdue_noticed_at__isnull=True),
            "overdue_noticed_at",
        ),
        (
            NoticeKind.DUE_SOON,
            due.filter(
                due_at__gte=now, due_at__lte=soon + timedelta(0), due_soon_noticed_at__isnull=True
            ),
            "due_soon_noticed_at",
        ),
    ):
        for pk in list(qs.values_list("pk", flat=True)[:NOTICE_BATCH]):
            with transaction.atomic():
                document = IncomingDocument.objects.select_for_update().get(pk=pk)
                if getattr(document, field) is not None:
                    continue
                people = [
                    a.assignee
                    for a in document.assignments.filter(status="active")
                    if a.assignee_id
                ]
                if kind == NoticeKind.OVERDUE and document.presented_to_id:
                    people.append(document.presented_to)
                text = (
                    _("Overdue: %(subject)s")
                    if kind == NoticeKind.OVERDUE
                    else _("Due soon: %(subject)s")
                ) % {"subject": document.subject[:200]}
                sent += common.notify(people, document, kind, text)
                IncomingDocument.objects.filter(pk=pk).update(**{field: now})
    return sent
