"""Admin pages for calendar overrides; every write goes through the calendar services.

Importing this module registers :class:`CalendarOverrideAdmin` on the default admin
site (``egov/core/admin.py`` imports it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from egov.accounts.permissions import Perm, has_perm_in_unit
from egov.core.models import CalendarOverride
from egov.core.services import calendar as calendar_services


class CalendarOverrideForm(forms.ModelForm):
    class Meta:
        model = CalendarOverride
        fields = ["date", "is_working_day", "reason"]

    def validate_unique(self) -> None:
        # validate_override below reports a duplicate date with a clearer message.
        pass

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("date")
        if day is not None and not self.errors:
            try:
                data["reason"] = calendar_services.validate_override(
                    day,
                    is_working_day=bool(data.get("is_working_day")),
                    reason=data.get("reason") or "",
                    exclude_pk=self.instance.pk,
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    form = CalendarOverrideForm
    list_display = ["date", "is_working_day", "reason", "created_by", "created_at"]
    list_filter = ["is_working_day"]
    search_fields = ["reason"]
    date_hierarchy = "date"
    readonly_fields = ["created_by", "created_at"]

    def _may_manage(self, request: HttpRequest) -> bool:
        return has_perm_in_unit(request.user, Perm.MANAGE_CALENDAR, None)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_manage(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_manage(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_manage(request)

    def save_model(
        self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool
    ) -> None:
        if change:
            saved = calendar_services.change_override(
                request.user,
                obj,
                day=obj.date,
                is_working_day=obj.is_working_day,
                reason=obj.reason,
            )
        else:
            saved = calendar_services.add_override(
                request.user, obj.date, is_working_day=obj.is_working_day, reason=obj.reason
            )
        # The admin goes on with ``obj`` (messages, redirect, log entry).
        obj.pk = saved.pk
        obj.created_by_id = saved.created_by_id
        obj.created_at = saved.created_at

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        calendar_services.remove_override(request.user, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarOverride]) -> None:
        for override in queryset:
            calendar_services.remove_override(request.user, override)
