"""Reads of the complaint channel: the agency's worklist and the public answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from egov.core.models import Unit
from egov.dossiers.selectors import due_soon_limit
from egov.feedback.complaint_models import Complaint, ComplaintStatus
from egov.feedback.selectors import answerable_agencies
from egov.procedures.text import search_terms

#: Worklist tabs: name → statuses shown.
TABS: dict[str, tuple[str, ...]] = {
    "todo": (ComplaintStatus.RECEIVED, ComplaintStatus.ANSWERED),
    "waiting": (ComplaintStatus.MORE_INFO,),
    "done": (ComplaintStatus.PUBLISHED, ComplaintStatus.REFUSED),
}


def worklist(user: Any, *, tab: str = "todo", now: datetime | None = None) -> QuerySet[Complaint]:
    """Complaints of the agencies ``user`` handles: on the agency's turn, earliest
    deadline first, with ``is_overdue`` and ``is_due_soon`` (within one working day);
    waiting for the sender; or finished, newest first."""
    now = now or timezone.now()
    statuses = TABS.get(tab, TABS["todo"])
    qs = Complaint.objects.filter(
        agency__in=answerable_agencies(user), status__in=statuses
    ).select_related("agency", "procedure")
    if tab == "done":
        return qs.order_by("-received_at", "-pk")
    soon = due_soon_limit(now)
    return qs.annotate(
        is_overdue=Case(
            When(current_due_at__lt=now, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        is_due_soon=Case(
            When(current_due_at__gte=now, current_due_at__lte=soon, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    ).order_by("current_due_at", "received_at", "pk")


def worklist_counts(user: Any, *, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    qs = Complaint.objects.filter(agency__in=answerable_agencies(user))
    return {
        "todo": qs.filter(status__in=TABS["todo"]).count(),
        "overdue": qs.filter(status__in=TABS["todo"], current_due_at__lt=now).count(),
        "waiting": qs.filter(status__in=TABS["waiting"]).count(),
    }


def published(*, query: str = "", agency: Unit | None = None) -> QuerySet[Complaint]:
    """Published answers, newest first. ``query`` matches every word, with or
    without diacritics, in the subject, the text (when the sender agreed to its
    publication) or the answer; ``agency`` limits to its subtree."""
    qs = Complaint.objects.filter(status=ComplaintStatus.PUBLISHED)
    for term in search_terms(query):
        qs = qs.filter(search_key__icontains=term)
    if agency is not None:
        qs = qs.filter(agency__path__startswith=agency.path)
    return qs.select_related("agency", "procedure").order_by("-published_at", "-pk")


def by_code(code: str) -> Complaint | None:
    return (
        Complaint.objects.select_related("agency", "procedure", "dossier")
        .filter(code="".join((code or "").split()).upper())
        .first()
    )


def visible_to_staff(user: Any) -> Q:
    return Q(agency__in=answerable_agencies(user))
