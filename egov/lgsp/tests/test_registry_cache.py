"""The gateway's registry reads are cached per process; a change made by another
process reaches this one through the shared cache's counter within a second."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from egov.lgsp import selectors
from egov.lgsp.models import AccessRight, Service
from egov.lgsp.tests.conftest import Caller

pytestmark = pytest.mark.django_db


def test_a_right_revoked_by_another_process_stops_within_a_second(
    caller: Caller, platform_services: dict[str, Service], monkeypatch: pytest.MonkeyPatch
) -> None:
    service = platform_services["CATEGORY-UNITS"]
    clock = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock[0])
    monkeypatch.setitem(selectors._seen, "at", -10.0)
    assert selectors.right_for(caller.consumer, service) is not None
    # Another process revokes: the row goes (no signal here) and its commit moves the
    # shared counter.
    rows = AccessRight.objects.filter(consumer=caller.consumer, service=service)
    rows._raw_delete(rows.db)
    cache.set(selectors.GENERATION_KEY, 7, timeout=None)
    clock[0] += 0.5
    assert selectors.right_for(caller.consumer, service) is not None  # not looked yet
    clock[0] += 0.6
    assert selectors.right_for(caller.consumer, service) is None


def test_a_change_here_moves_the_shared_counter_once_committed(
    caller: Caller, platform_services: dict[str, Service], django_capture_on_commit_callbacks: Any
) -> None:
    from egov.lgsp import services

    before = cache.get(selectors.GENERATION_KEY, 0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.revoke(None, caller.consumer, platform_services["CATEGORY-UNITS"])
    assert cache.get(selectors.GENERATION_KEY, 0) == before  # not before the commit
    for callback in callbacks:
        callback()
    assert cache.get(selectors.GENERATION_KEY, 0) > before
