"""Verification is public and costs CPU (chain building, revocation fetches): each
client address gets ``EGOV_SIGNATURES_VERIFY_PER_HOUR`` checks an hour."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from egov.core import request_context
from egov.core.throttle import FixedWindowThrottle
from egov.signatures import errors


def count_verification(request: HttpRequest) -> None:
    """Count one verification for the caller's address, or refuse (HTTP 429)."""
    client = request_context.current().ip_address or request.META.get("REMOTE_ADDR")
    throttle = FixedWindowThrottle(
        "signatures.verify",
        client,
        limit=int(settings.EGOV_SIGNATURES_VERIFY_PER_HOUR),
        window=3600,
    )
    wait = throttle.retry_after()
    if wait is not None:
        raise errors.TooManyVerifications(max(1, (wait + 59) // 60))
    throttle.count()
