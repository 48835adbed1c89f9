"""Page forms of outgoing documents: they only shape input for the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.date_parts import DatePartsField
from egov.core.models import Unit
from egov.outgoing.doctypes import document_types
from egov.outgoing.models import Authority, Confidentiality, OutgoingDocument, Urgency
from egov.outgoing.services import DraftIn, RecipientIn


class DraftForm(forms.Form):
    drafting_unit = forms.ChoiceField(label=_("Drafting unit"))
    type_code = forms.ChoiceField(label=_("Document type"))
    subject = forms.CharField(
        label=_("Summary (trích yếu)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(
        label=_("Content"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("One paragraph per line. Use “Use the type's template” for a starting text."),
    )
    place = forms.CharField(label=_("Place"), max_length=150, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    confidentiality = forms.ChoiceField(
        label=_("Confidentiality"),
        choices=Confidentiality.choices,
        help_text=_("Confidential documents have their own number series and go on paper only."),
    )
    authority = forms.ChoiceField(
        label=_("Signing authority"), choices=Authority.choices, required=False
    )
    authority_of = forms.CharField(
        label=_("On behalf of"),
        max_length=150,
        required=False,
        help_text=_("E.g. ỦY BAN NHÂN DÂN after TM., CHỦ TỊCH after KT."),
    )
    signer_position = forms.CharField(label=_("Signer's title"), max_length=150)
    signer_name = forms.CharField(label=_("Signer's name"), max_length=150)
    recipients = forms.MultipleChoiceField(
        label=_("Recipients on the platform"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("They receive it in their incoming queue as soon as it is issued."),
    )
    outside_recipients = forms.CharField(
        label=_("Recipients outside the platform"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name, optionally followed by “|” and its identifier code."),
    )
    copies_to = forms.CharField(
        label=_("Other lines of “Nơi nhận”"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. “Lưu: VT, VP”."),
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label=_("Note on this version"), max_length=500, required=False)

    def __init__(
        self,
        *args: Any,
        units: list[Unit],
        recipient_units: list[Unit],
        editing: OutgoingDocument | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type_code"].choices = [  # type: ignore[attr-defined]
            (t.code, f"{t.name} ({t.abbreviation})" if t.abbreviation else t.name)
            for t in document_types()
        ]
        self.fields["recipients"].choices = [(str(u.pk), u.name) for u in recipient_units]  # type: ignore[attr-defined]
        self._recipient_units = {str(u.pk): u for u in recipient_units}
        if editing is None:
            self.fields["drafting_unit"].choices = [(str(u.pk), u.name) for u in units]  # type: ignore[attr-defined]
            self._units = {str(u.pk): u for u in units}
            del self.fields["note"]
        else:
            del self.fields["drafting_unit"]
            self._units = {}

    def unit(self) -> Unit:
        return self._units[self.cleaned_data["drafting_unit"]]

    def draft_in(self) -> DraftIn:
        data = self.cleaned_data
        return DraftIn(
            type_code=data["type_code"],
            subject=data["subject"],
            body=data.get("body", ""),
            place=data.get("place", ""),
            urgency=data["urgency"],
            confidentiality=data["confidentiality"],
            authority=data.get("authority", ""),
            authority_of=data.get("authority_of", ""),
            signer_position=data["signer_position"],
            signer_name=data["signer_name"],
            copies_to=data.get("copies_to", ""),
        )

    def recipients_in(self) -> list[RecipientIn]:
        rows = [
            RecipientIn(agency=self._recipient_units[pk]) for pk in self.cleaned_data["recipients"]
        ]
        for line in (self.cleaned_data.get("outside_recipients") or "").splitlines():
            name, _sep, organ_id = line.partition("|")
            if name.strip():
                rows.append(RecipientIn(name=name.strip(), organ_id=organ_id.strip()))
        return rows

    @staticmethod
    def initial_for(document: OutgoingDocument) -> dict[str, Any]:
        platform = [str(r.agency_id) for r in document.recipients.all() if r.agency_id]
        outside = [
            f"{r.name} | {r.organ_id}" if r.organ_id else r.name
            for r in document.recipients.all()
            if not r.agency_id
        ]
        return {
            "type_code": document.type_code,
            "subject": document.subject,
            "body": document.body,
            "place": document.place,
            "urgency": document.urgency,
            "confidentiality": document.confidentiality,
            "authority": document.authority,
            "authority_of": document.authority_of,
            "signer_position": document.signer_position,
            "signer_name": document.signer_name,
            "recipients": platform,
            "outside_recipients": "\n".join(outside),
            "copies_to": document.copies_to,
            "lock_version": document.lock_version,
        }


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Draft file (DOCX, ODT or PDF)"),
        help_text=_("The file is recognised by its content, not by its name."),
    )
    note = forms.CharField(label=_("Note on this version"), max_length=500, required=False)
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Attachment (PDF)"),
        help_text=_("Signed by the agency when the document is issued."),
    )
    name = forms.CharField(label=_("Name of the attachment"), max_length=200, required=False)
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class StepForm(forms.Form):
    note = forms.CharField(
        label=_("Opinion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class RecallForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the recall"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class RegisterFilterForm(forms.Form):
    agency = forms.ChoiceField(label=_("Agency"))
    start = DatePartsField(label=_("From the date"))
    end = DatePartsField(label=_("To the date"))
    confidential = forms.BooleanField(label=_("Confidential register"), required=False)

    def __init__(self, *args: Any, agencies: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(str(a.pk), a.name) for a in agencies]  # type: ignore[attr-defined]
        self._agencies = {str(a.pk): a for a in agencies}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period is before its start."))
        if start and end and (end - start).days > 366:
            self.add_error("end", _("Choose a period of at most one year."))
        return data

    def chosen_agency(self) -> Unit:
        return self._agencies[self.cleaned_data["agency"]]
