"""Reads of the registry and the log."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from egov.lgsp.identifiers import ClientId, ServicePath
from egov.lgsp.models import AccessRight, Consumer, MessageLogEntry, Service


def consumer_by_id(client: ClientId) -> Consumer | None:
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
    candidates = list(
        Service.objects.select_related("subsystem__member", "provider").filter(
            subsystem__member__instance=path.instance,
            subsystem__member__member_class=path.member_class,
            subsystem__member__member_code=path.member_code,
            subsystem__code=path.subsystem,
            code=path.code,
            is_active=True,
        )
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
    right = (
        AccessRight.objects.filter(consumer=consumer, service=service)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=timezone.now()))
        .first()
    )
    if right is not None:
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
