"""Receipt from the axis: poll, read, check, deliver to the incoming queue.

Every received message is read liberally (:mod:`egov.exchange.edxml.parse`). One
that cannot be understood goes to the quarantine byte for byte with the reason;
one whose signature does not match (altered on the way) or that is unsigned is
refused: kept in the quarantine as rejected and answered with status 02. A
document addressed to none of our agencies is answered with 02 as well.

The signer's certificate is checked against the revocation sources the signatures
app manages (CRL, OCSP). A certificate revoked by the time the message says it was
signed refuses the message (status ``revoked``, quarantined as rejected, 02). The
time a message gives is the sender's word (no trusted timestamp in edXML): a
certificate revoked after it but before receipt still refuses the message when the
reason does not rule out a stolen key (key or CA compromise, unspecified, none);
for other reasons (superseded, affiliation changed…) the message is taken with a
warning. No answer from any source is a warning, not a refusal.

Idempotent receipt: the same DocumentId and business type for the same agency
makes one incoming document (``exchange_document_once`` here and the documents
app's ``documents_delivery_once``), however often the axis delivers it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egov.core import audit
from egov.core.formatting import format_date, format_time
from egov.documents import services as documents
from egov.documents.contract import IncomingMetadata
from egov.documents.errors import NotADocument, WrongState
from egov.exchange.axis import Axis, AxisError
from egov.exchange.edxml.model import BusinessType, Message, StatusCode
from egov.exchange.models import (
    Channel,
    Direction,
    ExchangeMessage,
    Kind,
    Quarantine,
    QuarantineState,
    SignatureState,
)
from egov.exchange.services import common, outbox

logger = logging.getLogger(__name__)

_URGENCY = {0: "normal", 1: "urgent", 2: "very_urgent", 3: "flash"}
_ACCEPTED_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/tiff")


@dataclass
class Outcome:
    kind: str  # imported, status, duplicate, quarantined, refused, misaddressed, revoked
    reason: str = ""
    incoming: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class PollResult:
    listed: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for o in self.outcomes if o.kind == kind)


def poll(axis: Axis | None = None) -> PollResult:
    """The background job: fetch what waits for our agencies, handle it, acknowledge
    it. A message already handled (delivered again) is only acknowledged."""
    axis = axis or Axis()
    result = PollResult()
    try:
        envelopes = axis.received()
    except AxisError as error:
        result.errors.append(str(error))
        return result
    result.listed = len(envelopes)
    seen: set[str] = set()
    for envelope in envelopes:
        if envelope.axis_id in seen:
            continue
        seen.add(envelope.axis_id)
        try:
            if _handled(envelope.axis_id):
                result.outcomes.append(Outcome("duplicate"))
            else:
                raw = axis.get(envelope.axis_id)
                result.outcomes.append(
                    receive(raw, axis_id=envelope.axis_id, recipient=envelope.recipient)
                )
            axis.update_status(envelope.axis_id, "done")
        except AxisError as error:
            result.errors.append(str(error))
    return result


def _handled(axis_id: str) -> bool:
    return (
        ExchangeMessage.objects.filter(direction=Direction.IN, axis_id=axis_id).exists()
        or Quarantine.objects.filter(axis_id=axis_id).exists()
    )


def quarantine(
    raw: bytes,
    reason: str,
    *,
    axis_id: str = "",
    sender: str = "",
    state: str = QuarantineState.HELD,
) -> Quarantine:
    """Keep ``raw`` exactly as it came, with the reason."""
    try:
        with transaction.atomic():
            row = Quarantine.objects.create(
                raw=raw,
                sha256=hashlib.sha256(raw).hexdigest(),
                size=len(raw),
                reason=reason[:1000],
                axis_id=axis_id[:100],
                sender_hint=sender[:40],
                state=state,
            )
            audit.record(
                actor=None, action="exchange.quarantined", obj=row, changes={"reason": reason[:200]}
            )
            return row
    except IntegrityError:
        return Quarantine.objects.get(axis_id=axis_id)


def _signature(raw: bytes, signed_at: dt.datetime) -> tuple[str, str, str, list[str]]:
    """(state, note, signer, warnings) of the message's signature."""
    from egov.exchange import keys
    from egov.exchange.edxml import dsig

    checked = dsig.verify(raw)
    if not checked.signed:
        return SignatureState.UNSIGNED, checked.reason, "", []
    signer = checked.signer.subject.rfc4514_string()[:300] if checked.signer else ""
    if not checked.valid:
        return SignatureState.INVALID, checked.reason, signer, []
    warnings = list(checked.warnings)
    revoked, note = revocation_verdict(keys.revocation(checked.certificates), signed_at)
    if revoked:
        return SignatureState.REVOKED, note, signer, warnings
    if note:
        warnings.append(note)
    problem = dsig.chains_to(checked.certificates, keys.anchors(), common.now())
    if problem:
        return SignatureState.UNTRUSTED, problem, signer, warnings
    return SignatureState.VALID, "", signer, warnings


