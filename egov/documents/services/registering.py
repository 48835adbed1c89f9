"""Registration in the incoming register (vào sổ văn bản đến) and presentation to the
leader (trình): the number, the duplicate warning, the "ĐẾN" stamp data."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.core import audit, numbering
from egov.core.formatting import local
from egov.core.workcalendar import get_calendar
from egov.documents.access import may_direct, require_register
from egov.documents.contract import IncomingMetadata
from egov.documents.errors import LikelyDuplicate, WrongState
from egov.documents.models import (
    Confidentiality,
    IncomingDocument,
    IncomingRegister,
    IncomingStatus,
    NoticeKind,
)
from egov.documents.services import common
from egov.documents.services.common import event, lock, notify, save
from egov.documents.services.intake import apply_metadata

EDITABLE_STATUSES = (
    IncomingStatus.RECEIVED,
    IncomingStatus.REGISTERED,
    IncomingStatus.PRESENTED,
    IncomingStatus.ASSIGNED,
    IncomingStatus.PROCESSING,
)


def _required(document: IncomingDocument) -> None:
    errors: dict[str, str] = {}
    if not document.issuing_agency_name:
        errors["issuing_agency_name"] = _("Enter the issuing body.")
    if not document.subject:
        errors["subject"] = _("Enter the summary (trích yếu) of the document.")
    if errors:
        raise ValidationError(errors)


def likely_duplicates(document: IncomingDocument) -> list[IncomingDocument]:
    """Registered documents of the same agency that look like this one: the same
    number + symbol + issuing body (compared without case), or the same electronic
    document id. The number and the id are looked up by index; the rest is compared
    here, so the check stays fast in a register of millions."""
    found: dict[int, IncomingDocument] = {}
    registered = IncomingDocument.objects.filter(
        recipient_agency=document.recipient_agency, arrival_number__isnull=False
    ).exclude(pk=document.pk)
    if document.code_number and document.code_notation and document.issuing_agency_name:
        notation = document.code_notation.casefold()
        issuer = " ".join(document.issuing_agency_name.casefold().split())
        for other in registered.filter(code_number=document.code_number)[:200]:
            if (
                other.code_notation.casefold() == notation
                and " ".join(other.issuing_agency_name.casefold().split()) == issuer
            ):
                found[other.pk] = other
    if document.document_id:
        for other in registered.filter(document_id=document.document_id)[:5]:
            found[other.pk] = other
    return sorted(found.values(), key=lambda d: (d.registered_at or d.received_at, d.pk))[:5]


def present_due(registered_at: datetime, urgent: bool) -> datetime:
    """Presented the day it is registered or the next working day; urgent ones at once."""
    if urgent:
        return registered_at
    next_day = get_calendar().nth_working_day_after(local(registered_at).date(), 1)
    return datetime.combine(next_day, time(23, 59), tzinfo=local(registered_at).tzinfo)


def _register_for(document: IncomingDocument, year: int) -> IncomingRegister:
    register, _created = IncomingRegister.objects.get_or_create(
        agency=document.recipient_agency,
        year=year,
        confidential=document.confidentiality != Confidentiality.NORMAL,
    )
    return register


def register(
    document: IncomingDocument,
    *,
    actor: Any,
    metadata: IncomingMetadata | None = None,
    confirm_duplicate: bool = False,
    present_to: Any = None,
    expected_version: int | None = None,
) -> IncomingDocument:
    """Enter the document in the agency's incoming register with the next incoming
    number of the year (shared by paper and electronic documents). A likely
    duplicate is refused with a warning until the clerk confirms."""
    with transaction.atomic():
        document = lock(document, expected_version)
        require_register(actor, document)
        if document.status != IncomingStatus.RECEIVED:
            raise WrongState(_("This document is already registered or no longer in the queue."))
        if metadata is not None:
            apply_metadata(document, metadata)
        _required(document)
        if document.is_urgent and present_to is None:
            raise ValidationError(
                {"present_to": _("An urgent document is presented at once: choose the leader.")}
            )
        duplicates = likely_duplicates(document)
        if duplicates and not confirm_duplicate:
            raise LikelyDuplicate(duplicates)
        at = common.now()
        book = _register_for(document, local(at).year)
        document.register = book
        document.arrival_number = numbering.issue_document_number(book.sequence_key, book.year)
        document.registered_at = at
        document.registered_by = actor
        document.duplicate_of = duplicates[0] if duplicates else None
        document.present_due_at = present_due(at, document.is_urgent)
        document.status = IncomingStatus.REGISTERED
        save(document, _METADATA_FIELDS + _REGISTER_FIELDS)
        if document.is_confidential:
            document.readers.add(actor)
        note = (
            _("Registered despite the warning (likely duplicate of incoming no. %(n)s)")
            % {"n": duplicates[0].arrival_number}
            if duplicates
            else ""
        )
        event(document, "registered", actor, note)
        audit.record(
            actor=actor,
            action="documents.register",
            obj=document,
            unit=document.recipient_agency,
            changes={
                "arrival_number": document.arrival_number,
                "year": book.year,
                "confirmed_duplicate": bool(duplicates),
            },
        )
        if present_to is not None:
            _present(document, leader=present_to, actor=actor)
    return document


_METADATA_FIELDS = [
    "issuing_agency_name",
    "issuing_agency_code",
    "code_number",
    "code_notation",
    "doc_type",
    "issued_date",
    "subject",
    "signer_name",
    "signer_position",
    "page_amount",
    "urgency",
    "confidentiality",
    "document_id",
    "sender_due_date",
    "to_places",
    "description",
    "language",
]
_REGISTER_FIELDS = [
    "register",
    "arrival_number",
    "registered_at",
    "registered_by",
    "duplicate_of",
    "present_due_at",
    "status",
]


def update_metadata(
    document: IncomingDocument,
    *,
    actor: Any,
    metadata: IncomingMetadata,
    expected_version: int,
) -> IncomingDocument:
    """Correct the Phụ lục VI fields (the clerk). Refused when someone changed the
    document since the form was opened; the incoming number never changes."""
    with transaction.atomic():
        document = lock(document, expected_version)
        require_register(actor, document)
        if document.status not in EDITABLE_STATUSES:
            raise WrongState(_("This document can no longer be edited."))
        if (
            document.is_confidential
            and metadata.confidentiality == Confidentiality.NORMAL
            and (document.register_id is not None)
        ):
            raise WrongState(_("A registered confidential document stays confidential."))
        before = {f: str(getattr(document, f)) for f in ("subject", "code_number", "code_notation")}
        apply_metadata(document, metadata)
        _required(document)
        save(document, _METADATA_FIELDS)
        event(document, "edited", actor)
        after = {f: str(getattr(document, f)) for f in before}
        audit.record(
            actor=actor,
            action="documents.update_metadata",
            obj=document,
            unit=document.recipient_agency,
            changes=audit.diff(before, after),
        )
    return document


def _present(document: IncomingDocument, *, leader: Any, actor: Any) -> None:
    if not may_direct(leader, document.recipient_agency):
        raise ValidationError(
            {"present_to": _("%(name)s is not a leader of this agency.") % {"name": leader}}
        )
    document.presented_at = common.now()
    document.presented_to = leader
    document.status = IncomingStatus.PRESENTED
    save(document, ["presented_at", "presented_to", "status"])
    if document.is_confidential:
        document.readers.add(leader)
    event(document, "presented", actor, str(leader))
    notify(
        [leader],
        document,
        NoticeKind.ASSIGNED,
        _("Presented for your direction: %(subject)s") % {"subject": document.subject[:200]},
    )
    audit.record(
        actor=actor,
        action="documents.present",
        obj=document,
        unit=document.recipient_agency,
        changes={"leader": leader.pk},
    )


def present(
    document: IncomingDocument, *, leader: Any, actor: Any, expected_version: int | None = None
) -> IncomingDocument:
    """Present a registered document to a leader of the agency (again, if needed)."""
    with transaction.atomic():
        document = lock(document, expected_version)
        require_register(actor, document)
        if document.status not in (IncomingStatus.REGISTERED, IncomingStatus.PRESENTED):
            raise WrongState(_("Only a registered document not yet assigned can be presented."))
        if document.recalled_at is not None:
            raise WrongState(_("The sender recalled this document."))
        if leader is None:
            raise PermissionDenied(_("Choose the leader."))
        _present(document, leader=leader, actor=actor)
    return document
