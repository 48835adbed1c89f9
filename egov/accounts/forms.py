"""Forms of the sign-in, registration and security pages.

Forms only check what can be checked without the database; the rules live in
:mod:`egov.accounts.services`, whose ``ValidationError`` is put back on the form's
fields with :func:`add_service_errors`.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from egov.accounts.models import AccountKind, User

_TOKEN = re.compile(r"^\d{6}$")


class TelInput(forms.TextInput):
    input_type = "tel"


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Attach a service's ``ValidationError`` to the form, renaming fields as needed;
    errors for fields the form does not have go to the top of the form."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = field_map.get(field, field)
        form.add_error(target if target in form.fields else None, errors)


def _password_help() -> str:
    minimum = 8
    validators: list[dict[str, Any]] = list(settings.AUTH_PASSWORD_VALIDATORS)  # type: ignore[arg-type]
    for validator in validators:
        if validator["NAME"].endswith("MinimumLengthValidator"):
            minimum = int(validator.get("OPTIONS", {}).get("min_length", minimum))
    return str(
        _(
            "At least %(min)d characters, with both letters and digits; not a common "
            "password and not like your name or user name."
        )
        % {"min": minimum}
    )


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        error_messages={
            "required": _("Enter your user name, citizen ID number (CCCD) or tax code.")
        },
        help_text=_(
            "Staff: your user name. Citizens: your citizen ID number (CCCD). "
            "Businesses: your tax code."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean_username(self) -> str:
        return User.normalize_username(self.cleaned_data["username"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        username = cleaned.get("username")
        password = cleaned.get("password")
        if username and password:
            # The lockout backend (django-axes) counts failures inside authenticate().
            user = authenticate(self.request, username=username, password=password)
            if user is None:
                raise ValidationError(
                    _(
                        "The user name or password is not correct. Check them and try "
                        "again; after several failed tries the account is locked for a while."
                    ),
                    code="invalid_login",
                )
            self.user = user
        return cleaned


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code"),
        max_length=7,
        error_messages={"required": _("Enter the 6-digit code from the authenticator app.")},
        help_text=_("The code shown now by the authenticator app on your phone."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
                "size": 8,
            }
        ),
    )

    def clean_token(self) -> str:
        token = str(self.cleaned_data["token"]).replace(" ", "")
        if not _TOKEN.fullmatch(token):
            raise ValidationError(_("Enter the 6 digits of the code."), code="format")
        return token


class RegistrationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("I am registering as"),
        choices=[
            (AccountKind.CITIZEN.value, _("a citizen (with my citizen ID number, CCCD)")),
            (AccountKind.BUSINESS.value, _("a business (with its tax code)")),
        ],
        initial=AccountKind.CITIZEN.value,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of account.")},
    )
    identifier = forms.CharField(
        label=_("Citizen ID number (CCCD) or tax code"),
        max_length=14,
        help_text=_(
            "Citizens: the 12 digits on your citizen identity card. Businesses: the "
            "10-digit tax code, or 13 with a branch suffix (0123456789-001). It becomes "
            "your user name."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the citizen ID number (CCCD) or the tax code.")},
    )
    full_name = forms.CharField(
        label=_("Full name (or business name)"),
        max_length=255,
        error_messages={"required": _("Enter your full name or the business name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Optional; results and notices are also sent here."),
        error_messages={"invalid": _("Enter a valid e-mail address, e.g. ten@example.com.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        help_text=_("Optional; for text messages about your dossiers."),
        widget=TelInput(attrs={"autocomplete": "tel"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Choose a password.")},
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Enter the password again.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = _password_help()

    def clean_identifier(self) -> str:
        return str(self.cleaned_data["identifier"]).strip().replace(" ", "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        return cleaned


class ChangePasswordForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("Repeat the new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = _password_help()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two passwords are not the same."))
        return cleaned


class ConfirmPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        help_text=_("To protect your account, confirm with your password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
