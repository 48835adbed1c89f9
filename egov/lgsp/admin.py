"""The registry and the message log in the admin: read-only, platform operators
only. Changes go through the audited services (``manage.py lgsp_consumer`` and
:mod:`egov.lgsp.services`); log rows are written only by the gateway."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from egov.lgsp.access import is_operator
from egov.lgsp.models import (
    AccessRight,
    Consumer,
    Member,
    MessageLogEntry,
    Provider,
    Service,
    Subsystem,
)


class _ReadOnly(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_operator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_operator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Member)
class MemberAdmin(_ReadOnly):
    list_display = ["instance", "member_class", "member_code", "name"]
    search_fields = ["member_code", "name"]


@admin.register(Subsystem)
class SubsystemAdmin(_ReadOnly):
    list_display = ["__str__", "name"]


@admin.register(Provider)
class ProviderAdmin(_ReadOnly):
    list_display = ["name", "kind", "target", "transport", "timeout_seconds"]


@admin.register(Service)
class ServiceAdmin(_ReadOnly):
    list_display = ["__str__", "title", "provider", "methods", "is_active"]
    list_filter = ["is_active", "provider"]


@admin.register(Consumer)
class ConsumerAdmin(_ReadOnly):
    list_display = ["__str__", "is_active", "daily_quota"]


@admin.register(AccessRight)
class AccessRightAdmin(_ReadOnly):
    list_display = ["consumer", "service", "rate_per_minute", "daily_quota", "valid_until"]


@admin.register(MessageLogEntry)
class MessageLogEntryAdmin(_ReadOnly):
    list_display = ["at", "consumer", "service", "method", "status", "outcome", "duration_ms"]
    list_filter = ["outcome", "status"]
    exclude = ["request_body", "response_body", "path"]  # personal data: see the log pages