def revocation_verdict(status: Any, signed_at: dt.datetime) -> tuple[bool, str]:
    """(refuse?, note) for the signer's certificate revocation ``status``
    (:class:`egov.signatures.selectors.CertificateRevocation`) and the time the
    message says it was signed."""
    from egov.signatures.selectors import COMPROMISE_REASONS

    if status.state != "revoked" or status.revoked_at is None:
        if status.state == "unknown" and status.unreachable:
            return False, _("The revocation of the signer's certificate could not be checked.")
        return False, ""
    values = {
        "when": _moment(status.revoked_at),
        "signed": _moment(signed_at),
        "reason": status.reason or "-",
    }
    if status.revoked_by(signed_at):
        return True, _(
            "The signer's certificate was revoked at %(when)s, before the message was "
            "signed (%(signed)s)."
        ) % values
    if status.revoked_by(common.now()) and status.reason in COMPROMISE_REASONS:
        return True, _(
            "The signer's certificate was revoked at %(when)s (reason: %(reason)s); the "
            "signing time %(signed)s is only the sender's word, so it cannot show the "
            "message was signed before."
        ) % values
    return False, _(
        "The signer's certificate was revoked at %(when)s (reason: %(reason)s), after "
        "the message was signed (%(signed)s)."
    ) % values


def _moment(value: dt.datetime) -> str:
    return f"{format_time(value)} {format_date(value)}"


def signing_time(parsed: Any) -> dt.datetime:
    """When the message says it was signed: a status's timestamp, a document's
    latest trace header time; never later than now (and now when it says nothing)."""
    now = common.now()
    if parsed.status is not None:
        claimed: dt.datetime | None = parsed.status.timestamp
    else:
        times = [t.timestamp for t in parsed.message.traces if t.timestamp is not None]
        claimed = max(times) if times else None
    if claimed is None:
        return now
    if claimed.tzinfo is None:
        claimed = claimed.replace(tzinfo=dt.UTC)
    return min(claimed, now)


def receive(raw: bytes, *, axis_id: str = "", recipient: str = "") -> Outcome:
    """Handle one received message (document or status)."""
    from egov.exchange.edxml import parse

    try:
        parsed = parse.parse(raw)
    except parse.Unparseable as error:
        quarantine(raw, str(error), axis_id=axis_id)
        return Outcome("quarantined", str(error))
    state, note, signer, sig_warnings = _signature(raw, signing_time(parsed))
    warnings = parsed.warnings + sig_warnings
    refuse = state in (
        SignatureState.INVALID,
        SignatureState.UNSIGNED,
        SignatureState.REVOKED,
    ) or (state == SignatureState.UNTRUSTED and settings.EGOV_EXCHANGE_REQUIRE_TRUSTED_SIGNATURE)
    if refuse:
        reason = _("Signature check failed: %(why)s") % {"why": note}
        sender = parsed.message.sender.organ_id if parsed.message else ""
        quarantine(raw, reason, axis_id=axis_id, sender=sender, state=QuarantineState.REJECTED)
        if parsed.message is not None:
            _answer_rejected(parsed.message, recipient, reason)
        return Outcome("refused", reason, warnings=warnings)
    base = {
        "direction": Direction.IN,
        "channel": Channel.AXIS,
        "raw": raw,
        "signature": state,
        "signature_note": note[:500],
        "signer": signer,
        "warnings": warnings,
        "axis_id": axis_id[:100],
    }
    if parsed.status is not None:
        status = parsed.status
        row = common.record(
            kind=Kind.STATUS,
            document_id=status.response_for.document_id,
            from_organ=status.sender.organ_id,
            to_organ=status.response_for.organ_id,
            status_code=status.code,
            status_at=status.timestamp,
            description=status.description[:500],
            **base,
        )
        return Outcome("status" if row else "duplicate", warnings=warnings)
    assert parsed.message is not None
    return _receive_document(parsed.message, recipient, base, warnings)


