"""Forms of the complaint pages (errors next to fields)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from egov.core.models import Unit
from egov.core.unit_choice import UnitChoiceField
from egov.feedback.antispam import HONEYPOT_FIELD
from egov.feedback.complaint_models import ComplaintAbout, ComplaintCategory, SenderKind


class ComplaintForm(forms.Form):
    about = forms.ChoiceField(
        label=_("Your feedback is about"),
        choices=ComplaintAbout.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what your feedback is about.")},
    )
    procedure_code = forms.CharField(
        label=_("Code of the procedure"),
        required=False,
        max_length=30,
        help_text=_("For feedback about a procedure, e.g. 1.001193 (on the procedure's page)."),
    )
    dossier_code = forms.CharField(
        label=_("Code of the dossier"),
        required=False,
        max_length=40,
        help_text=_("For feedback about a dossier: the code on the receipt."),
    )
    dossier_id_number = forms.CharField(
        label=_("ID number or tax code of the dossier's applicant"),
        required=False,
        max_length=14,
        help_text=_("Not needed when you are signed in with the account that submitted it."),
    )
    agency = UnitChoiceField(
        label=_("Agency concerned"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        empty_label=_("— choose the agency —"),
        required=False,
    )
    official_name = forms.CharField(
        label=_("Official concerned (optional)"), required=False, max_length=255
    )
    title = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(
        label=_("Content of your feedback"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    sender_kind = forms.ChoiceField(
        label=_("You write as"),
        choices=SenderKind.choices,
        initial=SenderKind.CITIZEN,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("Full name or name of the business"), max_length=255, required=False
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address (optional)"), max_length=500, required=False)
    publish_ok = forms.BooleanField(
        label=_("The feedback and its answer may be published (without my name)."),
        required=False,
        initial=True,
    )
    # Honeypot: hidden from people (display: none); bots fill it in.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    #: A fresh key per form: sending the same form twice records one complaint.
    nonce = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, agencies: QuerySet[Unit], signed_in: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")
        self.fields["title"].widget.attrs["autocomplete"] = "off"
        self.fields[HONEYPOT_FIELD].widget.attrs.update(autocomplete="off", tabindex="-1")
        if not signed_in:
            self.fields["name"].required = True
            self.fields["name"].error_messages["required"] = _("Give your name.")

    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))


class TrackForm(forms.Form):
    key = forms.CharField(
        label=_("Follow-up key"),
        max_length=64,
        help_text=_("Given when you sent the feedback, and in the e-mail or SMS we sent."),
        error_messages={"required": _("Give the follow-up key.")},
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("The information asked for"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write the information asked for.")},
    )
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class ClassifyForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Classification"),
        choices=ComplaintCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a classification.")},
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusing"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for refusing.")},
    )


class AskMoreForm(forms.Form):
    request = forms.CharField(
        label=_("Information needed from the sender"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what information is needed.")},
    )


class ComplaintAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the answer.")},
    )


class PublishedFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    agency = UnitChoiceField(
        label=_("Agency"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All agencies"),
    )

    def __init__(self, *args: Any, agencies: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget = forms.TextInput(attrs={"type": "search"})
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
