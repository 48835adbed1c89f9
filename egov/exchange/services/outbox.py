"""The outbox: one durable row per message to send (documents to each recipient,
statuses back to each sender), drained by a background job.

At least once, never twice: a worker claims a row (row lock, ``skip_locked``) and
marks it ``sending`` with a lease, then builds and signs the edXML once (kept on
the row, so a repeat sends the same bytes), then calls the axis with the row's
send key. A worker killed after the claim leaves the row ``sending``; once its
lease has run out another worker takes it up and sends again with the same key,
which the axis deduplicates. A timeout is repeated the same way; a refusal waits
with exponential backoff and is given up after ``EGOV_EXCHANGE_MAX_ATTEMPTS``.

Recipients on the platform are delivered by the outgoing app itself; the exchange
records the same edXML for them (channel ``platform``) so that a document's
history reads the same whichever way it travelled. With the operator's switch
``EGOV_EXCHANGE_ALL_THROUGH_AXIS`` they go through the national axis like the
others (the outgoing app then leaves them waiting for the exchange).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from egov.core import audit
from egov.core.numbering import local_date
from egov.exchange.axis import Axis, AxisError
from egov.exchange.edxml.model import (
    Attachment,
    Business,
    BusinessType,
    Message,
    ResponseFor,
    StaffInfo,
    StatusMessage,
    TraceHeader,
    document_id_for,
)
from egov.exchange.models import Channel, Direction, Kind, OutboxItem, OutboxState, SignatureState
from egov.exchange.services import common

logger = logging.getLogger(__name__)

_PRIORITY = {"normal": 0, "urgent": 1, "very_urgent": 2, "flash": 3}


def document_id_of(agency_code: str, issued_at: dt.datetime, number_symbol: str) -> str:
    return document_id_for(agency_code, local_date(issued_at), number_symbol)


# --- filling the outbox ------------------------------------------------------------


def collect() -> int:
    """Put into the outbox every issued document's recipients not queued yet (and a
    revoke for those of a recalled document). Idempotent: rows are unique per
    DocumentId, business type and recipient."""
    from egov.outgoing.outside import documents_for_exchange

    queued = 0
    days = int(settings.EGOV_EXCHANGE_LOOKBACK_DAYS)
    since = common.now() - dt.timedelta(days=days + 1)
    handled = set(
        OutboxItem.objects.filter(kind=Kind.DOCUMENT, created_at__gte=since)
        .exclude(outgoing_reference="")
        .values_list("outgoing_reference", flat=True)
    )
    candidates = documents_for_exchange(days=days, exclude=handled)
    if not candidates:
        return 0
    have = set(
        OutboxItem.objects.filter(
            kind=Kind.DOCUMENT, outgoing_reference__in=[c.reference for c in candidates]
        ).values_list("outgoing_reference", "to_organ", "business_type")
    )
    all_through_axis = bool(settings.EGOV_EXCHANGE_ALL_THROUGH_AXIS)
    for doc in candidates:
        document_id = document_id_of(doc.agency_code, doc.issued_at, doc.number_symbol)
        for recipient in doc.recipients:
            if not recipient.organ_id:
                continue
            # On the platform and not switched to the axis: delivered directly by the
            # outgoing app, recorded here with the same edXML.
            direct = recipient.on_platform and not all_through_axis
            wanted = [BusinessType.NEW]
            if doc.recalled and not direct:
                wanted.append(BusinessType.REVOKE)
            for kind in wanted:
                if (doc.reference, recipient.organ_id, int(kind)) in have:
                    continue
                queued += _enqueue(
                    kind=Kind.DOCUMENT,
                    channel=Channel.PLATFORM if direct else Channel.AXIS,
                    from_organ=doc.agency_code,
                    to_organ=recipient.organ_id,
                    to_name=recipient.name,
                    document_id=document_id,
                    business_type=int(kind),
                    description=doc.recall_reason if kind is BusinessType.REVOKE else "",
                    outgoing_reference=doc.reference,
                )
    return queued


def _enqueue(**fields: object) -> int:
    try:
        with transaction.atomic():
            OutboxItem.objects.create(next_attempt_at=common.now(), **fields)
    except IntegrityError:
        return 0
    return 1


def enqueue_status(
    *,
    channel: str,
    from_organ: str,
    to_organ: str,
    document_id: str,
    code: str,
    at: dt.datetime,
    description: str = "",
) -> int:
    """Queue status ``code`` about ``document_id`` from our agency to the sender
    (once per document, agency and code)."""
    if not (from_organ and to_organ and document_id):
        return 0
    return _enqueue(
        kind=Kind.STATUS,
        channel=channel,
        from_organ=from_organ,
        to_organ=to_organ,
        document_id=document_id[:500],
        status_code=code,
        status_at=at,
        description=description[:500],
    )


# --- building the edXML --------------------------------------------------------------


def _document_payload(item: OutboxItem) -> bytes:
    from egov.outgoing.outside import document_for_exchange

    doc = document_for_exchange(item.outgoing_reference)
    if doc is None:
        raise LookupError("the outgoing document is no longer available")
    meta = doc.metadata
    attachments = tuple(
        Attachment(content_id=f"cid:{n}", name=name[:200], content_type=ctype, data=data)
        for n, (name, data, ctype) in enumerate(doc.files(), start=1)
        if data
    )
    recipients = tuple(
        common.organization(r.organ_id, r.name) for r in doc.recipients if r.organ_id
    )
    message = Message(
        sender=common.organization(doc.agency_code, doc.agency_name),
        recipients=recipients,
        document_id=item.document_id,
        subject=meta.subject[:500],
        code_number=meta.code_number,
        code_notation=meta.code_notation,
        place=doc.place[:150],
        promulgation_date=meta.issued_date,
        type_name=doc.type_name,
        signer_position=meta.signer_position,
        signer_name=meta.signer_name,
        due_date=meta.due_date,
        priority=_PRIORITY.get(meta.urgency, 0),
        to_places=tuple(r.name[:150] for r in doc.recipients),
        traces=(TraceHeader(doc.agency_code, common.now()),),
        business=Business(
            business_type=BusinessType(item.business_type),
            reason=item.description,
            document_id=item.document_id if item.business_type else "",
        ),
        attachments=attachments,
    )
    from egov.exchange.edxml import build  # lxml: loaded when a message is built

    return common.sign_tree(
        build.message_tree(message), item.from_organ, unsigned_ok=item.channel == Channel.PLATFORM
    )


def _status_payload(item: OutboxItem) -> bytes:
    status = StatusMessage(
        response_for=ResponseFor(
            organ_id=item.to_organ,
            code=item.document_id.rsplit(",", 1)[-1][:200],
            document_id=item.document_id,
        ),
        sender=common.organization(item.from_organ),
        code=item.status_code,
        timestamp=item.status_at or common.now(),
        description=item.description,
        staff=StaffInfo(department=common.organization(item.from_organ).organ_name[:200]),
    )
    from egov.exchange.edxml import build  # lxml: loaded when a message is built

    return common.sign_tree(
        build.status_tree(status), item.from_organ, unsigned_ok=item.channel == Channel.PLATFORM
    )


# --- draining it -------------------------------------------------------------------------


@dataclass
class SendResult:
    sent: int = 0
    duplicates: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def claim(limit: int = 20) -> list[int]:
    """Take up to ``limit`` due rows (or rows whose worker's lease ran out)."""
    at = common.now()
    lease = at + dt.timedelta(seconds=int(settings.EGOV_EXCHANGE_LEASE_SECONDS))
    with transaction.atomic():
        rows = list(
            OutboxItem.objects.select_for_update(skip_locked=True)
            .filter(
                Q(state=OutboxState.PENDING, next_attempt_at__lte=at)
                | Q(state=OutboxState.SENDING, lease_until__lt=at)
            )
            .order_by("pk")[:limit]
        )
        for row in rows:
            row.state = OutboxState.SENDING
            row.lease_until = lease
            row.attempts += 1
            row.save(update_fields=["state", "lease_until", "attempts"])
    return [row.pk for row in rows]


def send_due(axis: Axis | None = None, limit: int = 20) -> SendResult:
    """The background job: send what is due."""
    result = SendResult()
    for pk in claim(limit):
        try:
            _send_one(pk, axis, result)
        except Exception as error:  # one bad row must not stop the others
            logger.exception("exchange outbox row %s failed", pk)
            _retry(pk, str(error), result)
    return result


def _send_one(pk: int, axis: Axis | None, result: SendResult) -> None:
    item = OutboxItem.objects.get(pk=pk)
    if not item.payload:
        payload = _document_payload(item) if item.kind == Kind.DOCUMENT else _status_payload(item)
        OutboxItem.objects.filter(pk=pk, payload=b"").update(payload=payload)
        item.refresh_from_db()
    axis_id = ""
    if item.channel == Channel.AXIS:
        try:
            sent = (axis or Axis()).send(
                sender=item.from_organ,
                recipient=item.to_organ,
                message_type="edoc" if item.kind == Kind.DOCUMENT else "status",
                body=bytes(item.payload),
                send_key=str(item.send_key),
            )
        except AxisError as error:
            _retry(pk, str(error), result)
            return
        axis_id = sent.axis_id
        if sent.duplicate:
            result.duplicates += 1
    with transaction.atomic():
        row = OutboxItem.objects.select_for_update().get(pk=pk)
        if row.state == OutboxState.SENT:
            return
        row.state = OutboxState.SENT
        row.sent_at = common.now()
        row.axis_id = axis_id
        row.lease_until = None
        row.last_error = ""
        row.save(update_fields=["state", "sent_at", "axis_id", "lease_until", "last_error"])
        common.record(
            direction=Direction.OUT,
            channel=row.channel,
            kind=row.kind,
            document_id=row.document_id,
            business_type=row.business_type,
            from_organ=row.from_organ,
            to_organ=row.to_organ,
            status_code=row.status_code,
            status_at=row.status_at,
            description=row.description,
            raw=bytes(row.payload),
            signature=SignatureState.OWN
            if b"SignatureValue" in bytes(row.payload)
            else SignatureState.UNSIGNED,
            axis_id=axis_id,
            outgoing_reference=row.outgoing_reference,
        )
        audit.record(
            actor=None,
            action="exchange.sent",
            obj=row,
            changes={"to": row.to_organ, "kind": row.kind, "code": row.status_code},
        )
    result.sent += 1


def _retry(pk: int, error: str, result: SendResult) -> None:
    with transaction.atomic():
        row = OutboxItem.objects.select_for_update().get(pk=pk)
        if row.state == OutboxState.SENT:
            return
        row.last_error = error[:500]
        row.lease_until = None
        if row.attempts >= int(settings.EGOV_EXCHANGE_MAX_ATTEMPTS):
            row.state = OutboxState.FAILED
            result.failed += 1
        else:
            row.state = OutboxState.PENDING
            wait = min(3600, 30 * 2 ** max(0, row.attempts - 1))
            row.next_attempt_at = common.now() + dt.timedelta(seconds=wait)
            result.retried += 1
        row.save(update_fields=["state", "last_error", "lease_until", "next_attempt_at"])
    result.errors.append(error[:200])
