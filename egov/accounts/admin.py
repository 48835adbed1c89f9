"""Technical administration of accounts and roles.

Writes go through :mod:`egov.accounts.services` (so they are checked and audited):
adding a staff member, editing an account, granting and revoking roles, changing
a role's permissions, unlocking, resetting two-step verification and setting a
password. Accounts and roles are never deleted: disable or revoke instead.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import services
from egov.accounts.decorators import is_verified, second_factor_step
from egov.accounts.forms import add_service_errors
from egov.accounts.models import AccountKind, Role, RoleAssignment, User
from egov.accounts.permissions import Perm, has_perm_in_unit
from egov.accounts.validators import validate_phone
from egov.core.models import Unit

# django-otp's own device admin shows secrets as QR codes and edits devices
# without the audit log; two-step verification is managed from the user page.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


def require_two_step_for_admin(site: admin.AdminSite) -> None:
    """Make ``site`` ask for the same sign-in as staff pages: password, then the
    authenticator code (the admin's own login form asks for a password only).

    Not applied to ``admin.site`` here, since it changes every admin test of the
    project; call it where the admin URLs are mounted.
    """

    def has_permission(request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and is_verified(user))

    def login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
            "admin:index", current_app=site.name
        )
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, reverse("accounts:login"))
        step = second_factor_step(user)
        if step:
            return HttpResponseRedirect(f"{step}?{urlencode({'next': next_url})}")
        raise PermissionDenied(gettext("This account may not use the administration site."))

    site.has_permission = has_permission  # type: ignore[method-assign]
    site.login = login  # type: ignore[method-assign]


def _report(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)


# --- staff: adding -----------------------------------------------------------

_ADD_FIELDS = ["username", "full_name", "email", "phone", "unit", "roles", "password1", "password2"]


class StaffAddForm(forms.ModelForm):
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.filter(dissolved_at__isnull=True).order_by("path"),
        help_text=_("The roles below apply in this unit and every unit under it."),
    )
    roles = forms.ModelMultipleChoiceField(
        label=_("Roles"),
        queryset=Role.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        required=False,
        help_text=_("Leave empty to set it later (the account cannot sign in until then)."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    actor: User | None = None

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", gettext("The two passwords are not the same."))
        if self.errors or "unit" not in cleaned:
            return cleaned
        try:
            services.check_new_staff_account(
                self.actor,
                username=cleaned.get("username", ""),
                full_name=cleaned.get("full_name", ""),
                unit=cleaned["unit"],
                role_codes=[role.code for role in cleaned.get("roles", [])],
                email=cleaned.get("email", ""),
                phone=cleaned.get("phone", ""),
                password=cleaned.get("password1") or None,
            )
        except ValidationError as exc:
            add_service_errors(self, exc, {"password": "password1"})
        except PermissionDenied as exc:
            self.add_error(None, str(exc))
        return cleaned

    def validate_unique(self) -> None:
        # The service checks the user name (case-insensitively); the model check
        # would report it twice.
        return None


# --- staff: editing ----------------------------------------------------------


class UserChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "phone", "is_active", "is_staff"]

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "")
        if phone:
            validate_phone(phone)
        return phone


class RoleAssignmentForm(forms.ModelForm):
    revoke = forms.BooleanField(label=_("Revoke"), required=False)

    actor: User | None = None

    class Meta:
        model = RoleAssignment
        fields = ["role", "unit"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            dissolved_at__isnull=True
        ).order_by("path")
        if self.instance.pk:
            # A granted role is history: it can be revoked, never edited.
            self.fields["role"].disabled = True
            self.fields["unit"].disabled = True
            if self.instance.revoked_at is not None:
                self.fields["revoke"].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is None and self.has_changed() and not self.errors:
            try:
                services.check_assign_role(
                    self.actor, self.instance.user, cleaned["role"].code, cleaned["unit"]
                )
            except (ValidationError, PermissionDenied) as exc:
                self.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        return cleaned


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    form = RoleAssignmentForm
    extra = 1
    can_delete = False
    readonly_fields = ["granted_at", "granted_by", "revoked_at"]
    fields = ["role", "unit", "granted_at", "granted_by", "revoked_at", "revoke"]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type("ScopedRoleAssignmentForm", (formset.form,), {"actor": request.user})
        return formset


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Repeat the new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", gettext("The two passwords are not the same."))
        return cleaned


class DetachedFilter(admin.SimpleListFilter):
    """Accounts that lost a number they declared to its proven holder: to review."""

    title = _("number taken away")
    parameter_name = "detached"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "yes":
            return queryset.exclude(detached_identifier="")
        if self.value() == "no":
            return queryset.filter(detached_identifier="")
        return queryset


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = [
        "username",
        "full_name",
        "kind",
        "national_id",
        "tax_code",
        "email",
        "is_active",
        "has_two_step",
    ]
    list_filter = ["kind", "is_active", "is_staff", DetachedFilter]
    search_fields = ["username", "full_name", "national_id", "tax_code", "email", "phone"]
    ordering = ["username"]
    readonly_fields = [
        "username",
        "kind",
        "national_id",
        "national_id_verified_at",
        "tax_code",
        "tax_code_verified_at",
        "detached_identifier",
        "last_login",
        "date_joined",
        "password_link",
    ]
    actions = ["unlock_accounts", "reset_two_step"]

    @admin.display(description=_("Two-step verification"), boolean=True)
    def has_two_step(self, obj: User) -> bool:
        return TOTPDevice.objects.filter(user=obj, confirmed=True).exists()

    @admin.display(description=_("Password"))
    def password_link(self, obj: User) -> str:
        from django.utils.html import format_html

        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:accounts_user_password", args=[obj.pk]),
            gettext("Set a new password"),
        )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return _ADD_FIELDS
        return [
            "username",
            "kind",
            "full_name",
            "national_id",
            "national_id_verified_at",
            "tax_code",
            "tax_code_verified_at",
            "detached_identifier",
            "email",
            "phone",
            "is_active",
            "is_staff",
            "last_login",
            "date_joined",
            "password_link",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        fields = list(self.readonly_fields)
        if not request.user.is_superuser:
            fields.append("is_staff")
        return fields

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = type("ScopedStaffAddForm", (StaffAddForm,), {"actor": request.user})
            kwargs["fields"] = None
        else:
            kwargs["form"] = UserChangeForm
        return super().get_form(request, obj, change, **kwargs)

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        if obj is None or obj.kind != AccountKind.STAFF:
            return []
        return [RoleAssignmentInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or services.may_manage_account(request.user, obj)  # type: ignore[arg-type]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        data = form.cleaned_data
        if not change:
            created = services.create_staff_account(
                actor,
                username=data["username"],
                full_name=data["full_name"],
                unit=data["unit"],
                role_codes=[role.code for role in data.get("roles", [])],
                email=data.get("email", ""),
                phone=data.get("phone", ""),
                password=data.get("password1") or None,
            )
            # The admin goes on with ``obj``; make it the saved account.
            obj.__dict__.update({k: v for k, v in created.__dict__.items() if k != "_state"})
            obj._state.adding = False
            obj._state.db = created._state.db
            return
        changes: dict[str, Any] = {
            "full_name": data["full_name"],
            "email": data["email"],
            "phone": data["phone"],
            "is_active": data["is_active"],
        }
        if request.user.is_superuser and "is_staff" in data:
            changes["is_admin_site_user"] = data["is_staff"]
        services.update_account(actor, obj, **changes)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Only inlines change related rows here (roles have no m2m on the form).
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed():
                continue
            instance = inline_form.instance
            try:
                if instance.pk is None:
                    data = inline_form.cleaned_data
                    created = services.assign_role(
                        actor, form.instance, data["role"].code, data["unit"]
                    )
                    formset.new_objects.append(created)
                elif inline_form.cleaned_data.get("revoke") and instance.revoked_at is None:
                    services.revoke_role(actor, instance)
                    formset.changed_objects.append((instance, ["revoked_at"]))
            except (ValidationError, PermissionDenied) as exc:
                _report(request, exc)

    @admin.action(description=_("Unlock after too many failed sign-ins"))
    def unlock_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            try:
                services.unlock_account(request.user, user)  # type: ignore[arg-type]
            except PermissionDenied as exc:
                _report(request, exc)
        messages.success(request, gettext("The selected accounts can sign in again."))

    @admin.action(description=_("Reset two-step verification (lost phone)"))
    def reset_two_step(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            try:
                services.reset_totp(request.user, user)  # type: ignore[arg-type]
            except PermissionDenied as exc:
                _report(request, exc)
        messages.success(
            request,
            gettext("Done. Staff members set up a new authenticator at their next sign-in."),
        )

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:user_id>/password/",
                self.admin_site.admin_view(self.set_password_view),
                name="accounts_user_password",
            )
        ]
        return own + super().get_urls()

    def set_password_view(self, request: HttpRequest, user_id: int) -> HttpResponse:
        user = get_object_or_404(User, pk=user_id)
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        form = SetPasswordForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                services.set_password_by_admin(
                    request.user,  # type: ignore[arg-type]
                    user,
                    form.cleaned_data["password1"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc, {"password": "password1"})
            else:
                messages.success(request, gettext("The password has been set."))
                return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Set a new password for %(user)s") % {"user": user},
            "form": form,
            "opts": self.model._meta,
            "original": user,
        }
        return TemplateResponse(request, "accounts/admin_set_password.html", context)


# --- roles -------------------------------------------------------------------


class RoleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"),
        choices=[(code, code) for code in sorted(Perm.all())],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Granted in the unit where the role is held and in every unit under it."),
    )

    class Meta:
        model = Role
        fields = ["code", "name", "name_en", "description", "permissions"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    form = RoleForm
    list_display = ["code", "name", "name_en", "permission_list"]
    search_fields = ["code", "name", "name_en"]

    @admin.display(description=_("Permissions"))
    def permission_list(self, obj: Role) -> str:
        return ", ".join(obj.permissions)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["code"] if obj is not None else []

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and has_perm_in_unit(
            request.user, Perm.OPERATE_PLATFORM, None
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and has_perm_in_unit(
            request.user, Perm.OPERATE_PLATFORM, None
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Role, form: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "name_en": data.get("name_en", ""),
            "description": data.get("description", ""),
            "permissions": data.get("permissions", []),
        }
        if change:
            services.update_role(actor, obj, **fields)
            return
        created = services.create_role(actor, code=data["code"], **fields)
        obj.pk = created.pk
        obj._state.adding = False
        obj._state.db = created._state.db
