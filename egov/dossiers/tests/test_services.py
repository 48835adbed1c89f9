"""The dossier services: receipt at the desk, the walk through the process, the
clock stopping and restarting, payment, liên thông, result and return."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from egov.accounts.permissions import RoleCode
from egov.core.models import AuditEntry, Sequence
from egov.core.workcalendar import get_calendar
from egov.dossiers import services
from egov.dossiers.errors import (
    IdempotencyKeyReused,
    IncompleteDossier,
    StaleDossier,
    TransitionNotAllowed,
)
from egov.dossiers.models import (
    ApologyLetter,
    Channel,
    Dossier,
    DossierEvent,
    DossierPaper,
    Status,
    Timeliness,
)
from egov.dossiers.services import PaperIn
from egov.dossiers.tests.factories import (
    FrozenClock,
    World,
    applicant,
    at,
    build_world,
    complete_papers,
    make_version,
    receive,
    staff_member,
)
from egov.procedures.models import PaperForm, TimeLimitUnit

pytestmark = pytest.mark.django_db

CODE = re.compile(r"^000\.00\.33\.H33-\d{6}-\d{4}$")


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen = FrozenClock(at("2026-03-02", "08:00"))
    monkeypatch.setattr(services.inputs, "now", frozen)
    return frozen


def audit_actions(dossier: Dossier) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="dossiers.dossier", object_id=str(dossier.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- the whole walk --------------------------------------------------------------------


def test_desk_receipt_through_two_units_supplement_payment_to_returned(
    world: World, clock: FrozenClock
) -> None:
    org, staff = world.org, world.staff
    dossier = receive(world, received_at=at("2026-03-02", "08:00"))

    # Receipt: code, status 2, 5 working days from Monday 08:00, first step at the desk.
    assert dossier.code == "000.00.33.H33-260302-0001"
    assert dossier.status == Status.RECEIVED
    assert dossier.received_at == at("2026-03-02", "08:00")
    assert dossier.due_at == at("2026-03-09", "08:00")
    assert dossier.original_due_at == dossier.due_at
    assert dossier.fee_amount == 50000
    assert dossier.current_unit == org.desk
    assert dossier.step_position == 1
    assert dossier.current_step == world.template.steps.get(position=1)  # type: ignore[union-attr]
    # 4 working hours from 08:00: 3.5 h in the morning, 0.5 h after 13:30.
    assert dossier.step_due_at == at("2026-03-02", "14:00")
    assert dossier.version == 1
    assert dossier.papers.count() == 3

    # The desk hands it to the specialist of Phòng Tư pháp.
    clock.set(at("2026-03-02", "09:00"))
    services.forward(
        staff.clerk, dossier, expected_version=1, to_user=staff.specialist, note="Chuyển thẩm định"
    )
    assert dossier.status == Status.PROCESSING
    assert dossier.current_unit == org.justice
    assert dossier.current_assignee == staff.specialist
    assert dossier.step_position == 2
    assert dossier.step_due_at == at("2026-03-05", "10:30")  # 24 working hours later
    handover = dossier.events.get(action="forward")
    assert handover.actor == staff.clerk
    assert handover.to_user == staff.specialist
    assert handover.from_unit == org.desk
    assert handover.to_unit == org.justice
    assert handover.at == at("2026-03-02", "09:00")
    assert handover.step_due_at == dossier.step_due_at

    # Liên thông: the commune is asked and answers; both sides are in the history.
    clock.set(at("2026-03-03", "09:00"))
    services.consult_agency(
        staff.specialist,
        dossier,
        expected_version=2,
        other_agency=org.commune,
        note="Xác minh nơi cư trú",
    )
    assert dossier.current_unit == org.commune
    assert dossier.consult_origin_unit == org.justice
    with pytest.raises(TransitionNotAllowed):
        services.forward(staff.specialist, dossier, expected_version=3)
    clock.set(at("2026-03-04", "09:00"))
    services.answer_consultation(
        staff.commune_officer, dossier, expected_version=3, note="Đã xác minh, đúng nơi cư trú"
    )
    assert dossier.current_unit == org.justice
    assert dossier.consult_origin_unit is None
    consult, answer = dossier.events.filter(action__in=["consult", "answer_consultation"])
    assert (consult.from_unit, consult.to_unit) == (org.justice, org.commune)
    assert (answer.from_unit, answer.to_unit) == (org.commune, org.justice)
    assert answer.actor == staff.commune_officer

    # Supplement: the clock stops with 20.5 working hours left...
    clock.set(at("2026-03-04", "10:00"))
    services.request_supplement(
        staff.specialist,
        dossier,
        expected_version=4,
        missing_papers=["Giấy xác nhận cư trú"],
        reason="Thiếu giấy xác nhận cư trú",
    )
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert dossier.paused_at == at("2026-03-04", "10:00")
    assert dossier.remaining_seconds == int(20.5 * 3600)
    assert dossier.status_before_pause == Status.PROCESSING
    # ...and restarts two working days later: the appointment moves by those two days.
    clock.set(at("2026-03-06", "10:00"))
    services.receive_supplement(
        staff.clerk,
        dossier,
        expected_version=5,
        papers=[PaperIn(required_paper=world.papers[3].pk, copies=1)],
    )
    assert dossier.status == Status.PROCESSING
    assert dossier.paused_at is None
    assert dossier.remaining_seconds is None
    assert dossier.due_at == at("2026-03-11", "08:00")
    assert dossier.original_due_at == at("2026-03-09", "08:00")
    assert dossier.step_due_at == at("2026-03-09", "10:30")
    resumed = dossier.events.get(action="receive_supplement")
    assert resumed.data["paused_working_seconds"] == 15 * 3600
    assert dossier.papers.count() == 4

    # The specialist passes it to the head, who asks for taxes and fees.
    clock.set(at("2026-03-06", "11:00"))
    services.forward(staff.specialist, dossier, expected_version=6, to_user=staff.head)
    clock.set(at("2026-03-06", "14:00"))
    services.request_payment(staff.head, dossier, expected_version=7, amount=100000)
    assert dossier.status == Status.AWAITING_PAYMENT
    assert dossier.payment_requested == 100000
    # The payment platform confirms the next morning (no person: actor None).
    clock.set(at("2026-03-09", "07:30"))
    services.confirm_payment(None, dossier, expected_version=8, amount=100000, reference="PAY-1")
    assert dossier.status == Status.PROCESSING
    # 14:00 Friday → 07:30 Monday: 3 working hours stopped.
    assert dossier.due_at == at("2026-03-11", "11:00")

    clock.set(at("2026-03-09", "08:00"))
    services.forward(staff.head, dossier, expected_version=9, to_user=staff.leader)
    assert dossier.current_unit == org.district
    clock.set(at("2026-03-10", "09:00"))
    services.mark_result_ready(
        staff.leader,
        dossier,
        expected_version=10,
        result_papers=[PaperIn(name="Giấy khai sinh (bản chính)", copies=1)],
    )
    assert dossier.status == Status.RESULT_READY
    assert dossier.resolved_at == at("2026-03-10", "09:00")
    assert dossier.timeliness == Timeliness.EARLY
    assert dossier.current_unit == org.desk
    assert dossier.papers.filter(is_result=True).count() == 1

    clock.set(at("2026-03-11", "08:30"))
    services.return_result(staff.clerk, dossier, expected_version=11)
    assert dossier.status == Status.RETURNED
    assert dossier.returned_at == at("2026-03-11", "08:30")
    assert dossier.closed_at == dossier.returned_at
    assert dossier.version == 12

    stored = Dossier.objects.get(pk=dossier.pk)
    assert stored.status == Status.RETURNED and stored.version == 12
    assert list(stored.events.values_list("to_status", flat=True)) == [
        2, 4, 4, 4, 5, 4, 4, 6, 4, 4, 9, 10,
    ]  # fmt: skip
    assert audit_actions(dossier) == [
        "dossier.receive",
        "dossier.forward",
        "dossier.consult",
        "dossier.answer_consultation",
        "dossier.request_supplement",
        "dossier.receive_supplement",
        "dossier.forward",
        "dossier.request_payment",
        "dossier.confirm_payment",
        "dossier.forward",
        "dossier.result_ready",
        "dossier.return_result",
    ]
    entry = AuditEntry.objects.filter(action="dossier.forward").order_by("id").first()
    assert entry is not None and entry.changes["status"] == [2, 4]
    payment = AuditEntry.objects.get(action="dossier.confirm_payment")
    assert payment.actor is None and payment.changes["reference"] == "PAY-1"


def test_default_process_when_the_agency_has_no_template(clock: FrozenClock) -> None:
    """Without a template, the catalogue's default applies: desk → specialist of the
    agency → leader → return at the desk."""
    world = build_world(template=False)
    staff = world.staff
    district_specialist = staff_member("cv.rachgia", RoleCode.SPECIALIST, world.org.district)
    expected = [
        (step.unit, step.role_code) for step in services.plan_for(world.version, world.org.district)
    ]
    assert expected == [
        (world.org.desk, RoleCode.ONE_STOP_CLERK),
        (world.org.district, RoleCode.SPECIALIST),
        (world.org.district, RoleCode.AGENCY_LEADER),
        (world.org.desk, RoleCode.ONE_STOP_CLERK),
    ]
    dossier = receive(world, received_at=at("2026-03-02", "08:00"))
    assert dossier.current_step is None
    assert dossier.step_position == 1
    assert dossier.current_unit == world.org.desk
    first = services.plan_for(world.version, world.org.district)[0]
    assert dossier.step_due_at == world_calendar_add(at("2026-03-02", "08:00"), first.hours)
    services.forward(staff.clerk, dossier, expected_version=1)
    assert dossier.current_unit == world.org.district
    assert dossier.current_role == RoleCode.SPECIALIST
    assert dossier.events.last().data["step_name"]  # type: ignore[union-attr]
    # The specialist of Phòng Tư pháp has no role in the district itself, and the
    # leader lacks dossiers.process.
    for outsider in (staff.specialist, staff.leader):
        with pytest.raises(PermissionDenied):
            services.forward(outsider, dossier, expected_version=2)
    services.forward(district_specialist, dossier, expected_version=2)
    # Only returning the result at the desk is left: the leader's approval makes the
    # result ready (status 9) and sends it to the desk.
    services.mark_result_ready(staff.leader, dossier, expected_version=3)
    assert dossier.status == Status.RESULT_READY
    assert dossier.current_unit == world.org.desk
    services.return_result(staff.clerk, dossier, expected_version=4)
    assert dossier.status == Status.RETURNED


def test_approving_forwards_to_the_return_step_at_the_desk() -> None:
    world = build_world(template=False)
    district_specialist = staff_member("cv.rachgia", RoleCode.SPECIALIST, world.org.district)
    dossier = receive(world)
    services.forward(world.staff.clerk, dossier, expected_version=1)
    services.forward(district_specialist, dossier, expected_version=2)
    # The leader's step lists "approve" (not "forward"): approving passes it on.
    services.forward(world.staff.leader, dossier, expected_version=3)
    assert (dossier.status, dossier.step_position) == (Status.PROCESSING, 4)
    assert dossier.current_unit == world.org.desk
    with pytest.raises(TransitionNotAllowed):
        services.forward(world.staff.clerk, dossier, expected_version=4)
    services.mark_result_ready(world.staff.clerk, dossier, expected_version=4)
    assert dossier.status == Status.RESULT_READY


def world_calendar_add(start: datetime, hours: Decimal) -> datetime:
    return get_calendar().add_working_hours(start, hours)


# --- receipt ------------------------------------------------------------------------------


def test_receipt_after_hours_counts_from_the_next_working_morning(world: World) -> None:
    # Friday 18:00: counting starts Monday 07:30; 5 working days later, Monday again.
    dossier = receive(world, received_at=at("2026-03-06", "18:00"))
    assert dossier.code.endswith("-260306-0001")
    assert dossier.due_at == at("2026-03-16", "07:30")


def test_hour_limits_and_fractional_days(world: World) -> None:
    hours = make_version(national_code="2.000001", time_limit=8, unit=TimeLimitUnit.WORKING_HOURS)
    half = make_version(national_code="2.000002", time_limit=Decimal("0.5"))
    received = at("2026-03-02", "08:00")
    for version, due in ((hours, at("2026-03-03", "08:30")), (half, at("2026-03-02", "13:45"))):
        dossier = receive(
            world,
            received_at=received,
            version=version,
            papers=[
                PaperIn(required_paper=p.pk, copies=p.copies, form=p.form)
                for p in version.papers.filter(is_optional=False)
            ],
        )
        assert dossier.due_at == due


def test_incomplete_papers_raise_and_write_nothing(world: World) -> None:
    papers = [
        PaperIn(required_paper=world.papers[0].pk, copies=1),
        # Two certified copies required: one given.
        PaperIn(required_paper=world.papers[2].pk, copies=1, form=PaperForm.CERTIFIED_COPY),
    ]
    before = (Dossier.objects.count(), AuditEntry.objects.count(), Sequence.objects.count())
    with pytest.raises(IncompleteDossier) as caught:
        receive(world, papers=papers)
    missing = {paper.name: paper.reason for paper in caught.value.missing}
    assert missing == {
        "Giấy chứng sinh": "missing",
        "Bản sao Căn cước công dân của cha, mẹ": "not_enough_copies",
    }
    assert caught.value.code == "incomplete_dossier"
    assert (Dossier.objects.count(), AuditEntry.objects.count(), Sequence.objects.count()) == before


def test_a_photocopy_does_not_replace_an_original_but_names_match(world: World) -> None:
    papers = [
        PaperIn(name="tờ khai đăng ký khai sinh ", copies=1, form=PaperForm.PHOTOCOPY),
        PaperIn(name="Giấy chứng sinh", copies=1),
        PaperIn(required_paper=world.papers[2].pk, copies=2, form=PaperForm.ORIGINAL),
        PaperIn(name="Ảnh chân dung", copies=2),
    ]
    with pytest.raises(IncompleteDossier) as caught:
        receive(world, papers=papers)
    assert [(m.name, m.reason) for m in caught.value.missing] == [
        ("Tờ khai đăng ký khai sinh", "wrong_form")
    ]
    papers[0] = PaperIn(name="Tờ khai đăng ký khai sinh", copies=1)
    dossier = receive(world, papers=papers)
    names = list(dossier.papers.values_list("name", "required_paper_id"))
    assert ("Ảnh chân dung", None) in names
    assert len(names) == 4


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "  "}, "applicant.name"),
        ({"id_number": "12345"}, "applicant.id_number"),
        ({"id_number": ""}, "applicant.id_number"),
        ({"phone": "12"}, "applicant.phone"),
        ({"email": "not-an-email"}, "applicant.email"),
    ],
)
def test_applicant_is_validated(world: World, overrides: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        receive(world, applicant=applicant(**overrides))
    assert field in caught.value.message_dict
    assert not Dossier.objects.exists()


def test_tax_codes_are_accepted_and_phones_normalised(world: World) -> None:
    dossier = receive(world, applicant=applicant(id_number="0312345678-001", phone="0297.3862.123"))
    assert dossier.applicant_id_number == "0312345678-001"
    assert dossier.applicant_phone == "02973862123"


def test_receipt_needs_the_receive_permission_at_that_desk(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.receive_dossier(
            world.staff.outsider,
            version=world.version,
            agency=world.org.district,
            applicant=applicant(),
            papers=complete_papers(world),
        )
    with pytest.raises(PermissionDenied):
        services.receive_dossier(
            world.staff.specialist,
            version=world.version,
            agency=world.org.district,
            applicant=applicant(),
            papers=complete_papers(world),
        )
    assert not Dossier.objects.exists()


def test_receipt_refuses_drafts_other_agencies_online_channel_and_future_times(
    world: World,
) -> None:
    draft = make_version(national_code="2.000003", status="draft")
    only_commune = make_version(national_code="2.000004", agencies=[world.org.commune])
    with translation.override("en"):
        with pytest.raises(ValidationError, match="not in force"):
            receive(world, version=draft, papers=[])
        with pytest.raises(ValidationError, match="does not carry out"):
            receive(world, version=only_commune, papers=complete_papers(world))
    with pytest.raises(ValidationError) as caught:
        receive(world, channel=Channel.ONLINE)
    assert "channel" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        receive(world, received_at=at("2099-01-05", "08:00"))
    assert "received_at" in caught.value.message_dict


def test_codes_are_sequential_per_agency_and_day(world: World) -> None:
    first = receive(world, received_at=at("2026-03-02", "08:00"))
    second = receive(world, received_at=at("2026-03-02", "09:00"), channel=Channel.POST)
    third = receive(world, received_at=at("2026-03-03", "09:00"))
    assert [first.code[-4:], second.code[-4:], third.code[-4:]] == ["0001", "0002", "0001"]
    assert all(CODE.match(d.code) for d in (first, second, third))
    assert second.channel == Channel.POST
    event = first.events.get()
    assert (event.action, event.from_status, event.to_status) == ("receive", None, 2)
    entry = AuditEntry.objects.get(action="dossier.receive", object_id=str(first.pk))
    assert entry.actor == world.staff.clerk
    assert entry.unit == world.org.desk
    assert entry.changes["procedure"] == "1.001193 v1"


# --- incomplete at the desk, refusal, online --------------------------------------------


def test_desk_supplement_request_then_complete_receipt(world: World, clock: FrozenClock) -> None:
    clock.set(at("2026-03-02", "08:00"))
    pending = services.request_supplement_at_desk(
        world.staff.clerk,
        version=world.version,
        agency=world.org.district,
        applicant=applicant(),
        papers=[PaperIn(required_paper=world.papers[0].pk)],
        reason="Thiếu giấy chứng sinh và bản sao CCCD",
    )
    assert pending.status == Status.SUPPLEMENT_REQUESTED
    assert CODE.match(pending.code)
    assert pending.received_at is None and pending.due_at is None
    event = pending.events.get()
    assert event.action == "desk_supplement_request"
    assert {m["name"] for m in event.data["missing"]} == {
        "Giấy chứng sinh",
        "Bản sao Căn cước công dân của cha, mẹ",
    }
    # Still not enough: nothing changes.
    clock.set(at("2026-03-04", "08:00"))
    with pytest.raises(IncompleteDossier):
        services.receive_supplement(
            world.staff.clerk,
            pending,
            expected_version=1,
            papers=[PaperIn(required_paper=world.papers[1].pk)],
        )
    assert Dossier.objects.get(pk=pending.pk).version == 1
    assert pending.papers.count() == 1
    services.receive_supplement(
        world.staff.clerk,
        pending,
        expected_version=1,
        papers=[
            PaperIn(required_paper=world.papers[1].pk),
            PaperIn(required_paper=world.papers[2].pk, copies=2),
        ],
    )
    # Received now: the time limit counts from Wednesday 08:00.
    assert pending.status == Status.RECEIVED
    assert pending.received_at == at("2026-03-04", "08:00")
    assert pending.due_at == at("2026-03-11", "08:00")
    assert pending.step_position == 1 and pending.current_unit == world.org.desk


def test_desk_supplement_request_needs_something_to_ask(world: World) -> None:
    with pytest.raises(ValidationError):
        services.request_supplement_at_desk(
            world.staff.clerk,
            version=world.version,
            agency=world.org.district,
            applicant=applicant(),
            papers=complete_papers(world),
        )


def test_refusal_at_the_desk_and_of_a_pending_dossier(world: World) -> None:
    refused = services.refuse_dossier(
        world.staff.clerk,
        version=world.version,
        agency=world.org.district,
        applicant=applicant(),
        reasons="Không thuộc thẩm quyền giải quyết",
    )
    assert refused.status == Status.REFUSED
    assert refused.closed_at is not None and refused.received_at is None
    assert refused.events.get().note == "Không thuộc thẩm quyền giải quyết"
    with pytest.raises(ValidationError):
        services.refuse_dossier(
            world.staff.clerk,
            version=world.version,
            agency=world.org.district,
            applicant=applicant(),
            reasons=" ",
        )
    pending = services.request_supplement_at_desk(
        world.staff.clerk,
        version=world.version,
        agency=world.org.district,
        applicant=applicant(),
        papers=[],
        reason="Thiếu hồ sơ",
    )
    services.refuse(world.staff.clerk, pending, expected_version=1, reasons="Quá hạn bổ sung")
    assert pending.status == Status.REFUSED


def test_online_submission_acceptance_and_refusal(world: World, clock: FrozenClock) -> None:
    citizen = world.staff.citizen
    clock.set(at("2026-03-02", "20:00"))
    online = services.submit_online(
        citizen, version=world.version, agency=world.org.district, papers=complete_papers(world)
    )
    assert online.status == Status.SUBMITTED
    assert online.channel == Channel.ONLINE
    assert online.code == "000.00.33.H33-260302-0001"
    assert online.applicant == citizen
    assert online.applicant_name == "Nguyễn Văn An"
    assert online.received_at is None and online.due_at is None
    # Citizens cannot accept their own dossier.
    with pytest.raises(PermissionDenied):
        services.accept_online(citizen, online, expected_version=1)
    clock.set(at("2026-03-03", "08:00"))
    services.accept_online(world.staff.clerk, online, expected_version=1)
    assert online.status == Status.RECEIVED
    assert online.received_at == at("2026-03-03", "08:00")
    assert online.due_at == at("2026-03-10", "08:00")
    assert online.step_position == 1

    second = services.submit_online(
        citizen, version=world.version, agency=world.org.district, papers=complete_papers(world)
    )
    services.refuse(world.staff.clerk, second, expected_version=1, reasons="Hồ sơ không hợp lệ")
    assert second.status == Status.REFUSED

    third = services.submit_online(
        citizen, version=world.version, agency=world.org.district, papers=complete_papers(world)
    )
    services.withdraw(citizen, third, expected_version=1, reason="Không còn nhu cầu")
    assert third.status == Status.WITHDRAWN


def test_online_needs_an_online_procedure(world: World) -> None:
    offline = make_version(national_code="2.000005", online_level=2)
    with pytest.raises(ValidationError):
        services.submit_online(
            world.staff.citizen, version=offline, agency=world.org.district, papers=[]
        )


# --- moves ---------------------------------------------------------------------------------


def test_send_back_returns_to_the_previous_step(world: World) -> None:
    dossier = receive(world)
    services.forward(world.staff.clerk, dossier, expected_version=1)
    services.forward(world.staff.specialist, dossier, expected_version=2)
    assert dossier.step_position == 3
    with pytest.raises(ValidationError):
        services.send_back(world.staff.head, dossier, expected_version=3, reason="")
    services.send_back(
        world.staff.head, dossier, expected_version=3, reason="Bổ sung ý kiến thẩm định"
    )
    assert dossier.step_position == 2
    assert dossier.current_role == "specialist"
    assert dossier.events.last().note == "Bổ sung ý kiến thẩm định"  # type: ignore[union-attr]


def test_stale_version_is_refused_and_changes_nothing(world: World) -> None:
    dossier = receive(world)
    copy = Dossier.objects.get(pk=dossier.pk)
    services.forward(world.staff.clerk, dossier, expected_version=1)
    with pytest.raises(StaleDossier) as caught:
        services.request_supplement(world.staff.clerk, copy, expected_version=1, reason="x")
    assert caught.value.code == "stale"
    assert (caught.value.expected, caught.value.current) == (1, 2)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING
    assert DossierEvent.objects.filter(dossier=dossier).count() == 2


def test_forward_to_someone_outside_the_next_unit_is_refused(world: World) -> None:
    dossier = receive(world)
    with pytest.raises(ValidationError) as caught:
        services.forward(
            world.staff.clerk, dossier, expected_version=1, to_user=world.staff.outsider
        )
    assert "to_user" in caught.value.message_dict
    assert Dossier.objects.get(pk=dossier.pk).version == 1


def test_permissions_follow_the_current_unit_and_the_step_role(world: World) -> None:
    staff = world.staff
    dossier = receive(world)
    # Only the desk acts at the desk step.
    for outsider in (staff.specialist, staff.outsider, staff.citizen):
        with pytest.raises(PermissionDenied):
            services.forward(outsider, dossier, expected_version=1)
    services.forward(staff.clerk, dossier, expected_version=1)
    # The clerk has no role in Phòng Tư pháp.
    with pytest.raises(PermissionDenied):
        services.forward(staff.clerk, dossier, expected_version=2)
    # The head may act at the specialist's step (holds dossiers.process there).
    services.forward(staff.head, dossier, expected_version=2)
    # The specialist cannot act at the head's step (needs approve too).
    with pytest.raises(PermissionDenied):
        services.forward(staff.specialist, dossier, expected_version=3)
    assert Dossier.objects.get(pk=dossier.pk).version == 3


def test_stop_and_withdraw(world: World) -> None:
    stopped = receive(world)
    services.forward(world.staff.clerk, stopped, expected_version=1)
    with pytest.raises(ValidationError):
        services.stop_processing(world.staff.specialist, stopped, expected_version=2, reason="")
    services.stop_processing(
        world.staff.specialist, stopped, expected_version=2, reason="Không đủ điều kiện"
    )
    assert stopped.status == Status.STOPPED and stopped.closed_at is not None

    withdrawn = receive(world)
    # The desk records a withdrawal the applicant asked for; specialists cannot.
    services.forward(world.staff.clerk, withdrawn, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.withdraw(world.staff.specialist, withdrawn, expected_version=2, reason="x")
    services.withdraw(world.staff.clerk, withdrawn, expected_version=2, reason="Đơn xin rút")
    assert withdrawn.status == Status.WITHDRAWN


def test_payment_below_the_requested_amount_is_refused(world: World) -> None:
    dossier = receive(world)
    services.request_payment(world.staff.clerk, dossier, expected_version=1, amount=200000)
    with pytest.raises(ValidationError):
        services.confirm_payment(None, dossier, expected_version=2, amount=100000, reference="R")
    with pytest.raises(ValidationError):
        services.request_payment(world.staff.clerk, dossier, expected_version=2, amount=0)
    # A payment below the request is refused before anything changes.
    assert Dossier.objects.get(pk=dossier.pk).status == Status.AWAITING_PAYMENT
    services.confirm_payment(
        world.staff.clerk, dossier, expected_version=2, amount=200000, reference="Biên lai 01"
    )
    assert dossier.status == Status.RECEIVED


def test_result_ready_only_at_the_last_step(world: World) -> None:
    dossier = receive(world)
    services.forward(world.staff.clerk, dossier, expected_version=1)
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as caught:
        services.mark_result_ready(world.staff.head, dossier, expected_version=2)
    assert "forward" in caught.value.message


# --- late dossiers -----------------------------------------------------------------------


def test_apology_moves_the_appointment(world: World, clock: FrozenClock) -> None:
    dossier = receive(world, received_at=at("2026-03-02", "08:00"))
    clock.set(at("2026-03-02", "09:00"))
    services.forward(world.staff.clerk, dossier, expected_version=1)
    clock.set(at("2026-03-06", "16:00"))
    assert not services.needs_apology(dossier, at("2026-03-06", "16:00"))
    assert services.needs_apology(dossier, at("2026-03-06", "16:00"), within_working_hours=8)
    with pytest.raises(ValidationError):
        services.issue_apology(
            world.staff.specialist,
            dossier,
            expected_version=2,
            reason="Chờ xác minh",
            new_due_at=at("2026-03-05", "08:00"),
        )
    letter = services.issue_apology(
        world.staff.specialist,
        dossier,
        expected_version=2,
        reason="Cần xác minh thêm thông tin với cơ quan khác",
        new_due_at=at("2026-03-12", "08:00"),
    )
    assert isinstance(letter, ApologyLetter)
    assert letter.previous_due_at == at("2026-03-09", "08:00")
    assert letter.issuing_unit == world.org.justice
    assert letter.issued_by == world.staff.specialist
    assert dossier.due_at == at("2026-03-12", "08:00")
    assert dossier.original_due_at == at("2026-03-09", "08:00")
    assert dossier.status == Status.PROCESSING
    assert not services.needs_apology(dossier, at("2026-03-09", "09:00"))
    assert "dossier.apology" in audit_actions(dossier)
    # Ready after the first appointment but within the new one: on time, late
    # against the first appointment, and covered by the apology.
    services.forward(world.staff.specialist, dossier, expected_version=3)
    services.forward(world.staff.head, dossier, expected_version=4)
    clock.set(at("2026-03-11", "16:00"))
    services.mark_result_ready(world.staff.leader, dossier, expected_version=5)
    event = dossier.events.get(action="result_ready")
    assert event.data["timeliness"] == Timeliness.EARLY
    assert event.data["late_against_first_appointment"] is True
    assert event.data["late_without_apology"] is False


def test_late_result_without_apology_is_recorded(world: World, clock: FrozenClock) -> None:
    dossier = receive(world, received_at=at("2026-03-02", "08:00"))
    services.forward(world.staff.clerk, dossier, expected_version=1)
    services.forward(world.staff.specialist, dossier, expected_version=2)
    services.forward(world.staff.head, dossier, expected_version=3)
    clock.set(at("2026-03-10", "08:00"))
    assert services.needs_apology(dossier, clock.now)
    services.mark_result_ready(world.staff.leader, dossier, expected_version=4)
    assert dossier.timeliness == Timeliness.LATE
    event = dossier.events.get(action="result_ready")
    assert event.data["late_without_apology"] is True
    entry = AuditEntry.objects.get(action="dossier.result_ready")
    assert entry.changes["late_without_apology"] is True


def test_timeliness_of() -> None:
    due = at("2026-03-09", "08:00")
    assert services.timeliness_of(at("2026-03-06", "16:00"), due) == Timeliness.EARLY
    assert services.timeliness_of(at("2026-03-09", "07:45"), due) == Timeliness.ON_TIME
    assert services.timeliness_of(due, due) == Timeliness.ON_TIME
    assert services.timeliness_of(due + timedelta(seconds=1), due) == Timeliness.LATE


# --- idempotent creation --------------------------------------------------------------------


def test_receive_once_returns_the_same_dossier_for_the_same_key(world: World) -> None:
    kwargs: dict[str, Any] = {
        "version": world.version,
        "agency": world.org.district,
        "applicant": applicant(),
        "papers": complete_papers(world),
    }
    first, created = services.receive_dossier_once(
        world.staff.clerk, idempotency_key="k-1", fingerprint="a" * 64, **kwargs
    )
    again, created_again = services.receive_dossier_once(
        world.staff.clerk, idempotency_key="k-1", fingerprint="a" * 64, **kwargs
    )
    assert created and not created_again
    assert first.pk == again.pk
    assert Dossier.objects.count() == 1
    with pytest.raises(IdempotencyKeyReused):
        services.receive_dossier_once(
            world.staff.clerk, idempotency_key="k-1", fingerprint="b" * 64, **kwargs
        )
    # Another key is another request.
    other, created_other = services.receive_dossier_once(
        world.staff.clerk,
        idempotency_key="k-2",
        fingerprint="a" * 64,
        **kwargs,
    )
    assert created_other and other.pk != first.pk
    assert DossierPaper.objects.filter(dossier=first).count() == 3
