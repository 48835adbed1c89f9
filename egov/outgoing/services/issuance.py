"""Issue, dispatch, recall and replace.

Issue takes the number at that moment from the agency's outgoing register for the
year (``core.numbering``: gap-free, never twice, even under concurrent issuance);
confidential documents have their own register. Signing is a step of issuance
(``services.signing``): the signer's signature and the agency's seal, or, where
the signer holds no certificate, the document records who approved it for
signing and says "chưa ký số". Dispatch delivers to agencies on the platform
through the incoming side's contract, records outside recipients as waiting for
the document exchange, and never sends a confidential document electronically.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.core import audit
from egov.core.errors import DomainError
from egov.core.numbering import issue_document_number, local_date
from egov.documents import services as incoming
from egov.documents.contract import IncomingMetadata
from egov.outgoing import access
from egov.outgoing.errors import NotAllowedNow
from egov.outgoing.layout import local_day, render, render_with_space
from egov.outgoing.models import (
    Attachment,
    DeliveryStatus,
    DraftVersion,
    EventKind,
    OutgoingDocument,
    Recipient,
    RecipientKind,
    Status,
    VersionKind,
)
from egov.outgoing.rendering import layout_of, notation_for
from egov.outgoing.services import bridge, signing
from egov.outgoing.services.common import bump, event, lock, now, require_issue


def register_key(document: OutgoingDocument) -> str:
    """Sổ văn bản đi of the agency; confidential documents in their own series."""
    series = "outgoing-confidential" if document.is_confidential else "outgoing"
    return f"{series}:{document.agency_id}"


#: How long a started signing keeps the document for itself (the phone's wait and
#: the timestamp and revocation calls): a second issue meanwhile is refused.
SIGNING_LEASE_MARGIN = dt.timedelta(seconds=60)


def _signing_lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.EGOV_SIGNATURES_REMOTE_WAIT_SECONDS)) + (
        SIGNING_LEASE_MARGIN
    )


def issue_document(
    actor: Any,
    document: OutgoingDocument,
    *,
    expected_version: int,
    pin: str = "",
    remote: dict[str, Any] | None = None,
) -> OutgoingDocument:
    """The records clerk issues an approved document: number, symbol, date, PDF, and
    the signatures (the signer's, on the phone or with ``pin`` on their token, then
    the agency's seal).

    In three steps, so that no lock is held while the signer confirms on the phone:
    (1) the number is reserved for the document (committed: a number is never
    given twice nor skipped); (2) the PDF is laid out with it and signed, outside
    any transaction; (3) the signed PDF is stored and the document is issued. If
    the signing fails (wrong PIN, refused or never confirmed on the phone, a
    service down) the document stays approved and unissued, nothing is stored,
    and it **keeps its reserved number** for the next attempt: the register has no
    gap and the number is not taken again. ``remote`` passes options to the
    remote-signing holder (tests: ``sleep``, ``wait``).

    A signer without any signing certificate (a platform without signatures) gets
    the document issued unsigned, marked "chưa ký số", with who approved it.
    """
    with transaction.atomic():
        current = lock(document, expected_version)
        require_issue(actor, current)
        if current.status != Status.APPROVED:
            raise NotAllowedNow(
                _("Only a document approved for signing can be issued (it is: %(status)s).")
                % {"status": current.get_status_display()}
            )
        started = current.signing_started_at
        if started is not None and started > now() - _signing_lease():
            raise NotAllowedNow(
                _(
                    "The signing of this document has already started (%(number)s): wait "
                    "for the signer to confirm or for it to time out."
                )
                % {"number": current.number_and_symbol}
            )
        prepared = signing.prepare(current, pin=pin, remote=remote)
        if prepared is None:
            unsigned = _issue_unsigned(actor, current)
        else:
            unsigned = None
            _reserve_number(actor, current)
            current.signing_started_at = now()
            bump(current, ["signing_started_at"])
        version = current.lock_version
    if prepared is None:
        assert unsigned is not None
        bridge.after_issue(actor, unsigned)
        return unsigned

    at = now()
    try:
        layout = replace(layout_of(current), day=local_day(at), draft=False, digitally_signed=True)
        pdf, space = render_with_space(layout)
        signed = signing.sign(current, pdf, space, prepared, actor=actor)
        signed_attachments = signing.sign_attachments(current, prepared, actor=actor)
    except BaseException as error:
        _signing_failed(actor, current, version, error)
        raise

    with transaction.atomic():
        final = lock(current, version)
        final.issued_at = at
        final.issued_by = actor
        final.status = Status.ISSUED
        final.issued_pdf = signed
        final.digitally_signed = True
        final.signing_started_at = None
        for attachment_id, data in signed_attachments.items():
            Attachment.objects.filter(pk=attachment_id, document=final).update(signed_pdf=data)
        bump(
            final,
            [
                "issued_at",
                "issued_by",
                "status",
                "issued_pdf",
                "digitally_signed",
                "signing_started_at",
            ],
        )
        event(final, EventKind.ISSUED, actor, note=final.number_and_symbol, at=at)
        audit.record(
            actor=actor,
            action="outgoing.issued",
            obj=final,
            unit=final.agency,
            changes={
                "number": [None, final.number_and_symbol],
                "register": [None, f"{final.register_key}/{final.year}"],
                "digitally_signed": [None, True],
                "signed_by": [None, str(prepared.signer)],
                "signed_with": [None, str(prepared.signer_holder.kind)],
                "attachments_signed": len(signed_attachments),
            },
        )
    bridge.after_issue(actor, final)
    return final


def _reserve_number(actor: Any, current: OutgoingDocument) -> None:
    """Take the number once; a document whose signing failed keeps it."""
    if current.number is not None:
        return
    at = now()
    year = local_date(at).year
    key = register_key(current)
    current.register_key = key
    current.year = year
    current.number = issue_document_number(key, year)
    current.notation = notation_for(current)
    bump(current, ["register_key", "year", "number", "notation"])
    event(current, EventKind.NUMBER_RESERVED, actor, note=current.number_and_symbol, at=at)
    audit.record(
        actor=actor,
        action="outgoing.number_reserved",
        obj=current,
        unit=current.agency,
        changes={"number": [None, current.number_and_symbol], "register": [None, f"{key}/{year}"]},
    )


def _signing_failed(
    actor: Any, document: OutgoingDocument, version: int, error: BaseException
) -> None:
    """Free the document for another attempt (its number stays reserved) and keep
    why it failed in the history and the audit log."""
    reason = str(getattr(error, "message", "") or "")[:500] or _("Unexpected error.")
    with transaction.atomic():
        current = lock(document)
        if current.lock_version != version or current.status != Status.APPROVED:
            return
        current.signing_started_at = None
        bump(current, ["signing_started_at"])
        event(current, EventKind.SIGNING_FAILED, actor, note=reason)
        audit.record(
            actor=actor,
            action="outgoing.signing_failed",
            obj=current,
            unit=current.agency,
            changes={
                "number_reserved": current.number_and_symbol,
                "error": getattr(error, "code", type(error).__name__),
            },
        )


def _issue_unsigned(actor: Any, current: OutgoingDocument) -> OutgoingDocument:
    """Issue without digital signatures (inside the caller's transaction)."""
    at = now()
    if current.number is None:
        year = local_date(at).year
        key = register_key(current)
        current.register_key = key
        current.year = year
        current.number = issue_document_number(key, year)
        current.notation = notation_for(current)
    current.issued_at = at
    current.issued_by = actor
    current.status = Status.ISSUED
    current.issued_pdf = render(layout_of(current))
    bump(
        current,
        [
            "register_key",
            "year",
            "number",
            "notation",
            "issued_at",
            "issued_by",
            "status",
            "issued_pdf",
        ],
    )
    event(current, EventKind.ISSUED, actor, note=current.number_and_symbol, at=at)
    audit.record(
        actor=actor,
        action="outgoing.issued",
        obj=current,
        unit=current.agency,
        changes={
            "number": [None, current.number_and_symbol],
            "register": [None, f"{current.register_key}/{current.year}"],
            "digitally_signed": [None, False],
        },
    )
    return current


def metadata_of(document: OutgoingDocument) -> IncomingMetadata:
    """The Phụ lục VI fields the recipient registers from."""
    return IncomingMetadata(
        issuing_agency_name=document.agency.name,
        issuing_agency_code=document.agency.code,
        subject=document.subject,
        code_number=f"{document.number:02d}" if document.number is not None else "",
        code_notation=document.notation,
        type_code=document.type_code,
        issued_date=local_date(document.issued_at) if document.issued_at else None,
        signer_name=document.signer_name,
        signer_position=document.signer_position,
        page_amount=None,
        urgency=document.urgency,
        confidentiality=document.confidentiality,
        document_id=source_ref(document),
        to_places="; ".join(r.name for r in document.recipients.all())[:1000],
        description="" if document.digitally_signed else "Chưa ký số",
    )


def source_ref(document: OutgoingDocument) -> str:
    return f"outgoing:{document.reference}"


def delivery_files(document: OutgoingDocument) -> list[tuple[str, bytes, str]]:
    name = f"{document.number_and_symbol or 'van-ban'}".replace("/", "-")
    files = [(f"{name}.pdf", bytes(document.issued_pdf or b""), "application/pdf")]
    latest_file = (
        DraftVersion.objects.filter(document=document, kind=VersionKind.FILE)
        .order_by("-number")
        .first()
    )
    if latest_file is not None and latest_file.file:
        with latest_file.file.open("rb") as handle:
            files.append((latest_file.file_name, handle.read(), latest_file.content_type))
    for attachment in document.attachments.order_by("pk"):
        label = attachment.name[:150].replace("/", "-").replace("\\", "-")
        files.append((f"{label}.pdf", attachment_pdf(attachment), "application/pdf"))
    return files


def attachment_pdf(attachment: Attachment) -> bytes:
    """What is sent and downloaded: the agency-signed attachment, else the original."""
    if attachment.signed_pdf:
        return bytes(attachment.signed_pdf)
    with attachment.file.open("rb") as handle:
        return bytes(handle.read())


@dataclass
class DispatchOutcome:
    delivered: list[str] = field(default_factory=list)
    waiting_exchange: list[str] = field(default_factory=list)
    paper_only: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def dispatch_document(actor: Any, document: OutgoingDocument) -> DispatchOutcome:
    """Send an issued document to its recipients (again for those that failed).
    Idempotent: a recipient already delivered is not delivered twice."""
    outcome = DispatchOutcome()
    with transaction.atomic():
        current = lock(document)
        require_issue(actor, current)
        if current.status != Status.ISSUED:
            raise NotAllowedNow(_("Only an issued document can be sent."))
        pending = list(
            current.recipients.select_for_update(of=("self",))
            .select_related("agency")
            .filter(delivery__in=[DeliveryStatus.NOT_SENT, DeliveryStatus.FAILED])
        )
        files = delivery_files(current) if pending and not current.is_confidential else []
        metadata = metadata_of(current) if files else None
        at = now()
        for recipient in pending:
            _dispatch_one(actor, current, recipient, metadata, files, outcome)
            recipient.delivered_at = at if recipient.delivery == DeliveryStatus.DELIVERED else None
            recipient.save(update_fields=["delivery", "delivered_at", "note"])
        if pending:
            event(current, EventKind.DISPATCHED, actor, note=_summary(outcome), at=at)
            audit.record(
                actor=actor,
                action="outgoing.dispatched",
                obj=current,
                unit=current.agency,
                changes={
                    "delivered": [None, len(outcome.delivered)],
                    "waiting_exchange": [None, len(outcome.waiting_exchange)],
                    "paper_only": [None, len(outcome.paper_only)],
                    "failed": [None, len(outcome.failed)],
                },
            )
    return outcome


def _dispatch_one(
    actor: Any,
    document: OutgoingDocument,
    recipient: Recipient,
    metadata: IncomingMetadata | None,
    files: list[tuple[str, bytes, str]],
    outcome: DispatchOutcome,
) -> None:
    if document.is_confidential:
        recipient.delivery = DeliveryStatus.PAPER_ONLY
        recipient.note = _("Confidential documents are sent on paper only.")
        outcome.paper_only.append(recipient.name)
        return
    if recipient.kind == RecipientKind.OUTSIDE or recipient.agency is None:
        # The exchange (edXML over the national axis) will pick these up; until it
        # exists they wait, and the page says so rather than "sent".
        recipient.delivery = DeliveryStatus.WAITING_EXCHANGE
        recipient.note = _("Waiting for the document exchange with systems outside the platform.")
        outcome.waiting_exchange.append(recipient.name)
        return
    assert metadata is not None
    try:
        with transaction.atomic():
            incoming.deliver_from_platform(
                sender_agency=document.agency,
                recipient_agency=recipient.agency,
                metadata=metadata,
                files=files,
                source_ref=source_ref(document),
                actor=actor,
            )
    except (ValidationError, PermissionDenied, DomainError) as error:
        recipient.delivery = DeliveryStatus.FAILED
        recipient.note = str(getattr(error, "message", None) or error)[:500]
        outcome.failed.append(recipient.name)
        return
    recipient.delivery = DeliveryStatus.DELIVERED
    recipient.note = ""
    outcome.delivered.append(recipient.name)


def _summary(outcome: DispatchOutcome) -> str:
    parts = []
    if outcome.delivered:
        parts.append(_("delivered: %(names)s") % {"names": ", ".join(outcome.delivered)})
    if outcome.waiting_exchange:
        parts.append(
            _("waiting for the exchange: %(names)s")
            % {"names": ", ".join(outcome.waiting_exchange)}
        )
    if outcome.paper_only:
        parts.append(_("paper only: %(names)s") % {"names": ", ".join(outcome.paper_only)})
    if outcome.failed:
        parts.append(_("failed: %(names)s") % {"names": ", ".join(outcome.failed)})
    return "; ".join(parts)


@dataclass
class RecallOutcome:
    withdrawn: list[str] = field(default_factory=list)
    #: Recipients that had already registered it: kept in their register, marked
    #: recalled, their clerk told.
    registered: list[str] = field(default_factory=list)


def recall_document(
    actor: Any, document: OutgoingDocument, *, reason: str, expected_version: int | None = None
) -> RecallOutcome:
    """Thu hồi: the sender's copy is frozen, recipients' copies withdrawn, the reason
    kept. A recipient that already registered it keeps it marked recalled."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason of the recall.")})
    outcome = RecallOutcome()
    with transaction.atomic():
        current = lock(document, expected_version)
        if not access.may_recall(actor, current):
            raise PermissionDenied(_("Only the agency's records clerk or a signer may recall."))
        if current.status != Status.ISSUED:
            raise NotAllowedNow(_("Only an issued document can be recalled."))
        at = now()
        for recipient in current.recipients.select_for_update(of=("self",)).select_related(
            "agency"
        ):
            if recipient.delivery == DeliveryStatus.WAITING_EXCHANGE:
                recipient.delivery = DeliveryStatus.WITHDRAWN
                recipient.note = _("Recalled before the exchange sent it.")
            elif recipient.delivery == DeliveryStatus.DELIVERED and recipient.agency is not None:
                result = incoming.withdraw_from_platform(
                    source_ref=source_ref(current),
                    recipient_agency=recipient.agency,
                    reason=reason,
                    actor=actor,
                )
                if result.recalled:
                    recipient.delivery = DeliveryStatus.RECALLED_AFTER_REGISTRATION
                    recipient.note = _(
                        "It had already been registered there: it stays in their register, "
                        "marked recalled, and their records clerk was told."
                    )
                    outcome.registered.append(recipient.name)
                else:
                    recipient.delivery = DeliveryStatus.WITHDRAWN
                    recipient.note = _("Taken out of their incoming queue.")
                    outcome.withdrawn.append(recipient.name)
            else:
                continue
            recipient.save(update_fields=["delivery", "note"])
        current.status = Status.RECALLED
        current.recalled_at = at
        current.recalled_by = actor
        current.recall_reason = reason
        bump(current, ["status", "recalled_at", "recalled_by", "recall_reason"])
        event(current, EventKind.RECALLED, actor, note=reason, at=at)
        audit.record(
            actor=actor,
            action="outgoing.recalled",
            obj=current,
            unit=current.agency,
            changes={
                "status": [Status.ISSUED, Status.RECALLED],
                "reason": [None, reason],
                "registered_at": [None, outcome.registered],
            },
        )
    return outcome


def create_replacement(actor: Any, document: OutgoingDocument) -> OutgoingDocument:
    """A new draft that will replace an issued or recalled document (its text copied)."""
    from egov.outgoing.services.drafting import DraftIn, RecipientIn, create_draft

    if document.status not in (Status.ISSUED, Status.RECALLED):
        raise NotAllowedNow(_("Only an issued or recalled document can be replaced."))
    if not access.may_see(actor, document):
        raise PermissionDenied(_("You may not see this document."))
    data = DraftIn(
        type_code=document.type_code,
        subject=document.subject,
        body=document.body,
        place=document.place,
        urgency=document.urgency,
        confidentiality=document.confidentiality,
        authority=document.authority,
        authority_of=document.authority_of,
        signer_position=document.signer_position,
        signer_name=document.signer_name,
        copies_to=document.copies_to,
    )
    recipients = [
        RecipientIn(agency=r.agency, name=r.name, organ_id=r.organ_id)
        for r in document.recipients.select_related("agency")
    ]
    return create_draft(
        actor,
        drafting_unit=document.drafting_unit,
        data=data,
        recipients=recipients,
        replaces=document,
    )
