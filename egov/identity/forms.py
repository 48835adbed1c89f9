"""The profile form: verified fields are shown but not editable."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.accounts.models import AccountKind
from egov.accounts.validators import validate_national_id, validate_tax_code
from egov.core.date_parts import DatePartsField
from egov.identity.selectors import ProfileData
from egov.identity.services import validate_email, vietnamese_phone


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=255, required=False)
    date_of_birth = DatePartsField(label=_("Date of birth"), required=False)
    national_id = forms.CharField(
        label=_("Citizen ID number (CCCD)"),
        max_length=12,
        required=False,
        help_text=_("12 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    tax_code = forms.CharField(label=_("Tax code"), max_length=14, required=False)
    address = forms.CharField(
        label=_("Permanent address"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        help_text=_("A Vietnamese number, e.g. 0912 345 678."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, profile: ProfileData, kind: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", profile.as_dict())
        super().__init__(*args, **kwargs)
        self.verified = profile.verified
        if kind == AccountKind.BUSINESS:
            self.fields["full_name"].label = _("Business name")
            self.fields["date_of_birth"].label = _("Date of establishment")
            self.fields["address"].label = _("Head office address")
        for name, field in self.fields.items():
            locked = name in profile.verified or (
                name in ("national_id", "tax_code") and getattr(profile, name)
            )
            if locked:
                field.disabled = True
                field.widget.attrs["readonly"] = True

    def clean_phone(self) -> str:
        value: str = self.cleaned_data.get("phone", "").strip()
        return vietnamese_phone(value) if value else ""

    def clean_email(self) -> str:
        value: str = self.cleaned_data.get("email", "").strip()
        if value:
            validate_email(value)
        return value

    def clean_national_id(self) -> str:
        value: str = self.cleaned_data.get("national_id", "").strip()
        if value and not self.fields["national_id"].disabled:
            validate_national_id(value)
        return value

    def clean_tax_code(self) -> str:
        value: str = self.cleaned_data.get("tax_code", "").strip()
        if value and not self.fields["tax_code"].disabled:
            validate_tax_code(value)
        return value

    def changed_fields(self) -> dict[str, Any]:
        """The fields the person may edit, as cleaned values."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if not self.fields[name].disabled
        }

    def locked_rows(self) -> list[dict[str, Any]]:
        """The fields shown as text: confirmed by the provider, or identifying the account."""
        rows = []
        for name, field in self.fields.items():
            if not field.disabled:
                continue
            value = self.initial.get(name)
            shown = value.strftime("%d/%m/%Y") if isinstance(value, date) else (value or "")
            rows.append(
                {
                    "name": name,
                    "label": field.label,
                    "value": shown,
                    "verified": name in self.verified,
                }
            )
        return rows

    def editable_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, field in self.fields.items() if not field.disabled]
