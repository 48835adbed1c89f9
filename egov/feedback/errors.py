"""Why a feedback action is refused (shown to the person as is)."""

from __future__ import annotations

from egov.core.errors import DomainError


class FeedbackError(DomainError):
    """A refusal with a readable message; ``field`` names the form field at fault."""

    code = "not_allowed"
    http_status = 409

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, field=field)


class NotReturned(FeedbackError):
    code = "not_returned"


class ChangeWindowClosed(FeedbackError):
    code = "change_window_closed"


class InvalidFeedback(FeedbackError):
    code = "invalid"
    http_status = 422
