"""The one place the work-file app asks the incoming and outgoing apps about their
documents, through their public access rules and selectors only.

A document is named by ``kind`` (incoming/outgoing) + its id. Everything here is
asked on behalf of a person: a document that person may not see is reported as
absent, so a confidential document is shown only to the people its own app names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.urls import reverse

from egov.core.formatting import local
from egov.documents import access as incoming_access
from egov.documents import selectors as incoming_selectors
from egov.documents.models import IncomingDocument, IncomingStatus
from egov.outgoing import access as outgoing_access
from egov.outgoing import selectors as outgoing_selectors
from egov.outgoing.models import OutgoingDocument, Status
from egov.procedures.text import search_key, search_terms
from egov.workfiles.models import DocumentKind

#: Incoming documents that are not records of the agency's work: never registered,
#: or sent back as wrongly addressed. They are taken out when a file is closed.
_INCOMING_NOT_KEPT = (IncomingStatus.RECEIVED, IncomingStatus.RETURNED)
#: Outgoing documents not issued yet are drafts (dự thảo).
_OUTGOING_DRAFTS = (Status.DRAFTING, Status.IN_REVIEW, Status.APPROVED)


@dataclass(frozen=True)
class DocumentRef:
    kind: str
    id: int
    number_symbol: str
    subject: str
    date: date | None
    issuer: str
    confidential: bool
    is_draft: bool
    pages: int | None
    page_url: str

    @property
    def identity(self) -> tuple[str, str, str] | None:
        """What makes two records the same document (for removing duplicates)."""
        if not self.number_symbol:
            return None
        return (
            search_key(self.number_symbol),
            search_key(self.issuer),
            self.date.isoformat() if self.date else "",
        )

    @property
    def kind_label(self) -> str:
        return str(DocumentKind(self.kind).label)


def _incoming(document: IncomingDocument) -> DocumentRef:
    day = document.issued_date or local(document.received_at).date()
    return DocumentRef(
        kind=DocumentKind.INCOMING,
        id=document.pk,
        number_symbol=document.number_symbol,
        subject=document.subject,
        date=day,
        issuer=document.issuing_agency_name,
        confidential=document.is_confidential,
        is_draft=document.status in _INCOMING_NOT_KEPT,
        pages=document.page_amount,
        page_url=reverse("documents:detail", args=[document.uuid]),
    )


def _outgoing(document: OutgoingDocument) -> DocumentRef:
    moment = document.issued_at or document.created_at
    return DocumentRef(
        kind=DocumentKind.OUTGOING,
        id=document.pk,
        number_symbol=document.number_and_symbol,
        subject=document.subject,
        date=local(moment).date() if moment else None,
        issuer=document.agency.name,
        confidential=document.is_confidential,
        is_draft=document.status in _OUTGOING_DRAFTS,
        pages=None,
        page_url=reverse("outgoing:detail", args=[document.reference]),
    )


def visible(user: Any, kind: str, ids: Iterable[int]) -> dict[int, DocumentRef]:
    """The documents among ``ids`` that ``user`` may see, by id (others are absent)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    if kind == DocumentKind.INCOMING:
        rows = incoming_access.visible_documents(user).filter(pk__in=wanted)
        return {doc.pk: _incoming(doc) for doc in rows}
    if kind == DocumentKind.OUTGOING:
        out = outgoing_access.visible_documents(user).filter(pk__in=wanted)
        return {doc.pk: _outgoing(doc) for doc in out.select_related("agency")}
    return {}


def find(user: Any, kind: str, document_id: int) -> DocumentRef | None:
    """One document if ``user`` may see it, else ``None`` (absent or not for them)."""
    return visible(user, kind, [document_id]).get(document_id)


def may_see(user: Any, kind: str, document_id: int) -> bool:
    return find(user, kind, document_id) is not None


def candidates(user: Any, query: str, limit: int = 20) -> list[DocumentRef]:
    """Documents ``user`` may see matching ``query`` (diacritics ignored), newest
    first, for picking what to add to a file."""
    terms = search_terms(query)
    if not terms:
        return []
    found = [_incoming(doc) for doc in incoming_selectors.search(user, query)[:limit]]
    # The outgoing app offers no search selector yet: its recent documents are
    # matched here on number, symbol and summary.
    for doc in outgoing_selectors.recent(user, limit=300):
        ref = _outgoing(doc)
        haystack = search_key(f"{ref.number_symbol} {ref.subject}")
        if all(term in haystack for term in terms):
            found.append(ref)
    found.sort(key=lambda ref: (ref.date or date.min, ref.id), reverse=True)
    return found[:limit]


def recent(user: Any, kind: str, limit: int = 20) -> list[DocumentRef]:
    """The newest documents of one kind ``user`` may see (for the demo and pickers)."""
    if kind == DocumentKind.INCOMING:
        rows = incoming_access.visible_documents(user).order_by("-received_at", "-pk")[:limit]
        return [_incoming(doc) for doc in rows]
    return [_outgoing(doc) for doc in outgoing_selectors.recent(user, limit=limit)]