def _answer_rejected(message: Message, recipient: str, reason: str) -> None:
    targets = [recipient] if recipient else [r.organ_id for r in message.recipients]
    for organ in targets:
        if common.our_agency(organ) is not None:
            outbox.enqueue_status(
                channel=Channel.AXIS,
                from_organ=organ,
                to_organ=message.sender.organ_id,
                document_id=message.document_id,
                code=str(StatusCode.REJECTED),
                at=common.now(),
                description=reason,
            )


def source_ref(document_id: str, business_type: int) -> str:
    return f"edxml:{document_id}#{business_type}"[:200]


def metadata_of(message: Message) -> IncomingMetadata:
    return IncomingMetadata(
        issuing_agency_name=message.sender.organ_name or message.sender.organ_id or "?",
        issuing_agency_code=message.sender.organ_id,
        subject=message.subject,
        code_number=message.code_number,
        code_notation=message.code_notation,
        type_code="",
        issued_date=message.promulgation_date,
        signer_name=message.signer_name,
        signer_position=message.signer_position,
        page_amount=message.page_amount or None,
        urgency=_URGENCY.get(message.priority, "normal"),
        document_id=message.document_id,
        due_date=message.due_date,
        to_places="; ".join(message.to_places)[:1000],
        description=message.content,
        extra={"type_name": message.type_name},
    )


def _files(message: Message, warnings: list[str]) -> list[tuple[str, bytes, str]]:
    files = []
    for item in message.attachments:
        if item.content_type.lower() in _ACCEPTED_TYPES or item.name.lower().endswith(".pdf"):
            files.append((item.name, item.data, item.content_type))
        else:
            warnings.append(
                f"attachment “{item.name}” ({item.content_type}) kept in the message only"
            )
    return files


def _receive_document(
    message: Message, recipient: str, base: dict[str, Any], warnings: list[str]
) -> Outcome:
    targets = [recipient] if recipient else [r.organ_id for r in message.recipients]
    outcome = Outcome("imported", warnings=warnings)
    kind = message.business.business_type
    for organ in targets:
        agency = common.our_agency(organ)
        if agency is None:
            # Wrongly addressed: nobody here may receive it; say so to the sender.
            common.record(
                kind=Kind.DOCUMENT,
                document_id=message.document_id,
                business_type=int(kind),
                from_organ=message.sender.organ_id,
                to_organ=organ,
                subject=message.subject[:500],
                **base,
            )
            outbox.enqueue_status(
                channel=Channel.AXIS,
                from_organ=organ if organ else str(settings.EGOV_EXCHANGE_SYSTEM_ID),
                to_organ=message.sender.organ_id,
                document_id=message.document_id,
                code=str(StatusCode.REJECTED),
                at=common.now(),
                description=_("Wrongly addressed: no agency %(organ)s here.") % {"organ": organ},
            )
            outcome.kind = "misaddressed"
            continue
        try:
            with transaction.atomic():
                row = common.record(
                    kind=Kind.DOCUMENT,
                    document_id=message.document_id,
                    business_type=int(kind),
                    from_organ=message.sender.organ_id,
                    to_organ=organ,
                    subject=message.subject[:500],
                    **base,
                )
                if row is None:
                    outcome.kind = "duplicate"
                    continue
                if kind is BusinessType.REVOKE:
                    original = message.business.document_id or message.document_id
                    withdrawn = documents.withdraw_from_platform(
                        source_ref=source_ref(original, int(BusinessType.NEW)),
                        recipient_agency=agency,
                        reason=message.business.reason or _("Recalled by the sender."),
                        actor=None,
                    )
                    outbox.enqueue_status(
                        channel=Channel.AXIS,
                        from_organ=organ,
                        to_organ=message.sender.organ_id,
                        document_id=original,
                        code=str(StatusCode.CHANGE_ACCEPTED),
                        at=common.now(),
                        description=str(withdrawn.kind),
                    )
                    outcome.kind = "revoked"
                    continue
                incoming = documents.receive_from_exchange(
                    recipient_agency=agency,
                    metadata=metadata_of(message),
                    files=_files(message, warnings),
                    source_ref=source_ref(message.document_id, int(kind)),
                )
                row.incoming_document = incoming.uuid
                row.warnings = warnings
                row.save(update_fields=["incoming_document", "warnings"])
                outcome.incoming.append(str(incoming.uuid))
        except (NotADocument, WrongState, ValidationError) as error:
            text = str(getattr(error, "message", None) or error)
            quarantine(
                bytes(base["raw"]),
                text,
                axis_id=str(base["axis_id"]),
                sender=message.sender.organ_id,
            )
            outcome.kind, outcome.reason = "quarantined", text
    return outcome


