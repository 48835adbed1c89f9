"""What the outgoing side offers the document exchange (a higher app) without
knowing it: the issued documents to send as edXML, and a registry through which
the exchange tells the document page where each recipient stands.

- :func:`documents_for_exchange` — issued (or recalled) documents with what an
  edXML message needs: the Phụ lục VI metadata, the files, each recipient's
  identifier code and whether it is on the platform;
- :func:`register_status_provider` — the exchange registers a callable
  ``(reference, [organ ids]) -> {organ id: RecipientStatus}``; the recipients table
  shows it for recipients reached through the exchange.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from egov.documents.contract import IncomingMetadata
from egov.outgoing.models import DeliveryStatus, OutgoingDocument, Recipient, RecipientKind, Status


@dataclass(frozen=True)
class ExchangeRecipient:
    organ_id: str
    name: str
    on_platform: bool
    delivery: str


@dataclass(frozen=True)
class ExchangeDocument:
    reference: str
    agency_code: str
    agency_name: str
    number_symbol: str
    issued_at: datetime
    place: str
    type_name: str
    recalled: bool
    recall_reason: str
    replaces_reference: str
    metadata: IncomingMetadata
    recipients: tuple[ExchangeRecipient, ...]

    def files(self) -> list[tuple[str, bytes, str]]:
        from egov.outgoing.services.issuance import delivery_files

        return delivery_files(OutgoingDocument.objects.get(reference=self.reference))


def _recipient(row: Recipient) -> ExchangeRecipient:
    on_platform = row.kind == RecipientKind.PLATFORM and row.agency_id is not None
    organ = row.agency.code if on_platform and row.agency else row.organ_id
    return ExchangeRecipient(
        organ_id=(organ or "").strip(),
        name=row.name,
        on_platform=on_platform,
        delivery=row.delivery,
    )


def documents_for_exchange(
    *, days: int = 7, exclude: set[str] | None = None, limit: int = 200
) -> list[ExchangeDocument]:
    """Documents issued (or recalled) in the last ``days`` with at least one recipient
    sent electronically. Issued ones whose reference is in ``exclude`` (already
    handled) are skipped; recalled ones never are (their recall is news)."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        OutgoingDocument.objects.filter(
            status__in=(Status.ISSUED, Status.RECALLED), issued_at__gte=since
        )
        .exclude(confidentiality__in=("confidential", "secret", "top_secret"))
        .exclude(status=Status.ISSUED, reference__in=list(exclude or ()))
        .select_related("agency", "replaces")
        .order_by("issued_at", "pk")
    )
    found = []
    for row in rows:
        made = _exchange_document(row)
        if made is not None:
            found.append(made)
        if len(found) >= limit:
            break
    return found


def document_for_exchange(reference: str) -> ExchangeDocument | None:
    """One issued or recalled document by its reference (None if there is none, or if
    ``reference`` is not one of ours: references are UUIDs; other apps' delivery
    references such as ``office:101`` name no outgoing document)."""
    try:
        uuid.UUID(reference)
    except (ValueError, TypeError, AttributeError):
        return None
    row = (
        OutgoingDocument.objects.filter(
            reference=reference, status__in=(Status.ISSUED, Status.RECALLED)
        )
        .select_related("agency", "replaces")
        .first()
    )
    return _exchange_document(row, any_recipient=True) if row is not None else None


_SENT = (
    DeliveryStatus.DELIVERED,
    DeliveryStatus.WAITING_EXCHANGE,
    DeliveryStatus.WITHDRAWN,
    DeliveryStatus.RECALLED_AFTER_REGISTRATION,
)


def _exchange_document(
    row: OutgoingDocument, *, any_recipient: bool = False
) -> ExchangeDocument | None:
    """``any_recipient``: every recipient but the paper-only ones (also while the
    document is being dispatched); else those already sent electronically."""
    from egov.outgoing.services.issuance import metadata_of

    recipients = tuple(
        _recipient(r)
        for r in row.recipients.select_related("agency")
        if (r.delivery != DeliveryStatus.PAPER_ONLY if any_recipient else r.delivery in _SENT)
    )
    if not recipients or row.issued_at is None:
        return None
    return ExchangeDocument(
        reference=str(row.reference),
        agency_code=row.agency.code,
        agency_name=row.agency.name,
        number_symbol=row.number_and_symbol,
        issued_at=row.issued_at,
        place=row.place,
        type_name=row.type_name,
        recalled=row.status == Status.RECALLED,
        recall_reason=row.recall_reason,
        replaces_reference=str(row.replaces.reference) if row.replaces is not None else "",
        metadata=metadata_of(row),
        recipients=recipients,
    )


@dataclass(frozen=True)
class RecipientStatus:
    code: str
    label: str
    at: datetime | None
    note: str = ""


StatusProvider = Callable[[str, list[str]], dict[str, RecipientStatus]]
_PROVIDERS: dict[str, StatusProvider] = {}


def register_status_provider(name: str, provider: StatusProvider) -> None:
    _PROVIDERS[name] = provider


def exchange_statuses(reference: str, organ_ids: list[str]) -> dict[str, RecipientStatus]:
    """The latest status of each recipient reached through the exchange (empty
    without a provider)."""
    found: dict[str, RecipientStatus] = {}
    for provider in _PROVIDERS.values():
        found.update(provider(reference, [o for o in organ_ids if o]))
    return found
