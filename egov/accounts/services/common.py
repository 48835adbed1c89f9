"""What the account services share: collecting field errors, password and contact checks."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts.models import User
from egov.accounts.validators import (
    validate_phone,
)

TOTP_DEVICE_NAME = "authenticator"

_validate_email = EmailValidator(
    message=gettext_lazy("Enter a valid e-mail address, e.g. ten@example.com.")
)


class _Errors:
    """Collects field errors so one call reports everything wrong at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def add(self, field: str, error: ValidationError | str) -> None:
        if isinstance(error, ValidationError):
            items = list(error.error_list) if hasattr(error, "error_list") else [error]
        else:
            items = [ValidationError(error)]
        self.by_field.setdefault(field, []).extend(items)

    def check(self, field: str, validator: Any, value: Any) -> None:
        try:
            validator(value)
        except ValidationError as exc:
            self.add(field, exc)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(dict(self.by_field))


def _password_errors(errors: _Errors, field: str, password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        for error in exc.error_list:
            if error.code == "password_too_short":
                # Django 5.2's own wording of this rule has no Vietnamese translation yet.
                minimum = (error.params or {}).get("min_length", 0)
                error = ValidationError(
                    _("The password is too short: it needs at least %(min)d characters.")
                    % {"min": minimum},
                    code="password_too_short",
                )
            errors.add(field, error)


def _contact_errors(errors: _Errors, email: str, phone: str) -> None:
    if email:
        errors.check("email", _validate_email, email)
    if phone:
        errors.check("phone", validate_phone, phone)
