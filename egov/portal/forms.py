"""Forms of the public catalogue: plain GET forms, so they work without JavaScript
and every result page has an address that can be shared."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from egov.core.localized import localized_name
from egov.core.models import Unit
from egov.dossiers.public.views import LookupForm
from egov.portal.search import LEVEL_GROUPS, SearchIndex
from egov.portal.selectors import agencies_in_service, field_counts, level_group_labels
from egov.procedures.models import ProcedureField


class LightSelect(forms.Select):
    """A select rendered without a template per option: the agency list has a
    few hundred options and the template-based rendering costs tens of
    milliseconds per page."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = "" if value is None else str(value[0] if isinstance(value, list) else value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) == chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


class CatalogueForm(forms.Form):
    """Search words and filters. A wrong filter value is reported next to its
    field and that filter is left out; the other ones still apply."""

    q = forms.CharField(
        label=_("Find a service"),
        required=False,
        help_text=_(
            "Words of the name, with or without diacritics, or the national code (e.g. 1.001193)."
        ),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    linh_vuc = forms.ChoiceField(label=_("Sector"), required=False, widget=LightSelect)
    co_quan = forms.ChoiceField(label=_("Agency"), required=False, widget=LightSelect)
    cap = forms.ChoiceField(label=_("Level"), required=False, widget=LightSelect)

    def __init__(self, *args: Any, index: SearchIndex | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["linh_vuc"].choices = everything + [  # type: ignore[attr-defined]
            (item.code, f"{localized_name(item)} ({count})") for item, count in field_counts(index)
        ]
        self.fields["co_quan"].choices = everything + [  # type: ignore[attr-defined]
            (unit.code, localized_name(unit)) for unit in agencies_in_service(index)
        ]
        labels = level_group_labels()
        self.fields["cap"].choices = everything + [  # type: ignore[attr-defined]
            (group, labels[group]) for group in LEVEL_GROUPS
        ]

    def filters(self) -> dict[str, Any]:
        """Arguments of :meth:`SearchIndex.search` from the valid fields."""
        if not self.is_bound:
            return {"query": ""}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        result: dict[str, Any] = {"query": data.get("q") or self.data.get("q", "") or ""}
        if data.get("linh_vuc"):
            result["field_id"] = (
                ProcedureField.objects.filter(code=data["linh_vuc"])
                .values_list("pk", flat=True)
                .first()
            )
        if data.get("co_quan"):
            result["agency_id"] = (
                Unit.objects.filter(code=data["co_quan"]).values_list("pk", flat=True).first()
            )
        if data.get("cap"):
            result["levels"] = LEVEL_GROUPS[data["cap"]]
        return result

    @property
    def filtered(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) for name in ("linh_vuc", "co_quan", "cap"))


class KioskForm(LookupForm):
    """The public lookup form in large type for the touch screen of the hall."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ma"].widget.attrs.update({"class": "kiosk-input", "autofocus": True})
