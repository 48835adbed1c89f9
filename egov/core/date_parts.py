"""A date asked in three boxes: ngày, tháng, năm (day, month, year).

The browser's date picker shows its own format (often mm/dd/yyyy), is hard to use
for a birth year forty years back on a phone, and its text is not ours to
translate. Three short numeric boxes under one legend are what people in Vietnam
write on paper forms, show the numeric keypad on phones (``inputmode=numeric``),
and give a clear message for the one thing wrong ("31/02/2026 does not exist").

:class:`DatePartsField` is a ``DateField`` (its ``cleaned_data`` is a ``date``);
:class:`DatePartsWidget` can also stand alone. The widget posts three values
(``<name>_0`` day, ``<name>_1`` month, ``<name>_2`` year); stored values come back
as a ``date`` or an ISO ``yyyy-mm-dd`` text (declaration answers).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: Years a person types: not before 1900, not past the next century's start.
MIN_YEAR = 1900
MAX_YEAR = 2100


def _parts_of(value: Any) -> list[str]:
    if isinstance(value, dt.date):
        return [f"{value.day:02d}", f"{value.month:02d}", str(value.year)]
    if isinstance(value, (list, tuple)):
        return [str(part or "") for part in value][:3] + [""] * (3 - len(value))
    if isinstance(value, str) and value:
        try:
            return _parts_of(dt.date.fromisoformat(value))
        except ValueError:
            pass
        iso = value.strip().split("-")
        if len(iso) == 3 and len(iso[0]) == 4:
            # yyyy-mm-dd that is not a real date: shown (and named) as dd/mm/yyyy.
            return [iso[2], iso[1], iso[0]]
        parts = value.split("/")
        if len(parts) == 3:
            return parts
    return ["", "", ""]


class DatePartsWidget(forms.MultiWidget):
    """Three numeric text boxes, each with its own label, in a fieldset (Django
    renders ``use_fieldset`` widgets with the field's label as the legend)."""

    template_name = "core/widgets/date_parts.html"
    labels = (_("Day"), _("Month"), _("Year"))
    use_fieldset = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        def box(size: int, css: str) -> forms.TextInput:
            return forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "pattern": "[0-9]*",
                    "maxlength": str(size),
                    "size": str(size),
                    "class": f"date-parts__input date-parts__{css}",
                    "autocomplete": "off",
                    **(attrs or {}),
                }
            )

        super().__init__([box(2, "day"), box(2, "month"), box(4, "year")])

    def decompress(self, value: Any) -> list[str]:
        return _parts_of(value)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str:  # type: ignore[override]
        """``""`` when all three are empty, else ``"dd/mm/yyyy"`` as typed (the field
        checks it), so a page shown again after an error keeps what was typed."""
        parts = [
            str(widget.value_from_datadict(data, files, f"{name}_{index}") or "").strip()
            for index, widget in enumerate(self.widgets)
        ]
        if not any(parts):
            # One value under the field's own name (yyyy-mm-dd or dd/mm/yyyy), as a
            # script or an older page posts it.
            return str(data.get(name) or "").strip()
        return "/".join(parts)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and all(f"{name}_{index}" not in data for index in range(3))

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        for sub, label in zip(context["widget"]["subwidgets"], self.labels, strict=True):
            sub["label"] = label
        return context

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_0" if id_ else id_


class DatePartsField(forms.DateField):
    """A ``DateField`` typed in three boxes; its messages say which part is wrong."""

    widget = DatePartsWidget
    default_error_messages = {
        "invalid": _("Enter the date as numbers, for example 20 02 2026."),
        "incomplete": _("The date must include a day, a month and a year."),
        "no_such_day": _("%(date)s is not a real date: check the day and the month."),
        "year": _("Enter the year in four digits, for example 1990."),
    }

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        day, month, year = (part.strip() for part in _parts_of(value))
        if not (day and month and year):
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if len(year) != 4 or not MIN_YEAR <= int(year) <= MAX_YEAR:
            raise ValidationError(self.error_messages["year"], code="year")
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(
                self.error_messages["no_such_day"],
                code="no_such_day",
                params={"date": f"{day.zfill(2)}/{month.zfill(2)}/{year}"},
            ) from None
