"""The staff dossier page's one primary action per step (issue 15, item 2): which move
is primary, how it is named, what goes under "Other actions", when the apology
letter is offered, and the page sections registry the declaration plugs into."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import english_client, sign_in_verified
from egov.dossiers import offers, page_sections, services
from egov.dossiers.models import Dossier, Status
from egov.dossiers.registry import MOVES, Kind
from egov.dossiers.tests.factories import World, build_world, receive
from egov.dossiers.workflow import Action
from egov.procedures.models import ProcessStep
from egov.procedures.terms import PlannedStep

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def client_for(user: Any, language: str = "en") -> Client:
    client = english_client() if language == "en" else Client()
    sign_in_verified(client, user)
    return client


def detail(dossier: Dossier) -> str:
    return reverse("dossiers_staff:detail", kwargs={"code": dossier.code})


def step(role: str, actions: tuple[str, ...], action_name: str = "", unit: Any = None) -> Any:
    return PlannedStep(
        position=1,
        name="Bước",
        unit=unit,
        role_code=role,
        hours=Decimal(4),
        actions=actions,
        action_name=action_name,
    )


def at_leader(world: World) -> Dossier:
    """A dossier forwarded desk → specialist (with an opinion) → head → leader."""
    dossier = receive(world)
    services.forward(world.staff.clerk, dossier, expected_version=1)
    services.forward(
        world.staff.specialist,
        dossier,
        expected_version=2,
        note="Đề nghị cấp Giấy khai sinh: hồ sơ đủ điều kiện.",
    )
    services.forward(world.staff.head, dossier, expected_version=3)
    return Dossier.objects.get(pk=dossier.pk)


# --- the registry rows ------------------------------------------------------------------


def test_every_advance_move_has_a_rank_and_refusals_are_warnings() -> None:
    assert MOVES[Action.REFUSE].kind == Kind.WARNING
    assert MOVES[Action.STOP].kind == Kind.WARNING
    assert MOVES[Action.APOLOGY].kind == Kind.OTHER
    finishing = {a for a, move in MOVES.items() if move.finishes_step}
    assert finishing == {Action.FORWARD, Action.RESULT_READY}
    assert all(MOVES[a].kind == Kind.ADVANCE for a in finishing)


def test_the_result_is_marked_ready_rather_than_forwarded_to_a_desk_only_step() -> None:
    allowed = [Action.FORWARD, Action.SEND_BACK, Action.RESULT_READY, Action.STOP]
    assert offers.choose_primary(allowed) == Action.RESULT_READY
    assert offers.choose_primary([Action.SEND_BACK, Action.FORWARD]) == Action.FORWARD
    assert offers.choose_primary([Action.SEND_BACK, Action.STOP, Action.APOLOGY]) is None


def test_arrange_puts_the_rest_in_registry_order_with_warnings_marked() -> None:
    arranged = offers.arrange(
        [Action.FORWARD, Action.SEND_BACK, Action.STOP, Action.RESULT_READY], None
    )
    assert arranged.primary is not None
    assert arranged.primary.action == Action.RESULT_READY
    assert [(o.action, o.warning) for o in arranged.others] == [
        (Action.FORWARD, False),
        (Action.SEND_BACK, False),
        (Action.STOP, True),
    ]


# --- the primary action's name ----------------------------------------------------------


@translation.override("en")
def test_a_step_names_its_action_or_gets_one_from_its_role(world: World) -> None:
    forward, ready = Action.FORWARD, Action.RESULT_READY
    assert offers.step_action_name(step(RoleCode.AGENCY_LEADER, ("approve",), "Ký"), ready) == "Ký"
    assert offers.step_action_name(step(RoleCode.AGENCY_LEADER, ("approve",)), ready) == "Approve"
    # A head (process + approve) approves, whatever the step lists.
    assert offers.step_action_name(step(RoleCode.UNIT_HEAD, ("forward",)), forward) == "Approve"
    assert (
        offers.step_action_name(step(RoleCode.SPECIALIST, ("forward",)), forward)
        == "Send the appraisal result"
    )
    assert (
        offers.step_action_name(step(RoleCode.ONE_STOP_CLERK, ("forward",)), forward)
        == "Send for processing"
    )
    # The desk finishing the last step: nothing fits, the move keeps its own button.
    clerk_last = step(RoleCode.ONE_STOP_CLERK, ("forward",))
    assert offers.step_action_name(clerk_last, ready) == ""
    assert offers.label_for(ready, clerk_last) == str(MOVES[ready].button)
    # Moves that do not finish a step keep their button.
    leader = step(RoleCode.AGENCY_LEADER, ("approve",), "Ký")
    assert offers.label_for(Action.SEND_BACK, leader) == str(MOVES[Action.SEND_BACK].button)


def test_the_action_name_set_on_the_template_is_used_for_dossiers_in_flight(world: World) -> None:
    dossier = at_leader(world)
    assert dossier.current_step is not None
    ProcessStep.objects.filter(pk=dossier.current_step.pk).update(action_name="Ký số, phê duyệt")
    found = offers.offers_for(world.staff.leader, dossier, timezone.now())
    assert found.primary is not None
    assert (found.primary.action, found.primary.label) == (Action.RESULT_READY, "Ký số, phê duyệt")


# --- the page ---------------------------------------------------------------------------


def test_the_leader_sees_one_approve_action_under_the_specialists_opinion(world: World) -> None:
    dossier = at_leader(world)
    html = client_for(world.staff.leader, "vi").get(detail(dossier)).content.decode()
    primary = html.index('id="action-result_ready"')
    opinion = html.index('id="opinion"')
    more = html.index('id="more-actions"')
    assert opinion < primary < more
    assert "Ý kiến đề xuất của Lê Văn Cường" in html
    assert "Đề nghị cấp Giấy khai sinh: hồ sơ đủ điều kiện." in html
    assert '<button type="submit" class="primary" id="primary-action">Phê duyệt</button>' in html
    assert html.count('class="primary"') == 1
    assert "Thao tác khác" in html
    assert 'id="action-stop" class="action--warning"' in html
    # Received today: the appointment is days away, so no apology letter is offered.
    assert 'id="action-apology"' not in html


def test_the_leaders_approve_action_marks_the_result_ready(world: World) -> None:
    dossier = at_leader(world)
    client = client_for(world.staff.leader)
    url = reverse("dossiers_staff:act", kwargs={"code": dossier.code, "action": "result_ready"})
    response = client.post(
        url, {"version": str(dossier.version), "result_ready-result_names": "Giấy khai sinh"}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY


def test_the_apology_letter_is_offered_only_when_late_or_nearly(world: World) -> None:
    dossier = receive(world, received_at=timezone.now() - timedelta(days=30))
    services.forward(world.staff.clerk, dossier, expected_version=1)
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.due_at is not None and dossier.due_at < timezone.now()
    now = timezone.now()
    assert MOVES[Action.APOLOGY].offered(dossier, now)
    assert not MOVES[Action.APOLOGY].offered(dossier, dossier.due_at - timedelta(days=7))
    html = client_for(world.staff.specialist).get(detail(dossier)).content.decode()
    assert 'id="action-apology"' in html


def test_the_desk_at_another_units_step_gets_no_primary_action(world: World) -> None:
    dossier = receive(world)
    services.forward(world.staff.clerk, dossier, expected_version=1)
    found = offers.offers_for(world.staff.clerk, Dossier.objects.get(pk=dossier.pk), timezone.now())
    assert found.primary is None
    assert all(o.action not in (Action.FORWARD, Action.RESULT_READY) for o in found.others)


def test_papers_show_their_form_in_words(world: World) -> None:
    dossier = receive(world)
    html = client_for(world.staff.clerk).get(detail(dossier)).content.decode()
    assert '">Original</td>' in html  # the cell carries its column's name (phones)
    assert ">original</td>" not in html


# --- the page sections registry ---------------------------------------------------------


def test_registered_sections_draw_in_order_and_none_hides_one(world: World) -> None:
    dossier = receive(world)
    seen: list[Any] = []

    def shown(user: Any, d: Dossier) -> dict[str, Any]:
        seen.append((user, d.pk))
        return {"code": d.code}

    page_sections.register("zz-test-b", template="b.html", context=shown, order=90)
    page_sections.register("zz-test-a", template="a.html", context=shown, order=80)
    page_sections.register("zz-test-hidden", template="c.html", context=lambda u, d: None)
    try:
        drawn = [
            s
            for s in page_sections.sections_for(world.staff.clerk, dossier)
            if s.key.startswith("zz-test")
        ]
        assert [(s.key, s.template) for s in drawn] == [
            ("zz-test-a", "a.html"),
            ("zz-test-b", "b.html"),
        ]
        assert drawn[0].context == {"code": dossier.code}
        assert seen == [(world.staff.clerk, dossier.pk)] * 2
    finally:
        for key in ("zz-test-a", "zz-test-b", "zz-test-hidden"):
            page_sections.unregister(key)


# --- the draft of the result ------------------------------------------------------------


def test_the_draft_result_is_shown_above_the_leaders_action_and_kept_internal(
    world: World, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from egov.applicants import selectors as applicant_selectors
    from egov.dossiers.paperforms.context import form_context
    from egov.dossiers.paperforms.pdf import FormPDF

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    pdf = FormPDF()
    pdf.add_page()
    draft = SimpleUploadedFile("du-thao-giay-khai-sinh.pdf", bytes(pdf.output()))
    dossier = receive(world)
    services.forward(world.staff.clerk, dossier, expected_version=1)
    specialist = client_for(world.staff.specialist)
    url = reverse("dossiers_staff:act", kwargs={"code": dossier.code, "action": "forward"})
    response = specialist.post(
        url,
        {
            "version": "2",
            "forward-note": "Đề nghị ký.",
            "forward-draft_files": draft,
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    (paper,) = dossier.papers.filter(is_draft=True)
    assert paper.name == "du-thao-giay-khai-sinh.pdf" and paper.file
    event = dossier.events.filter(action="forward").order_by("at", "id").last()
    assert event is not None
    assert event.data["draft_result"] == ["du-thao-giay-khai-sinh.pdf"]

    services.forward(world.staff.head, dossier, expected_version=dossier.version)
    html = client_for(world.staff.leader).get(detail(dossier)).content.decode()
    assert html.index('id="draft-result"') < html.index('id="action-result_ready"')
    download = reverse("dossiers_staff:paper", kwargs={"code": dossier.code, "paper_id": paper.pk})
    assert download in html
    # Internal: not among the applicant's papers, not on the receipt slip.
    assert paper not in applicant_selectors.own_papers(dossier)
    names = [row["name"] for row in form_context("01", dossier, None)["received_papers"]]
    assert paper.name not in names and names
    dossier.applicant = world.staff.citizen
    dossier.save(update_fields=["applicant"])
    with pytest.raises(Exception) as caught:
        applicant_selectors.downloadable_paper(dossier, paper.pk)
    assert caught.type.__name__ == "Http404"
