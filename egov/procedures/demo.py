"""The demo procedure catalogue and a few process templates, on the demo tree.

``fixtures_data/demo_catalogue.json`` holds 22 real Vietnamese procedures (civil
status, certification, business households, business registration, land) as the
national public-service portal published them in 2026, after the 2025 reform
(two-level local government: province and commune, no districts). Every entry
carries a ``"source"``: the portal page, the decision that published it, the
level and time limit the page shows, the public copy read (repository, path,
commit) and the date it was checked; it is imported with the version.
``docs/catalogue-sources.md`` lists every entry and what changed.

UNCERTAIN DATA IS MARKED: an entry with ``"verify": true`` has something the page
does not state (a time limit left empty, taken from the decree; a fee the
Provincial People's Council sets); its ``"notes"`` say what to check. Those keys,
and ``time_limit_note``, are documentation and are not imported.

``"agencies"`` in the file is a rule resolved against the units of
``load_demo_units`` (looked up by level and name, never by a hard-coded id):
``{"level": "commune"}`` every commune People's Committee, ``{"levels": [...]}``
several levels, ``{"department": "Tư pháp"}`` the provincial department whose
name contains the words, and both together (``{"department": "Tư pháp",
"level": "commune"}``) for a procedure of the province and the communes.

Process templates are defined for a few agencies: Sở Tư pháp (civil-status
information confirmation), Sở Tài chính (one-member limited company), Sở Tài
nguyên và Môi trường (land change registration) and the first ward of Rạch Giá
(birth registration; acknowledgement of parentage with a liên thông step at the
city's Phòng Tư pháp, kept while the demo tree still has districts; business
household). Elsewhere the default process applies
(``selectors.default_process_steps``).

Loading is idempotent: an unchanged catalogue and unchanged templates write
nothing (see ``importexport.import_entries`` and
``services.define_process_template``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from egov.accounts.demo import (
    DemoUnitMissing,
    commune_one_stop,
    department,
    province,
    rach_gia,
    rach_gia_commune,
)
from egov.accounts.permissions import RoleCode
from egov.core.models import Unit
from egov.procedures.importexport import ImportReport, import_entries, read_json
from egov.procedures.models import ProcessTemplate, StepAction
from egov.procedures.selectors import StepSpec, get_procedure
from egov.procedures.services import Actor, define_process_template

CATALOGUE_FILE = Path(__file__).parent / "fixtures_data" / "demo_catalogue.json"
#: Documentation in the demo file, not part of a procedure's content.
DEMO_ONLY_KEYS = frozenset({"verify", "notes", "time_limit_note"})

FWD = StepAction.FORWARD.value
BACK = StepAction.SEND_BACK.value
SUPPLEMENT = StepAction.REQUEST_SUPPLEMENT.value
CONSULT = StepAction.CONSULT.value
APPROVE = StepAction.APPROVE.value


@cache
def _catalogue_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return data


def demo_procedures() -> list[dict[str, Any]]:
    """The procedures of the demo file as written (with their ``verify`` marks)."""
    return [dict(item) for item in _catalogue_data()["procedures"]]


def _active() -> QuerySet[Unit]:
    return Unit.objects.filter(dissolved_at__isnull=True)


def _agency_codes(rule: Any, code: str) -> list[str]:
    if not isinstance(rule, dict):
        raise ValueError(f"{code}: 'agencies' must be a rule object in the demo file")
    root = province()
    codes: list[str] = []
    if "department" in rule:
        codes.append(department(str(rule["department"]).removeprefix("Sở ").strip()).code)
        if "level" not in rule and "levels" not in rule:
            return codes
    levels = rule.get("levels") or [rule.get("level")]
    found = list(
        _active()
        .filter(path__startswith=root.path, level__in=levels)
        .order_by("path")
        .values_list("code", flat=True)
    )
    codes += found
    if not found:
        raise DemoUnitMissing(
            f"No demo unit at level(s) {', '.join(map(str, levels))}. Load the organisation "
            "tree first (python manage.py load_demo_units)."
        )
    return codes


def catalogue_document() -> dict[str, Any]:
    """The demo file as an import document: rules resolved to identifier codes,
    documentation keys removed."""
    data = _catalogue_data()
    procedures = []
    for item in data["procedures"]:
        content = {key: value for key, value in item.items() if key not in DEMO_ONLY_KEYS}
        content["agencies"] = _agency_codes(item["agencies"], item["national_code"])
        procedures.append(content)
    return {
        "format": data["format"],
        "format_version": data["format_version"],
        "fields": data["fields"],
        "procedures": procedures,
    }


# --- process templates --------------------------------------------------------------


def _need(unit: Unit | None, what: str) -> Unit:
    if unit is None:
        raise DemoUnitMissing(
            f"Demo unit not found: {what}. Load the organisation tree first "
            "(python manage.py load_demo_units)."
        )
    return unit


def _office(agency: Unit, name_start: str) -> Unit:
    unit = (
        _active()
        .filter(path__startswith=agency.path, name__startswith=name_start)
        .exclude(pk=agency.pk)
        .order_by("depth", "path")
        .first()
    )
    return _need(unit, f"“{name_start}…” in {agency.name}")


def _desk(agency: Unit) -> Unit:
    unit = (
        _active()
        .filter(path__startswith=agency.path, depth=agency.depth + 1, is_one_stop=True)
        .order_by("path")
        .first()
    )
    return _need(unit, f"the one-stop desk of {agency.name}")


#: English names of the demo steps and step actions (shown on English pages).
STEP_NAMES_EN: dict[str, str] = {
    "Tiếp nhận hồ sơ": "Receive the dossier",
    "Trả kết quả": "Return the result",
    "Lãnh đạo phòng kiểm tra": "Head of office checks",
    "Tra cứu Cơ sở dữ liệu hộ tịch điện tử, xác minh": (
        "Search the electronic civil-status database, verify"
    ),
    "Lãnh đạo Sở ký văn bản xác nhận": "Department leader signs the confirmation",
    "Phòng Đăng ký kinh doanh thẩm định": "Business Registration Office examines",
    "Trưởng phòng ký Giấy chứng nhận": "Head of office signs the certificate",
    "Công chức Tư pháp - Hộ tịch kiểm tra, ghi Sổ hộ tịch": (
        "Justice and civil-status officer checks, records in the civil-status book"
    ),
    "Chủ tịch UBND ký Giấy khai sinh": "Committee chair signs the birth certificate",
    "Công chức Tư pháp - Hộ tịch thẩm tra": "Justice and civil-status officer examines",
    "Phòng Tư pháp thành phố cho ý kiến (liên thông)": (
        "City Justice Office gives its opinion (inter-agency)"
    ),
    "Chủ tịch UBND ký Trích lục": "Committee chair signs the extract",
    "Công chức phụ trách đăng ký kinh doanh thẩm định": ("Business registration officer examines"),
    "Lãnh đạo UBND phường ký Giấy chứng nhận": "Ward committee leader signs the certificate",
    "Văn phòng đăng ký đất đai kiểm tra, chỉnh lý hồ sơ địa chính": (
        "Land Registration Office checks and updates the cadastral records"
    ),
    "Lãnh đạo phòng trình ký": "Head of office submits for signature",
    "Lãnh đạo ký Giấy chứng nhận": "Leader signs the certificate",
}
ACTION_NAMES_EN: dict[str, str] = {"Ký": "Sign", "Trình ký": "Submit for signature"}


def _step(
    name: str, unit: Unit, role: str, hours: str, *actions: str, action_name: str = ""
) -> StepSpec:
    return StepSpec(
        name=name,
        unit=unit,
        role_code=role,
        hours=Decimal(hours),
        actions=actions,
        action_name=action_name,
        name_en=STEP_NAMES_EN.get(name, ""),
        action_name_en=ACTION_NAMES_EN.get(action_name, ""),
    )


def _justice_record() -> tuple[str, Unit, list[StepSpec]]:
    """Xác nhận thông tin hộ tịch at Sở Tư pháp (the keeper of the electronic
    civil-status database), 3 working days."""
    justice = department("Tư pháp")
    desk = _desk(justice)
    return (
        "2.002516",
        justice,
        [
            _step("Tiếp nhận hồ sơ", desk, RoleCode.ONE_STOP_CLERK, "1.5", FWD, SUPPLEMENT),
            _step(
                "Tra cứu Cơ sở dữ liệu hộ tịch điện tử, xác minh",
                justice,
                RoleCode.SPECIALIST,
                "15",
                FWD,
                BACK,
                SUPPLEMENT,
                CONSULT,
            ),
            _step("Lãnh đạo phòng kiểm tra", justice, RoleCode.UNIT_HEAD, "3", FWD, BACK),
            _step(
                "Lãnh đạo Sở ký văn bản xác nhận",
                justice,
                RoleCode.AGENCY_LEADER,
                "1.5",
                APPROVE,
                BACK,
                action_name="Ký",
            ),
            _step("Trả kết quả", desk, RoleCode.ONE_STOP_CLERK, "1.5", FWD),
        ],
    )


def _finance_company() -> tuple[str, Unit, list[StepSpec]]:
    """Business registration is done by Sở Tài chính since the 2025 merger of
    Sở Kế hoạch và Đầu tư into it."""
    finance = department("Tài chính")
    desk = _desk(finance)
    return (
        "2.001583",
        finance,
        [
            _step("Tiếp nhận hồ sơ", desk, RoleCode.ONE_STOP_CLERK, "1.5", FWD, SUPPLEMENT),
            _step(
                "Phòng Đăng ký kinh doanh thẩm định",
                finance,
                RoleCode.SPECIALIST,
                "15",
                FWD,
                BACK,
                SUPPLEMENT,
            ),
            _step(
                "Trưởng phòng ký Giấy chứng nhận",
                finance,
                RoleCode.UNIT_HEAD,
                "4.5",
                APPROVE,
                action_name="Ký",
            ),
            _step("Trả kết quả", desk, RoleCode.ONE_STOP_CLERK, "1.5", FWD),
        ],
    )


def _ward_birth() -> tuple[str, Unit, list[StepSpec]]:
    ward = rach_gia_commune()
    desk = commune_one_stop()
    return (
        "1.001193",
        ward,
        [
            _step("Tiếp nhận hồ sơ", desk, RoleCode.ONE_STOP_CLERK, "0.75", FWD, SUPPLEMENT),
            _step(
                "Công chức Tư pháp - Hộ tịch kiểm tra, ghi Sổ hộ tịch",
                ward,
                RoleCode.SPECIALIST,
                "4.5",
                FWD,
                BACK,
                SUPPLEMENT,
            ),
            _step(
                "Chủ tịch UBND ký Giấy khai sinh",
                ward,
                RoleCode.AGENCY_LEADER,
                "1.5",
                APPROVE,
                action_name="Ký",
            ),
            _step("Trả kết quả", desk, RoleCode.ONE_STOP_CLERK, "0.75", FWD),
        ],
    )


def _ward_parentage() -> tuple[str, Unit, list[StepSpec]]:
    """Two units: the ward's specialist asks the city's Phòng Tư pháp (liên thông)."""
    ward = rach_gia_commune()
    desk = commune_one_stop()
    justice_office = _office(rach_gia(), "Phòng Tư pháp")
    return (
        "1.001022",
        ward,
        [
            _step("Tiếp nhận hồ sơ", desk, RoleCode.ONE_STOP_CLERK, "2", FWD, SUPPLEMENT),
            _step(
                "Công chức Tư pháp - Hộ tịch thẩm tra",
                ward,
                RoleCode.SPECIALIST,
                "6",
                FWD,
                BACK,
                SUPPLEMENT,
                CONSULT,
            ),
            _step(
                "Phòng Tư pháp thành phố cho ý kiến (liên thông)",
                justice_office,
                RoleCode.SPECIALIST,
                "7.5",
                CONSULT,
                FWD,
                BACK,
            ),
            _step(
                "Chủ tịch UBND ký Trích lục",
                ward,
                RoleCode.AGENCY_LEADER,
                "5",
                APPROVE,
                BACK,
                action_name="Ký",
            ),
            _step("Trả kết quả", desk, RoleCode.ONE_STOP_CLERK, "2", FWD),
        ],
    )


def _ward_household() -> tuple[str, Unit, list[StepSpec]]:
    """Business households are registered by the commune since 1 July 2025."""
    ward = rach_gia_commune()
    desk = commune_one_stop()
    return (
        "1.001612",
        ward,
        [
            _step("Tiếp nhận hồ sơ", desk, RoleCode.ONE_STOP_CLERK, "2", FWD, SUPPLEMENT),
            _step(
                "Công chức phụ trách đăng ký kinh doanh thẩm định",
                ward,
                RoleCode.SPECIALIST,
                "14",
                FWD,
                BACK,
                SUPPLEMENT,
            ),
            _step(
                "Lãnh đạo UBND phường ký Giấy chứng nhận",
                ward,
                RoleCode.AGENCY_LEADER,
                "4.5",
                APPROVE,
                BACK,
                action_name="Ký",
            ),
            _step("Trả kết quả", desk, RoleCode.ONE_STOP_CLERK, "2", FWD),
        ],
    )


def _land_change() -> tuple[str, Unit, list[StepSpec]]:
    """Land change registration by the provincial land registration office, 18
    working days (the page's limit for direct and online filing)."""
    land = department("Tài nguyên và Môi trường")
    desk = _desk(land)
    return (
        "1.013831",
        land,
        [
            _step("Tiếp nhận hồ sơ", desk, RoleCode.ONE_STOP_CLERK, "3.75", FWD, SUPPLEMENT),
            _step(
                "Văn phòng đăng ký đất đai kiểm tra, chỉnh lý hồ sơ địa chính",
                land,
                RoleCode.SPECIALIST,
                "112.5",
                FWD,
                BACK,
                SUPPLEMENT,
                CONSULT,
            ),
            _step(
                "Lãnh đạo phòng trình ký",
                land,
                RoleCode.UNIT_HEAD,
                "11.25",
                FWD,
                BACK,
                action_name="Trình ký",
            ),
            _step(
                "Lãnh đạo ký Giấy chứng nhận",
                land,
                RoleCode.AGENCY_LEADER,
                "3.75",
                APPROVE,
                BACK,
                action_name="Ký",
            ),
            _step("Trả kết quả", desk, RoleCode.ONE_STOP_CLERK, "3.75", FWD),
        ],
    )


DEMO_TEMPLATES: tuple[Callable[[], tuple[str, Unit, list[StepSpec]]], ...] = (
    _justice_record,
    _finance_company,
    _ward_birth,
    _ward_parentage,
    _ward_household,
    _land_change,
)


@dataclass
class DemoReport:
    catalogue: ImportReport
    templates_saved: int = 0
    templates_unchanged: int = 0
    templates: list[ProcessTemplate] = field(default_factory=list)


def load_demo_procedures(actor: Actor = None, *, dry_run: bool = False) -> DemoReport:
    """Import and publish the demo catalogue, then define the demo templates.
    Idempotent; raises ``DemoUnitMissing`` when the demo tree is not loaded."""
    fields, entries = read_json(catalogue_document())
    if dry_run:
        return DemoReport(
            catalogue=import_entries(actor, entries, fields=fields, publish=True, dry_run=True)
        )
    with transaction.atomic():
        report = DemoReport(catalogue=import_entries(actor, entries, fields=fields, publish=True))
        for build in DEMO_TEMPLATES:
            code, agency, steps = build()
            procedure = get_procedure(code)
            if procedure is None:  # pragma: no cover - the catalogue was just imported
                raise DemoUnitMissing(f"demo procedure {code} missing")
            before = ProcessTemplate.objects.filter(
                procedure=procedure, agency=agency, is_active=True
            ).first()
            template = define_process_template(actor, procedure, agency, steps)
            if before is not None and before.pk == template.pk:
                report.templates_unchanged += 1
            else:
                report.templates_saved += 1
            report.templates.append(template)
    return report


__all__ = [
    "CATALOGUE_FILE",
    "DEMO_TEMPLATES",
    "DemoReport",
    "DemoUnitMissing",
    "catalogue_document",
    "demo_procedures",
    "load_demo_procedures",
]
