"""Approval chains are data: an agency's chain with an office step, the most
specific chain wins, and a chain that could never finish is refused."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from egov.accounts import services as accounts
from egov.accounts.models import User
from egov.accounts.permissions import RoleCode
from egov.documents.tests.factories import Org, Staff, person
from egov.outgoing import chains, services
from egov.outgoing.models import ApprovalChain, Status, StepScope
from egov.outgoing.services import StepIn
from egov.outgoing.tests.factories import make_draft

pytestmark = pytest.mark.django_db

OPERATOR = "platform_operator"


def _office_chain(org: Org, staff: Staff, *, type_code: str = "") -> ApprovalChain:
    admin = User.objects.filter(username="qt.stp").first() or person(
        "qt.stp", RoleCode.AGENCY_ADMIN, org.dept, "Quản trị Sở"
    )
    return services.set_chain(
        admin,
        agency=org.dept,
        type_code=type_code,
        name="Sở Tư pháp: phòng → văn phòng → giám đốc",
        steps=[
            StepIn("Trưởng phòng xem xét", RoleCode.UNIT_HEAD, StepScope.DRAFTING_UNIT),
            StepIn(
                "Văn phòng kiểm tra thể thức",
                RoleCode.UNIT_HEAD,
                StepScope.UNIT,
                unit=org.dept_office,
            ),
            StepIn("Giám đốc duyệt ký", RoleCode.AGENCY_LEADER, StepScope.AGENCY, signs=True),
        ],
    )


def test_an_agency_chain_with_an_office_step_is_walked(org: Org, staff: Staff) -> None:
    _office_chain(org, staff)
    office_head = person("cvp.stp", RoleCode.UNIT_HEAD, org.dept_office, "Chánh Văn phòng")
    document = make_draft(org, staff)
    document = services.submit(staff.specialist, document, expected_version=1)
    document = services.approve(staff.head, document, expected_version=document.lock_version)
    step = chains.current_step(document)
    assert step is not None and step.name == "Văn phòng kiểm tra thể thức"
    assert list(chains.people_for(step, document)) == [office_head]
    # The division head holds the same role, but not in the office.
    with pytest.raises(PermissionDenied):
        services.approve(staff.head, document, expected_version=document.lock_version)
    document = services.approve(office_head, document, expected_version=document.lock_version)
    document = services.approve(staff.leader, document, expected_version=document.lock_version)
    assert document.status == Status.APPROVED


def test_the_most_specific_active_chain_applies(org: Org, staff: Staff) -> None:
    default = chains.chain_for(org.dept, "quyet-dinh")
    assert default is not None and default.agency is None
    agency_chain = _office_chain(org, staff)
    assert chains.chain_for(org.dept, "quyet-dinh") == agency_chain
    assert chains.chain_for(org.other, "quyet-dinh") == default
    typed = _office_chain(org, staff, type_code="quyet-dinh")
    assert chains.chain_for(org.dept, "quyet-dinh") == typed
    assert chains.chain_for(org.dept, "cong-van") == agency_chain


def test_replacing_a_chain_keeps_documents_on_the_one_they_started(org: Org, staff: Staff) -> None:
    document = make_draft(org, staff)
    document = services.submit(staff.specialist, document, expected_version=1)
    started_on = document.chain
    _office_chain(org, staff)
    document = services.approve(staff.head, document, expected_version=document.lock_version)
    assert document.chain == started_on and document.step_position == 2
    assert started_on is not None
    started_on.refresh_from_db()
    assert started_on.is_active  # the default chain; only the agency's own was added


@pytest.mark.parametrize(
    ("steps", "field"),
    [
        ([], "steps"),
        ([StepIn("A", "no_such_role", StepScope.AGENCY, signs=True)], "steps[1].role_code"),
        ([StepIn("A", RoleCode.UNIT_HEAD, StepScope.UNIT, signs=True)], "steps[1].unit"),
        ([StepIn("A", RoleCode.UNIT_HEAD, StepScope.DRAFTING_UNIT)], "steps"),
        (
            [
                StepIn("A", RoleCode.AGENCY_LEADER, StepScope.AGENCY, signs=True),
                StepIn("B", RoleCode.UNIT_HEAD, StepScope.DRAFTING_UNIT),
            ],
            "steps",
        ),
    ],
)
def test_a_chain_that_cannot_finish_is_refused(
    org: Org, staff: Staff, steps: list[StepIn], field: str
) -> None:
    operator = person("vh.tttt", OPERATOR, org.province, "Vận hành")
    with pytest.raises(ValidationError) as refused:
        services.set_chain(operator, agency=None, type_code="", name="Mới", steps=steps)
    assert field in refused.value.message_dict


def test_only_the_agency_admin_or_operator_edits_chains(org: Org, staff: Staff) -> None:
    steps = [StepIn("Ký", RoleCode.AGENCY_LEADER, StepScope.AGENCY, signs=True)]
    with pytest.raises(PermissionDenied):
        services.set_chain(staff.leader, agency=org.dept, type_code="", name="X", steps=steps)
    admin = person("qt.stc", RoleCode.AGENCY_ADMIN, org.other, "Quản trị Sở Tài chính")
    with pytest.raises(PermissionDenied):
        services.set_chain(admin, agency=org.dept, type_code="", name="X", steps=steps)
    accounts.assign_role(None, admin, RoleCode.AGENCY_ADMIN, org.dept)
    assert services.set_chain(admin, agency=org.dept, type_code="", name="X", steps=steps)


def test_the_operator_replaces_a_chain_from_a_file(org: Org, staff: Staff, tmp_path: Any) -> None:
    path = tmp_path / "chain.json"
    path.write_text(
        json.dumps(
            {
                "agency": org.dept.code,
                "name": "Sở Tư pháp: văn phòng rồi giám đốc",
                "steps": [
                    {
                        "name": "Văn phòng",
                        "role_code": "unit_head",
                        "scope": "unit",
                        "unit": org.dept_office.code,
                    },
                    {
                        "name": "Giám đốc",
                        "role_code": "agency_leader",
                        "scope": "agency",
                        "signs": True,
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("set_approval_chain", str(path), stdout=out)
    chain = chains.chain_for(org.dept, "quyet-dinh")
    assert chain is not None and chain.name == "Sở Tư pháp: văn phòng rồi giám đốc"
    assert [s.unit for s in chains.steps_of(chain)] == [org.dept_office, None]
    path.write_text(json.dumps({"name": "Hỏng", "steps": []}), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("set_approval_chain", str(path), stdout=out)
