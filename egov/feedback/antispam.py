"""Anti-spam for the question form, without JavaScript.

* A honeypot field (``website``): hidden from people by CSS and from assistive
  technology (``display: none``); bots that fill every input give themselves away.
* A fixed-window counter of questions per client IP in Django's cache (like
  :class:`egov.dossiers.public.lookup.LookupThrottle`): ``EGOV_FEEDBACK_QUESTION_LIMIT``
  per ``EGOV_FEEDBACK_QUESTION_WINDOW_SECONDS`` without signing in,
  ``EGOV_FEEDBACK_QUESTION_LIMIT_SIGNED_IN`` when signed in. With several server
  processes, configure a shared cache so the counters add up.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

HONEYPOT_FIELD = "website"


class QuestionThrottle:
    PREFIX = "egov:feedback:ask"

    def __init__(self, ip: str | None, *, signed_in: bool, now: float | None = None) -> None:
        self.window = max(1, int(settings.EGOV_FEEDBACK_QUESTION_WINDOW_SECONDS))
        self.limit = int(
            settings.EGOV_FEEDBACK_QUESTION_LIMIT_SIGNED_IN
            if signed_in
            else settings.EGOV_FEEDBACK_QUESTION_LIMIT
        )
        moment = time.time() if now is None else now
        self.key = f"{self.PREFIX}:{ip or 'unknown'}:{int(moment // self.window)}"
        self.seconds_left = max(1, int(self.window - (moment % self.window)))

    def retry_after(self) -> int | None:
        """Seconds until this IP may ask again, or ``None`` if it may now."""
        if int(cache.get(self.key, 0)) >= self.limit:
            return self.seconds_left
        return None

    def count(self) -> None:
        cache.add(self.key, 0, timeout=self.window + 5)
        try:
            cache.incr(self.key)
        except ValueError:
            cache.set(self.key, 1, timeout=self.window + 5)
