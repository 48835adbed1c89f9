"""Refusals of the incoming-document services (``core.errors.DomainError``): the API
answers them with the one JSON error body, pages show their message."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from egov.core.errors import DomainError


class DocumentError(DomainError):
    code = "document_error"
    http_status = 409


class NotADocument(DocumentError):
    """The upload is not a scan or PDF of a paper (wrong type, empty, unreadable)."""

    code = "not_a_document"
    http_status = 422


class WrongState(DocumentError):
    code = "wrong_state"


class StaleDocument(DocumentError):
    code = "stale"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this document while you were working on it. "
                "Open it again to see their change, then repeat yours."
            )
        )


class LikelyDuplicate(DocumentError):
    """A document with the same number + symbol + issuing body, or the same document id,
    is already registered: the clerk must confirm to register it anyway."""

    code = "likely_duplicate"

    def __init__(self, duplicates: list[Any]) -> None:
        self.duplicates = duplicates
        described = "; ".join(
            _("incoming no. %(number)s of %(date)s (%(symbol)s)")
            % {
                "number": doc.arrival_number,
                "date": doc.registered_at.strftime("%d/%m/%Y") if doc.registered_at else "",
                "symbol": doc.number_symbol or doc.document_id,
            }
            for doc in duplicates
        )
        super().__init__(
            _(
                "This document looks already registered: %(found)s. Check the paper; "
                "if it really is another document, confirm to register it anyway."
            )
            % {"found": described}
        )

    def extra(self) -> dict[str, Any]:
        return {
            "duplicates": [
                {
                    "uuid": str(doc.uuid),
                    "arrival_number": doc.arrival_number,
                    "number_symbol": doc.number_symbol,
                    "document_id": doc.document_id,
                }
                for doc in self.duplicates
            ]
        }


class OcrFailed(DocumentError):
    code = "ocr_failed"
    http_status = 422
