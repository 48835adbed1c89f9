"""Statuses reported back to senders, automatically: the documents app tells us of
each act on an incoming document (``documents.contract.on_status_change``) and we
queue the matching edXML status (01 arrived, 02 returned, 03 registered,
04 assigned, 05 being handled, 06 finished) to the sender: through the axis for a
document that came from it, recorded on the platform for one that came from an
agency of the province."""

from __future__ import annotations

from egov.documents.contract import StatusChange
from egov.exchange.edxml.model import StatusCode
from egov.exchange.models import Channel, ExchangeMessage, Kind
from egov.exchange.services import outbox

#: The incoming side's acts and the status each one reports (data, not if-chains).
ACTION_CODES: dict[str, StatusCode] = {
    "delivered": StatusCode.ARRIVED,
    "returned": StatusCode.REJECTED,
    "registered": StatusCode.ACCEPTED,
    "assigned": StatusCode.ASSIGNED,
    "handed_out": StatusCode.PROCESSING,
    "progress": StatusCode.PROCESSING,
    "resolved": StatusCode.FINISHED,
}


def _platform_document_id(source_ref: str) -> str:
    """The edXML DocumentId recorded for a delivery inside the province."""
    from egov.outgoing.outside import document_for_exchange

    reference = source_ref.partition(":")[2]
    found = (
        ExchangeMessage.objects.filter(kind=Kind.DOCUMENT, outgoing_reference=reference)
        .values_list("document_id", flat=True)
        .first()
    )
    if found:
        return found
    document = document_for_exchange(reference) if reference else None
    if document is None:
        return source_ref
    return outbox.document_id_of(document.agency_code, document.issued_at, document.number_symbol)


def on_change(change: StatusChange) -> None:
    code = ACTION_CODES.get(change.action)
    if code is None:
        return
    if change.source == "exchange":
        channel, document_id = Channel.AXIS, change.document_id
    elif change.source == "platform":
        channel, document_id = Channel.PLATFORM, _platform_document_id(change.source_ref)
    else:
        return
    outbox.enqueue_status(
        channel=channel,
        from_organ=change.recipient_code,
        to_organ=change.sender_code,
        document_id=document_id,
        code=str(code),
        at=change.at,
        description=change.note,
    )
