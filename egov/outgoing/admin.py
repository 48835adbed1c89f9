"""Admin: approval chains and outgoing documents are shown read-only; chains change
through ``services.set_chain`` (``manage.py set_approval_chain``), documents through
the staff pages and API, so every change is validated and audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from egov.outgoing.models import ApprovalChain, ApprovalStep, OutgoingDocument


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ApprovalStepInline(_ReadOnly, admin.TabularInline):
    model = ApprovalStep
    fields = ("position", "name", "role_code", "scope", "unit", "signs")
    extra = 0


@admin.register(ApprovalChain)
class ApprovalChainAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("name", "agency", "type_code", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("name", "agency__name", "type_code")
    inlines = [ApprovalStepInline]


@admin.register(OutgoingDocument)
class OutgoingDocumentAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("__str__", "subject", "agency", "type_name", "status", "issued_at")
    list_filter = ("status", "urgency")
    search_fields = ("subject", "notation")
    exclude = ("issued_pdf", "body")

    def get_queryset(self, request: HttpRequest) -> Any:
        # Confidential documents never show in the admin list.
        return super().get_queryset(request).filter(confidentiality="normal")
