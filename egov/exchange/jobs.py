"""The exchange's background jobs (registered in ``apps.py``). Each is safe to run
in several processes at once: rows are claimed with row locks."""

from __future__ import annotations

import logging

from django.conf import settings

from egov.exchange.axis import AxisError

logger = logging.getLogger(__name__)


def _configured() -> bool:
    return bool(settings.EGOV_EXCHANGE_SECRET)


def collect() -> int:
    from egov.exchange.services.outbox import collect as run

    return run()


def send() -> object:
    from egov.exchange.services.outbox import send_due

    if not _configured():
        return None
    return send_due()


def poll() -> object:
    from egov.exchange.services.inbox import poll as run

    if not _configured():
        return None
    return run()


def sync_agencies() -> int:
    from egov.exchange.services.agencies import sync

    if not _configured():
        return 0
    try:
        return sync()
    except AxisError:
        logger.warning("agency list sync with the axis failed", exc_info=True)
        return 0
