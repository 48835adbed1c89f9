"""Reads of the registry and the log.

The gateway's three registry reads per call (consumer, service, access right) are
kept in a small per-process cache for ``REGISTRY_CACHE_SECONDS`` (no round trip at
all on most calls). A change (signals, see ``apps.py``) empties this process's
cache at once and, once committed, bumps a counter in the shared cache
(``EGOV_CACHE``, Redis in production); every process looks at that counter at
most every ``GENERATION_CHECK_SECONDS`` and forgets what it holds when it moved,
so a revoked right stops working everywhere within about a second (within
``REGISTRY_CACHE_SECONDS`` if the shared cache is down).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from egov.core import caches
from egov.lgsp.identifiers import ClientId, ServicePath
from egov.lgsp.models import AccessRight, Consumer, MessageLogEntry, Service

REGISTRY_CACHE_SECONDS = 10.0
GENERATION_KEY = "lgsp:registry:generation"
GENERATION_CHECK_SECONDS = 1.0
_T = TypeVar("_T")
_cache: dict[tuple[Any, ...], tuple[float, Any]] = {}
_lock = threading.Lock()
#: When this process last looked at the shared counter, and what it read.
_seen: dict[str, Any] = {"at": -GENERATION_CHECK_SECONDS, "generation": None}
logger = logging.getLogger(__name__)


@caches.register
def forget_registry() -> None:
    with _lock:
        _cache.clear()


def registry_changed() -> None:
    """A registry row changed: this process forgets at once, the others (through
    the shared counter) within ``GENERATION_CHECK_SECONDS`` of the commit."""
    forget_registry()
    transaction.on_commit(_bump_generation)


def _bump_generation() -> None:
    forget_registry()  # a read between the change and its commit saw the old row
    try:
        if not cache.add(GENERATION_KEY, 1, timeout=None):
            cache.incr(GENERATION_KEY)
    except ValueError:  # evicted between add() and incr()
        cache.set(GENERATION_KEY, 1, timeout=None)
    except Exception:  # the shared cache is down: the others wait out their TTL
        logger.warning("LGSP registry change not announced to other processes", exc_info=True)


def _check_generation(now: float) -> None:
    if now - _seen["at"] < GENERATION_CHECK_SECONDS:
        return
    try:
        generation = cache.get(GENERATION_KEY, 0)
    except Exception:  # the shared cache is down: entries still expire
        generation = _seen["generation"]
    with _lock:
        _seen["at"] = now
        if generation != _seen["generation"]:
            _cache.clear()
            _seen["generation"] = generation


def _cached(key: tuple[Any, ...], read: Callable[[], _T]) -> _T:
    now = time.monotonic()
    _check_generation(now)
    found = _cache.get(key)
    if found is not None and found[0] > now:
        value: _T = found[1]
        return value
    value = read()
    with _lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[key] = (now + REGISTRY_CACHE_SECONDS, value)
    return value


def consumer_by_id(client: ClientId) -> Consumer | None:
    return _cached(("consumer", str(client)), lambda: _consumer_by_id(client))


def _consumer_by_id(client: ClientId) -> Consumer | None:
    return (
        Consumer.objects.select_related("subsystem__member")
        .filter(
            subsystem__member__instance=client.instance,
            subsystem__member__member_class=client.member_class,
            subsystem__member__member_code=client.member_code,
            subsystem__code=client.subsystem,
        )
        .first()
    )


def resolve_service(path: ServicePath) -> tuple[Service, list[str]] | None:
    """The active service a gateway path names and the rest of the path: the part
    after the service code is its version when the registry has that version,
    otherwise the newest active version is meant and it is all path."""
    candidates: list[Service] = _cached(
        ("services", path.without_version),
        lambda: list(
            Service.objects.select_related("subsystem__member", "provider").filter(
                subsystem__member__instance=path.instance,
                subsystem__member__member_class=path.member_class,
                subsystem__member__member_code=path.member_code,
                subsystem__code=path.subsystem,
                code=path.code,
                is_active=True,
            )
        ),
    )
    if not candidates:
        return None
    if path.rest:
        for service in candidates:
            if service.version == path.rest[0]:
                return service, path.rest[1:]
    newest = max(candidates, key=lambda service: (service.created_at, service.pk))
    return newest, path.rest


def right_for(consumer: Consumer, service: Service) -> AccessRight | None:
    """The consumer's right on the service, if it has one now."""
    right: AccessRight | None = _cached(
        ("right", consumer.pk, service.pk),
        lambda: AccessRight.objects.filter(consumer=consumer, service=service).first(),
    )
    if right is None or (right.valid_until is not None and right.valid_until <= timezone.now()):
        return None
    right.consumer = consumer
    right.service = service
    return right


def services() -> QuerySet[Service]:
    return Service.objects.select_related("subsystem__member", "provider").order_by(
        "subsystem__member__member_code", "subsystem__code", "code", "version"
    )


def consumers() -> QuerySet[Consumer]:
    return Consumer.objects.select_related("subsystem__member").prefetch_related(
        "rights__service__subsystem__member"
    )


def log_entries(
    *, consumer: str = "", service: str = "", outcome: str = ""
) -> QuerySet[MessageLogEntry]:
    qs = MessageLogEntry.objects.all()
    if consumer:
        qs = qs.filter(consumer=consumer)
    if service:
        qs = qs.filter(service=service)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs
