"""Validators for people's identifiers and passwords."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_CCCD = re.compile(r"^\d{12}$")
_TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")


def validate_national_id(value: str) -> None:
    """Citizen identity card number (CCCD): exactly 12 digits."""
    if not _CCCD.fullmatch(value):
        raise ValidationError(
            gettext_lazy("A citizen ID number (CCCD) has exactly 12 digits."),
            code="invalid_national_id",
        )


def validate_tax_code(value: str) -> None:
    """Enterprise tax code: 10 digits, or 10 digits, a dash and 3 for a branch."""
    if not _TAX_CODE.fullmatch(value):
        raise ValidationError(
            gettext_lazy("A tax code has 10 digits, or 13 for a branch (0123456789-001)."),
            code="invalid_tax_code",
        )


class LettersAndDigitsValidator:
    """A password must mix letters and digits."""

    def validate(self, password: str, user: object = None) -> None:
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError(
                _("The password must contain both letters and digits."),
                code="password_letters_digits",
            )

    def get_help_text(self) -> str:
        return _("Your password must contain both letters and digits.")
