"""A fixed-window counter of self-registrations per client address.

Registration no longer says whether a number has an account, but each attempt
still costs a password hash and may send an e-mail to an account holder, so one
address gets ``EGOV_REGISTRATION_LIMIT`` attempts per
``EGOV_REGISTRATION_WINDOW_SECONDS`` (:class:`egov.core.throttle.FixedWindowThrottle`;
the counters live in the shared cache, ``EGOV_CACHE``).
"""

from __future__ import annotations

from django.conf import settings

from egov.core.throttle import FixedWindowThrottle


class RegistrationThrottle(FixedWindowThrottle):
    PREFIX = "egov:accounts:register"

    def __init__(self, ip: str | None, *, now: float | None = None) -> None:
        super().__init__(
            self.PREFIX,
            ip,
            limit=settings.EGOV_REGISTRATION_LIMIT,
            window=settings.EGOV_REGISTRATION_WINDOW_SECONDS,
            now=now,
        )
