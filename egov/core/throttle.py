"""A fixed-window counter per client, kept in the shared cache (``EGOV_CACHE``).

Forms that cost the platform something (a password hash, an e-mail, a question
for an agency) give each client address ``limit`` attempts per ``window``
seconds. With several server processes the cache must be shared for the counts
to add up (README, Production settings).
"""

from __future__ import annotations

import time

from django.core.cache import cache


class FixedWindowThrottle:
    def __init__(
        self, prefix: str, client: str | None, *, limit: int, window: int, now: float | None = None
    ) -> None:
        self.window = max(1, int(window))
        self.limit = int(limit)
        moment = time.time() if now is None else now
        self.key = f"{prefix}:{client or 'unknown'}:{int(moment // self.window)}"
        self.seconds_left = max(1, int(self.window - (moment % self.window)))

    def retry_after(self) -> int | None:
        """Seconds until this client may try again, or ``None`` if it may now."""
        if int(cache.get(self.key, 0)) >= self.limit:
            return self.seconds_left
        return None

    def count(self) -> None:
        cache.add(self.key, 0, timeout=self.window + 5)
        try:
            cache.incr(self.key)
        except ValueError:  # expired between add() and incr()
            cache.set(self.key, 1, timeout=self.window + 5)
