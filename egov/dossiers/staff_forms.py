"""Django forms of the staff dossier pages: worklist filters, the desk receipt and
one small form per workflow action. They only read and clean input; every change
goes through :mod:`egov.dossiers.services` (called from :mod:`egov.dossiers.views`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts.models import User
from egov.core.date_parts import DatePartsField
from egov.core.localized import localized_name
from egov.core.models import Unit
from egov.dossiers.models import Channel, PaperOrigin, Status
from egov.dossiers.workflow import Action
from egov.procedures.models import PaperForm, ProcedureVersion, RequiredPaper

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
#: Result files a clerk may attach to one action.
MAX_FILES = 10
MAX_FILE_BYTES = 20 * 1024 * 1024


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# --- worklists ---------------------------------------------------------------------------


class WorklistFilterForm(forms.Form):
    FLAG_CHOICES = (
        ("", gettext_lazy("All")),
        ("overdue", gettext_lazy("Overdue")),
        ("due_soon", gettext_lazy("Due soon")),
    )

    q = forms.CharField(
        label=gettext_lazy("Dossier code or applicant"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    procedure = forms.ChoiceField(label=gettext_lazy("Procedure"), required=False, choices=())
    status = forms.TypedChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=(),
    )
    flag = forms.ChoiceField(label=gettext_lazy("Deadline"), required=False, choices=FLAG_CHOICES)
    due_from = DatePartsField(
        label=gettext_lazy("Due from"),
        required=False,
        error_messages={"invalid": gettext_lazy("Enter a valid date, for example 15/01/2026.")},
    )
    due_to = DatePartsField(
        label=gettext_lazy("Due until"),
        required=False,
        error_messages={"invalid": gettext_lazy("Enter a valid date, for example 15/01/2026.")},
    )

    def __init__(self, *args: Any, procedures: Sequence[tuple[str, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        procedure = self.fields["procedure"]
        assert isinstance(procedure, forms.ChoiceField)
        procedure.choices = [("", _("All procedures")), *procedures]
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [("", _("All statuses")), *Status.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("due_from")
        end: dt.date | None = data.get("due_to")
        if start and end and end < start:
            self.add_error("due_to", _("The last day must not be before the first day."))
        return data


# --- desk receipt ------------------------------------------------------------------------


class ProcedureChoiceForm(forms.Form):
    """Step one at the desk: which procedure, at which agency (``<version>:<agency>``)."""

    procedure = forms.ChoiceField(
        label=gettext_lazy("Procedure"),
        choices=(),
        error_messages={
            "required": gettext_lazy("Choose the procedure."),
            "invalid_choice": gettext_lazy("Choose a procedure from the list."),
        },
    )

    def __init__(self, *args: Any, choices: Sequence[tuple[str, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["procedure"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— choose a procedure —")), *choices]


#: Where a paper handed in at the desk came from (once-only flags, index 766 groups
#: 3–4): every origin but "uploaded by the applicant", which only online filing has.
DESK_ORIGINS = tuple(
    (value, label) for value, label in PaperOrigin.choices if value != PaperOrigin.UPLOAD
)


def paper_prefix(paper: RequiredPaper) -> str:
    return f"paper_{paper.pk}"


class ReceiptForm(forms.Form):
    """The applicant, the channel and the paper checklist of one procedure version."""

    applicant_name = forms.CharField(
        label=gettext_lazy("Applicant's full name"),
        max_length=255,
        error_messages={"required": gettext_lazy("Enter the applicant's name.")},
    )
    applicant_id_number = forms.CharField(
        label=gettext_lazy("Citizen ID number (CCCD) or tax code"),
        max_length=20,
        error_messages={
            "required": gettext_lazy("Enter the citizen ID number (CCCD) or the tax code.")
        },
    )
    applicant_address = forms.CharField(
        label=gettext_lazy("Address"), max_length=500, required=False
    )
    applicant_phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    applicant_email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        required=False,
        error_messages={"invalid": gettext_lazy("Enter a valid e-mail address.")},
    )
    channel = forms.TypedChoiceField(
        label=gettext_lazy("Channel"),
        coerce=int,
        choices=((Channel.DESK, Channel.DESK.label), (Channel.POST, Channel.POST.label)),
        initial=Channel.DESK,
        widget=forms.RadioSelect,
    )
    other_papers = forms.CharField(
        label=gettext_lazy("Other papers handed in (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Used only when the papers are incomplete (form 02 / form 03).
    missing_extra = forms.CharField(
        label=gettext_lazy("Also ask for (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (request to complete or refusal)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, papers: Sequence[RequiredPaper] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.papers = list(papers)
        for paper in self.papers:
            prefix = paper_prefix(paper)
            self.fields[f"{prefix}_received"] = forms.BooleanField(label=paper.name, required=False)
            self.fields[f"{prefix}_copies"] = forms.IntegerField(
                label=_("Copies"),
                min_value=1,
                max_value=99,
                initial=paper.copies,
                required=False,
                widget=forms.NumberInput(
                    attrs={"aria-label": _("Copies: %(paper)s") % {"paper": paper.name}}
                ),
                error_messages={
                    "min_value": _("At least 1."),
                    "max_value": _("At most 99."),
                    "invalid": _("Enter a whole number."),
                },
            )
            self.fields[f"{prefix}_form"] = forms.ChoiceField(
                label=_("Form"),
                choices=PaperForm.choices,
                initial=paper.form,
                required=False,
                widget=forms.Select(
                    attrs={"aria-label": _("Form: %(paper)s") % {"paper": paper.name}}
                ),
            )
            self.fields[f"{prefix}_origin"] = forms.ChoiceField(
                label=_("Origin"),
                choices=DESK_ORIGINS,
                initial=PaperOrigin.NONE,
                required=False,
                widget=forms.Select(
                    attrs={"aria-label": _("Origin: %(paper)s") % {"paper": paper.name}}
                ),
                error_messages={"invalid_choice": _("Choose where the paper came from.")},
            )

    def paper_rows(self) -> list[dict[str, Any]]:
        """For the template: each listed paper with its four bound fields."""
        rows = []
        for paper in self.papers:
            prefix = paper_prefix(paper)
            rows.append(
                {
                    "paper": paper,
                    "received": self[f"{prefix}_received"],
                    "copies": self[f"{prefix}_copies"],
                    "form": self[f"{prefix}_form"],
                    "origin": self[f"{prefix}_origin"],
                }
            )
        return rows

    def papers_in(self) -> list[dict[str, Any]]:
        """What was ticked: ``{required_paper, copies, form, origin}`` and other papers
        by name."""
        data = self.cleaned_data
        items: list[dict[str, Any]] = []
        for paper in self.papers:
            prefix = paper_prefix(paper)
            if data.get(f"{prefix}_received"):
                items.append(
                    {
                        "required_paper": paper.pk,
                        "copies": data.get(f"{prefix}_copies") or paper.copies,
                        "form": data.get(f"{prefix}_form") or paper.form,
                        "origin": data.get(f"{prefix}_origin") or "",
                    }
                )
        for name in _lines(data.get("other_papers", "")):
            items.append({"name": name[:500], "copies": 1, "form": ""})
        return items

    def missing_extra_lines(self) -> list[str]:
        return _lines(self.cleaned_data.get("missing_extra", ""))


# --- actions on a dossier -----------------------------------------------------------------


class _ActionForm(forms.Form):
    action: Action


class NoteForm(_ActionForm):
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RequiredNoteForm(_ActionForm):
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Write the note.")},
    )


class ReasonForm(_ActionForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Give the reason.")},
    )


class RefuseForm(_ActionForm):
    reasons = forms.CharField(
        label=gettext_lazy("Reasons for the refusal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Give the reasons for the refusal.")},
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.username})"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{localized_name(obj)} ({obj.code})"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def checked_files(files: list[Any]) -> list[Any]:
    """At most ``MAX_FILES`` files of ``MAX_FILE_BYTES`` each."""
    if len(files) > MAX_FILES:
        raise ValidationError(_("At most %(n)s files.") % {"n": MAX_FILES})
    for item in files:
        if item.size > MAX_FILE_BYTES:
            raise ValidationError(_("Each file may be at most 20 MB."))
    return list(files)


class ForwardForm(_ActionForm):
    to_user = PersonChoiceField(
        label=gettext_lazy("Next person (optional)"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("— anyone in the unit —"),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    draft_files = MultipleFileField(
        label=gettext_lazy("Draft of the result (files, optional)"),
        required=False,
        help_text=gettext_lazy("For the next person to check and sign; up to 10 files of 20 MB."),
    )

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_user"]
        assert isinstance(field, forms.ModelChoiceField)
        if people is not None:
            field.queryset = people

    def clean_draft_files(self) -> list[Any]:
        return checked_files(self.cleaned_data.get("draft_files") or [])


class SendBackForm(_ActionForm):
    reason = forms.CharField(
        label=gettext_lazy("Why it goes back"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Say why the dossier goes back.")},
    )


class SupplementRequestForm(_ActionForm):
    missing_papers = forms.CharField(
        label=gettext_lazy("Papers to add (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not _lines(data.get("missing_papers", "")) and not (data.get("reason") or "").strip():
            self.add_error(
                "missing_papers", _("Say what the applicant must add: the papers, or the reason.")
            )
        return data

    def missing_list(self) -> list[str]:
        return _lines(self.cleaned_data.get("missing_papers", ""))


class ReceiveSupplementForm(_ActionForm):
    papers = forms.MultipleChoiceField(
        label=gettext_lazy("Papers of the list now handed in"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )
    other_papers = forms.CharField(
        label=gettext_lazy("Other papers handed in (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, listed: Sequence[RequiredPaper] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listed = {str(paper.pk): paper for paper in listed}
        field = self.fields["papers"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(paper.pk), paper.name) for paper in listed]

    def papers_in(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for key in self.cleaned_data.get("papers", []):
            paper = self.listed[key]
            items.append({"required_paper": paper.pk, "copies": paper.copies, "form": paper.form})
        for name in _lines(self.cleaned_data.get("other_papers", "")):
            items.append({"name": name[:500], "copies": 1, "form": ""})
        return items


class AmountForm(_ActionForm):
    amount = forms.IntegerField(
        label=gettext_lazy("Amount (đồng)"),
        min_value=1,
        error_messages={
            "required": gettext_lazy("Enter the amount in đồng."),
            "min_value": gettext_lazy("The amount must be a whole number of đồng above 0."),
            "invalid": gettext_lazy("The amount must be a whole number of đồng above 0."),
        },
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConfirmPaymentForm(_ActionForm):
    amount = forms.IntegerField(
        label=gettext_lazy("Amount paid (đồng)"),
        min_value=1,
        error_messages={
            "required": gettext_lazy("Enter the amount in đồng."),
            "min_value": gettext_lazy("The amount must be a whole number of đồng above 0."),
            "invalid": gettext_lazy("The amount must be a whole number of đồng above 0."),
        },
    )
    reference = forms.CharField(
        label=gettext_lazy("Payment reference (receipt number)"),
        max_length=200,
        error_messages={"required": gettext_lazy("Give the payment reference.")},
    )


class ConsultForm(_ActionForm):
    other_agency = UnitChoiceField(
        label=gettext_lazy("Other agency"),
        queryset=Unit.objects.none(),
        empty_label=gettext_lazy("— choose the agency —"),
        error_messages={"required": gettext_lazy("Choose the agency.")},
    )
    note = forms.CharField(
        label=gettext_lazy("What the other agency is asked to do"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Say what the other agency is asked to do.")},
    )

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["other_agency"]
        assert isinstance(field, forms.ModelChoiceField)
        if agencies is not None:
            field.queryset = agencies


class ResultReadyForm(_ActionForm):
    result_files = MultipleFileField(
        label=gettext_lazy("Result documents (files)"),
        required=False,
        help_text=gettext_lazy("PDF or images of the signed result; up to 10 files of 20 MB."),
    )
    result_names = forms.CharField(
        label=gettext_lazy("Result documents on paper (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_result_files(self) -> list[Any]:
        return checked_files(self.cleaned_data.get("result_files") or [])


class AnswerForm(_ActionForm):
    note = forms.CharField(
        label=gettext_lazy("Answer"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Give the answer.")},
    )


class ApologyForm(_ActionForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the delay"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Give the reason for the delay.")},
    )
    new_due_at = forms.DateTimeField(
        label=gettext_lazy("New appointment"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": gettext_lazy("Enter the new appointment."),
            "invalid": gettext_lazy("Enter a valid date and time, for example 15/01/2026 16:00."),
        },
    )

    def clean_new_due_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["new_due_at"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


#: Actions offered on a selection of dossiers in the worklists, per tab.
BULK_ACTIONS: dict[str, tuple[Action, ...]] = {
    "receive": (Action.ACCEPT,),
    "return": (Action.RETURN_RESULT,),
    "process": (),
    "approve": (Action.FORWARD,),
}


class BulkForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("Action on the selected dossiers"),
        choices=[(a.value, a.value) for a in (Action.ACCEPT, Action.RETURN_RESULT, Action.FORWARD)],
    )
    selected = forms.MultipleChoiceField(
        label=gettext_lazy("Dossiers"),
        choices=(),
        error_messages={"required": gettext_lazy("Select at least one dossier.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["selected"]
        assert isinstance(field, forms.MultipleChoiceField)
        # "<code>@<version>" pairs: validated against the database in the view.
        values = self.data.getlist("selected") if hasattr(self.data, "getlist") else []
        field.choices = [(value, value) for value in values[:200]]


__all__ = [
    "BULK_ACTIONS",
    "BulkForm",
    "ProcedureChoiceForm",
    "ProcedureVersion",
    "ReceiptForm",
    "WorklistFilterForm",
]
