"""A fixed-window counter of self-registrations per client address.

Registration no longer says whether a number has an account, but each attempt
still costs a password hash and may send an e-mail to an account holder, so one
address gets ``EGOV_REGISTRATION_LIMIT`` attempts per
``EGOV_REGISTRATION_WINDOW_SECONDS`` (as :class:`egov.dossiers.public.lookup.LookupThrottle`
for public lookups; the counters live in the shared cache, ``EGOV_CACHE``).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


class RegistrationThrottle:
    PREFIX = "egov:accounts:register"

    def __init__(self, ip: str | None, *, now: float | None = None) -> None:
        self.window = max(1, int(settings.EGOV_REGISTRATION_WINDOW_SECONDS))
        self.limit = int(settings.EGOV_REGISTRATION_LIMIT)
        moment = time.time() if now is None else now
        self.key = f"{self.PREFIX}:{ip or 'unknown'}:{int(moment // self.window)}"
        self.seconds_left = max(1, int(self.window - (moment % self.window)))

    def retry_after(self) -> int | None:
        """Seconds until this address may register again, or ``None`` if it may now."""
        if int(cache.get(self.key, 0)) >= self.limit:
            return self.seconds_left
        return None

    def count(self) -> None:
        cache.add(self.key, 0, timeout=self.window + 5)
        try:
            cache.incr(self.key)
        except ValueError:  # expired between add() and incr()
            cache.set(self.key, 1, timeout=self.window + 5)
