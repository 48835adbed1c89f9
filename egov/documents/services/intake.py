"""How documents arrive in an agency's incoming queue (unregistered, no duty yet):
a clerk's scan, a delivery from another agency on the platform, the exchange; and
how they leave it unregistered (returned as wrongly addressed, withdrawn)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egov.core import audit
from egov.core.models import Unit
from egov.core.uploads import PDF, check_upload, safe_name
from egov.documents import ocr
from egov.documents.access import may_register, require_register
from egov.documents.contract import IncomingMetadata, WithdrawKind, WithdrawOutcome
from egov.documents.errors import NotADocument, WrongState
from egov.documents.models import (
    Confidentiality,
    DocumentType,
    IncomingDocument,
    IncomingFile,
    IncomingStatus,
    NoticeKind,
    OcrStatus,
    SignatureCheck,
    Source,
    Urgency,
)
from egov.documents.services import common, signature_check
from egov.documents.services.common import clerks_of, event, lock, notify, save

# Smaller than this, an image cannot be a readable scan of an A4/A5 paper.
MIN_SCAN_PIXELS = 300

FileIn = tuple[str, bytes, str]


def _type_for(code: str) -> DocumentType | None:
    code = (code or "").strip()
    if not code:
        return None
    return (
        DocumentType.objects.filter(code=code).first()
        or DocumentType.objects.filter(abbreviation=code).first()
    )


def _clean_choice(value: str, choices: Any, field: str) -> str:
    value = (value or "").strip() or choices.values[0]
    if value not in choices.values:
        raise ValidationError({field: _("Unknown value “%(value)s”.") % {"value": value}})
    return value


def apply_metadata(document: IncomingDocument, metadata: IncomingMetadata) -> None:
    """Copy the declared Phụ lục VI fields onto an unsaved or locked document."""
    document.issuing_agency_name = metadata.issuing_agency_name.strip()[:200]
    document.issuing_agency_code = metadata.issuing_agency_code.strip()[:40]
    document.code_number = metadata.code_number.strip()[:11]
    document.code_notation = metadata.code_notation.strip()[:30]
    document.doc_type = _type_for(metadata.type_code)
    document.issued_date = metadata.issued_date
    document.subject = metadata.subject.strip()[:500]
    document.signer_name = metadata.signer_name.strip()[:100]
    document.signer_position = metadata.signer_position.strip()[:100]
    document.page_amount = metadata.page_amount
    document.urgency = _clean_choice(metadata.urgency, Urgency, "urgency")
    document.confidentiality = _clean_choice(
        metadata.confidentiality, Confidentiality, "confidentiality"
    )
    document.document_id = metadata.document_id.strip()[:200]
    document.sender_due_date = metadata.due_date
    document.to_places = metadata.to_places.strip()[:1000]
    document.description = metadata.description.strip()
    document.language = (metadata.language or "vi")[:10]


def _checked_file(name: str, content: bytes, field: str = "file") -> tuple[str, str, int | None]:
    """Refuse what is not a scan or PDF of a paper; return (safe name, type, pages)."""
    upload = ContentFile(content, name=name or "van-ban")
    try:
        kind = check_upload(upload, field=field)
    except ValidationError as error:
        messages = error.message_dict.get(field) or error.messages
        raise NotADocument(messages[0], field=field) from None
    pages: int | None = None
    if kind is PDF:
        pages = ocr.pdf_pages(content)
    else:
        size = ocr.image_size(content)
        if size is None or min(size) < MIN_SCAN_PIXELS:
            raise NotADocument(
                _(
                    "The image “%(name)s” is too small (%(w)s×%(h)s pixels) to be a readable "
                    "scan of a paper. Scan it at 200 dpi or more."
                )
                % {"name": name, "w": size[0] if size else 0, "h": size[1] if size else 0},
                field=field,
            )
        pages = 1
    return safe_name(name, kind), kind.content_type, pages


def _attach(
    document: IncomingDocument, name: str, content: bytes, content_type: str, pages: int | None
) -> IncomingFile:
    row = IncomingFile(
        document=document,
        name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        pages=pages,
    )
    row.file.save(name, ContentFile(content), save=False)
    row.save()
    return row


def receive_scan(
    *,
    agency: Unit,
    files: list[FileIn],
    actor: Any,
    metadata: IncomingMetadata | None = None,
    recognise_now: bool | None = None,
    check_signatures_now: bool = True,
) -> IncomingDocument:
    """A records clerk uploads the scan of a paper document (or an electronic
    document's PDF): it lands unregistered in the agency's queue and its text is read
    by OCR (while the clerk waits when it is short, else by the background runner).
    The digital signatures of its PDF files are checked right after it is stored
    (by the background runner when ``check_signatures_now`` is false)."""
    if not may_register(actor, agency):
        raise PermissionDenied(_("Only the agency's records clerk may receive documents."))
    if not files:
        raise NotADocument(_("Choose the scan of the document to upload."), field="file")
    checked = [(_checked_file(name, content), content) for name, content, _type in files]
    at = common.now()
    with transaction.atomic():
        document = IncomingDocument(
            recipient_agency=agency,
            source=Source.PAPER,
            received_at=at,
            received_by=actor,
            ocr_status=OcrStatus.PENDING,
            signature_status=signature_check.initial_status([t for (_n, t, _p), _c in checked]),
        )
        if metadata is not None:
            apply_metadata(document, metadata)
        document.save()
        if document.confidentiality != Confidentiality.NORMAL:
            document.readers.add(actor)
        for (name, content_type, pages), content in checked:
            _attach(document, name, content, content_type, pages)
        event(document, "received", actor, _("Scan uploaded by the records clerk"))
        audit.record(actor=actor, action="documents.receive_scan", obj=document, unit=agency)
    if check_signatures_now and document.signature_status == SignatureCheck.PENDING:
        signature_check.check_signatures(document.pk)
        document.refresh_from_db()
    total_pages = sum(pages or 1 for (_n, _t, pages), _c in checked)
    inline = int(settings.EGOV_DOCUMENTS_OCR_INLINE_PAGES)
    if recognise_now if recognise_now is not None else total_pages <= inline:
        recognise_document(document.pk)
        document.refresh_from_db()
    return document


def recognise_document(pk: int) -> IncomingDocument:
    """Read the text of a queued document's files (slow work: outside any transaction),
    then store it. A failure is kept on the document for the clerk to see."""
    document = IncomingDocument.objects.get(pk=pk)
    texts: list[str] = []
    error = ""
    for stored in document.files.all():
        with stored.file.open("rb") as handle:
            data = handle.read()
        try:
            texts.append(ocr.recognise(data, stored.content_type).text)
        except ocr.OcrError as failure:
            error = str(failure)
            break
    with transaction.atomic():
        locked = lock(document)
        if locked.ocr_status != OcrStatus.PENDING:
            return locked
        locked.ocr_status = OcrStatus.FAILED if error else OcrStatus.DONE
        locked.ocr_error = error[:300]
        locked.ocr_text = "\n\n".join(t for t in texts if t)
        save(locked, ["ocr_status", "ocr_error", "ocr_text"])
    return locked


def _deliver(
    *,
    source: Source,
    sender_agency: Unit | None,
    recipient_agency: Unit,
    metadata: IncomingMetadata,
    files: list[FileIn],
    source_ref: str,
    actor: Any,
) -> IncomingDocument:
    source_ref = (source_ref or "").strip()
    if not source_ref:
        raise ValidationError({"source_ref": _("A delivery needs its reference.")})
    existing = IncomingDocument.objects.filter(
        source_ref=source_ref, recipient_agency=recipient_agency
    ).first()
    if existing is not None:
        return existing
    if metadata.confidentiality != Confidentiality.NORMAL:
        raise WrongState(
            _("Confidential documents are never sent electronically (Nghị định 30/2020).")
        )
    checked = [(_checked_file(name, content), content) for name, content, _type in files]
    try:
        with transaction.atomic():
            document = IncomingDocument(
                recipient_agency=recipient_agency,
                sender_agency=sender_agency,
                source=source,
                source_ref=source_ref,
                received_at=common.now(),
                ocr_status=OcrStatus.PENDING if checked else OcrStatus.NONE,
                # Checked by the background job: the delivery runs inside the
                # sender's transaction, and a check may call revocation services.
                signature_status=signature_check.initial_status([t for (_n, t, _p), _c in checked]),
            )
            apply_metadata(document, metadata)
            document.save()
            for (name, content_type, pages), content in checked:
                _attach(document, name, content, content_type, pages)
            event(document, "delivered", actor, metadata.issuing_agency_name)
            audit.record(
                actor=actor,
                action=f"documents.receive_{source}",
                obj=document,
                unit=recipient_agency,
                changes={"source_ref": source_ref},
            )
            notify(
                clerks_of(recipient_agency),
                document,
                NoticeKind.ARRIVED,
                _("New document from %(sender)s: %(subject)s")
                % {"sender": metadata.issuing_agency_name, "subject": metadata.subject[:200]},
            )
    except IntegrityError:
        # Delivered by a concurrent retry between our look-up and our insert.
        return IncomingDocument.objects.get(
            source_ref=source_ref, recipient_agency=recipient_agency
        )
    return document


def deliver_from_platform(
    *,
    sender_agency: Unit,
    recipient_agency: Unit,
    metadata: IncomingMetadata,
    files: list[FileIn],
    source_ref: str,
    actor: Any,
) -> IncomingDocument:
    """An agency on the platform sends an issued document to another one (called by
    the outgoing app after issuing). Idempotent on (``source_ref``,
    ``recipient_agency``): a retry returns the first delivery. The document lands
    unregistered in the recipient's queue and its clerks are notified."""
    return _deliver(
        source=Source.PLATFORM,
        sender_agency=sender_agency,
        recipient_agency=recipient_agency,
        metadata=metadata,
        files=files,
        source_ref=source_ref,
        actor=actor,
    )


def receive_from_exchange(
    *,
    recipient_agency: Unit,
    metadata: IncomingMetadata,
    files: list[FileIn],
    source_ref: str,
    actor: Any = None,
) -> IncomingDocument:
    """A document from outside the province (the exchange's importer): same queue,
    same idempotency as a platform delivery."""
    return _deliver(
        source=Source.EXCHANGE,
        sender_agency=None,
        recipient_agency=recipient_agency,
        metadata=metadata,
        files=files,
        source_ref=source_ref,
        actor=actor,
    )


def withdraw_from_platform(
    *, source_ref: str, recipient_agency: Unit, reason: str, actor: Any
) -> WithdrawOutcome:
    """The sender recalls a delivered document. Unregistered: it leaves the queue.
    Registered: it stays in the register, marked recalled with the reason, and the
    recipient's clerks (and whoever handles it) are notified."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason of the recall.")})
    with transaction.atomic():
        found = (
            IncomingDocument.objects.select_for_update()
            .filter(source_ref=source_ref, recipient_agency=recipient_agency)
            .first()
        )
        if found is None:
            return WithdrawOutcome(WithdrawKind.NOT_FOUND)
        document = lock(found)
        ref = str(document.uuid)
        if document.status in (IncomingStatus.WITHDRAWN, IncomingStatus.RETURNED) or (
            document.recalled_at is not None
        ):
            return WithdrawOutcome(WithdrawKind.ALREADY, ref)
        document.closed_reason = reason[:500]
        if document.status == IncomingStatus.RECEIVED:
            document.status = IncomingStatus.WITHDRAWN
            save(document, ["status", "closed_reason"])
            event(document, "withdrawn", actor, reason)
            kind = WithdrawKind.REMOVED
        else:
            document.recalled_at = common.now()
            save(document, ["recalled_at", "closed_reason"])
            event(document, "recalled", actor, reason)
            people = clerks_of(recipient_agency) + [
                a.assignee for a in document.assignments.all() if a.assignee_id
            ]
            notify(
                people,
                document,
                NoticeKind.RECALLED,
                _("The sender recalled %(doc)s: %(reason)s")
                % {"doc": document.number_symbol or document.subject[:80], "reason": reason},
            )
            kind = WithdrawKind.RECALLED
        audit.record(
            actor=actor,
            action=f"documents.{kind.value}",
            obj=document,
            unit=recipient_agency,
            changes={"reason": reason},
        )
    return WithdrawOutcome(kind, ref)


def return_to_sender(
    document: IncomingDocument, *, actor: Any, reason: str, expected_version: int | None = None
) -> IncomingDocument:
    """Send back an unregistered document as wrongly addressed or invalid (the sender
    sees the status and the reason at once)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the document is returned.")})
    with transaction.atomic():
        document = lock(document, expected_version)
        require_register(actor, document)
        if document.status != IncomingStatus.RECEIVED:
            raise WrongState(_("Only a document not yet registered can be returned."))
        document.status = IncomingStatus.RETURNED
        document.closed_reason = reason[:500]
        save(document, ["status", "closed_reason"])
        event(document, "returned", actor, reason)
        audit.record(
            actor=actor,
            action="documents.return_to_sender",
            obj=document,
            unit=document.recipient_agency,
            changes={"reason": reason},
        )
    return document
