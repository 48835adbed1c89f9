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


class WrongState(FeedbackError):
    """The complaint is no longer in a state that allows the step (another clerk
    acted first, or the form was sent twice)."""

    code = "wrong_state"


class NotVerified(FeedbackError):
    """The dossier's code and the applicant's identifier do not match (or no such
    dossier: the two are not told apart)."""

    code = "not_verified"
    http_status = 422


class TooMany(FeedbackError):
    code = "rate_limited"
    http_status = 429
