"""Reads of the registry and the log.

The gateway's three registry reads per call (consumer, service, access right) are
kept in a small per-process cache for ``REGISTRY_CACHE_SECONDS``: a change made in
this process empties it at once (signals, see ``apps.py``), other processes see
it within that time (a revoked right stops working within seconds).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.utils import timezone

from egov.core import caches
from egov.lgsp.identifiers import ClientId, ServicePath
from egov.lgsp.models import AccessRight, Consumer, MessageLogEntry, Service

REGISTRY_CACHE_SECONDS = 10.0
_T = TypeVar("_T")
_cache: dict[tuple[Any, ...], tuple[float, Any]] = {}
_lock = threading.Lock()


@caches.register
def forget_registry() -> None:
    with _lock:
        _cache.clear()


def _cached(key: tuple[Any, ...], read: Callable[[], _T]) -> _T:
    now = time.monotonic()
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
