"""Forms of the catalogue pages: the list filters and the process-template editor."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _

from egov.accounts.models import Role
from egov.core.localized import localized_name
from egov.core.models import Unit, UnitLevel
from egov.procedures.models import OnlineLevel, ProcedureField, StepAction
from egov.procedures.selectors import AGENCY_LEVELS, StepSpec


class CatalogueFilterForm(forms.Form):
    """Search and filters of the procedure list; every field optional."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Code or words of the name; accents optional (e.g. dang ky khai sinh)."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    field = forms.ChoiceField(label=_("Sector"), required=False)
    level = forms.ChoiceField(label=_("Agency level"), required=False)
    online_level = forms.TypedChoiceField(
        label=_("Online service level"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["field"].choices = every + [  # type: ignore[attr-defined]
            (item.code, localized_name(item)) for item in ProcedureField.objects.order_by("name")
        ]
        labels = dict(UnitLevel.choices)
        self.fields["level"].choices = every + [  # type: ignore[attr-defined]
            (level, labels[level]) for level in AGENCY_LEVELS
        ]
        self.fields["online_level"].choices = every + list(  # type: ignore[attr-defined]
            OnlineLevel.choices
        )

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for :func:`egov.procedures.selectors.catalogue`."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "field": data.get("field") or None,
            "level": data.get("level") or "",
            "online_level": data.get("online_level") or None,
        }


def unit_choices(agency: Unit, others: Iterable[Unit]) -> list[Any]:
    """The agency's own units first, then other agencies for liên thông steps."""
    own = Unit.objects.filter(path__startswith=agency.path, dissolved_at__isnull=True).order_by(
        "path"
    )
    inside = [(str(u.pk), "— " * (u.depth - agency.depth) + localized_name(u)) for u in own]
    outside = [(str(u.pk), localized_name(u)) for u in others]
    choices: list[Any] = [("", "---------"), (str(_("In the agency")), inside)]
    if outside:
        choices.append((str(_("Other agencies (liên thông)")), outside))
    return choices


class StepForm(forms.Form):
    """One step of a process template."""

    name = forms.CharField(label=_("Step"), max_length=255)
    unit = forms.ChoiceField(label=_("Acting unit"))
    role_code = forms.ChoiceField(label=_("Acting role"))
    hours = forms.DecimalField(
        label=_("Working hours"),
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("Its share of the legal time limit, e.g. 3.75."),
        localize=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    actions = forms.MultipleChoiceField(
        label=_("Allowed actions"),
        choices=StepAction.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    action_name = forms.CharField(
        label=_("Name of the step's main action"),
        max_length=80,
        required=False,
        help_text=_("The button that finishes the step, e.g. “Phê duyệt” or “Ký”."),
    )
    name_en = forms.CharField(
        label=_("Step, in English"),
        max_length=255,
        required=False,
        help_text=_("Shown on English pages; empty: the Vietnamese name is shown."),
    )
    action_name_en = forms.CharField(
        label=_("Name of the step's main action, in English"), max_length=80, required=False
    )

    def __init__(self, *args: Any, unit_choices: list[Any], role_choices: list[Any], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["unit"].choices = unit_choices  # type: ignore[attr-defined]
        self.fields["role_code"].choices = [("", "---------"), *role_choices]  # type: ignore[attr-defined]


class BaseStepFormSet(forms.BaseFormSet):
    """Steps in their ``ORDER`` (the order field), deleted ones left out; errors from
    the service are put back next to the fields they concern."""

    def __init__(
        self, *args: Any, units: dict[int, Unit], unit_choices: list[Any], **kwargs: Any
    ) -> None:
        self.units = units
        roles = [(role.code, role.name) for role in Role.objects.order_by("name")]
        self.form_kwargs_extra = {"unit_choices": unit_choices, "role_choices": roles}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs(index)
        kwargs.update(self.form_kwargs_extra)
        return kwargs

    def kept_forms(self) -> list[forms.Form]:
        """The filled-in forms that are not deleted, in the order asked for."""
        # ordered_forms already leaves out deleted forms and untouched extra forms.
        return list(self.ordered_forms)

    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.kept_forms():
            raise ValidationError(_("A process needs at least one step."))

    def step_specs(self) -> list[StepSpec]:
        specs = []
        for form in self.kept_forms():
            data = form.cleaned_data
            specs.append(
                StepSpec(
                    name=data["name"].strip(),
                    unit=self.units[int(data["unit"])],
                    role_code=data["role_code"],
                    hours=data["hours"],
                    actions=tuple(data["actions"]),
                    action_name=(data.get("action_name") or "").strip(),
                    name_en=(data.get("name_en") or "").strip(),
                    action_name_en=(data.get("action_name_en") or "").strip(),
                )
            )
        return specs

    def add_service_errors(self, error: ValidationError) -> None:
        """Attach ``steps[i].field`` errors to the i-th kept form, the rest on top."""
        kept = self.kept_forms()
        general: list[str] = []
        for key, messages in error.message_dict.items():
            form, field = None, None
            if key.startswith("steps["):
                index_text, _sep, field = key[len("steps[") :].partition("].")
                if index_text.isdigit() and int(index_text) < len(kept):
                    form = kept[int(index_text)]
            if form is not None and field in form.fields:
                for message in messages:
                    form.add_error(field, message)
            else:
                general.extend(messages)
        if general:
            # BaseFormSet keeps its non-form errors here once validated.
            existing = [str(message) for message in self.non_form_errors()]
            self._non_form_errors = ErrorList(existing + general, error_class="nonform")


StepFormSet = cast(
    type[BaseStepFormSet],
    forms.formset_factory(
        StepForm,
        formset=BaseStepFormSet,
        extra=1,
        can_order=True,
        can_delete=True,
        can_delete_extra=False,
        max_num=30,
        validate_max=True,
    ),
)

__all__ = ["NON_FIELD_ERRORS", "BaseStepFormSet", "CatalogueFilterForm", "StepForm", "StepFormSet"]
