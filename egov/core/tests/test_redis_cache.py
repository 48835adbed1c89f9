"""Redis as the shared cache (issue 16): counters add up exactly across threads and
across two server processes' clients, and each test worker has its own database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from egov.conf import cache_settings, redis_location
from egov.core.throttle import FixedWindowThrottle


def test_each_test_worker_gets_its_own_database_number() -> None:
    assert redis_location("redis://127.0.0.1:6379/0", None) == "redis://127.0.0.1:6379/0"
    assert redis_location("redis://127.0.0.1:6379/0", "gw0") == "redis://127.0.0.1:6379/1"
    assert redis_location("redis://h:6379/4", "gw2") == "redis://h:6379/3"
    assert redis_location("redis://h:6379", "gw1") == "redis://h:6379/2"


@pytest.fixture
def redis_cache(settings: Any) -> Iterator[None]:
    url = str(django_settings.CACHES["default"].get("LOCATION") or "")
    if not url.startswith("redis"):
        url = redis_location("redis://127.0.0.1:6379/0", "gw9")
    settings.CACHES = cache_settings("redis", None, redis_url=url)
    try:
        cache.clear()
    except Exception as exc:  # the machine has no Redis
        pytest.skip(f"Redis is not reachable at {url}: {exc}")
    yield
    cache.clear()


def test_throttle_counts_add_up_exactly_under_threads(redis_cache: None) -> None:
    threads, each = 8, 150

    def hammer() -> None:
        for _ in range(each):
            FixedWindowThrottle("t", "203.0.113.7", limit=10**6, window=600, now=1000).count()

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    key = FixedWindowThrottle("t", "203.0.113.7", limit=1, window=600, now=1000).key
    assert int(cache.get(key)) == threads * each  # not one increment lost


def test_the_limit_holds_for_every_client_of_the_store(redis_cache: None) -> None:
    first = FixedWindowThrottle("u", "198.51.100.1", limit=3, window=600, now=5000)
    for _ in range(3):
        first.count()
    # Another process (a second server) builds its own throttle on the same store.
    second = FixedWindowThrottle("u", "198.51.100.1", limit=3, window=600, now=5001)
    assert second.retry_after() is not None
