"""The registry's write path: members, subsystems, providers, services, consumers
and access rights. Every change is audited (``core.audit``) in its transaction;
identifiers are unique by constraint, so two operators registering the same one
at once get one row and a clear refusal."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egov.core import audit
from egov.lgsp.errors import RegistryError
from egov.lgsp.identifiers import valid_part
from egov.lgsp.models import (
    AccessRight,
    Consumer,
    Member,
    Provider,
    ProviderKind,
    Service,
    Subsystem,
)

#: Only settings named for an outside system's API key may be sent to a provider (never,
#: say, SECRET_KEY to an address an operator mistyped).
API_KEY_SETTING = re.compile(r"^EGOV_[A-Z0-9_]+_API_KEY$")


def _check_parts(**parts: str) -> None:
    for field, value in parts.items():
        if not valid_part(value):
            raise RegistryError(
                _("“%(value)s” is not a valid identifier part (letters, digits, . _ : -).")
                % {"value": value},
                field=field,
            )


def ensure_member(
    actor: Any, *, instance: str, member_class: str, member_code: str, name: str
) -> Member:
    _check_parts(instance=instance, member_class=member_class, member_code=member_code)
    with transaction.atomic():
        member, created = Member.objects.get_or_create(
            instance=instance,
            member_class=member_class,
            member_code=member_code,
            defaults={"name": name},
        )
        if created:
            audit.record(
                actor=actor,
                action="lgsp.member_registered",
                obj=member,
                changes={"identifier": member.identifier},
            )
    return member


def ensure_subsystem(actor: Any, member: Member, code: str, name: str = "") -> Subsystem:
    _check_parts(code=code)
    with transaction.atomic():
        subsystem, created = Subsystem.objects.get_or_create(
            member=member, code=code, defaults={"name": name}
        )
        if created:
            audit.record(
                actor=actor,
                action="lgsp.subsystem_registered",
                obj=subsystem,
                changes={"identifier": subsystem.identifier},
            )
    return subsystem


def ensure_provider(
    actor: Any,
    name: str,
    *,
    kind: str,
    target: str,
    transport: str = "http",
    timeout_seconds: float = 10.0,
    api_key_setting: str = "",
) -> Provider:
    if kind not in ProviderKind.values:
        raise RegistryError(_("Unknown provider kind."), field="kind")
    if api_key_setting and not API_KEY_SETTING.match(api_key_setting):
        raise RegistryError(
            _("The API key setting must be named EGOV_…_API_KEY."), field="api_key_setting"
        )
    with transaction.atomic():
        provider, created = Provider.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "target": target,
                "transport": transport,
                "timeout_seconds": timeout_seconds,
                "api_key_setting": api_key_setting,
            },
        )
        audit.record(
            actor=actor,
            action="lgsp.provider_saved",
            obj=provider,
            changes={"kind": kind, "target": target, "created": created},
        )
    return provider


def ensure_service(
    actor: Any,
    subsystem: Subsystem,
    code: str,
    *,
    title: str,
    provider: Provider,
    version: str = "v1",
    target_path: str = "",
    methods: str = "GET",
    rate_per_minute: int = 0,
) -> Service:
    _check_parts(code=code, version=version)
    with transaction.atomic():
        service, created = Service.objects.get_or_create(
            subsystem=subsystem,
            code=code,
            version=version,
            defaults={
                "title": title,
                "provider": provider,
                "target_path": target_path,
                "methods": methods,
                "rate_per_minute": rate_per_minute,
            },
        )
        if created:
            audit.record(
                actor=actor,
                action="lgsp.service_registered",
                obj=service,
                changes={"identifier": service.identifier, "provider": provider.name},
            )
    return service


def _public_jwk(jwk: dict[str, Any]) -> dict[str, Any]:
    # joserfc's keys load cryptography: only when a consumer's key is registered.
    from joserfc.errors import JoseError
    from joserfc.jwk import JWKRegistry

    try:
        key = JWKRegistry.import_key(jwk)
    except (JoseError, ValueError, TypeError, KeyError):
        raise RegistryError(_("The public key is not a valid JWK."), field="public_jwk") from None
    public: dict[str, Any] = key.as_dict(private=False)
    return public


def register_consumer(
    actor: Any, subsystem: Subsystem, public_jwk: dict[str, Any], *, daily_quota: int = 0
) -> Consumer:
    """Register (or re-key) the consumer of ``subsystem``; only the public part of
    the key is kept."""
    public = _public_jwk(public_jwk)
    with transaction.atomic():
        consumer, created = Consumer.objects.update_or_create(
            subsystem=subsystem, defaults={"public_jwk": public, "daily_quota": daily_quota}
        )
        audit.record(
            actor=actor,
            action="lgsp.consumer_registered" if created else "lgsp.consumer_rekeyed",
            obj=consumer,
            changes={"identifier": consumer.identifier, "kty": public.get("kty")},
        )
    return consumer


def grant(
    actor: Any,
    consumer: Consumer,
    service: Service,
    *,
    rate_per_minute: int = 60,
    daily_quota: int = 0,
) -> AccessRight:
    """Give ``consumer`` the right to call ``service`` (again: new limits)."""
    try:
        with transaction.atomic():
            right, created = AccessRight.objects.update_or_create(
                consumer=consumer,
                service=service,
                defaults={"rate_per_minute": rate_per_minute, "daily_quota": daily_quota},
            )
            audit.record(
                actor=actor,
                action="lgsp.right_granted",
                obj=right,
                object_repr=f"{consumer.identifier} → {service.identifier}",
                changes={
                    "rate_per_minute": rate_per_minute,
                    "daily_quota": daily_quota,
                    "created": created,
                },
            )
    except IntegrityError:  # granted by someone else at the same instant
        right = AccessRight.objects.get(consumer=consumer, service=service)
    return right


def revoke(actor: Any, consumer: Consumer, service: Service) -> bool:
    with transaction.atomic():
        right = (
            AccessRight.objects.select_for_update()
            .filter(consumer=consumer, service=service)
            .first()
        )
        if right is None:
            return False
        audit.record(
            actor=actor,
            action="lgsp.right_revoked",
            obj=right,
            object_repr=f"{consumer.identifier} → {service.identifier}",
        )
        right.delete()
    return True
