"""Staff pages of the one-stop system: worklists, desk receipt, dossier page and its
actions (version checks, illegal moves, bulk actions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from egov.accounts.tests.helpers import english_client, sign_in_verified
from egov.dossiers import services
from egov.dossiers.models import Dossier, Status
from egov.dossiers.tests.factories import World, build_world, complete_papers, receive

pytestmark = pytest.mark.django_db

WORKLIST = "/can-bo/ho-so/"
RECEIPT = "/can-bo/ho-so/tiep-nhan/"


@pytest.fixture
def world() -> World:
    return build_world()


def client_for(user: Any) -> Client:
    client = english_client()
    sign_in_verified(client, user)
    return client


def detail_url(dossier: Dossier) -> str:
    return reverse("dossiers_staff:detail", kwargs={"code": dossier.code})


def act_url(dossier: Dossier, action: str) -> str:
    return reverse("dossiers_staff:act", kwargs={"code": dossier.code, "action": action})


def choice(world: World) -> str:
    return f"{world.version.pk}:{world.org.district.pk}"


def receipt_data(world: World, *, skip: int | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "procedure": choice(world),
        "applicant_name": "Nguyễn Thị Hoa",
        "applicant_id_number": "091190004321",
        "applicant_address": "12 Trần Phú, Rạch Giá",
        "applicant_phone": "0912345678",
        "applicant_email": "hoa@example.vn",
        "channel": "1",
        "decision": "receive",
    }
    for index, paper in enumerate(world.papers):
        if paper.is_optional or index == skip:
            continue
        data[f"paper_{paper.pk}_received"] = "on"
        data[f"paper_{paper.pk}_copies"] = str(paper.copies)
        data[f"paper_{paper.pk}_form"] = paper.form
    data.update(extra)
    return data


# --- access --------------------------------------------------------------------------------


def test_pages_need_a_verified_staff_sign_in(world: World) -> None:
    response = Client().get(WORKLIST)
    assert response.status_code == 302
    assert "/tai-khoan/dang-nhap/" in response["Location"]
    dossier = receive(world)
    assert Client().get(detail_url(dossier)).status_code == 302


def test_a_dossier_of_another_district_is_not_found(world: World) -> None:
    dossier = receive(world)
    response = client_for(world.staff.outsider).get(detail_url(dossier))
    assert response.status_code == 404


# --- desk receipt ----------------------------------------------------------------------------


def test_desk_receipt_of_a_complete_dossier_leads_to_its_page_with_the_slip(world: World) -> None:
    client = client_for(world.staff.clerk)
    page = client.get(RECEIPT)
    assert page.status_code == 200
    assert choice(world) in page.content.decode()
    chosen = client.get(RECEIPT, {"procedure": choice(world)})
    html = chosen.content.decode()
    for paper in world.papers:
        assert paper.name in html

    response = client.post(RECEIPT + f"?procedure={choice(world)}", receipt_data(world))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == detail_url(dossier)
    assert dossier.status == Status.RECEIVED
    assert dossier.applicant_name == "Nguyễn Thị Hoa"
    assert dossier.papers.count() == 3

    page = client.get(response["Location"])
    html = page.content.decode()
    assert dossier.code in html
    assert f"/can-bo/mau-phieu/{dossier.code}/01.pdf" in html
    assert f"/can-bo/mau-phieu/{dossier.code}/06.pdf" in html
    assert "received; print the receipt slip" in html


def test_the_clerk_records_where_each_paper_came_from_and_the_index_counts_it(
    world: World,
) -> None:
    """Once-only flags at the desk: the origin picked for each paper is stored and is
    what the 766 index reads (4.3 reuse, 4.5 population database lookup)."""
    from egov.dossiers import index_figures
    from egov.dossiers.models import PaperOrigin

    client = client_for(world.staff.clerk)
    chosen = client.get(RECEIPT, {"procedure": choice(world)}).content.decode()
    first, second, third = world.papers[0], world.papers[1], world.papers[2]
    assert f'name="paper_{first.pk}_origin"' in chosen
    assert 'value="wallet"' in chosen and 'value="lookup"' in chosen
    assert 'value="upload"' not in chosen  # only online filing uploads

    upload: dict[str, Any] = {f"paper_{first.pk}_origin": "upload"}
    wrong = client.post(RECEIPT, receipt_data(world, **upload))
    assert wrong.status_code == 422
    assert "Choose where the paper came from." in wrong.content.decode()
    assert not Dossier.objects.exists()

    origins: dict[str, Any] = {
        f"paper_{first.pk}_origin": PaperOrigin.WALLET,
        f"paper_{second.pk}_origin": PaperOrigin.LOOKUP,
        f"paper_{third.pk}_origin": PaperOrigin.DESK_SCAN,
    }
    response = client.post(RECEIPT, receipt_data(world, **origins))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    stored = dict(dossier.papers.values_list("required_paper_id", "origin"))
    ticked = {p.pk for p in world.papers if not p.is_optional}
    expected = {
        first.pk: PaperOrigin.WALLET,
        second.pk: PaperOrigin.LOOKUP,
        third.pk: PaperOrigin.DESK_SCAN,
    }
    assert stored == {pk: origin for pk, origin in expected.items() if pk in ticked}

    assert dossier.received_at is not None
    start = dossier.received_at - timedelta(hours=1)
    end = dossier.received_at + timedelta(hours=1)
    counts = index_figures.dossier_counts(None, start, end)
    assert (counts.received, counts.reused, counts.vneid_or_lookup) == (1, 1, 1)


def test_papers_without_an_origin_stay_paper_only(world: World) -> None:
    from egov.dossiers import index_figures
    from egov.dossiers.models import PaperOrigin

    response = client_for(world.staff.clerk).post(RECEIPT, receipt_data(world))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert set(dossier.papers.values_list("origin", flat=True)) == {PaperOrigin.NONE}
    assert dossier.received_at is not None
    counts = index_figures.dossier_counts(
        None, dossier.received_at - timedelta(hours=1), dossier.received_at + timedelta(hours=1)
    )
    assert (counts.received, counts.reused) == (1, 0)


def test_incomplete_papers_keep_what_was_typed_and_offer_form_02_or_03(world: World) -> None:
    client = client_for(world.staff.clerk)
    data = receipt_data(world, skip=1, note="Ghi chú của cán bộ")
    response = client.post(RECEIPT, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "The dossier is incomplete" in html
    assert world.papers[1].name in html
    assert 'value="Nguyễn Thị Hoa"' in html  # nothing typed is lost
    assert "Ghi chú của cán bộ" in html
    assert 'value="supplement"' in html and 'value="refuse"' in html
    assert not Dossier.objects.exists()

    refused = client.post(RECEIPT, {**data, "decision": "refuse", "reason": ""})
    assert refused.status_code == 422
    assert not Dossier.objects.exists()
    assert "Give the reasons for the refusal." in refused.content.decode()

    asked = client.post(
        RECEIPT,
        {**data, "decision": "supplement", "missing_extra": "Bản sao sổ hộ khẩu", "reason": ""},
    )
    assert asked.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert dossier.received_at is None
    page = client.get(asked["Location"]).content.decode()
    assert f"/can-bo/mau-phieu/{dossier.code}/02.pdf" in page


def test_refusal_at_the_desk(world: World) -> None:
    client = client_for(world.staff.clerk)
    data = receipt_data(world, skip=0, decision="refuse", reason="Không thuộc thẩm quyền")
    response = client.post(RECEIPT, data)
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.status == Status.REFUSED
    assert f"{dossier.code}/03.pdf" in client.get(response["Location"]).content.decode()


def test_applicant_errors_are_shown_next_to_the_fields(world: World) -> None:
    client = client_for(world.staff.clerk)
    response = client.post(RECEIPT, receipt_data(world, applicant_id_number="12345"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter a citizen ID number" in html
    assert 'aria-invalid="true"' in html
    assert not Dossier.objects.exists()


def test_a_specialist_cannot_open_the_desk(world: World) -> None:
    assert client_for(world.staff.specialist).get(RECEIPT).status_code == 403


# --- the dossier page and its actions -------------------------------------------------------


def test_only_the_allowed_actions_are_offered(world: World) -> None:
    dossier = receive(world)
    clerk_page = client_for(world.staff.clerk).get(detail_url(dossier)).content.decode()
    assert 'id="action-forward"' in clerk_page
    assert 'id="action-return_result"' not in clerk_page
    # The specialist may not act at the desk's step.
    specialist_page = client_for(world.staff.specialist).get(detail_url(dossier))
    assert 'id="action-forward"' not in specialist_page.content.decode()


def test_forward_then_a_stale_form_is_told_and_shown_the_fresh_state(world: World) -> None:
    dossier = receive(world)
    client = client_for(world.staff.clerk)
    response = client.post(
        act_url(dossier, "forward"),
        {
            "version": "1",
            "forward-to_user": str(world.staff.specialist.pk),
            "forward-note": "Chuyển",
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.current_assignee == world.staff.specialist

    # A second clerk's page still had version 1.
    again = client.post(act_url(dossier, "forward"), {"version": "1"}, follow=True)
    assert again.status_code == 200
    html = again.content.decode()
    assert "updated by someone else" in html
    assert "Being processed" in html
    dossier.refresh_from_db()
    assert dossier.version == 2


def test_an_illegal_move_shows_the_service_message_and_changes_nothing(world: World) -> None:
    dossier = receive(world)
    client = client_for(world.staff.clerk)
    response = client.post(act_url(dossier, "return_result"), {"version": "1"}, follow=True)
    assert response.status_code == 200
    assert "You cannot return the result" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.version == 1


def test_form_errors_stay_on_the_dossier_page(world: World) -> None:
    dossier = receive(world)
    services.forward(world.staff.clerk, dossier, expected_version=1)
    client = client_for(world.staff.specialist)
    response = client.post(
        act_url(dossier, "request_supplement"),
        {"version": "2", "request_supplement-missing_papers": "", "request_supplement-reason": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what the applicant must add" in html
    assert 'id="action-request_supplement" open' in html


def test_supplement_and_resumption_move_the_due_date(world: World) -> None:
    dossier = receive(world, received_at=timezone.now() - timedelta(days=1))
    services.forward(world.staff.clerk, dossier, expected_version=1)
    specialist = client_for(world.staff.specialist)
    before = Dossier.objects.get(pk=dossier.pk).due_at
    response = specialist.post(
        act_url(dossier, "request_supplement"),
        {"version": "2", "request_supplement-missing_papers": "Giấy xác nhận cư trú"},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    page = client_for(world.staff.clerk).get(detail_url(dossier)).content.decode()
    assert 'id="action-receive_supplement"' in page
    assert f"{dossier.code}/02.pdf" in page
    optional = world.papers[3]
    response = client_for(world.staff.clerk).post(
        act_url(dossier, "receive_supplement"),
        {"version": "3", "receive_supplement-papers": [str(optional.pk)]},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert before is not None and dossier.due_at is not None
    assert dossier.due_at >= before


def test_apology_with_a_new_date(world: World) -> None:
    dossier = receive(world)
    client = client_for(world.staff.clerk)
    new_due = timezone.localtime(dossier.due_at) + timedelta(days=3)
    response = client.post(
        act_url(dossier, "apology"),
        {
            "version": "1",
            "apology-reason": "Cần xác minh thêm",
            "apology-new_due_at": new_due.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.apologies.count() == 1
    html = client.get(detail_url(dossier)).content.decode()
    assert f"{dossier.code}/04.pdf" in html


# --- worklists --------------------------------------------------------------------------------


def test_worklists_follow_roles_and_mark_overdue_dossiers(world: World) -> None:
    late = receive(world, received_at=timezone.now() - timedelta(days=30))
    fresh = receive(world)
    clerk = client_for(world.staff.clerk)
    html = clerk.get(WORKLIST, {"tab": "process"}).content.decode()
    assert late.code in html and fresh.code in html
    assert "Overdue" in html
    assert "is-overdue" in html
    overdue_only = clerk.get(WORKLIST, {"tab": "process", "flag": "overdue"}).content.decode()
    assert late.code in overdue_only and fresh.code not in overdue_only

    # Nothing for the specialist until the desk hands it over.
    specialist = client_for(world.staff.specialist)
    assert fresh.code not in specialist.get(WORKLIST, {"tab": "process"}).content.decode()
    services.forward(world.staff.clerk, fresh, expected_version=1)
    assert fresh.code in specialist.get(WORKLIST, {"tab": "process"}).content.decode()
    assert clerk.get(WORKLIST, {"tab": "nope"}).status_code == 404


def test_bulk_accept_reports_each_dossier(world: World) -> None:
    citizen = world.staff.citizen
    online = [
        services.submit_online(
            citizen, version=world.version, agency=world.org.district, papers=complete_papers(world)
        )
        for _ in range(3)
    ]
    clerk = client_for(world.staff.clerk)
    html = clerk.get(WORKLIST, {"tab": "receive"}).content.decode()
    assert all(d.code in html for d in online)
    selected = [f"{d.code}@1" for d in online[:2]] + [f"{online[2].code}@7"]  # stale version
    response = clerk.post(WORKLIST + "?tab=receive", {"action": "accept", "selected": selected})
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 dossiers handled, 1 not done." in html
    assert "updated by someone else" in html
    statuses = {d.code: Dossier.objects.get(pk=d.pk).status for d in online}
    assert statuses[online[0].code] == Status.RECEIVED
    assert statuses[online[1].code] == Status.RECEIVED
    assert statuses[online[2].code] == Status.SUBMITTED


def test_bulk_return_of_results(world: World) -> None:
    dossier = receive(world)
    staff = world.staff
    services.forward(staff.clerk, dossier, expected_version=1)
    services.forward(staff.specialist, dossier, expected_version=2)
    services.forward(staff.head, dossier, expected_version=3)
    services.mark_result_ready(staff.leader, dossier, expected_version=4)
    clerk = client_for(staff.clerk)
    assert dossier.code in clerk.get(WORKLIST, {"tab": "return"}).content.decode()
    response = clerk.post(
        WORKLIST + "?tab=return", {"action": "return_result", "selected": [f"{dossier.code}@5"]}
    )
    assert response.status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
