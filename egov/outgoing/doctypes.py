"""The 29 document types of Decree 30 come from the incoming side (``documents``,
table ``DocumentType``, data an operator may edit); the outgoing app only reads them
and copies the name and abbreviation onto each document, so an issued document
keeps the symbol it was issued with."""

from __future__ import annotations

from dataclasses import dataclass

from egov.documents import selectors as incoming


@dataclass(frozen=True)
class TypeInfo:
    code: str
    name: str
    abbreviation: str


def document_types() -> list[TypeInfo]:
    """The types in use, in the decree's order."""
    return [TypeInfo(*row) for row in incoming.document_types()]


def resolve_type(code: str) -> TypeInfo | None:
    """The type with ``code`` (e.g. ``quyet-dinh``) if it is in use."""
    row = incoming.document_type(code)
    return TypeInfo(*row) if row else None
