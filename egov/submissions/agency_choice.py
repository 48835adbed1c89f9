"""Choosing the receiving agency in two steps: the area (district, town or city, or
the province's own agencies), then the agency within it, as the national portal asks.

A procedure carried out by every commune has ~140 agencies; one list of them is
several screens tall on a phone and shows the same commune name more than once
(communes of different districts share names). Grouping by district shortens the
list to the dozen units of one district, and a name that occurs more than once
among the procedure's agencies carries its district next to it wherever it is
offered for choosing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from egov.core.localized import localized_name
from egov.core.models import Unit
from egov.core.unit_choice import distinguishing_labels, districts_of, place_name
from egov.dossiers.selectors import recent_agencies_of
from egov.procedures.text import search_key

#: Up to this many agencies are offered in one list, without asking the area first.
SHORT_LIST = 15
#: The area key of agencies that sit above any district (departments, the province).
PROVINCE_AREA = "tinh"


@dataclass(frozen=True)
class AgencyOption:
    pk: int
    name: str
    label: str  # the name, with the district after it when the name is not unique


@dataclass
class Area:
    key: str  # PROVINCE_AREA or the district's pk as text
    name: str
    options: list[AgencyOption] = field(default_factory=list)
    label: str = ""  # the name in the page's language (the Vietnamese name if empty)

    @property
    def display(self) -> str:
        return self.label or self.name

    def pks(self) -> set[int]:
        return {option.pk for option in self.options}


@dataclass(frozen=True)
class AgencyAreas:
    areas: list[Area]

    def area(self, key: str | None) -> Area | None:
        return next((area for area in self.areas if area.key == key), None)

    def area_of(self, agency_pk: int | None) -> Area | None:
        return next((area for area in self.areas if agency_pk in area.pks()), None)

    def label_of(self, agency_pk: int) -> str:
        for area in self.areas:
            for option in area.options:
                if option.pk == agency_pk:
                    return option.label
        return ""

    def count(self) -> int:
        return sum(len(area.options) for area in self.areas)

    @property
    def two_step(self) -> bool:
        """Whether the area is asked first: more agencies than fit one short list."""
        return len(self.areas) > 1 and self.count() > SHORT_LIST

    def as_data(self) -> list[dict[str, Any]]:
        """JSON for the page's script: areas with their agencies' pks and labels."""
        return [
            {
                "key": area.key,
                "options": [{"pk": option.pk, "label": option.label} for option in area.options],
            }
            for area in self.areas
        ]


def group_agencies(agencies: Iterable[Unit]) -> AgencyAreas:
    """The agencies grouped by district (in name order), province-level ones first."""
    units = list(agencies)
    districts = districts_of(units)
    labels = distinguishing_labels(units)
    province = Area(PROVINCE_AREA, _("Provincial agencies"))
    by_district: dict[int, Area] = {}
    for unit in units:
        district = districts[unit.pk]
        if district is None:
            area = province
        else:
            place = place_name(district.name)
            shown = place_name(localized_name(district))
            area = by_district.setdefault(
                district.pk,
                Area(
                    str(district.pk),
                    place[:1].upper() + place[1:],
                    label=shown[:1].upper() + shown[1:],
                ),
            )
        area.options.append(AgencyOption(unit.pk, unit.name, labels[unit.pk]))
    areas = sorted(by_district.values(), key=lambda a: search_key(a.name))
    if province.options:
        areas.insert(0, province)
    for area in areas:
        area.options.sort(key=lambda option: search_key(option.label))
    return AgencyAreas(areas)


def likely_agency(user: Any, grouped: AgencyAreas, address: str = "") -> tuple[str, int | None]:
    """(area key, agency pk) to pre-select for ``user``: the agency of their latest
    dossier when it receives this procedure, else the district (and commune) their
    address names; ``("", None)`` when nothing is known."""
    if len(grouped.areas) == 1:
        area = grouped.areas[0]
        only = area.options[0].pk if len(area.options) == 1 else None
        return area.key, only
    for agency_id in recent_agencies_of(user):
        found = grouped.area_of(agency_id)
        if found is not None:
            return found.key, agency_id
    return _from_address(grouped, address)


def _from_address(grouped: AgencyAreas, address: str) -> tuple[str, int | None]:
    folded = f" {_words(address)} "
    if not folded.strip():
        return "", None
    for area in grouped.areas:
        if area.key == PROVINCE_AREA or not _names(folded, area.name):
            continue
        commune = next((o.pk for o in area.options if _names(folded, o.name, commune=True)), None)
        return area.key, commune
    return "", None


_COMMITTEES = ("uy ban nhan dan ", "ubnd ")
_DISTRICT_KINDS = ("thanh pho ", "thi xa ", "huyen ", "quan ")


def _words(text: str) -> str:
    return " ".join(search_key(text).replace(",", " ").replace(".", " ").split())


def _names(folded_address: str, unit_name: str, *, commune: bool = False) -> bool:
    """Whether the address names the unit: a district by its proper name ("Rạch
    Giá"), a commune with its kind word too ("Phường Vĩnh Thanh Vân"), since
    communes of different districts share proper names."""
    name = _words(unit_name)
    for committee in _COMMITTEES:
        name = name.removeprefix(committee)
    if not commune:
        for kind in _DISTRICT_KINDS:
            name = name.removeprefix(kind)
    return bool(name) and f" {name} " in folded_address
