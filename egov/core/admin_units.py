"""Admin pages for the organisation tree: read-mostly, and every change goes through
:func:`egov.core.services.units.update_unit`.

Creating, moving, renumbering, merging and dissolving units are restructuring acts
with their own services (and the ``import_units`` command); the admin only lets a
unit's administrators correct its names and contact details. Importing this module
registers :class:`UnitAdmin` on the default admin site (``egov/core/admin.py``
imports it).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from egov.accounts.permissions import Perm, has_perm_in_unit, units_with_perm
from egov.core.models import Unit, UnitCode
from egov.core.selectors.units import parent_of
from egov.core.services.unit_tree import CONTACT_FIELDS, EDITABLE_FIELDS, IDENTITY_FIELDS
from egov.core.services.units import update_unit


class UnitCodeInline(admin.TabularInline):
    model = UnitCode
    fields = ["code", "valid_from", "valid_to"]
    readonly_fields = ["code", "valid_from", "valid_to"]
    extra = 0
    can_delete = False
    verbose_name_plural = _("identifier code history")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["indented_name", "code", "short_name", "level", "is_one_stop", "dissolved_at"]
    list_filter = ["level", "is_one_stop", ("dissolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name", "short_name", "statistics_code", "code_history__code"]
    ordering = ["path"]
    list_per_page = 100
    FORM_FIELDS: tuple[str, ...] = (
        "code",
        "name",
        "name_en",
        "short_name",
        "level",
        "is_one_stop",
        "statistics_code",
        "address",
        "phone",
        "email",
        "website",
        "parent_unit",
        "successor",
        "dissolved_at",
    )
    fields = list(FORM_FIELDS)
    inlines = [UnitCodeInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, unit: Unit) -> str:
        # Rows come in tree order; the indent shows the nesting.
        return "— " * (unit.depth - 1) + unit.name

    @admin.display(description=_("parent unit"))
    def parent_unit(self, unit: Unit) -> str:
        parent = parent_of(unit)
        return f"{parent.name} ({parent.code})" if parent else "—"

    def _manages_somewhere(self, request: HttpRequest) -> bool:
        return has_perm_in_unit(request.user, Perm.MANAGE_UNITS, None)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._manages_somewhere(request) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages_somewhere(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self._manages_somewhere(request)
        return obj.dissolved_at is None and has_perm_in_unit(request.user, Perm.MANAGE_UNITS, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Unit]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser or request.user.has_perm("core.view_unit"):
            return queryset
        return queryset.filter(pk__in=units_with_perm(request.user, Perm.MANAGE_UNITS))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        editable: set[str] = set()
        if obj is not None and self.has_change_permission(request, obj):
            editable |= set(CONTACT_FIELDS)
            parent = parent_of(obj)
            may_decide = (
                request.user.is_superuser
                if parent is None
                else has_perm_in_unit(request.user, Perm.MANAGE_UNITS, parent)
            )
            if may_decide:
                editable |= set(IDENTITY_FIELDS)
        return [name for name in self.FORM_FIELDS if name not in editable]

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        values = {
            name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE_FIELDS
        }
        if values:
            update_unit(request.user, obj, **values)
