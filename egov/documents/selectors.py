"""Reads of incoming documents shared by pages, the API and other apps."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import Case, F, Q, QuerySet, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from egov.accounts.permissions import Perm, units_with_perm
from egov.core.models import Unit
from egov.core.periods import period_bounds
from egov.core.workcalendar import get_calendar
from egov.documents import fulltext
from egov.documents.access import require_see, visible_documents
from egov.documents.contract import ReceiptStatus, ReceiptStatusCode
from egov.documents.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    DocumentType,
    IncomingDocument,
    IncomingStatus,
    Notice,
    Source,
)
from egov.procedures.text import search_terms

_RECEIPT_CODES = {
    IncomingStatus.RECEIVED: ReceiptStatusCode.RECEIVED,
    IncomingStatus.REGISTERED: ReceiptStatusCode.REGISTERED,
    IncomingStatus.PRESENTED: ReceiptStatusCode.REGISTERED,
    IncomingStatus.ASSIGNED: ReceiptStatusCode.ASSIGNED,
    IncomingStatus.PROCESSING: ReceiptStatusCode.PROCESSING,
    IncomingStatus.DONE: ReceiptStatusCode.DONE,
    IncomingStatus.RETURNED: ReceiptStatusCode.RETURNED,
    IncomingStatus.WITHDRAWN: ReceiptStatusCode.WITHDRAWN,
}


def receipt_status(document: IncomingDocument) -> ReceiptStatus:
    status = _RECEIPT_CODES[IncomingStatus(document.status)]
    at = {
        ReceiptStatusCode.RECEIVED: document.received_at,
        ReceiptStatusCode.REGISTERED: document.registered_at,
        ReceiptStatusCode.DONE: document.resolved_at,
    }.get(status) or document.updated_at
    note = (
        document.closed_reason
        if status in (ReceiptStatusCode.RETURNED, ReceiptStatusCode.WITHDRAWN)
        else ""
    )
    if status is ReceiptStatusCode.DONE and document.answer_notation:
        note = document.answer_notation
    return ReceiptStatus(
        recipient_agency_id=document.recipient_agency_id,
        status=status,
        at=at,
        note=note,
        arrival_number=document.arrival_number,
        recalled=document.recalled_at is not None,
    )


def platform_receipts(source_ref: str) -> list[ReceiptStatus]:
    """Where each recipient of one delivery stands (for the sender's document page)."""
    rows = IncomingDocument.objects.filter(source_ref=source_ref).order_by("recipient_agency_id")
    return [receipt_status(row) for row in rows]


# --- worklists, registers and search ------------------------------------------------


def queue_for(user: Any, agency: Unit | None = None) -> QuerySet[IncomingDocument]:
    """Unregistered documents waiting in the queues of the agencies where ``user`` is
    a records clerk (oldest first: they must be registered in order of arrival)."""
    agencies = units_with_perm(user, Perm.REGISTER_DOCUMENTS)
    qs = visible_documents(user).filter(
        status=IncomingStatus.RECEIVED, recipient_agency__in=agencies
    )
    if agency is not None:
        qs = qs.filter(recipient_agency=agency)
    return qs.select_related("recipient_agency", "doc_type").order_by("received_at", "pk")


def to_direct(user: Any) -> QuerySet[IncomingDocument]:
    """Registered documents waiting for a leader's direction (presented to ``user`` or
    to nobody yet), urgent ones first."""
    agencies = units_with_perm(user, Perm.ASSIGN_DOCUMENTS)
    return (
        visible_documents(user)
        .filter(
            status__in=(IncomingStatus.REGISTERED, IncomingStatus.PRESENTED),
            recipient_agency__in=agencies,
            recalled_at__isnull=True,
        )
        .filter(Q(presented_to=user) | Q(presented_to__isnull=True))
        .select_related("recipient_agency", "doc_type")
        .order_by(Case(When(urgency="normal", then=1), default=0), "registered_at", "pk")
    )


def assigned_to(user: Any, *, include_done: bool = False) -> QuerySet[IncomingDocument]:
    """Documents assigned to ``user`` in person, or to a unit they head and not yet
    handed to someone."""
    heads = units_with_perm(user, Perm.ASSIGN_DOCUMENTS)
    active = Assignment.objects.filter(status=AssignmentStatus.ACTIVE).filter(
        Q(assignee=user) | Q(assignee__isnull=True, unit__in=heads)
    )
    statuses = [*OPEN_STATUSES, IncomingStatus.DONE] if include_done else list(OPEN_STATUSES)
    return (
        visible_documents(user)
        .filter(pk__in=active.values("document_id"), status__in=statuses)
        .select_related("recipient_agency", "doc_type")
        .order_by(F("due_at").asc(nulls_last=True), "pk")
    )


def due_soon(
    qs: QuerySet[IncomingDocument], at: datetime | None = None
) -> QuerySet[IncomingDocument]:
    moment = at or timezone.now()
    limit = get_calendar().add_working_days(moment, int(settings.EGOV_DOCUMENTS_DUE_SOON_DAYS))
    return qs.filter(status__in=OPEN_STATUSES, due_at__gte=moment, due_at__lte=limit)


def overdue(
    qs: QuerySet[IncomingDocument], at: datetime | None = None
) -> QuerySet[IncomingDocument]:
    return qs.filter(status__in=OPEN_STATUSES, due_at__lt=at or timezone.now())


def registered_between(
    user: Any, agency: Unit, first: date, last: date, *, confidential: bool = False
) -> QuerySet[IncomingDocument]:
    """The incoming register of ``agency`` for a period, in incoming-number order."""
    start, stop = period_bounds(first, last)
    return (
        visible_documents(user)
        .filter(
            recipient_agency=agency,
            register__confidential=confidential,
            registered_at__gte=start,
            registered_at__lt=stop,
        )
        .select_related("doc_type", "register", "sheet__lead_unit", "presented_to")
        .prefetch_related("assignments__unit", "assignments__assignee")
        .order_by("register__year", "arrival_number")
    )


def notices_for(user: Any, *, unread_only: bool = True) -> QuerySet[Notice]:
    qs = Notice.objects.filter(recipient=user).select_related("document")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_notice_count(user: Any) -> int | None:
    """The staff dashboard's row: ``None`` (row hidden) when nothing is unread."""
    if not getattr(user, "is_authenticated", False):
        return None
    count = Notice.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
    return count or None


def detail(user: Any, pk_or_uuid: int | str) -> IncomingDocument:
    """One document with what its page shows, or ``Http404``/``PermissionDenied``."""
    qs = IncomingDocument.objects.select_related(
        "recipient_agency",
        "sender_agency",
        "doc_type",
        "register",
        "registered_by",
        "presented_to",
        "received_by",
    )
    lookup = {"uuid": pk_or_uuid} if isinstance(pk_or_uuid, str) else {"pk": pk_or_uuid}
    document = get_object_or_404(qs, **lookup)
    require_see(user, document)
    return document


def search(user: Any, query: str, *, agency: Unit | None = None) -> QuerySet[IncomingDocument]:
    """Full-text search over metadata and recognised text, diacritics ignored
    ("cong van" finds "công văn"), among the documents ``user`` may see: the
    database's own full-text index (PostgreSQL tsvector + GIN, SQLite FTS5)."""
    terms = search_terms(query)
    qs = visible_documents(user)
    if agency is not None:
        qs = qs.filter(recipient_agency=agency)
    if not terms:
        return qs.none()
    return (
        qs.filter(fulltext.matching(terms))
        .select_related("recipient_agency", "doc_type")
        .order_by("-received_at", "-pk")
    )


# --- questions the outgoing side asks ----------------------------------------------------------


def document_types() -> list[tuple[str, str, str]]:
    """``(code, name, abbreviation)`` of the types in use, in the decree's order."""
    return list(
        DocumentType.objects.filter(active=True)
        .order_by("order", "name")
        .values_list("code", "name", "abbreviation")
    )


def document_type(code: str) -> tuple[str, str, str] | None:
    """``(code, name, abbreviation)`` of the type ``code`` if it is in use."""
    return (
        DocumentType.objects.filter(code=(code or "").strip(), active=True)
        .values_list("code", "name", "abbreviation")
        .first()
    )


def delivered(source_ref: str, recipient_agency: Unit) -> IncomingDocument:
    """The incoming document a platform delivery of ``source_ref`` made at
    ``recipient_agency``."""
    return IncomingDocument.objects.get(source_ref=source_ref, recipient_agency=recipient_agency)


# --- figures for statistics and dashboards (permission-free: callers decide who sees) ---


def received_counts(
    path: str, first: date, last: date, *, include_confidential: bool = False
) -> dict[str, int]:
    """Incoming documents received by the agencies of the subtree at ``path`` between
    ``first`` and ``last`` (local dates, both included): ``total`` and ``electronic``
    (arrived from the platform or the document exchange, not as paper). Confidential
    documents are left out unless asked for (the plan's targets exclude them)."""
    from django.db.models import Count

    from egov.documents.models import Confidentiality, Source

    start, stop = period_bounds(first, last)
    qs = IncomingDocument.objects.filter(
        recipient_agency__path__startswith=path, received_at__gte=start, received_at__lt=stop
    ).exclude(status=IncomingStatus.WITHDRAWN)
    if not include_confidential:
        qs = qs.filter(confidentiality=Confidentiality.NORMAL)
    row = qs.aggregate(total=Count("pk"), electronic=Count("pk", filter=~Q(source=Source.PAPER)))
    return {"total": row["total"] or 0, "electronic": row["electronic"] or 0}


def open_counts(path: str, at: datetime | None = None) -> dict[str, int]:
    """Incoming documents of the subtree at ``path`` still to handle now: ``waiting``
    (unregistered or open) and ``overdue`` (open, past their deadline)."""
    from django.db.models import Count

    moment = at or timezone.now()
    row = (
        IncomingDocument.objects.filter(recipient_agency__path__startswith=path)
        .filter(status__in=[IncomingStatus.RECEIVED, *OPEN_STATUSES])
        .aggregate(
            waiting=Count("pk"),
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_at__lt=moment)),
        )
    )
    return {"waiting": row["waiting"] or 0, "overdue": row["overdue"] or 0}


def received_counts_of_units(unit_ids: list[int], first: date, last: date) -> dict[str, int]:
    """Incoming documents received by the agencies ``unit_ids`` between ``first`` and
    ``last`` (local dates, both included), permission-free, for reports:
    ``{"received": n, "electronic": n}`` (electronic: through the platform or the
    document exchange, not scanned paper)."""
    from django.db.models import Count

    start, stop = period_bounds(first, last)
    row = IncomingDocument.objects.filter(
        recipient_agency_id__in=unit_ids, received_at__gte=start, received_at__lt=stop
    ).aggregate(
        received=Count("pk"),
        electronic=Count("pk", filter=Q(source__in=[Source.PLATFORM, Source.EXCHANGE])),
    )
    return {"received": int(row["received"] or 0), "electronic": int(row["electronic"] or 0)}
