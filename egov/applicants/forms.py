"""Forms of the applicant's own space (errors in Vietnamese next to each field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.applicants.models import DeliveryMethod
from egov.applicants.selectors import RequestedPaper
from egov.dossiers.models import Status

ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


#: The filter value for "the dossiers waiting for me" (statuses 5 and 6).
NEEDS_ACTION = "action"


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All statuses")),
            (NEEDS_ACTION, _("Waiting for your action")),
            *((str(value), label) for value, label in Status.choices),
        ],
    )

    def chosen(self) -> tuple[int | None, bool]:
        """``(status, needs_action)`` of a valid form."""
        value = self.cleaned_data.get("status") or ""
        if value == NEEDS_ACTION:
            return None, True
        return (int(value) if value else None), False


class SupplementForm(forms.Form):
    """One file field per paper asked for, one for any other paper, and a note."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    other_name = forms.CharField(
        label=_("Name of the other paper"),
        required=False,
        max_length=500,
        help_text=_("Only if you attach another paper below."),
    )
    other_file = forms.FileField(
        label=_("Other paper (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    note = forms.CharField(
        label=_("Note to the agency (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, requested: list[RequestedPaper], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requested = requested
        paper_fields: dict[str, forms.Field] = {}
        for paper in requested:
            paper_fields[paper.key] = forms.FileField(
                label=paper.name,
                required=False,
                help_text=_("PDF, JPEG or PNG scan."),
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )
        # The papers asked for come first.
        self.fields = {**paper_fields, **self.fields}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [p for p in self.requested if data.get(p.key)]
        if data.get("other_file") and not (data.get("other_name") or "").strip():
            self.add_error("other_name", _("Say what the other paper is."))
        if not given and not data.get("other_file"):
            first = self.requested[0].key if self.requested else "other_file"
            self.add_error(first, _("Attach at least one of the papers requested."))
        return data


class WithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the withdrawal.")},
    )


class DeliveryForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How do you want to receive the result?"),
        choices=DeliveryMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how to receive the result.")},
    )
    recipient_name = forms.CharField(label=_("Recipient"), required=False, max_length=255)
    address = forms.CharField(
        label=_("Delivery address"),
        required=False,
        max_length=500,
        help_text=_("House number, street, ward or commune, district, province."),
    )
    phone = forms.CharField(
        label=_("Phone for the postman"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
