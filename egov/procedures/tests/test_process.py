"""Process templates (quy trình nội bộ): validation, replacement, default process."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from egov.accounts.models import User
from egov.accounts.permissions import RoleCode
from egov.core.models import AuditEntry, Unit
from egov.core.services.units import dissolve_unit
from egov.procedures import services
from egov.procedures.models import ProcedureVersion, ProcessStep, ProcessTemplate, StepAction
from egov.procedures.selectors import (
    StepSpec,
    active_process,
    consult_candidates,
    default_process_steps,
    manageable_agencies,
    process_steps,
    step_hours_for,
    time_limit_hours,
)
from egov.procedures.tests.factories import MakeUser, Org

pytestmark = pytest.mark.django_db

FWD = StepAction.FORWARD.value
BACK = StepAction.SEND_BACK.value
SUPP = StepAction.REQUEST_SUPPLEMENT.value
CONSULT = StepAction.CONSULT.value
APPROVE = StepAction.APPROVE.value


def step(name: str, unit: Unit, role: str, hours: str, *actions: str) -> StepSpec:
    return StepSpec(name, unit, role, Decimal(hours), actions)


def record_steps(org: Org, *, specialist_hours: str = "52.5") -> list[StepSpec]:
    """Cấp Phiếu LLTP at Sở Tư pháp: 10 working days = 75 working hours."""
    clerk, desk, justice = RoleCode.ONE_STOP_CLERK, org.justice_desk, org.justice
    return [
        step("Tiếp nhận hồ sơ", desk, clerk, "3.75", FWD, SUPP),
        step("Thẩm định", justice, RoleCode.SPECIALIST, specialist_hours, FWD, BACK),
        step("Lãnh đạo phòng duyệt", justice, RoleCode.UNIT_HEAD, "7.5", FWD, BACK),
        step("Lãnh đạo Sở ký", justice, RoleCode.AGENCY_LEADER, "7.5", APPROVE, BACK),
        step("Trả kết quả", desk, clerk, "3.75", FWD),
    ]


def test_agency_admin_defines_a_process(
    org: Org, criminal_record: ProcedureVersion, justice_admin: User
) -> None:
    template = services.define_process_template(
        justice_admin, criminal_record.procedure, org.justice, record_steps(org)
    )
    found = active_process(criminal_record.procedure, org.justice)
    assert found == template
    steps = list(found.steps.all())
    assert [s.position for s in steps] == [1, 2, 3, 4, 5]
    assert [s.role_code for s in steps][:2] == [RoleCode.ONE_STOP_CLERK, RoleCode.SPECIALIST]
    assert steps[0].unit == org.justice_desk
    assert steps[3].actions == [APPROVE, BACK]
    assert sum(s.hours for s in steps) == time_limit_hours(criminal_record) == Decimal(75)
    entry = AuditEntry.objects.get(action="procedures.process_define")
    assert entry.actor == justice_admin
    assert entry.unit == org.justice
    assert entry.changes["steps"][0] is None
    assert entry.changes["steps"][1][1]["unit"] == org.justice.code


def test_active_process_prefetches_steps(
    org: Org, criminal_record: ProcedureVersion, django_assert_num_queries: object
) -> None:
    services.define_process_template(
        None, criminal_record.procedure, org.justice, record_steps(org)
    )
    with django_assert_num_queries(2):  # type: ignore[operator]
        template = active_process(criminal_record.procedure, org.justice)
        assert template is not None
        names = [(step.name, step.unit.name) for step in template.steps.all()]
    assert names[0] == ("Tiếp nhận hồ sơ", "Bộ phận Một cửa Sở Tư pháp")


def test_redefining_replaces_the_active_template_and_keeps_the_old_one(
    org: Org, criminal_record: ProcedureVersion
) -> None:
    first = services.define_process_template(
        None, criminal_record.procedure, org.justice, record_steps(org)
    )
    same = services.define_process_template(
        None, criminal_record.procedure, org.justice, record_steps(org)
    )
    assert same == first  # nothing changed, nothing saved
    assert AuditEntry.objects.filter(action="procedures.process_define").count() == 1

    shorter = record_steps(org)
    shorter = [*shorter[:2], shorter[3], shorter[4]]  # no unit head step
    shorter[1] = StepSpec("Thẩm định", org.justice, RoleCode.SPECIALIST, Decimal(60), (FWD, BACK))
    second = services.define_process_template(None, criminal_record.procedure, org.justice, shorter)
    first.refresh_from_db()
    assert not first.is_active
    assert second.is_active
    assert ProcessStep.objects.filter(template=first).count() == 5  # kept for old dossiers
    assert [s.position for s in second.steps.all()] == [1, 2, 3, 4]
    assert active_process(criminal_record.procedure, org.justice) == second


def test_hours_must_add_up_to_the_legal_limit(org: Org, criminal_record: ProcedureVersion) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.define_process_template(
            None,
            criminal_record.procedure,
            org.justice,
            record_steps(org, specialist_hours="50"),
        )
    assert caught.value.message_dict == {
        "__all__": [
            "The steps add up to 72.5 working hours but the legal time limit is 75 working "
            "hours: the hours must add up exactly."
        ]
    }
    assert not ProcessTemplate.objects.exists()


def test_each_step_is_checked(org: Org, criminal_record: ProcedureVersion) -> None:
    steps = record_steps(org)
    steps[0] = StepSpec("", org.justice_desk, "thu_ky", Decimal("3.75"), ())
    steps[1] = StepSpec("Thẩm định", org.planning, RoleCode.SPECIALIST, Decimal("52.5"), (FWD,))
    steps[2] = StepSpec("Duyệt", org.justice, RoleCode.UNIT_HEAD, Decimal("-1"), ("fly",))
    steps[3] = StepSpec("Ký", org.justice, RoleCode.AGENCY_LEADER, Decimal("7.555"), (APPROVE,))
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.define_process_template(None, criminal_record.procedure, org.justice, steps)
    errors = caught.value.message_dict
    assert errors["steps[0].name"] == ["Give the step a name."]
    assert errors["steps[0].role_code"] == ["No role with the code thu_ky."]
    assert errors["steps[0].actions"] == ["Allow at least one action."]
    assert errors["steps[1].unit"][0].startswith("Sở Kế hoạch và Đầu tư is outside Sở Tư pháp")
    assert errors["steps[2].hours"] == ["Must be a number of hours above 0."]
    assert errors["steps[2].actions"] == ["Unknown actions: fly."]
    assert errors["steps[3].hours"] == ["At most two decimals (e.g. 3.75)."]
    assert "__all__" not in errors  # the total is only judged once every step's hours are valid


def test_a_consult_step_may_sit_at_another_agency(
    org: Org, birth: ProcedureVersion, make_staff: MakeUser
) -> None:
    """Commune one-stop → commune specialist → district Phòng Tư pháp (liên thông)."""
    clerk, desk, ward = RoleCode.ONE_STOP_CLERK, org.vinh_thanh_desk, org.vinh_thanh
    steps = [
        step("Tiếp nhận", desk, clerk, "0.75", FWD),
        step("Công chức tư pháp - hộ tịch", ward, RoleCode.SPECIALIST, "2", FWD, CONSULT),
        step("Phòng Tư pháp cho ý kiến", org.rach_gia_justice, RoleCode.SPECIALIST, "2.5", CONSULT),
        step("Chủ tịch UBND phường ký", ward, RoleCode.AGENCY_LEADER, "1.5", APPROVE),
        step("Trả kết quả", desk, clerk, "0.75", FWD),
    ]
    template = services.define_process_template(None, birth.procedure, org.vinh_thanh, steps)
    units = [step.unit for step in template.steps.all()]
    assert org.rach_gia_justice in units
    assert org.rach_gia_justice in consult_candidates(org.vinh_thanh)
    assert org.vinh_quang not in consult_candidates(org.vinh_thanh)  # other communes left out
    assert org.vinh_thanh not in consult_candidates(org.vinh_thanh)


def test_process_needs_a_published_procedure_the_agency_carries_out(
    org: Org, criminal_record: ProcedureVersion
) -> None:
    steps = record_steps(org)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.define_process_template(None, criminal_record.procedure, org.planning, steps)
    assert caught.value.message_dict["__all__"][0] == (
        "Sở Kế hoạch và Đầu tư does not carry out procedure 2.000488."
    )
    draft = services.new_version_from(None, criminal_record)
    services.delete_draft(None, draft)
    dissolve_unit(None, org.justice_desk)
    org.justice_desk.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.define_process_template(None, criminal_record.procedure, org.justice, steps)
    assert "steps[0].unit" in caught.value.message_dict


def test_only_the_agency_administrators_define_its_process(
    org: Org,
    criminal_record: ProcedureVersion,
    rach_gia_admin: User,
    specialist: User,
    justice_admin: User,
    operator: User,
) -> None:
    for user in (rach_gia_admin, specialist):
        with pytest.raises(PermissionDenied):
            services.define_process_template(
                user, criminal_record.procedure, org.justice, record_steps(org)
            )
    services.define_process_template(
        operator, criminal_record.procedure, org.justice, record_steps(org)
    )
    assert list(manageable_agencies(justice_admin, criminal_record)) == [org.justice]
    assert list(manageable_agencies(rach_gia_admin, criminal_record)) == []
    assert list(manageable_agencies(operator, criminal_record)) == [org.justice]


def test_default_process_adds_up_and_uses_the_one_stop_desk(
    org: Org, birth: ProcedureVersion, criminal_record: ProcedureVersion
) -> None:
    short = default_process_steps(birth, org.vinh_thanh)
    assert [s.role_code for s in short] == [
        RoleCode.ONE_STOP_CLERK,
        RoleCode.SPECIALIST,
        RoleCode.AGENCY_LEADER,
        RoleCode.ONE_STOP_CLERK,
    ]
    assert [s.hours for s in short] == [
        Decimal("0.75"),
        Decimal("4.50"),
        Decimal("1.50"),
        Decimal("0.75"),
    ]
    assert short[0].unit == org.vinh_thanh_desk
    assert short[1].unit == org.vinh_thanh
    long = default_process_steps(criminal_record, org.justice)
    assert [s.hours for s in long] == [
        Decimal("3.75"),
        Decimal("60.00"),
        Decimal("7.50"),
        Decimal("3.75"),
    ]
    # no desk of its own: the agency receives itself
    assert default_process_steps(birth, org.minh_luong)[0].unit == org.minh_luong
    # and it passes the template validation
    services.define_process_template(None, birth.procedure, org.vinh_thanh, short)


def test_ensure_active_process_saves_the_default_once(org: Org, birth: ProcedureVersion) -> None:
    assert process_steps(birth, org.vinh_quang) == default_process_steps(birth, org.vinh_quang)
    assert not ProcessTemplate.objects.exists()  # reading saves nothing
    template = services.ensure_active_process(birth, org.vinh_quang)
    again = services.ensure_active_process(birth, org.vinh_quang)
    assert template == again
    assert ProcessTemplate.objects.count() == 1
    assert template.steps.count() == 4
    entry = AuditEntry.objects.get(action="procedures.process_default")
    assert entry.actor is None
    assert entry.unit == org.vinh_quang


def test_step_hours_scale_when_a_new_version_changes_the_limit(
    org: Org, criminal_record: ProcedureVersion
) -> None:
    template = services.define_process_template(
        None, criminal_record.procedure, org.justice, record_steps(org)
    )
    hours = step_hours_for(template, criminal_record)
    assert list(hours.values()) == [Decimal(x) for x in ("3.75", "52.5", "7.5", "7.5", "3.75")]
    draft = services.new_version_from(None, criminal_record)
    services.update_draft(None, draft, time_limit="5")
    newer = services.publish_version(None, draft)
    scaled = list(step_hours_for(template, newer).values())
    assert sum(scaled) == Decimal("37.50")
    assert scaled[:4] == [Decimal("1.88"), Decimal("26.25"), Decimal("3.75"), Decimal("3.75")]


def test_a_step_names_its_main_action_and_renaming_it_is_a_new_template(
    org: Org, criminal_record: ProcedureVersion
) -> None:
    steps = record_steps(org)
    steps[3] = StepSpec(
        steps[3].name, steps[3].unit, steps[3].role_code, steps[3].hours, steps[3].actions, " Ký "
    )
    first = services.define_process_template(None, criminal_record.procedure, org.justice, steps)
    assert [s.action_name for s in first.steps.all()] == ["", "", "", "Ký", ""]
    assert (
        services.define_process_template(None, criminal_record.procedure, org.justice, steps)
        == first
    )  # the same steps: nothing saved
    steps[3] = StepSpec(
        steps[3].name, steps[3].unit, steps[3].role_code, steps[3].hours, steps[3].actions, "Ký số"
    )
    second = services.define_process_template(None, criminal_record.procedure, org.justice, steps)
    assert second != first
    assert second.steps.get(position=4).action_name == "Ký số"
    steps[3] = StepSpec(
        steps[3].name, steps[3].unit, steps[3].role_code, steps[3].hours, steps[3].actions, "K" * 81
    )
    with pytest.raises(ValidationError) as caught:
        services.define_process_template(None, criminal_record.procedure, org.justice, steps)
    assert "steps[3].action_name" in caught.value.message_dict


def test_the_default_process_names_each_steps_main_action(
    org: Org, birth: ProcedureVersion
) -> None:
    names = [s.action_name for s in default_process_steps(birth, org.justice)]
    assert names == ["Chuyển xử lý", "Chuyển kết quả thẩm định", "Phê duyệt", "Xác nhận có kết quả"]
