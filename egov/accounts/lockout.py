"""Sign-in lockout with two limits (django-axes handler).

Counting failures per user name alone let anyone lock a known staff account for
the whole cool-off with a handful of wrong passwords. Failures are therefore
counted twice (``AXES_LOCKOUT_PARAMETERS``):

* per user name *and* client address, against ``AXES_FAILURE_LIMIT`` (small): a
  guesser at one address is stopped quickly, while the owner signing in from their
  own address is not affected by someone else's failures;
* per user name alone, against ``EGOV_LOGIN_NAME_FAILURE_LIMIT`` (much higher): slow
  guessing spread over many addresses still ends in a lock.

Axes compares one number with one limit, so :meth:`get_failures` reports the
per-address count, raised to the limit once the per-name count has passed its own.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum


def name_failure_limit() -> int:
    return int(settings.EGOV_LOGIN_NAME_FAILURE_LIMIT)


class TwoLimitLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        per_address = 0
        per_name = 0
        for parameter, queryset in zip(parameters, attempts, strict=True):
            count = int(queryset.aggregate(n=Sum("failures_since_start"))["n"] or 0)
            if parameter == "username":
                per_name = max(per_name, count)
            else:
                per_address = max(per_address, count)
        if per_name >= name_failure_limit():
            return max(per_address, int(get_failure_limit(request, credentials)))
        return per_address
