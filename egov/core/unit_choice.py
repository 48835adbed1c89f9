"""Unit names as people choose among them: a name that occurs more than once in a
list (communes of different districts share names: "Xã Bình An" in Châu Thành and
in Kiên Lương) carries its district after it, so the two can be told apart.

:func:`distinguishing_labels` gives the labels; :class:`UnitChoiceField` is a
``ModelChoiceField`` of units that shows them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django import forms

from egov.core.localized import localized_name
from egov.core.models import Unit, UnitLevel

_COMMITTEES = ("ủy ban nhân dân ", "uỷ ban nhân dân ", "ubnd ")


def place_name(unit_name: str) -> str:
    """ "Ủy ban nhân dân huyện Châu Thành" → "huyện Châu Thành": the place a
    People's Committee governs, as addresses name it."""
    folded = unit_name.casefold()
    for committee in _COMMITTEES:
        if folded.startswith(committee):
            return unit_name[len(committee) :]
    return unit_name


def districts_of(units: Iterable[Unit]) -> dict[int, Unit | None]:
    """The district each unit lies in (a district is its own), by tree path; None
    for units above any district (the province, its departments)."""
    units = list(units)
    prefixes = {unit.path[: Unit.steplen * depth] for unit in units for depth in (1, 2, 3, 4)}
    districts = list(
        Unit.objects.filter(level=UnitLevel.DISTRICT, path__in=prefixes).order_by("-depth")
    )
    return {
        unit.pk: next((d for d in districts if unit.path.startswith(d.path)), None)
        for unit in units
    }


def distinguishing_labels(units: Iterable[Unit]) -> dict[int, str]:
    """``{pk: label}``: the unit's name, followed by its district in brackets when
    another unit of ``units`` has the same name."""
    units = list(units)
    counts = Counter(unit.name.casefold() for unit in units)
    repeated = [unit for unit in units if counts[unit.name.casefold()] > 1]
    districts = districts_of(repeated)
    labels = {unit.pk: localized_name(unit) for unit in units}
    for unit in repeated:
        district = districts.get(unit.pk)
        if district is not None and district.pk != unit.pk:
            labels[unit.pk] = f"{localized_name(unit)} ({place_name(localized_name(district))})"
    return labels


class UnitChoiceField(forms.ModelChoiceField):
    """Units to choose from, a repeated name followed by its district."""

    _labels: dict[int, str] | None = None

    def _set_queryset(self, queryset: Any) -> None:
        super()._set_queryset(queryset)  # type: ignore[misc]
        self._labels = None

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)  # type: ignore[attr-defined]

    def label_from_instance(self, obj: Any) -> str:
        if self._labels is None:
            self._labels = distinguishing_labels(self.queryset)
        return self._labels.get(obj.pk) or str(obj)
