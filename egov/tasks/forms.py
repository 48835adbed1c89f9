"""Forms of the task pages (checks of shape only; the rules are in services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.date_parts import DatePartsField
from egov.core.models import Unit
from egov.tasks.models import Priority, Source


class TaskForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    document_id = forms.IntegerField(
        label=_("Document"), required=False, min_value=1, widget=forms.HiddenInput
    )
    meeting = forms.CharField(label=_("Meeting (name and date)"), max_length=300, required=False)
    text = forms.CharField(
        label=_("Task"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    lead_unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=_("Lead unit")
    )
    cooperating_units: forms.ModelMultipleChoiceField[Unit] = forms.ModelMultipleChoiceField(
        queryset=Unit.objects.none(),
        label=_("Cooperating units"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    assigned_by = forms.ChoiceField(label=_("Assigning leader"))
    working_days = forms.IntegerField(
        label=_("Deadline in working days"), required=False, min_value=1, max_value=250
    )
    due_date = DatePartsField(label=_("or deadline date"), required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )

    def __init__(self, *args: Any, units: Any, leaders: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["cooperating_units"].queryset = units  # type: ignore[attr-defined]
        self.fields["assigned_by"].choices = leaders  # type: ignore[attr-defined]


class ProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(
        label=_("What has been done"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionForm(forms.Form):
    new_due_date = DatePartsField(label=_("Proposed deadline"))
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class CompletionForm(forms.Form):
    answer = forms.ChoiceField(label=_("Answering document"), required=False)
    note = forms.CharField(
        label=_("Result"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, answers: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["answer"].choices = [("", "—"), *answers]  # type: ignore[attr-defined]
