"""Reads of the exchange: each recipient's latest status (for the outgoing page),
a document's exchange history, the quarantine."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from egov.accounts.permissions import Perm, has_perm_in_unit
from egov.exchange.edxml.model import STATUS_RANK
from egov.exchange.models import (
    Direction,
    ExchangeMessage,
    Kind,
    OutboxItem,
    OutboxState,
    Quarantine,
    QuarantineState,
)

STATUS_LABELS = {
    "01": gettext_lazy("Arrived at the recipient"),
    "02": gettext_lazy("Rejected by the recipient"),
    "03": gettext_lazy("Registered by the recipient"),
    "04": gettext_lazy("Assigned for handling"),
    "05": gettext_lazy("Being handled"),
    "06": gettext_lazy("Handled"),
    "13": gettext_lazy("Taken back"),
    "15": gettext_lazy("Change accepted"),
    "16": gettext_lazy("Change rejected"),
}
OUTBOX_LABELS = {
    OutboxState.PENDING: gettext_lazy("Waiting to be sent through the axis"),
    OutboxState.SENDING: gettext_lazy("Being sent through the axis"),
    OutboxState.SENT: gettext_lazy("Sent through the axis"),
    OutboxState.REFUSED: gettext_lazy("Refused by the axis"),
    OutboxState.FAILED: gettext_lazy("Sending through the axis failed"),
}


def may_operate(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and has_perm_in_unit(
        user, Perm.OPERATE_PLATFORM, None
    )


def latest(rows: list[ExchangeMessage]) -> ExchangeMessage | None:
    """The status that counts when statuses arrive out of order: the latest by the
    sender's timestamp, then by how far along it is."""
    if not rows:
        return None
    return max(rows, key=lambda r: (r.status_at or r.created_at, STATUS_RANK.get(r.status_code, 0)))


def recipient_statuses(reference: str, organ_ids: list[str]) -> dict[str, Any]:
    """For the outgoing page (``outgoing.outside.register_status_provider``)."""
    from egov.outgoing.outside import RecipientStatus

    sent = OutboxItem.objects.filter(
        kind=Kind.DOCUMENT, outgoing_reference=reference, to_organ__in=organ_ids
    ).order_by("business_type")
    found: dict[str, Any] = {}
    ids: set[str] = set()
    for item in sent:
        ids.add(item.document_id)
        found[item.to_organ] = RecipientStatus(
            code=f"axis-{item.state}",
            label=str(OUTBOX_LABELS.get(OutboxState(item.state), item.state)),
            at=item.sent_at,
            note=item.last_error if item.state != OutboxState.SENT else "",
        )
    statuses = ExchangeMessage.objects.filter(
        direction=Direction.IN, kind=Kind.STATUS, document_id__in=ids, from_organ__in=organ_ids
    )
    by_organ: dict[str, list[ExchangeMessage]] = {}
    for row in statuses:
        by_organ.setdefault(row.from_organ, []).append(row)
    for organ, rows in by_organ.items():
        best = latest(rows)
        if best is not None:
            found[organ] = RecipientStatus(
                code=best.status_code,
                label=str(STATUS_LABELS.get(best.status_code, best.status_code)),
                at=best.status_at,
                note=best.description,
            )
    return found


def history(document_id: str) -> QuerySet[ExchangeMessage]:
    return ExchangeMessage.objects.filter(document_id=document_id).order_by("created_at", "pk")


def held() -> QuerySet[Quarantine]:
    return Quarantine.objects.filter(state=QuarantineState.HELD).order_by("received_at", "pk")


def recent_quarantine(limit: int = 50) -> QuerySet[Quarantine]:
    return Quarantine.objects.exclude(state=QuarantineState.HELD).order_by("-received_at")[:limit]


def recent_messages(limit: int = 50) -> QuerySet[ExchangeMessage]:
    return ExchangeMessage.objects.defer("raw").order_by("-created_at", "-pk")[:limit]


def outbox_counts() -> dict[str, int]:
    from django.db.models import Count

    return {
        row["state"]: row["n"] for row in OutboxItem.objects.values("state").annotate(n=Count("pk"))
    }


def trace(document_id: str) -> list[dict[str, Any]]:
    """The exchange history of one document (its edXML DocumentId) as plain data, for
    other systems through the integration platform: every message sent or received
    for it — the document itself, its updates and revocations, and the statuses."""
    return [
        {
            "direction": m.direction,
            "channel": m.channel,
            "kind": m.kind,
            "business_type": m.business_type,
            "from": m.from_organ,
            "to": m.to_organ,
            "status_code": m.status_code,
            "status_at": m.status_at.isoformat() if m.status_at else None,
            "signature": m.signature,
            "recorded_at": m.created_at.isoformat(),
        }
        for m in history(document_id)
    ]
