"""Reads shared by the pages and the API: worklists, the document's recipients with
their status at the other end, and the outgoing register (sổ đăng ký văn bản đi)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts.models import RoleAssignment
from egov.accounts.permissions import Perm, units_with_perm
from egov.core.formatting import local
from egov.core.models import Unit
from egov.core.periods import period_bounds
from egov.documents.contract import ReceiptStatusCode
from egov.documents.selectors import platform_receipts
from egov.outgoing import access
from egov.outgoing.models import (
    ApprovalStep,
    DeliveryStatus,
    OutgoingDocument,
    Recipient,
    RecipientKind,
    Status,
    StepScope,
)
from egov.outgoing.services.issuance import source_ref


def _base(user: Any) -> QuerySet[OutgoingDocument]:
    return access.visible_documents(user).select_related("agency", "drafting_unit", "author")


def my_drafts(user: Any) -> QuerySet[OutgoingDocument]:
    return _base(user).filter(author_id=user.pk, status=Status.DRAFTING)


def waiting_for(user: Any) -> list[OutgoingDocument]:
    """Documents in review whose current step ``user`` can act at, in a fixed number
    of queries (the person's roles, then the documents): the step's role held where
    the step says (the drafting unit, a named unit or the agency) or above it."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    in_review = _base(user).filter(status=Status.IN_REVIEW)
    if not user.is_superuser:
        held = RoleAssignment.objects.filter(
            user=user, revoked_at__isnull=True, unit__dissolved_at__isnull=True
        ).values_list("role__code", "unit__path")
        condition = Q(pk__in=[])
        for role_code, path in set(held):
            step = ApprovalStep.objects.filter(
                chain_id=OuterRef("chain_id"),
                position=OuterRef("step_position"),
                role_code=role_code,
            )
            condition |= Q(
                Exists(step.filter(scope=StepScope.DRAFTING_UNIT)),
                drafting_unit__path__startswith=path,
            )
            condition |= Q(Exists(step.filter(scope=StepScope.UNIT, unit__path__startswith=path)))
            condition |= Q(
                Exists(step.filter(scope=StepScope.AGENCY)), agency__path__startswith=path
            )
        in_review = in_review.filter(condition)
    return list(in_review.order_by("updated_at")[:500])


def to_issue(user: Any) -> QuerySet[OutgoingDocument]:
    """Approved for signing, waiting for the records clerk to take the number."""
    agencies = units_with_perm(user, Perm.REGISTER_DOCUMENTS)
    return (
        OutgoingDocument.objects.filter(status=Status.APPROVED, agency__in=agencies)
        .select_related("agency", "drafting_unit", "author")
        .order_by("approved_at")
    )


def recent(user: Any, limit: int = 30) -> QuerySet[OutgoingDocument]:
    return _base(user).order_by("-updated_at")[:limit]


def issuing_agencies(user: Any) -> QuerySet[Unit]:
    """Agencies whose outgoing register ``user`` may read (records clerks, leaders)."""
    clerks = units_with_perm(user, Perm.REGISTER_DOCUMENTS)
    signers = units_with_perm(user, Perm.SIGN_DOCUMENTS)
    return (clerks | signers).exclude(level="internal").distinct().order_by("path")


# --- recipients ---------------------------------------------------------------------


@dataclass(frozen=True)
class RecipientRow:
    name: str
    kind: str
    delivery: str
    delivery_label: str
    status: str  # at the recipient: received, registered, …
    status_label: str
    at: datetime | None
    note: str
    arrival_number: int | None


_RECEIPT_LABELS = {
    ReceiptStatusCode.RECEIVED: gettext_lazy("Received, not registered yet"),
    ReceiptStatusCode.REGISTERED: gettext_lazy("Registered"),
    ReceiptStatusCode.ASSIGNED: gettext_lazy("Assigned for handling"),
    ReceiptStatusCode.PROCESSING: gettext_lazy("Being handled"),
    ReceiptStatusCode.DONE: gettext_lazy("Handled"),
    ReceiptStatusCode.RETURNED: gettext_lazy("Returned: wrongly addressed or invalid"),
    ReceiptStatusCode.WITHDRAWN: gettext_lazy("Withdrawn"),
}


def recipient_rows(document: OutgoingDocument) -> list[RecipientRow]:
    """Each recipient with the delivery and, for agencies on the platform, where the
    document stands at their end (read from the incoming side)."""
    receipts = {}
    if document.status in (Status.ISSUED, Status.RECALLED):
        receipts = {r.recipient_agency_id: r for r in platform_receipts(source_ref(document))}
    rows = []
    for recipient in document.recipients.select_related("agency"):
        receipt = receipts.get(recipient.agency_id) if recipient.agency_id else None
        if receipt is None and recipient.agency_id is None:
            rows.append(_outside_row(document, recipient))
            continue
        status = str(receipt.status) if receipt else ""
        rows.append(
            RecipientRow(
                name=recipient.name,
                kind=recipient.kind,
                delivery=recipient.delivery,
                delivery_label=str(DeliveryStatus(recipient.delivery).label),
                status=status,
                status_label=str(_RECEIPT_LABELS.get(receipt.status, status)) if receipt else "",
                at=receipt.at if receipt else recipient.delivered_at,
                note=(receipt.note if receipt and receipt.note else recipient.note),
                arrival_number=getattr(receipt, "arrival_number", None) if receipt else None,
            )
        )
    return rows


def _outside_row(document: OutgoingDocument, recipient: Any) -> RecipientRow:
    """A recipient outside the platform: its latest status as the document exchange
    reports it (``outside.register_status_provider``)."""
    from egov.outgoing.outside import exchange_statuses

    found = None
    if document.status in (Status.ISSUED, Status.RECALLED) and recipient.organ_id:
        found = exchange_statuses(str(document.reference), [recipient.organ_id]).get(
            recipient.organ_id
        )
    return RecipientRow(
        name=recipient.name,
        kind=recipient.kind,
        delivery=recipient.delivery,
        delivery_label=str(DeliveryStatus(recipient.delivery).label),
        status=found.code if found else "",
        status_label=found.label if found else "",
        at=found.at if found else recipient.delivered_at,
        note=(found.note if found and found.note else recipient.note),
        arrival_number=None,
    )


def platform_recipient_choices(agency: Unit) -> QuerySet[Unit]:
    """Agencies on the platform a document can be addressed to (not internal units)."""
    return (
        Unit.objects.filter(dissolved_at__isnull=True)
        .exclude(level="internal")
        .exclude(pk=agency.pk)
        .order_by("path")
    )


# --- the outgoing register ------------------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    """One line of the sổ đăng ký văn bản đi (Nghị định 30/2020, Phụ lục IV)."""

    number_and_symbol: str
    issued_on: date
    type_and_subject: str
    signer: str
    recipients: str
    kept_by: str
    copies: int
    sent_on: date | None
    notes: str
    reference: str


def register_rows(
    agency: Unit, start: date, end: date, *, confidential: bool = False
) -> list[RegisterRow]:
    since, until = period_bounds(start, end)
    documents = (
        OutgoingDocument.objects.filter(
            agency=agency,
            issued_at__gte=since,
            issued_at__lt=until,
            number__isnull=False,
        )
        .select_related("drafting_unit")
        .prefetch_related("recipients")
        .order_by("year", "number")
    )
    if confidential:
        documents = documents.exclude(confidentiality="normal")
    else:
        documents = documents.filter(confidentiality="normal")
    rows = []
    for document in documents:
        recipients: list[Recipient] = list(document.recipients.all())
        sent = [r.delivered_at for r in recipients if r.delivered_at]
        notes = []
        if document.status == Status.RECALLED:
            notes.append(_("Recalled: %(reason)s") % {"reason": document.recall_reason})
        if not document.digitally_signed:
            notes.append(_("Not digitally signed"))
        waiting = [r for r in recipients if r.kind == RecipientKind.OUTSIDE]
        if waiting:
            notes.append(_("%(n)s waiting for the exchange") % {"n": len(waiting)})
        assert document.issued_at is not None
        rows.append(
            RegisterRow(
                number_and_symbol=document.number_and_symbol,
                issued_on=_local_date(document.issued_at),
                type_and_subject=f"{document.type_name.split(' (')[0]}: {document.subject}",
                signer=document.signer_name,
                recipients="; ".join(r.name for r in recipients),
                kept_by=document.drafting_unit.short_name or document.drafting_unit.name,
                copies=len(recipients) + 1,
                sent_on=_local_date(min(sent)) if sent else None,
                notes="; ".join(notes),
                reference=str(document.reference),
            )
        )
    return rows


def _local_date(moment: datetime) -> date:
    return local(moment).date()


def issued_counts(unit_ids: list[int], first: date, last: date) -> dict[str, int]:
    """Documents issued by the agencies ``unit_ids`` between ``first`` and ``last``
    (local dates, both included), permission-free, for reports and statistics:
    ``{"issued": n, "digitally_signed": n}`` (recalled documents were issued too)."""
    from django.db.models import Count, Q

    start, stop = period_bounds(first, last)
    row = OutgoingDocument.objects.filter(
        agency_id__in=unit_ids, issued_at__gte=start, issued_at__lt=stop
    ).aggregate(
        issued=Count("pk"),
        digitally_signed=Count("pk", filter=Q(digitally_signed=True)),
    )
    return {
        "issued": int(row["issued"] or 0),
        "digitally_signed": int(row["digitally_signed"] or 0),
    }
