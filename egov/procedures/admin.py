"""Admin pages of the catalogue: read-mostly, every change through the services.

* Fields: created and renamed with ``create_field`` / ``update_field``.
* Versions: a draft's content is edited with ``update_draft``; actions publish
  drafts (``publish_version``), start a new draft from a version
  (``new_version_from``) and discard drafts (``delete_draft``). Published and
  replaced versions are read-only.
* Procedures and process templates are read-only here (templates are edited by
  agency administrators on the staff pages).

Platform operators (``Perm.OPERATE_PLATFORM``) and superusers see the catalogue;
agency administrators (``Perm.MANAGE_UNITS``) see process templates.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts.permissions import Perm, has_perm_in_unit, units_with_perm
from egov.procedures import services
from egov.procedures.models import (
    Procedure,
    ProcedureField,
    ProcedureVersion,
    ProcessStep,
    ProcessTemplate,
    RequiredPaper,
    VersionStatus,
)

DRAFT_FIELDS = (
    "name",
    "field",
    "levels",
    "online_level",
    "time_limit",
    "time_limit_unit",
    "fees",
    "result_type",
    "legal_basis",
    "publication",
)
#: Shown, never edited here.
VERSION_INFO = (
    "procedure",
    "number",
    "status",
    "agency_list",
    "published_at",
    "replaced_at",
    "created_by",
    "created_at",
)


def is_operator(request: HttpRequest) -> bool:
    return has_perm_in_unit(request.user, Perm.OPERATE_PLATFORM, None)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The parent admin decides who sees the object; its rows come with it.
        return True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OperatorAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_operator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_operator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ProcedureField)
class ProcedureFieldAdmin(OperatorAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_operator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_operator(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["code"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: ProcedureField, form: Any, change: bool
    ) -> None:
        if change:
            saved = services.update_field(
                request.user,
                obj,
                name=form.cleaned_data["name"],
                name_en=form.cleaned_data.get("name_en", ""),
            )
        else:
            saved = services.create_field(
                request.user,
                form.cleaned_data["code"],
                form.cleaned_data["name"],
                form.cleaned_data.get("name_en", ""),
            )
        obj.pk = saved.pk


class RequiredPaperInline(_ReadOnlyInline):
    model = RequiredPaper
    fields = (
        "position",
        "name",
        "copies",
        "form",
        "template_name",
        "is_optional",
        "is_declaration",
    )
    readonly_fields = fields


class VersionForm(forms.ModelForm):
    """Checks a draft's content with the service's rules, error next to the field."""

    class Meta:
        model = ProcedureVersion
        fields = list(DRAFT_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        values = {name: cleaned[name] for name in self.changed_data if name in cleaned}
        current = list(self.instance.levels) if self.instance.pk else []
        _content, problems = services.content_problems(values, partial=True, current_levels=current)
        for problem in problems:
            field = problem.field if problem.field in self.fields else None
            message = (
                problem.message
                if problem.path == problem.field
                else f"{problem.path}: {problem.message}"
            )
            self.add_error(field, message)
        return cleaned


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(OperatorAdmin):
    form = VersionForm
    list_display = [
        "procedure",
        "number",
        "name",
        "status",
        "field",
        "online_level",
        "published_at",
    ]
    list_filter = ["status", "field", "online_level"]
    search_fields = ["procedure__national_code", "name", "search_key"]
    list_select_related = ["procedure", "field"]
    ordering = ["procedure__national_code", "-number"]
    inlines = [RequiredPaperInline]
    actions = ["publish_drafts", "start_new_version", "discard_drafts"]
    readonly_fields = VERSION_INFO

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*VERSION_INFO[:3], *DRAFT_FIELDS, *VERSION_INFO[3:]]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.status == VersionStatus.DRAFT and is_operator(request):
            return list(VERSION_INFO)
        return [*VERSION_INFO, *DRAFT_FIELDS]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_operator(request)

    @admin.display(description=gettext_lazy("agencies carrying it out"))
    def agency_list(self, obj: ProcedureVersion) -> str:
        codes = [f"{unit.name} ({unit.code})" for unit in obj.agencies.order_by("path")[:20]]
        more = obj.agencies.count() - len(codes)
        return "; ".join(codes) + (f" … (+{more})" if more > 0 else "")

    def save_model(
        self, request: HttpRequest, obj: ProcedureVersion, form: Any, change: bool
    ) -> None:
        values = {
            name: form.cleaned_data[name] for name in form.changed_data if name in DRAFT_FIELDS
        }
        if values:
            services.update_draft(request.user, obj, **values)

    def _each(
        self, request: HttpRequest, queryset: QuerySet[ProcedureVersion], act: Any, done: str
    ) -> None:
        count = 0
        for version in queryset.select_related("procedure"):
            try:
                act(request.user, version)
            except (ValidationError, PermissionDenied) as exc:
                text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{version}: {text}", level=messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done % {"count": count}, level=messages.SUCCESS)

    @admin.action(description=gettext_lazy("Publish the selected drafts"))
    def publish_drafts(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        self._each(request, queryset, services.publish_version, _("%(count)s versions published."))

    @admin.action(description=gettext_lazy("Start a new draft from the selected versions"))
    def start_new_version(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        self._each(request, queryset, services.new_version_from, _("%(count)s drafts created."))

    @admin.action(description=gettext_lazy("Discard the selected drafts"))
    def discard_drafts(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        self._each(request, queryset, services.delete_draft, _("%(count)s drafts discarded."))


class VersionInline(_ReadOnlyInline):
    model = ProcedureVersion
    fields = ("number", "name", "status", "published_at", "replaced_at")
    readonly_fields = fields
    show_change_link = True


@admin.register(Procedure)
class ProcedureAdmin(OperatorAdmin):
    list_display = ["national_code", "created_at"]
    search_fields = ["national_code", "versions__search_key"]
    inlines = [VersionInline]
    readonly_fields = ("national_code", "created_at")


class ProcessStepInline(_ReadOnlyInline):
    model = ProcessStep
    fields = ("position", "name", "unit", "role_code", "hours", "actions", "action_name")
    readonly_fields = fields


@admin.register(ProcessTemplate)
class ProcessTemplateAdmin(admin.ModelAdmin):
    list_display = ["procedure", "agency", "is_active", "updated_by", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["procedure__national_code", "agency__name", "agency__code"]
    list_select_related = ["procedure", "agency", "updated_by"]
    inlines = [ProcessStepInline]
    readonly_fields = ("procedure", "agency", "is_active", "updated_by", "updated_at")

    def _administers(self, request: HttpRequest) -> bool:
        return has_perm_in_unit(request.user, Perm.MANAGE_UNITS, None)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._administers(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self._administers(request)
        return has_perm_in_unit(request.user, Perm.MANAGE_UNITS, obj.agency)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProcessTemplate]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(agency__in=units_with_perm(request.user, Perm.MANAGE_UNITS))
