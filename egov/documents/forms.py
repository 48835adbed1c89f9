"""Page forms of the incoming side. They only parse and shape input; the services
check permission, state and the rules again."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from egov.accounts.models import User
from egov.core.date_parts import DatePartsField
from egov.core.models import Unit
from egov.documents.contract import IncomingMetadata
from egov.documents.models import Confidentiality, DocumentType, IncomingDocument, Urgency


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.username)


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class UnitsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class ScanForm(forms.Form):
    agency = UnitChoice(queryset=Unit.objects.none(), label=_("Receiving agency"))
    scan = MultipleFileField(
        label=_("Scan of the document (PDF, JPEG or PNG)"),
        widget=MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
        help_text=_("Several files of one document may be chosen together (pages, annexes)."),
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, UnitChoice)
        field.queryset = agencies
        if len(agencies) == 1:
            field.initial = agencies[0].pk
            field.widget = forms.HiddenInput()


class MetadataForm(forms.Form):
    """The Phụ lục VI fields a clerk checks and completes when registering."""

    version = forms.IntegerField(widget=forms.HiddenInput())
    issuing_agency_name = forms.CharField(label=_("Issuing body"), max_length=200)
    code_number = forms.CharField(label=_("Number"), max_length=11, required=False)
    code_notation = forms.CharField(
        label=_("Symbol"), max_length=30, required=False, help_text=_("e.g. UBND-VP, KH-UBND")
    )
    type_code = forms.ChoiceField(label=_("Document type"), required=False)
    issued_date = DatePartsField(label=_("Date of the document"), required=False)
    subject = forms.CharField(
        label=_("Summary (trích yếu)"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    signer_name = forms.CharField(label=_("Signer"), max_length=100, required=False)
    signer_position = forms.CharField(label=_("Signer's position"), max_length=100, required=False)
    page_amount = forms.IntegerField(label=_("Pages"), min_value=1, max_value=10000, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    confidentiality = forms.ChoiceField(label=_("Confidentiality"), choices=Confidentiality.choices)
    document_id = forms.CharField(
        label=_("Document id (electronic documents)"), max_length=200, required=False
    )
    due_date = DatePartsField(label=_("Answer due (per the sender)"), required=False)
    description = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = [("", "—")] + [
            (t.code, str(t)) for t in DocumentType.objects.filter(active=True).order_by("order")
        ]
        field = self.fields["type_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = types

    @classmethod
    def initial_for(cls, document: IncomingDocument) -> dict[str, Any]:
        return {
            "version": document.version,
            "issuing_agency_name": document.issuing_agency_name,
            "code_number": document.code_number,
            "code_notation": document.code_notation,
            "type_code": document.doc_type.code if document.doc_type else "",
            "issued_date": document.issued_date,
            "subject": document.subject,
            "signer_name": document.signer_name,
            "signer_position": document.signer_position,
            "page_amount": document.page_amount,
            "urgency": document.urgency,
            "confidentiality": document.confidentiality,
            "document_id": document.document_id,
            "due_date": document.sender_due_date,
            "description": document.description,
        }

    def metadata(self) -> IncomingMetadata:
        data = self.cleaned_data
        return IncomingMetadata(
            issuing_agency_name=data["issuing_agency_name"],
            subject=data["subject"],
            code_number=data["code_number"],
            code_notation=data["code_notation"],
            type_code=data["type_code"],
            issued_date=data["issued_date"],
            signer_name=data["signer_name"],
            signer_position=data["signer_position"],
            page_amount=data["page_amount"],
            urgency=data["urgency"],
            confidentiality=data["confidentiality"],
            document_id=data["document_id"],
            due_date=data["due_date"],
            description=data["description"],
        )


class RegisterForm(MetadataForm):
    present_to = PersonChoice(
        queryset=User.objects.none(),
        label=_("Present to (leader)"),
        required=False,
        help_text=_("Required for urgent documents: they are presented at once."),
    )
    confirm_duplicate = forms.BooleanField(
        label=_("I checked: this is another document, register it anyway"), required=False
    )

    def __init__(self, *args: Any, leaders: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["present_to"]
        assert isinstance(field, PersonChoice)
        field.queryset = leaders if leaders is not None else User.objects.none()


class SheetForm(forms.Form):
    """The processing sheet (phiếu giải quyết văn bản đến)."""

    version = forms.IntegerField(widget=forms.HiddenInput())
    lead_unit = UnitChoice(queryset=Unit.objects.none(), label=_("Lead unit"))
    lead_person = PersonChoice(
        queryset=User.objects.none(),
        label=_("Person handling (optional)"),
        required=False,
        help_text=_("Leave empty to let the head of the lead unit choose."),
    )
    cooperating_units = UnitsChoice(
        queryset=Unit.objects.none(),
        label=_("Cooperating units"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deadline_days = forms.IntegerField(
        label=_("Deadline (working days)"), min_value=1, max_value=365
    )
    opinion = forms.CharField(
        label=_("Leader's opinion"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, units: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lead_unit", "cooperating_units"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = units
        person = self.fields["lead_person"]
        assert isinstance(person, PersonChoice)
        person.queryset = people
        self.fields["deadline_days"].initial = settings.EGOV_DOCUMENTS_DEFAULT_DEADLINE_DAYS


class PresentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
    leader = PersonChoice(queryset=User.objects.none(), label=_("Leader"))

    def __init__(self, *args: Any, leaders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["leader"]
        assert isinstance(field, PersonChoice)
        field.queryset = leaders


class PersonForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput())
    person = PersonChoice(queryset=User.objects.none(), label=_("Person"))

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, PersonChoice)
        field.queryset = people


class ReassignForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput())
    unit = UnitChoice(queryset=Unit.objects.none(), label=_("To unit"))
    person = PersonChoice(
        queryset=User.objects.none(), label=_("To person (optional)"), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, units: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, UnitChoice)
        unit.queryset = units
        person = self.fields["person"]
        assert isinstance(person, PersonChoice)
        person.queryset = people


class ReasonForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput(), required=False)
    assignment = forms.IntegerField(widget=forms.HiddenInput(), required=False)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class TextForm(forms.Form):
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    reference = forms.CharField(label=_("Reference of the answering document"), max_length=200)
    notation = forms.CharField(label=_("Its number and symbol"), max_length=60, required=False)


class ResolveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
    resolution = forms.CharField(
        label=_("How it was resolved"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search documents"), max_length=200, required=False)


class PeriodForm(forms.Form):
    agency = UnitChoice(queryset=Unit.objects.none(), label=_("Agency"))
    start = DatePartsField(label=_("From date"))
    end = DatePartsField(label=_("To date"))
    confidential = forms.BooleanField(label=_("Confidential register"), required=False)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, UnitChoice)
        field.queryset = agencies

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: date | None = data.get("start")
        end: date | None = data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end of the period is before its start."))
            elif (end - start).days > 366:
                self.add_error("end", _("Choose a period of at most one year."))
        return data
