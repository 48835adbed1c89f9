"""Forms of the work-file pages (checks of shape only; the rules are in services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.date_parts import DatePartsField
from egov.core.models import Unit
from egov.workfiles.models import DocumentKind, FileKind

PERMANENT = "vinh-vien"


def retention_choices() -> list[tuple[str, Any]]:
    years = (1, 2, 3, 5, 10, 15, 20, 30, 50, 70)
    return [(PERMANENT, _("Permanent")), *[(str(n), _("%(n)s years") % {"n": n}) for n in years]]


def retention_value(raw: str) -> int | None:
    return None if raw == PERMANENT else int(raw)


class RetentionField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=retention_choices, label=_("Retention"), **kwargs)


class EntryForm(forms.Form):
    symbol = forms.CharField(label=_("File symbol"), max_length=30)
    title = forms.CharField(
        label=_("Title"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=_("Responsible unit")
    )
    retention = RetentionField()
    kind = forms.ChoiceField(label=_("Kind"), choices=FileKind.choices, initial=FileKind.REGULAR)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class AdHocForm(EntryForm):
    start_date = DatePartsField(label=_("Start date"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CopyForm(forms.Form):
    from_year = forms.IntegerField(label=_("Copy the list of year"), min_value=2000, max_value=2100)


class AddDocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=DocumentKind.choices)
    document_id = forms.IntegerField(min_value=1)


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    retention = RetentionField()
    end_date = DatePartsField(label=_("Work ended on"), required=False)


class HandoverForm(forms.Form):
    receipt_number = forms.CharField(label=_("Archive's receipt number"), max_length=60)
    handed_over_on = DatePartsField(label=_("Handed over on"), required=False)
