"""Refusals of the submission services, each with a machine ``code`` and a message
for people; as :class:`~egov.core.errors.DomainError` they answer 409 by
themselves in the API. Bad input is Django's ``ValidationError`` (with field names)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from egov.core.errors import DomainError


class SubmissionError(DomainError):
    code = "submission_error"
    http_status = 409


class StaleDraft(SubmissionError):
    """The draft was saved elsewhere (another tab or device) since it was read."""

    code = "stale_draft"

    def __init__(self, *, expected: int, current: int) -> None:
        super().__init__(
            _(
                "This draft was changed in another tab or window since you opened this page "
                "(version %(current)s, this page had version %(expected)s), so what you just "
                "entered was NOT saved. Your entries are shown again below: check them against "
                "the latest draft and save again."
            )
            % {"current": current, "expected": expected}
        )
        self.expected = expected
        self.current = current


class DraftClosed(SubmissionError):
    """The draft was already submitted: it can no longer change."""

    code = "draft_submitted"

    def __init__(self) -> None:
        super().__init__(_("This draft has already been submitted; it can no longer be changed."))
