"""Forms of the rating, question, answer and filter pages (errors next to fields)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from egov.core.models import Unit
from egov.core.unit_choice import UnitChoiceField
from egov.feedback.antispam import HONEYPOT_FIELD
from egov.feedback.indicators import asked_indicators
from egov.feedback.models import Level


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you with how your dossier was handled?"),
        choices=[(value, label) for value, label in Level.choices],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied you are.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Not published unless the agency chooses to publish it, without your name."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        for item in asked_indicators():
            self.fields[item.code] = forms.ChoiceField(
                label=f"{item.number}. {item.question}",
                choices=[(a.value, a.label) for a in item.answers],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose one answer to this question.")},
            )
        self.fields["comment"] = comment

    def answers(self) -> dict[str, str]:
        return {item.code: self.cleaned_data[item.code] for item in asked_indicators()}


class QuestionForm(forms.Form):
    agency = UnitChoiceField(
        label=_("Agency"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        empty_label=_("— choose the agency —"),
        required=False,
    )
    title = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(
        label=_("Your question"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    name = forms.CharField(label=_("Full name"), max_length=255, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("The answer is sent to this address."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    publish_ok = forms.BooleanField(
        label=_("The question and its answer may be published (without my name)."),
        required=False,
        initial=True,
    )
    # Honeypot: hidden from people (display: none); bots fill it in.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(
        self,
        *args: Any,
        agencies: QuerySet[Unit] | list[Unit],
        signed_in: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        if isinstance(agencies, list):
            field.queryset = Unit.objects.filter(pk__in=[a.pk for a in agencies]).order_by("path")  # type: ignore[attr-defined]
        else:
            field.queryset = agencies  # type: ignore[attr-defined]
        field.widget.attrs["autocomplete"] = "off"
        self.fields["title"].widget.attrs["autocomplete"] = "off"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")
        self.fields[HONEYPOT_FIELD].widget.attrs.update(autocomplete="off", tabindex="-1")
        if not signed_in:
            self.fields["name"].required = True
            self.fields["name"].error_messages["required"] = _("Give your name.")

    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        missing = not data.get("email") and not (data.get("phone") or "").strip()
        if self.fields["name"].required and missing and "email" not in self.errors:
            self.add_error("email", _("Give an e-mail address or a phone number."))
        return data


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write the answer.")},
    )
    publish = forms.BooleanField(
        label=_("Publish the question and answer in the public FAQ"),
        required=False,
        initial=True,
        help_text=_("Leave unticked for a personal question; the asker still gets the answer."),
    )


class RatingsFilterForm(forms.Form):
    agency = UnitChoiceField(
        label=_("Agency"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All agencies"),
    )
    period = forms.ChoiceField(label=_("Period"), required=False)

    def __init__(
        self, *args: Any, agencies: QuerySet[Unit], periods: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies.order_by("path")  # type: ignore[attr-defined]
        self.fields["period"].choices = periods  # type: ignore[attr-defined]


class FaqFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    field = forms.ChoiceField(label=_("Field of procedures"), required=False)
    agency = UnitChoiceField(
        label=_("Agency"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All agencies"),
    )

    def __init__(
        self,
        *args: Any,
        fields: list[tuple[str, str]],
        agencies: QuerySet[Unit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget = forms.TextInput(attrs={"type": "search"})
        self.fields["field"].choices = [("", _("All fields")), *fields]  # type: ignore[attr-defined]
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
