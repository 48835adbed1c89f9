"""Django forms of the submission steps and of the schema editor."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts.validators import (
    normalize_phone,
    validate_national_id,
    validate_phone,
    validate_tax_code,
)
from egov.core.date_parts import DatePartsField
from egov.core.localized import localized_name
from egov.core.models import Unit
from egov.core.uploads import max_upload_bytes
from egov.procedures.models import RequiredPaper
from egov.submissions import schema as form_schema
from egov.submissions.agency_choice import AgencyAreas
from egov.submissions.models import DraftFile, WalletDocument

ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


class DraftVersionMixin(forms.Form):
    """Every step form carries the draft version it was shown with."""

    draft_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AgencyModelChoice(forms.ModelChoiceField):
    """Agencies labelled as :mod:`agency_choice` names them (district after a
    repeated name)."""

    labels: dict[int, str] = {}

    def label_from_instance(self, obj: Any) -> str:
        return self.labels.get(obj.pk) or str(obj)


class AgencyForm(DraftVersionMixin):
    """The area (district), then the agency within it; one list when short.

    ``area`` is the area whose agencies are offered (posted, pre-selected, or
    empty: then only the area is asked, and the page's script or the "Choose"
    button fills the agency list)."""

    area = forms.ChoiceField(
        label=gettext_lazy("District, town or city"),
        required=False,
        help_text=gettext_lazy("Where the agency that will receive the dossier is."),
    )
    agency = AgencyModelChoice(
        queryset=Unit.objects.none(),
        label=gettext_lazy("Receiving agency"),
        error_messages={
            "required": gettext_lazy("Choose the agency that will receive the dossier."),
            "invalid_choice": gettext_lazy("Choose one of the agencies listed."),
        },
    )

    def __init__(
        self, *args: Any, agencies: Any, grouped: AgencyAreas, area: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.grouped = grouped
        field = self.fields["agency"]
        assert isinstance(field, AgencyModelChoice)
        field.labels = {o.pk: o.label for a in grouped.areas for o in a.options}
        if not grouped.two_step:
            del self.fields["area"]
            options = [o for a in grouped.areas for o in a.options]
            field.queryset = agencies.filter(pk__in=[o.pk for o in options])
            field.empty_label = _("— choose —")
            if len(options) == 1:
                self.initial["agency"] = options[0].pk
                field.empty_label = None
            return
        if self.is_bound:
            area = str(self.data.get(self.add_prefix("area")) or area)
        chosen = grouped.area(area)
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ChoiceField)
        area_field.choices = [("", _("— choose —"))] + [(a.key, a.display) for a in grouped.areas]
        self.initial["area"] = chosen.key if chosen else ""
        field.widget.attrs.update(
            {
                "data-agency-areas": "agency-areas",
                "data-empty-text": _("— choose the district first —"),
                "data-pick-text": _("— choose —"),
            }
        )
        if chosen is None:
            field.queryset = agencies.none()
            field.empty_label = _("— choose the district first —")
            return
        field.queryset = agencies.filter(pk__in=chosen.pks())
        field.empty_label = _("— choose —")
        if len(chosen.options) == 1 and not self.initial.get("agency"):
            self.initial["agency"] = chosen.options[0].pk


class ApplicantForm(DraftVersionMixin):
    name = forms.CharField(
        label=gettext_lazy("Full name"),
        max_length=255,
        error_messages={"required": gettext_lazy("Enter the applicant's full name.")},
    )
    id_number = forms.CharField(
        label=gettext_lazy("Citizen ID number (CCCD) or tax code"),
        max_length=20,
        error_messages={
            "required": gettext_lazy("Enter the citizen ID number (CCCD) or the tax code.")
        },
    )
    date_of_birth = DatePartsField(label=gettext_lazy("Date of birth"), required=False)
    address = forms.CharField(
        label=gettext_lazy("Place of residence"),
        max_length=500,
        help_text=gettext_lazy("House number, street, ward or commune, district, province."),
        error_messages={"required": gettext_lazy("Enter the place of residence.")},
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        error_messages={"required": gettext_lazy("Enter a phone number to be reached at.")},
    )
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)

    def __init__(self, *args: Any, verified: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        for name in verified:
            if name in self.fields:
                self.fields[name].help_text = _("Confirmed by the national identity system.")

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"].strip().replace(" ", "")
        digits = value.replace("-", "")
        try:
            if len(value) == 12 and value.isdigit():
                validate_national_id(value)
            else:
                validate_tax_code(value)
        except ValidationError:
            # Say what is wrong with what was typed: a person typing digits is most
            # likely typing a CCCD and is told its length; anything else gets both forms.
            if digits.isdigit() and len(digits) not in (10, 13):
                raise ValidationError(
                    _("A personal ID number (CCCD) has 12 digits; you typed %(n)s")
                    % {"n": len(digits)}
                ) from None
            raise ValidationError(
                _(
                    "Enter a citizen ID number (CCCD, 12 digits) or a tax code (10 digits, or "
                    "13 for a branch: 0123456789-001)."
                )
            ) from None
        return value

    def clean_phone(self) -> str:
        value = normalize_phone(self.cleaned_data["phone"].strip())
        validate_phone(value)
        return value


class PapersForm(DraftVersionMixin):
    """One upload per paper of the procedure, or a wallet document instead."""

    def __init__(
        self,
        *args: Any,
        papers: list[RequiredPaper],
        attached: dict[int, DraftFile],
        wallet: list[WalletDocument],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.papers = papers
        self.attached = attached
        limit = max_upload_bytes() // (1024 * 1024)
        choices = [("", _("— do not use the wallet —"))] + [
            (str(doc.pk), doc.name) for doc in wallet
        ]
        for paper in papers:
            shown_name = localized_name(paper)
            # Django renders help_text unescaped, so it holds only our own words: the
            # attached file's name (chosen by whoever uploaded it) is shown by the
            # template, escaped, next to the field.
            help_parts = [_("PDF, JPEG or PNG, at most %(mb)s MB.") % {"mb": limit}]
            if paper.pk in attached:
                help_parts.append(_("Upload another file to replace the attached one."))
            self.fields[f"paper_{paper.pk}"] = forms.FileField(
                label=shown_name + ("" if not paper.is_optional else " " + _("(optional)")),
                required=False,
                help_text=" ".join(help_parts),
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )
            if wallet:
                self.fields[f"wallet_{paper.pk}"] = forms.ChoiceField(
                    label=_("…or take “%(name)s” from your document wallet") % {"name": shown_name},
                    choices=choices,
                    required=False,
                )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "paper": paper,
                "upload": self[f"paper_{paper.pk}"],
                "wallet": self[f"wallet_{paper.pk}"]
                if f"wallet_{paper.pk}" in self.fields
                else None,
                "attached": self.attached.get(paper.pk),
            }
            for paper in self.papers
        ]

    def uploads(self) -> dict[int, Any]:
        return {
            paper.pk: self.cleaned_data[f"paper_{paper.pk}"]
            for paper in self.papers
            if self.cleaned_data.get(f"paper_{paper.pk}")
        }

    def wallet_picks(self) -> dict[int, int]:
        picks: dict[int, int] = {}
        for paper in self.papers:
            value = self.cleaned_data.get(f"wallet_{paper.pk}")
            if value:
                picks[paper.pk] = int(value)
        return picks


class WalletUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Add a paper to your wallet"),
        help_text=gettext_lazy("PDF, JPEG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


class SchemaEditForm(forms.Form):
    schema = forms.CharField(
        label=gettext_lazy("JSON Schema (draft 2020-12) of the declaration"),
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code"}),
    )
    layout = forms.CharField(
        label=gettext_lazy("Layout: sections, labels (vi/en), help texts, widgets"),
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code"}),
        required=False,
    )

    def _json(self, name: str) -> Any:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return {}
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("This is not valid JSON (line %(line)s, column %(col)s): %(msg)s")
                % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
            ) from None

    def clean_schema(self) -> Any:
        return self._json("schema")

    def clean_layout(self) -> Any:
        return self._json("layout")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                form_schema.check(cleaned.get("schema"), cleaned.get("layout"))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
        return cleaned
