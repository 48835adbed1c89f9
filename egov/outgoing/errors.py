"""Refusals of the outgoing-document services (``core.errors.DomainError``: the API
and the pages answer them by themselves). Permission refusals are Django's
``PermissionDenied``; bad input is Django's ``ValidationError`` with field names."""

from __future__ import annotations

from django.utils.translation import gettext as _

from egov.core.errors import DomainError


class OutgoingError(DomainError):
    code = "outgoing_error"
    http_status = 409


class NotAllowedNow(OutgoingError):
    """The act does not fit the document's current state; nothing was changed."""

    code = "not_allowed_now"


class StaleDocument(OutgoingError):
    """Someone saved the document since the caller read it (optimistic locking)."""

    code = "stale"

    def __init__(self, *, expected: int, current: int) -> None:
        super().__init__(
            _(
                "Someone else saved this document in the meantime (version %(current)s, you "
                "were editing version %(expected)s). Your text is kept below: compare it with "
                "the saved one and save again."
            )
            % {"current": current, "expected": expected}
        )
        self.expected = expected
        self.current = current

    def extra(self) -> dict[str, int]:
        return {"current_version": self.current}


class FrozenDocument(OutgoingError):
    code = "frozen"

    def __init__(self) -> None:
        super().__init__(
            _("This document has been issued or recalled: it can no longer be changed.")
        )


class NoApprovalChain(OutgoingError):
    code = "no_approval_chain"
    http_status = 422

    def __init__(self) -> None:
        super().__init__(
            _("No approval chain is set up for this agency and document type; ask the operator.")
        )


class ConfidentialNotElectronic(OutgoingError):
    code = "confidential_not_electronic"
    http_status = 422
