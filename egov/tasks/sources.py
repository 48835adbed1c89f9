"""The one place the task app asks the incoming and outgoing apps about their
documents, through their access rules only. A document the person may not see is
reported as absent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from egov.documents import access as incoming_access
from egov.outgoing import access as outgoing_access
from egov.tasks.models import Source


@dataclass(frozen=True)
class DocumentRef:
    kind: str
    id: int
    number_symbol: str
    subject: str
    agency_name: str
    page_url: str


def find(user: Any, kind: str, document_id: int | None) -> DocumentRef | None:
    """One document if ``user`` may see it, else ``None``."""
    if document_id is None:
        return None
    if kind == Source.INCOMING:
        doc = incoming_access.visible_documents(user).filter(pk=document_id).first()
        if doc is None:
            return None
        return DocumentRef(
            kind,
            doc.pk,
            doc.number_symbol,
            doc.subject,
            doc.issuing_agency_name,
            reverse("documents:detail", args=[doc.uuid]),
        )
    if kind == Source.OUTGOING:
        out = (
            outgoing_access.visible_documents(user)
            .select_related("agency")
            .filter(pk=document_id)
            .first()
        )
        if out is None:
            return None
        return DocumentRef(
            kind,
            out.pk,
            out.number_and_symbol,
            out.subject,
            out.agency.name,
            reverse("outgoing:detail", args=[out.reference]),
        )
    return None


def recent(user: Any, kind: str, limit: int = 15) -> list[DocumentRef]:
    """The newest documents of one kind ``user`` may see (to pick from)."""
    if kind == Source.INCOMING:
        rows = incoming_access.visible_documents(user).order_by("-received_at", "-pk")[:limit]
        return [
            DocumentRef(
                kind,
                d.pk,
                d.number_symbol,
                d.subject,
                d.issuing_agency_name,
                reverse("documents:detail", args=[d.uuid]),
            )
            for d in rows
        ]
    out = (
        outgoing_access.visible_documents(user)
        .select_related("agency")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        DocumentRef(
            kind,
            d.pk,
            d.number_and_symbol,
            d.subject,
            d.agency.name,
            reverse("outgoing:detail", args=[d.reference]),
        )
        for d in out
    ]
