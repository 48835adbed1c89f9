"""Anti-spam for the question form, without JavaScript.

* A honeypot field (``website``): hidden from people by CSS and from assistive
  technology (``display: none``); bots that fill every input give themselves away.
* A fixed-window counter of questions per client IP in Django's cache (like
  :class:`egov.dossiers.public.limits.NetworkThrottle`): ``EGOV_FEEDBACK_QUESTION_LIMIT``
  per ``EGOV_FEEDBACK_QUESTION_WINDOW_SECONDS`` without signing in,
  ``EGOV_FEEDBACK_QUESTION_LIMIT_SIGNED_IN`` when signed in. With several server
  processes, configure a shared cache so the counters add up.
"""

from __future__ import annotations

from django.conf import settings

from egov.core.throttle import FixedWindowThrottle

HONEYPOT_FIELD = "website"


class QuestionThrottle(FixedWindowThrottle):
    PREFIX = "egov:feedback:ask"

    def __init__(self, ip: str | None, *, signed_in: bool, now: float | None = None) -> None:
        super().__init__(
            self.PREFIX,
            ip,
            limit=(
                settings.EGOV_FEEDBACK_QUESTION_LIMIT_SIGNED_IN
                if signed_in
                else settings.EGOV_FEEDBACK_QUESTION_LIMIT
            ),
            window=settings.EGOV_FEEDBACK_QUESTION_WINDOW_SECONDS,
            now=now,
        )


class ComplaintThrottle(FixedWindowThrottle):
    """Complaints sent per client address (page and API)."""

    PREFIX = "egov:feedback:complaint"

    def __init__(self, ip: str | None, *, signed_in: bool, now: float | None = None) -> None:
        from egov.feedback.complaint_rules import (
            SEND_LIMIT,
            SEND_LIMIT_SIGNED_IN,
            SEND_WINDOW_SECONDS,
        )

        super().__init__(
            self.PREFIX,
            ip,
            limit=SEND_LIMIT_SIGNED_IN if signed_in else SEND_LIMIT,
            window=SEND_WINDOW_SECONDS,
            now=now,
        )


class VoteThrottle(FixedWindowThrottle):
    """Likes and dislikes per client address."""

    PREFIX = "egov:feedback:vote"

    def __init__(self, ip: str | None, *, now: float | None = None) -> None:
        from egov.feedback.complaint_rules import VOTE_LIMIT, VOTE_WINDOW_SECONDS

        super().__init__(self.PREFIX, ip, limit=VOTE_LIMIT, window=VOTE_WINDOW_SECONDS, now=now)
