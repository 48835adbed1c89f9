"""Refusals of the work-file services (``core.errors.DomainError``): the API answers
them with the one JSON error body, pages show their message; nothing was changed."""

from __future__ import annotations

from django.utils.translation import gettext as _

from egov.core.errors import DomainError


class WorkFileError(DomainError):
    code = "workfile_error"
    http_status = 409


class InvalidInput(WorkFileError):
    code = "invalid"
    http_status = 422


class FileFrozen(WorkFileError):
    """The file is closed (or handed over): its documents can no longer change."""

    code = "file_closed"

    def __init__(self) -> None:
        super().__init__(
            _(
                "This file has already been closed, so its documents can no longer be "
                "changed. Nothing was changed; open the file again to see it as closed."
            )
        )


class StaleFile(WorkFileError):
    code = "stale"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone changed this file while you were looking at it (a document was "
                "added or removed). Nothing was closed: look at the file again, then close it."
            )
        )


class AlreadyInFile(WorkFileError):
    code = "already_in_file"

    def __init__(self) -> None:
        super().__init__(_("This document is already in the file."))


class DocumentNotFound(WorkFileError):
    code = "document_not_found"
    http_status = 404

    def __init__(self) -> None:
        super().__init__(
            _("The document does not exist or you may not see it."), field="document_id"
        )


class SymbolTaken(WorkFileError):
    code = "symbol_taken"

    def __init__(self, symbol: str) -> None:
        super().__init__(
            _("The symbol %(symbol)s is already used by another file of this year.")
            % {"symbol": symbol},
            field="symbol",
        )


class EntryAlreadyOpened(WorkFileError):
    code = "already_opened"

    def __init__(self) -> None:
        super().__init__(_("A file has already been opened for this entry of the list."))


class WrongState(WorkFileError):
    code = "wrong_state"


class SealFailed(WorkFileError):
    """The agency's seal on the archive's copy could not be made."""

    code = "seal_failed"
    http_status = 503

    def __init__(self, reason: str) -> None:
        super().__init__(
            _(
                "The archive's copy could not be sealed by the agency, so nothing was "
                "handed over: %(reason)s"
            )
            % {"reason": reason}
        )
