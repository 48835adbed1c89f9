"""Admin: document types are data an operator edits; documents are read-only here
(every change goes through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from egov.documents.models import DocumentType, IncomingDocument


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "abbreviation", "code", "order", "active")
    list_editable = ("order", "active")
    search_fields = ("name", "abbreviation", "code")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # documents refer to their type; retire a type with "in use" instead


@admin.register(IncomingDocument)
class IncomingDocumentAdmin(admin.ModelAdmin):
    list_display = ("arrival_number", "number_symbol", "subject", "recipient_agency", "status")
    list_filter = ("status", "source", "urgency")
    search_fields = ("code_number", "code_notation", "subject")
    exclude = ("readers", "search_text", "ocr_text")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        # Confidential documents never show in the admin list.
        return super().get_queryset(request).filter(confidentiality="normal")
