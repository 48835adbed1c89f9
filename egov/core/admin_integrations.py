"""Admin page of the call log of outside systems: read-only, for platform operators.

Rows are written only by :mod:`egov.core.integrations.calllog`; nobody adds,
edits or deletes them here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from egov.accounts.permissions import Perm, has_perm_in_unit
from egov.core.models import IntegrationCall


@admin.register(IntegrationCall)
class IntegrationCallAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "system",
        "operation",
        "method",
        "host",
        "status",
        "outcome",
        "duration_ms",
        "attempt",
        "request_id",
    ]
    list_filter = ["system", "outcome", "operation"]
    search_fields = ["request_id", "operation"]
    date_hierarchy = "at"

    def _may_view(self, request: HttpRequest) -> bool:
        return has_perm_in_unit(request.user, Perm.OPERATE_PLATFORM, None)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_view(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_view(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
