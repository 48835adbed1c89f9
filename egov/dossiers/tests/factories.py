"""Test data for the dossier workflow: an organisation, staff with roles, a
procedure with its papers and a process template, and dossiers in any status.

Catalogue rows (ProcedureVersion, RequiredPaper, ProcessTemplate, ProcessStep) are
written with the ORM directly: the catalogue services are another module's, and
these tests are about the dossier workflow.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from egov.accounts import services as accounts
from egov.accounts.models import AccountKind, User
from egov.accounts.permissions import RoleCode
from egov.core.models import Unit, UnitLevel
from egov.core.services.units import create_unit
from egov.dossiers import services
from egov.dossiers.models import Channel, Dossier, Status
from egov.dossiers.services import ApplicantIn, PaperIn
from egov.procedures.models import (
    OnlineLevel,
    PaperForm,
    Procedure,
    ProcedureField,
    ProcedureVersion,
    ProcessStep,
    ProcessTemplate,
    RequiredPaper,
    TimeLimitUnit,
    VersionStatus,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str, clock: str = "08:00") -> datetime:
    """A local moment from ``"2026-03-02"`` and ``"08:00"``."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ)


class FrozenClock:
    """Stands in for ``services.inputs.now`` so tests decide when each move happens."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def set(self, moment: datetime) -> None:
        self.now = moment

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Org:
    province: Unit
    district: Unit  # UBND Thành phố Rạch Giá: the receiving agency
    desk: Unit  # its one-stop unit
    justice: Unit  # Phòng Tư pháp: the specialist division
    commune: Unit  # UBND Phường Vĩnh Thanh Vân: the other agency (liên thông)
    other_district: Unit  # UBND Huyện Châu Thành: outside everyone's scope


@dataclass
class Staff:
    clerk: User  # one-stop desk
    specialist: User  # Phòng Tư pháp
    head: User  # head of Phòng Tư pháp
    leader: User  # district leader (approves)
    commune_officer: User  # the consulted commune
    outsider: User  # clerk and specialist of another district
    citizen: User


@dataclass
class World:
    org: Org
    staff: Staff
    version: ProcedureVersion
    papers: list[RequiredPaper]
    template: ProcessTemplate | None


def build_org() -> Org:
    province = create_unit(
        None, None, code="000.00.00.H33", name="UBND tỉnh Kiên Giang", level=UnitLevel.PROVINCE
    )
    district = create_unit(
        None, province, code="000.00.33.H33", name="UBND Thành phố Rạch Giá", level="district"
    )
    desk = create_unit(
        None,
        district,
        code="000.01.33.H33",
        name="Bộ phận Một cửa Thành phố Rạch Giá",
        level=UnitLevel.INTERNAL,
        is_one_stop=True,
    )
    justice = create_unit(
        None,
        district,
        code="000.02.33.H33",
        name="Phòng Tư pháp Thành phố Rạch Giá",
        level=UnitLevel.DISTRICT_AGENCY,
    )
    commune = create_unit(
        None,
        district,
        code="001.33.00.H33",
        name="UBND Phường Vĩnh Thanh Vân",
        level=UnitLevel.COMMUNE,
    )
    other = create_unit(
        None, province, code="000.00.40.H33", name="UBND Huyện Châu Thành", level="district"
    )
    return Org(province, district, desk, justice, commune, other)


_names = itertools.count(1)


def staff_member(username: str, role: str, unit: Unit, full_name: str = "") -> User:
    return accounts.create_staff_account(
        None,
        username=username,
        full_name=full_name or username.replace(".", " ").title(),
        unit=unit,
        role_codes=[role],
    )


def build_staff(org: Org) -> Staff:
    outsider = staff_member("canbo.chauthanh", RoleCode.ONE_STOP_CLERK, org.other_district)
    accounts.assign_role(None, outsider, RoleCode.SPECIALIST, org.other_district)
    citizen = User.objects.create_user(
        "091090001234",
        None,
        full_name="Nguyễn Văn An",
        kind=AccountKind.CITIZEN,
        national_id="091090001234",
        phone="0912345678",
        email="an@example.vn",
    )
    return Staff(
        clerk=staff_member("motcua.rachgia", RoleCode.ONE_STOP_CLERK, org.desk, "Trần Thị Bình"),
        specialist=staff_member("tuphap.cv", RoleCode.SPECIALIST, org.justice, "Lê Văn Cường"),
        head=staff_member("tuphap.tp", RoleCode.UNIT_HEAD, org.justice, "Phạm Thị Dung"),
        leader=staff_member("ld.rachgia", RoleCode.AGENCY_LEADER, org.district, "Võ Văn Em"),
        commune_officer=staff_member(
            "cv.vinhthanhvan", RoleCode.SPECIALIST, org.commune, "Đỗ Thị Giang"
        ),
        outsider=outsider,
        citizen=citizen,
    )


DEFAULT_PAPERS: tuple[tuple[str, int, str, bool], ...] = (
    ("Tờ khai đăng ký khai sinh", 1, PaperForm.ORIGINAL, False),
    ("Giấy chứng sinh", 1, PaperForm.ORIGINAL, False),
    ("Bản sao Căn cước công dân của cha, mẹ", 2, PaperForm.CERTIFIED_COPY, False),
    ("Giấy xác nhận cư trú", 1, PaperForm.PHOTOCOPY, True),
)


def make_version(
    *,
    national_code: str = "1.001193",
    name: str = "Đăng ký khai sinh có yếu tố nước ngoài",
    time_limit: Decimal | int = 5,
    unit: str = TimeLimitUnit.WORKING_DAYS,
    papers: Sequence[tuple[str, int, str, bool]] = DEFAULT_PAPERS,
    fees: list[dict[str, Any]] | None = None,
    online_level: int = OnlineLevel.FULLY_ONLINE,
    agencies: Sequence[Unit] = (),
    status: str = VersionStatus.PUBLISHED,
) -> ProcedureVersion:
    field, _ = ProcedureField.objects.get_or_create(code="ho-tich", defaults={"name": "Hộ tịch"})
    procedure, _ = Procedure.objects.get_or_create(national_code=national_code)
    number = procedure.versions.count() + 1
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=number,
        status=status,
        name=name,
        field=field,
        levels=["district"],
        online_level=online_level,
        time_limit=Decimal(time_limit),
        time_limit_unit=unit,
        fees=fees if fees is not None else [{"name": "Lệ phí đăng ký", "amount": 50000}],
    )
    if agencies:
        version.agencies.set(agencies)
    for position, (paper, copies, form, optional) in enumerate(papers, start=1):
        RequiredPaper.objects.create(
            version=version,
            position=position,
            name=paper,
            copies=copies,
            form=form,
            is_optional=optional,
        )
    return version


def make_template(
    version: ProcedureVersion,
    agency: Unit,
    steps: Sequence[tuple[str, Unit, str, Decimal | int, Sequence[str]]],
) -> ProcessTemplate:
    template = ProcessTemplate.objects.create(procedure=version.procedure, agency=agency)
    for position, (name, unit, role, hours, actions) in enumerate(steps, start=1):
        ProcessStep.objects.create(
            template=template,
            position=position,
            name=name,
            unit=unit,
            role_code=role,
            hours=Decimal(hours),
            actions=list(actions),
        )
    return template


ALL_STEP_ACTIONS = ("forward", "send_back", "request_supplement", "consult", "approve")


def standard_template(version: ProcedureVersion, org: Org) -> ProcessTemplate:
    """Desk (4 h) → specialist of Phòng Tư pháp (24 h) → head (4 h) → leader (5.5 h):
    37.5 working hours = 5 working days."""
    return make_template(
        version,
        org.district,
        [
            ("Tiếp nhận, chuyển hồ sơ", org.desk, RoleCode.ONE_STOP_CLERK, 4, ("forward",)),
            ("Thẩm định hồ sơ", org.justice, RoleCode.SPECIALIST, 24, ALL_STEP_ACTIONS),
            ("Xem xét, trình ký", org.justice, RoleCode.UNIT_HEAD, 4, ALL_STEP_ACTIONS),
            (
                "Ký duyệt kết quả",
                org.district,
                RoleCode.AGENCY_LEADER,
                Decimal("5.5"),
                ("send_back", "approve"),
            ),
        ],
    )


def build_world(*, template: bool = True) -> World:
    org = build_org()
    staff = build_staff(org)
    version = make_version()
    return World(
        org=org,
        staff=staff,
        version=version,
        papers=list(version.papers.order_by("position")),
        template=standard_template(version, org) if template else None,
    )


def applicant(**overrides: Any) -> ApplicantIn:
    values: dict[str, Any] = {
        "name": "Nguyễn Thị Hoa",
        "id_number": "091190004321",
        "address": "12 Trần Phú, Phường Vĩnh Thanh Vân, Rạch Giá",
        "phone": "0297 3862 123",
        "email": "hoa@example.vn",
    }
    values.update(overrides)
    return ApplicantIn(**values)


def complete_papers(world: World) -> list[PaperIn]:
    """Every compulsory paper in the number and form required."""
    return [
        PaperIn(required_paper=paper.pk, copies=paper.copies, form=paper.form)
        for paper in world.papers
        if not paper.is_optional
    ]


def receive(world: World, received_at: datetime | None = None, **kwargs: Any) -> Dossier:
    values: dict[str, Any] = {
        "version": world.version,
        "agency": world.org.district,
        "channel": Channel.DESK,
        "applicant": applicant(),
        "papers": complete_papers(world),
        "received_at": received_at,
    }
    values.update(kwargs)
    return services.receive_dossier(world.staff.clerk, **values)


_codes = itertools.count(1)


def dossier_in_status(world: World, status: Status, **fields: Any) -> Dossier:
    """A dossier put straight into ``status`` with the fields that status implies
    (for table tests; real dossiers get there through the services)."""
    org = world.org
    received = at("2026-03-02", "08:00")
    values: dict[str, Any] = {
        "code": f"{org.district.code}-260302-{next(_codes) + 5000:04d}",
        "procedure_version": world.version,
        "receiving_agency": org.district,
        "receiving_unit": org.desk,
        "channel": Channel.DESK,
        "status": status,
        "applicant": world.staff.citizen,
        "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": "091090001234",
        "submitted_at": received,
        "current_unit": org.desk,
    }
    steps = list(world.template.steps.order_by("position")) if world.template else []
    if status != Status.SUBMITTED:
        values.update(
            received_at=received,
            due_at=at("2026-03-09", "08:00"),
            original_due_at=at("2026-03-09", "08:00"),
        )
    if status in (Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT):
        values.update(current_unit=org.justice, step_position=2, current_role=RoleCode.SPECIALIST)
        if steps:
            values["current_step"] = steps[1]
    if status == Status.RECEIVED:
        values.update(step_position=1, current_role=RoleCode.ONE_STOP_CLERK)
        if steps:
            values["current_step"] = steps[0]
    if status in (Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT):
        values.update(
            paused_at=at("2026-03-03", "08:00"),
            remaining_seconds=4 * 27000,
            status_before_pause=Status.PROCESSING,
            payment_requested=100000 if status == Status.AWAITING_PAYMENT else None,
        )
    if status in (Status.RESULT_READY, Status.RETURNED):
        values.update(resolved_at=at("2026-03-05", "10:00"), timeliness="early")
    if status == Status.RETURNED:
        values["returned_at"] = at("2026-03-06", "10:00")
    if status in (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED):
        values["closed_at"] = at("2026-03-06", "10:00")
    if status == Status.REFUSED:
        values.pop("received_at", None)
        values.pop("due_at", None)
        values.pop("original_due_at", None)
    values.update(fields)
    return Dossier.objects.create(**values)
