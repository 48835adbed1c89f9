"""Rate limits and quotas, counted in the shared cache (``core.throttle``).

Three counters per call: the consumer on the service per minute (the access
right's ``rate_per_minute``), the consumer on the service per day (the right's
``daily_quota``), the consumer over everything per day (``Consumer.daily_quota``),
and the service over all consumers per minute (``Service.rate_per_minute``).
Zero means no limit. A call refused by one limit is not counted by the others.

The counters cost few cache round trips (Redis in production): one ``get_many``
reads every window of the call, then each counter is advanced with one atomic
``incr`` (or ``add`` when its window has just begun) — not a read, an ``add`` and
an ``incr`` per window.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import gettext as _

from egov.core.throttle import FixedWindowThrottle
from egov.lgsp.errors import GatewayRefusal
from egov.lgsp.models import AccessRight

MINUTE = 60
DAY = 86_400


def check_and_count(right: AccessRight, *, now: float | None = None) -> None:
    consumer = right.consumer
    service = right.service
    who, what = consumer.identifier, service.identifier
    windows = [
        (
            "lgsp:rate",
            f"{consumer.pk}:{service.pk}",
            right.rate_per_minute,
            MINUTE,
            _("Rate limit: %(consumer)s may call %(service)s at most %(limit)s times a minute."),
        ),
        (
            "lgsp:quota",
            f"{consumer.pk}:{service.pk}",
            right.daily_quota,
            DAY,
            _("Daily quota: %(consumer)s may call %(service)s at most %(limit)s times a day."),
        ),
        (
            "lgsp:cquota",
            str(consumer.pk),
            consumer.daily_quota,
            DAY,
            _("Daily quota: %(consumer)s may make at most %(limit)s calls a day."),
        ),
        (
            "lgsp:srate",
            str(service.pk),
            service.rate_per_minute,
            MINUTE,
            _("The service %(service)s takes at most %(limit)s calls a minute from all consumers."),
        ),
    ]
    throttles = [
        (FixedWindowThrottle(prefix, key, limit=limit, window=window, now=now), message)
        for prefix, key, limit, window, message in windows
        if limit
    ]
    if not throttles:
        return
    counts = cache.get_many([throttle.key for throttle, _message in throttles])
    for throttle, message in throttles:
        limit = throttle.limit
        if int(counts.get(throttle.key, 0)) >= limit:
            raise GatewayRefusal(
                message % {"consumer": who, "service": what, "limit": limit},
                code="too_many_requests",
                http_status=429,
                outcome="limited",
                consumer=who,
                service=what,
                retry_after=throttle.seconds_left,
            )
    for throttle, _message in throttles:
        _advance(throttle, started=throttle.key not in counts)


def _advance(throttle: FixedWindowThrottle, *, started: bool) -> None:
    """One atomic step of the counter (a window that was empty when read is begun
    with ``add``; if another call began it meanwhile, ``incr`` it)."""
    timeout = throttle.window + 5
    if started and cache.add(throttle.key, 1, timeout=timeout):
        return
    try:
        cache.incr(throttle.key)
    except ValueError:  # the window expired between the read and the step
        cache.set(throttle.key, 1, timeout=timeout)
