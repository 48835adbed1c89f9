"""The 29 document types of Decree 30 come from the incoming side (``documents``,
table ``DocumentType``, data an operator may edit); the outgoing app only reads them
and copies the name and abbreviation onto each document, so an issued document
keeps the symbol it was issued with."""

from __future__ import annotations

from dataclasses import dataclass

from egov.documents.models import DocumentType


@dataclass(frozen=True)
class TypeInfo:
    code: str
    name: str
    abbreviation: str


def document_types() -> list[TypeInfo]:
    """The types in use, in the decree's order."""
    return [
        TypeInfo(code, name, abbreviation)
        for code, name, abbreviation in DocumentType.objects.filter(active=True)
        .order_by("order", "name")
        .values_list("code", "name", "abbreviation")
    ]


def resolve_type(code: str) -> TypeInfo | None:
    """The type with ``code`` (e.g. ``quyet-dinh``) if it is in use."""
    row = (
        DocumentType.objects.filter(code=(code or "").strip(), active=True)
        .values_list("code", "name", "abbreviation")
        .first()
    )
    return TypeInfo(*row) if row else None
