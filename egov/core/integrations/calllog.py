"""Writing the log of calls to outside systems (:class:`IntegrationCall`).

Only what helps an operator is kept: system, operation, method, host, HTTP
status, outcome, duration, attempt, a masked error text and the id of the
request that caused the call. Query strings are cut from any URL in the error
and long digit runs (identity numbers, phone numbers, references) are masked.
A failure to write the log never fails the call it describes.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from django.db import transaction

from egov.core import request_context

logger = logging.getLogger(__name__)

_QUERY = re.compile(r"(https?://[^\s?#]+)[?#]\S*")
_DIGITS = re.compile(r"\d{7,}")


def mask(text: str, limit: int = 300) -> str:
    """``text`` without URL query strings or long digit runs, cut to ``limit``."""
    text = _QUERY.sub(r"\1?…", text)
    text = _DIGITS.sub(lambda m: m.group(0)[:2] + "…", text)
    return text[:limit]


def record_call(
    *,
    system: str,
    operation: str,
    method: str,
    url: str,
    outcome: str,
    duration: float,
    attempt: int,
    status: int | None = None,
    error: str = "",
) -> None:
    from egov.core.models import IntegrationCall

    try:
        # A savepoint: a failed insert must not poison the caller's transaction.
        with transaction.atomic():
            IntegrationCall.objects.create(
                system=system[:40],
                operation=operation[:60],
                method=method[:10],
                host=(urlsplit(url).hostname or "")[:255],
                status=status,
                outcome=outcome,
                duration_ms=max(0, round(duration * 1000)),
                attempt=attempt,
                error=mask(error),
                request_id=request_context.current().request_id[:64],
            )
    except Exception:  # the log is a by-product: never let it break the call
        logger.warning("could not log a call to %s.%s", system, operation, exc_info=True)
