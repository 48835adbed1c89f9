"""Reads of incoming documents shared by pages, the API and other apps."""

from __future__ import annotations

from egov.documents.contract import ReceiptStatus, ReceiptStatusCode
from egov.documents.models import IncomingDocument, IncomingStatus

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