# --- the operator's hand on the quarantine --------------------------------------------


def retry_quarantined(row_id: int, *, actor: Any) -> Outcome:
    """Read a held message again (after the reader learnt a new variation)."""
    from egov.exchange.edxml import parse

    with transaction.atomic():
        row = Quarantine.objects.select_for_update().get(pk=row_id)
        if row.state != QuarantineState.HELD:
            raise WrongState(_("This message was already dealt with."))
        raw = bytes(row.raw)
        try:
            parse.parse(raw)
        except parse.Unparseable as error:
            row.note = str(error)[:500]
            row.save(update_fields=["note"])
            audit.record(actor=actor, action="exchange.quarantine_retry_failed", obj=row)
            return Outcome("quarantined", str(error))
        axis_id, row.axis_id = row.axis_id, ""
        row.state = QuarantineState.IMPORTED
        row.resolved_by = actor
        row.resolved_at = common.now()
        row.save(update_fields=["state", "resolved_by", "resolved_at", "axis_id"])
        outcome = receive(raw, axis_id=axis_id)
        row.note = outcome.kind
        row.save(update_fields=["note"])
        audit.record(
            actor=actor,
            action="exchange.quarantine_retried",
            obj=row,
            changes={"outcome": outcome.kind},
        )
    return outcome


def reject_quarantined(row_id: int, *, actor: Any, reason: str) -> Quarantine:
    """Refuse a held message: status 02 goes to the sender (when it can be told)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the message is rejected.")})
    with transaction.atomic():
        row = Quarantine.objects.select_for_update().get(pk=row_id)
        if row.state != QuarantineState.HELD:
            raise WrongState(_("This message was already dealt with."))
        row.state = QuarantineState.REJECTED
        row.resolved_by = actor
        row.resolved_at = common.now()
        row.note = reason[:500]
        row.save(update_fields=["state", "resolved_by", "resolved_at", "note"])
        _reject_to_sender(bytes(row.raw), row.sender_hint, reason)
        audit.record(
            actor=actor, action="exchange.quarantine_rejected", obj=row, changes={"reason": reason}
        )
    return row


def _reject_to_sender(raw: bytes, sender_hint: str, reason: str) -> None:
    """Best effort: find who sent it and to whom, even in a broken message."""
    import re

    text = raw.decode("utf-8", "replace")
    organs = re.findall(r"<(?:\w+:)?OrganId>\s*([^<\s]+)\s*</", text)
    ids = re.findall(r"<(?:\w+:)?DocumentId>\s*([^<]+?)\s*</", text)
    sender = sender_hint or (organs[0] if organs else "")
    ours = [o for o in organs[1:] if common.our_agency(o) is not None]
    document_id = ids[0] if ids else hashlib.sha256(raw).hexdigest()
    for organ in ours[:1] or []:
        outbox.enqueue_status(
            channel=Channel.AXIS,
            from_organ=organ,
            to_organ=sender,
            document_id=document_id,
            code=str(StatusCode.REJECTED),
            at=common.now(),
            description=reason,
        )
