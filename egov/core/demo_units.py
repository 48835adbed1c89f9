"""The demo organisation tree: Kiên Giang as it was in 2019.

* the Provincial People's Committee (Ủy ban nhân dân tỉnh) at the root, with the
  Public Administration Service Centre (Trung tâm Phục vụ hành chính công) as its
  one-stop unit;
* its 22 departments and agencies (``fixtures_data/kien_giang_2019_agencies.json``),
  each with a one-stop desk (Bộ phận Một cửa);
* the 15 districts and 143 communes with their real names and statistics-office
  codes, read from the ``vietnam-provinces`` package (its names are those of its
  data date, early 2025: e.g. Phú Quốc appears as a city, which it became in 2021),
  each with a reception desk (Bộ phận Tiếp nhận và Trả kết quả);
* the specialised offices of two districts, for realism.

Identifier codes follow the pre-2025 form of QĐ 20/2020/QĐ-TTg, levels filled
right to left. The real assignments of Kiên Giang are not in our sources, so the
numbering below is ILLUSTRATIVE ONLY and must be checked against the province's
register before any data exchange:

==========================================  =====================
province                                    000.00.00.H33
department / agency number NN (01-22)       000.00.NN.H33
province one-stop centre                    000.00.23.H33
district number DD (31-45, in GSO order)    000.00.DD.H33
one-stop desk of a department or district   000.01.NN.H33
district office number k (2, 3, ...)        000.0k.DD.H33
commune number CCC within its district      CCC.00.DD.H33
one-stop desk of a commune                  CCC.99.DD.H33
==========================================  =====================

The four-level form has no slot below a commune, so its desk borrows level 3 with
the otherwise unused number 99.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import vietnam_provinces

from egov.core.models import UnitLevel
from egov.core.services.unit_import import ImportReport, import_unit_rows, read_unit_records
from egov.core.services.unit_tree import Actor

PROVINCE_GSO_CODE = 91
PROVINCE_LETTER_CODE = "H33"  # Kiên Giang most likely; to verify (see docs/domain.md)
PROVINCE_ONE_STOP_NUMBER = 23
FIRST_DISTRICT_NUMBER = 31
COMMUNE_DESK_NUMBER = 99
ONE_STOP_SHORT_NAME = "BPMC"

AGENCIES_FILE = Path(__file__).parent / "fixtures_data" / "kien_giang_2019_agencies.json"

# Administrative-division type words, written lower-case after "Ủy ban nhân dân".
_DIVISION_TYPES = ("Thành phố", "Thị xã", "Thị trấn", "Huyện", "Quận", "Phường", "Xã")


def identifier(commune: int, office: int, agency: int) -> str:
    """``CCC.OO.AA.H33``: the four levels of QĐ 20/2020, right to left."""
    return f"{commune:03d}.{office:02d}.{agency:02d}.{PROVINCE_LETTER_CODE}"


# The same types as English names write them, after the proper name.
_DIVISION_TYPES_EN = {
    "Thành phố": "City",
    "Thị xã": "Town",
    "Thị trấn": "Township",
    "Huyện": "District",
    "Quận": "District",
    "Phường": "Ward",
    "Xã": "Commune",
}


def locality_en(division_name: str) -> str:
    """``"Huyện Kiên Lương"`` -> ``"Kiên Lương District"``, for English names."""
    for word, english in _DIVISION_TYPES_EN.items():
        if division_name.startswith(word + " "):
            return f"{division_name[len(word) + 1 :]} {english}"
    return division_name


def locality(division_name: str) -> str:
    """``"Huyện Kiên Lương"`` -> ``"huyện Kiên Lương"``, as it reads inside a name."""
    for word in _DIVISION_TYPES:
        if division_name.startswith(word + " "):
            return word.lower() + division_name[len(word) :]
    return division_name


@cache
def _agency_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(AGENCIES_FILE.read_text(encoding="utf-8"))
    return data


@cache
def _divisions() -> dict[str, Any]:
    path = vietnam_provinces.NESTED_DIVISIONS_JSON_PATH
    provinces: list[dict[str, Any]] = json.loads(Path(path).read_text(encoding="utf-8"))
    for province in provinces:
        if province["code"] == PROVINCE_GSO_CODE:
            return province
    raise LookupError(f"province {PROVINCE_GSO_CODE} not in vietnam-provinces data")


def _record(
    code: str,
    name: str,
    level: str,
    parent_code: str,
    *,
    name_en: str = "",
    short_name: str = "",
    is_one_stop: bool = False,
    statistics_code: str = "",
    address: str = "",
    website: str = "",
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "code": code,
        "name": name,
        "name_en": name_en,
        "short_name": short_name,
        "level": level,
        "parent_code": parent_code,
        "is_one_stop": is_one_stop,
    }
    # Columns left out are left alone on re-runs, so contact details an operator
    # has filled in since are not blanked.
    optional = {"statistics_code": statistics_code, "address": address, "website": website}
    record.update({column: value for column, value in optional.items() if value})
    return record


def demo_unit_records() -> list[dict[str, Any]]:
    """The whole demo tree as import records (the format of ``import_units``)."""
    data = _agency_data()
    province = data["province"]
    root = province["code"]
    records = [
        _record(
            root,
            province["name"],
            UnitLevel.PROVINCE,
            "",
            name_en=province.get("name_en", ""),
            short_name=province["short_name"],
            statistics_code=province["statistics_code"],
            address=province["address"],
            website=province["website"],
        ),
        _record(
            identifier(0, 0, PROVINCE_ONE_STOP_NUMBER),
            data["province_one_stop"]["name"],
            UnitLevel.INTERNAL,
            root,
            name_en=data["province_one_stop"].get("name_en", ""),
            short_name=data["province_one_stop"]["short_name"],
            is_one_stop=True,
        ),
    ]
    for agency in data["agencies"]:
        code = identifier(0, 0, agency["number"])
        records.append(
            _record(
                code,
                agency["name"],
                UnitLevel.PROVINCIAL_AGENCY,
                root,
                name_en=agency.get("name_en", ""),
                short_name=agency["short_name"],
            )
        )
        records.append(
            _record(
                identifier(0, 1, agency["number"]),
                f"Bộ phận Một cửa {agency['name']}",
                UnitLevel.INTERNAL,
                code,
                name_en=f"One-stop desk, {agency['name_en']}" if agency.get("name_en") else "",
                short_name=ONE_STOP_SHORT_NAME,
                is_one_stop=True,
            )
        )
    offices_by_district: dict[str, list[dict[str, str]]] = data["district_offices"]
    for index, district in enumerate(_divisions()["districts"]):
        number = FIRST_DISTRICT_NUMBER + index
        place = locality(district["name"])
        place_en = locality_en(district["name"])
        code = identifier(0, 0, number)
        records.append(
            _record(
                code,
                f"Ủy ban nhân dân {place}",
                UnitLevel.DISTRICT,
                root,
                name_en=f"People's Committee of {place_en}",
                short_name="UBND",
                statistics_code=f"{district['code']:03d}",
            )
        )
        records.append(
            _record(
                identifier(0, 1, number),
                f"Bộ phận Tiếp nhận và Trả kết quả {place}",
                UnitLevel.INTERNAL,
                code,
                name_en=f"Reception and Results Desk, {place_en}",
                short_name=ONE_STOP_SHORT_NAME,
                is_one_stop=True,
            )
        )
        for office_number, office in enumerate(
            offices_by_district.get(str(district["code"]), []), start=2
        ):
            records.append(
                _record(
                    identifier(0, office_number, number),
                    f"{office['name']} {place}",
                    UnitLevel.DISTRICT_AGENCY,
                    code,
                    name_en=f"{office['name_en']}, {place_en}" if office.get("name_en") else "",
                    short_name=office["short_name"],
                )
            )
        for commune_number, ward in enumerate(district["wards"], start=1):
            commune_code = identifier(commune_number, 0, number)
            ward_place = locality(ward["name"])
            ward_place_en = locality_en(ward["name"])
            records.append(
                _record(
                    commune_code,
                    f"Ủy ban nhân dân {ward_place}",
                    UnitLevel.COMMUNE,
                    code,
                    name_en=f"People's Committee of {ward_place_en}",
                    short_name="UBND",
                    statistics_code=f"{ward['code']:05d}",
                )
            )
            records.append(
                _record(
                    identifier(commune_number, COMMUNE_DESK_NUMBER, number),
                    f"Bộ phận Tiếp nhận và Trả kết quả {ward_place}",
                    UnitLevel.INTERNAL,
                    commune_code,
                    name_en=f"Reception and Results Desk, {ward_place_en}",
                    short_name=ONE_STOP_SHORT_NAME,
                    is_one_stop=True,
                )
            )
    return records


def load_demo_units(actor: Actor = None, *, dry_run: bool = False) -> ImportReport:
    """Create the demo tree, or bring an existing one back in line with it (units are
    matched by code, so re-running changes nothing that is already right)."""
    rows = read_unit_records(demo_unit_records())
    return import_unit_rows(actor, rows, dry_run=dry_run)
