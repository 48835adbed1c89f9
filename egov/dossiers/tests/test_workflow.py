"""The transition table: every move it does not list is refused with
TransitionNotAllowed and changes nothing; conditions and step actions too."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from egov.accounts.models import AccountKind, User
from egov.core.models import AuditEntry
from egov.dossiers import services, workflow
from egov.dossiers.errors import TransitionNotAllowed
from egov.dossiers.models import FINAL_STATUSES, Dossier, DossierEvent, Status
from egov.dossiers.tests.factories import World, at, build_world, dossier_in_status, receive
from egov.dossiers.workflow import TRANSITIONS, Action, Clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def root(db: None) -> User:
    return User.objects.create_superuser("quantri", None, full_name="Quản trị")


def arguments(action: Action, world: World) -> dict[str, Any]:
    """Valid arguments for each action, so only the state can make it fail."""
    table: dict[Action, dict[str, Any]] = {
        Action.ACCEPT: {},
        Action.REFUSE: {"reasons": "Không hợp lệ"},
        Action.FORWARD: {},
        Action.SEND_BACK: {"reason": "Xem lại"},
        Action.REQUEST_SUPPLEMENT: {"reason": "Thiếu giấy tờ"},
        Action.RECEIVE_SUPPLEMENT: {"papers": []},
        Action.REQUEST_PAYMENT: {"amount": 10000},
        Action.CONFIRM_PAYMENT: {"amount": 100000, "reference": "PAY-9"},
        Action.CONSULT: {"other_agency": world.org.commune, "note": "Xin ý kiến"},
        Action.ANSWER_CONSULTATION: {"note": "Trả lời"},
        Action.STOP: {"reason": "Không đủ điều kiện"},
        Action.WITHDRAW: {"reason": "Rút hồ sơ"},
        Action.RESULT_READY: {},
        Action.RETURN_RESULT: {},
        Action.APOLOGY: {"reason": "Chậm", "new_due_at": at("2026-12-30", "08:00")},
    }
    return table[action]


def state(dossier: Dossier) -> tuple[Any, ...]:
    fresh = Dossier.objects.get(pk=dossier.pk)
    return (
        fresh.status,
        fresh.version,
        fresh.current_unit_id,
        fresh.step_position,
        fresh.due_at,
        DossierEvent.objects.filter(dossier=dossier).count(),
        AuditEntry.objects.count(),
    )


ILLEGAL = [
    (action, status)
    for action in Action
    for status in Status
    if status not in workflow.statuses_allowing(action)
]


@pytest.mark.parametrize(("action", "status"), ILLEGAL, ids=[f"{a}-from-{s}" for a, s in ILLEGAL])
def test_every_move_not_in_the_table_is_refused(
    world: World, root: User, action: Action, status: Status
) -> None:
    dossier = dossier_in_status(world, status)
    before = state(dossier)
    with pytest.raises(TransitionNotAllowed) as caught:
        services.perform(
            root, action, dossier, expected_version=dossier.version, **arguments(action, world)
        )
    assert caught.value.code == "transition_not_allowed"
    assert caught.value.status == status
    assert caught.value.action == action
    assert state(dossier) == before


def test_the_refusal_names_the_status_and_the_action(world: World, root: User) -> None:
    dossier = dossier_in_status(world, Status.RETURNED)
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as caught:
        services.forward(root, dossier, expected_version=1)
    assert "forward to the next step" in caught.value.message
    assert "Result returned (Đã trả kết quả)" in caught.value.message
    assert dossier.code in caught.value.message


def test_final_statuses_have_no_way_out() -> None:
    for row in TRANSITIONS:
        assert not row.from_statuses & FINAL_STATUSES, row


def test_every_action_has_a_row_and_resumes_restore_the_status() -> None:
    assert {row.action for row in TRANSITIONS} == set(Action)
    for row in TRANSITIONS:
        if row.to_status is None and not row.keeps_status:
            assert row.clock == Clock.RESUME, row
        if row.clock == Clock.STOP:
            assert row.to_status in (Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT)
        assert row.grants, row


def test_actions_from_lists_the_moves_of_a_status() -> None:
    assert set(workflow.actions_from(Status.SUBMITTED)) == {
        Action.ACCEPT,
        Action.REFUSE,
        Action.REQUEST_SUPPLEMENT,
        Action.WITHDRAW,
    }
    assert workflow.actions_from(Status.RETURNED) == []


# --- conditions ------------------------------------------------------------------------


def refused_with(reason_en: str, call: Any) -> None:
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as caught:
        call()
    assert reason_en in caught.value.message


def test_conditions_beyond_the_status(world: World, root: User) -> None:
    received = dossier_in_status(world, Status.SUPPLEMENT_REQUESTED)
    refused_with(
        "has already been received",
        lambda: services.refuse(root, received, expected_version=1, reasons="x"),
    )
    first_step = dossier_in_status(
        world,
        Status.PROCESSING,
        step_position=1,
        current_step=world.template.steps.get(position=1),  # type: ignore[union-attr]
    )
    refused_with(
        "first step",
        lambda: services.send_back(root, first_step, expected_version=1, reason="x"),
    )
    last_step = dossier_in_status(
        world,
        Status.PROCESSING,
        step_position=4,
        current_step=world.template.steps.get(position=4),  # type: ignore[union-attr]
    )
    refused_with("last step", lambda: services.forward(root, last_step, expected_version=1))
    not_consulting = dossier_in_status(world, Status.PROCESSING)
    refused_with(
        "no other agency",
        lambda: services.answer_consultation(root, not_consulting, expected_version=1, note="x"),
    )
    consulting = dossier_in_status(
        world,
        Status.PROCESSING,
        consult_origin_unit=world.org.justice,
        current_unit=world.org.commune,
    )
    for call in (
        lambda: services.forward(root, consulting, expected_version=1),
        lambda: services.stop_processing(root, consulting, expected_version=1, reason="x"),
        lambda: services.mark_result_ready(root, consulting, expected_version=1),
    ):
        refused_with("another agency is handling", call)


def test_the_step_must_allow_the_action(world: World, root: User) -> None:
    # The leader's step allows only send_back and approve.
    at_leader = dossier_in_status(
        world,
        Status.PROCESSING,
        step_position=4,
        current_step=world.template.steps.get(position=4),  # type: ignore[union-attr]
        current_unit=world.org.district,
        current_role="agency_leader",
    )
    for call in (
        lambda: services.request_supplement(root, at_leader, expected_version=1, reason="x"),
        lambda: services.consult_agency(
            root, at_leader, expected_version=1, other_agency=world.org.commune, note="x"
        ),
    ):
        refused_with("does not allow", call)
    assert Dossier.objects.get(pk=at_leader.pk).version == 1


def test_online_supplement_before_acceptance_keeps_the_clock_off(world: World, root: User) -> None:
    online = services.submit_online(
        world.staff.citizen,
        version=world.version,
        agency=world.org.district,
        papers=[
            services.PaperIn(required_paper=p.pk, copies=p.copies)
            for p in world.papers
            if not p.is_optional
        ],
    )
    services.request_supplement(
        world.staff.clerk, online, expected_version=1, missing_papers=["Ảnh chân dung"]
    )
    assert online.status == Status.SUPPLEMENT_REQUESTED
    assert online.paused_at is None and online.due_at is None
    # The applicant uploads it: received now.
    services.receive_supplement(world.staff.citizen, online, expected_version=2, papers=[])
    assert online.status == Status.RECEIVED
    assert online.due_at is not None


def test_the_applicant_may_withdraw_only_their_own_dossier(world: World) -> None:
    other = User.objects.create_user(
        "091090009999", None, full_name="Người khác", kind=AccountKind.CITIZEN
    )
    dossier = receive(world, applicant=services.applicant_from_account(world.staff.citizen))
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.withdraw(other, dossier, expected_version=1, reason="x")
    services.withdraw(world.staff.citizen, dossier, expected_version=1, reason="Không cần nữa")
    assert dossier.status == Status.WITHDRAWN


def test_may_act_mirrors_the_services(world: World) -> None:
    dossier = receive(world)
    assert services.may_act(world.staff.clerk, dossier, Action.FORWARD)
    assert not services.may_act(world.staff.specialist, dossier, Action.FORWARD)
    assert not services.may_act(world.staff.clerk, dossier, Action.RETURN_RESULT)
    assert services.may_act(
        None, dossier_in_status(world, Status.AWAITING_PAYMENT), Action.CONFIRM_PAYMENT
    )
