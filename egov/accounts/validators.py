"""Validators for people's identifiers and passwords."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# [0-9], not \d: \d also matches full-width and other scripts' digits.
_CCCD = re.compile(r"^[0-9]{12}$")
_TAX_CODE = re.compile(r"^[0-9]{10}(-[0-9]{3})?$")


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


_STAFF_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,49}$")
_PHONE = re.compile(r"^\+?[0-9]{9,15}$")


def validate_staff_username(value: str) -> None:
    """Staff user names: 3-50 lower-case letters, digits, dots, dashes or underscores,
    with at least one letter, so they can never collide with a citizen's CCCD number
    or a business's tax code (the user names of those accounts)."""
    if not _STAFF_USERNAME.fullmatch(value) or not any(c.isalpha() for c in value):
        raise ValidationError(
            gettext_lazy(
                "A staff user name has 3 to 50 characters: lower-case letters without "
                "accents, digits, dots, dashes or underscores, and at least one letter."
            ),
            code="invalid_staff_username",
        )


def validate_phone(value: str) -> None:
    """Phone number: 9 to 15 digits, optionally starting with +; spaces and dots
    are removed before checking (see :func:`normalize_phone`)."""
    if not _PHONE.fullmatch(normalize_phone(value)):
        raise ValidationError(
            gettext_lazy("Enter a phone number of 9 to 15 digits, e.g. 0297 3862 123."),
            code="invalid_phone",
        )


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s.\-()]", "", value)
