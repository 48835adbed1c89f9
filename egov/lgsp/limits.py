"""Rate limits and quotas, counted in the shared cache (``core.throttle``).

Three counters per call: the consumer on the service per minute (the access
right's ``rate_per_minute``), the consumer on the service per day (the right's
``daily_quota``), the consumer over everything per day (``Consumer.daily_quota``),
and the service over all consumers per minute (``Service.rate_per_minute``).
Zero means no limit. A call refused by one limit is not counted by the others.
"""

from __future__ import annotations

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
    throttles = []
    for prefix, key, limit, window, message in windows:
        if not limit:
            continue
        throttle = FixedWindowThrottle(prefix, key, limit=limit, window=window, now=now)
        wait = throttle.retry_after()
        if wait is not None:
            raise GatewayRefusal(
                message % {"consumer": who, "service": what, "limit": limit},
                code="too_many_requests",
                http_status=429,
                outcome="limited",
                consumer=who,
                service=what,
                retry_after=wait,
            )
        throttles.append(throttle)
    for throttle in throttles:
        throttle.count()
