"""The applicant's own pages: list, dossier page, supplement, withdrawal, delivery
choice, downloads, and that nobody else sees any of it (404, not 403)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from egov.accounts.tests.helpers import sign_in_verified
from egov.applicants.models import DeliveryChoice, DeliveryMethod
from egov.applicants.tests.helpers import (
    client_for,
    fake_pdf,
    incomplete_at_desk,
    other_citizen,
    own_dossier,
    pdf_upload,
    png_upload,
    result_ready,
    supplement_requested,
)
from egov.core.models import AuditEntry
from egov.dossiers import services
from egov.dossiers.models import Dossier, DossierPaper, Status
from egov.dossiers.tests.factories import FrozenClock, World, dossier_in_status

pytestmark = pytest.mark.django_db


def url(name: str, dossier: Dossier, **kwargs: Any) -> str:
    return reverse(f"applicants:{name}", kwargs={"code": dossier.code, **kwargs})


# --- who may come in ---------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(world: World) -> None:
    response = client_for_anonymous().get(reverse("applicants:dossiers"))
    assert response.status_code == 302
    assert "/tai-khoan/" in response["Location"]


def client_for_anonymous() -> Any:
    from django.test import Client

    return Client()


def test_staff_accounts_are_refused(world: World, client: Any) -> None:
    sign_in_verified(client, world.staff.clerk)
    assert client.get(reverse("applicants:dossiers")).status_code == 403


def test_list_shows_only_own_dossiers_with_action_badges(world: World, clock: FrozenClock) -> None:
    waiting = supplement_requested(world)
    to_pay = dossier_in_status(world, Status.AWAITING_PAYMENT)
    other = other_citizen()
    theirs = dossier_in_status(world, Status.PROCESSING, applicant=other)
    response = client_for(world.staff.citizen).get(reverse("applicants:dossiers"))
    assert response.status_code == 200
    html = response.content.decode()
    assert waiting.code in html and to_pay.code in html
    assert theirs.code not in html
    assert re.search("Cần bạn thực hiện|needs your action|Needs your action", html, re.I)
    assert world.org.district.name in html
    # Status labels are the national table's (the Vietnamese is in the label itself).
    assert "Yêu cầu bổ sung giấy tờ" in html
    # The count of dossiers waiting for the citizen is a link to exactly those.
    assert 'href="?status=action"' in html
    mine_in_progress = dossier_in_status(world, Status.PROCESSING)
    client = client_for(world.staff.citizen)
    waiting_only = client.get(reverse("applicants:dossiers"), {"status": "action"}).content.decode()
    assert waiting.code in waiting_only and to_pay.code in waiting_only
    assert mine_in_progress.code not in waiting_only and theirs.code not in waiting_only


def test_list_filters_by_status_and_pages(world: World, settings: Any) -> None:
    settings.APPLICANTS_PAGE_SIZE = 2
    for _ in range(3):
        dossier_in_status(world, Status.PROCESSING)
    ready = dossier_in_status(world, Status.RESULT_READY)
    client = client_for(world.staff.citizen)
    html = client.get(reverse("applicants:dossiers"), {"status": 9}).content.decode()
    assert ready.code in html
    assert html.count('class="my-list"') == 1 and html.count("<h2><a") == 1
    first = client.get(reverse("applicants:dossiers")).content.decode()
    assert first.count("<h2><a") == 2
    assert 'rel="next"' in first
    second = client.get(reverse("applicants:dossiers"), {"page": 2}).content.decode()
    assert second.count("<h2><a") == 2


# --- ownership: everything answers 404 to someone else -----------------------------------


def test_someone_elses_dossier_is_not_found_everywhere(world: World, clock: FrozenClock) -> None:
    dossier = result_ready(world)
    paper = dossier.papers.get(is_result=True)
    stranger = client_for(other_citizen())
    for address in (
        url("dossier", dossier),
        url("supplement", dossier),
        url("withdraw", dossier),
        url("delivery", dossier),
        url("paper", dossier, paper_id=paper.pk),
        url("form", dossier, form_code="01"),
    ):
        assert stranger.get(address).status_code == 404, address
    assert stranger.post(url("withdraw", dossier), {"reason": "x"}).status_code == 404
    # The same answer as for a code that does not exist.
    missing = reverse("applicants:dossier", kwargs={"code": "000.00.33.H33-260302-9999"})
    assert stranger.get(missing).status_code == 404
    # The owner gets them.
    owner = client_for(world.staff.citizen)
    assert owner.get(url("dossier", dossier)).status_code == 200
    assert owner.get(url("paper", dossier, paper_id=paper.pk)).status_code == 200


def test_dossier_page_shows_timeline_notes_for_the_owner_only(
    world: World, clock: FrozenClock
) -> None:
    dossier = supplement_requested(world)
    html = client_for(world.staff.citizen).get(url("dossier", dossier)).content.decode()
    assert "Thiếu giấy xác nhận cư trú của người mẹ." in html
    assert "Giấy xác nhận cư trú" in html
    assert world.org.justice.name in html  # where the dossier is
    # Never the officials' names.
    for person in (world.staff.clerk, world.staff.specialist):
        assert person.full_name not in html
    assert url("supplement", dossier) in html
    assert url("form", dossier, form_code="01") in html
    assert url("form", dossier, form_code="02") in html


def test_owner_downloads_forms_but_not_forms_that_do_not_apply(
    world: World, clock: FrozenClock
) -> None:
    dossier = supplement_requested(world)
    owner = client_for(world.staff.citizen)
    response = owner.get(url("form", dossier, form_code="02"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert owner.get(url("form", dossier, form_code="05")).status_code == 404
    assert owner.get(url("form", dossier, form_code="04")).status_code == 404


def test_result_downloads_only_when_ready(world: World) -> None:
    dossier = dossier_in_status(world, Status.PROCESSING)
    paper = DossierPaper(dossier=dossier, name="Kết quả", is_result=True)
    paper.file.save("ket-qua.pdf", pdf_upload(), save=True)
    owner = client_for(world.staff.citizen)
    assert owner.get(url("paper", dossier, paper_id=paper.pk)).status_code == 404
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.RESULT_READY)
    response = owner.get(url("paper", dossier, paper_id=paper.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    # A paper without a file: nothing to download.
    empty = DossierPaper.objects.create(dossier=dossier, name="Bản giấy", is_result=True)
    assert owner.get(url("paper", dossier, paper_id=empty.pk)).status_code == 404


# --- answering a supplement request ---------------------------------------------------------


def test_supplement_answered_online_resumes_processing(world: World, clock: FrozenClock) -> None:
    dossier = supplement_requested(world)
    owner = client_for(world.staff.citizen)
    page = owner.get(url("supplement", dossier))
    assert page.status_code == 200
    assert "Giấy xác nhận cư trú" in page.content.decode()
    response = owner.post(
        url("supplement", dossier),
        {"version": dossier.version, "p1": pdf_upload("xac-nhan.pdf"), "note": "Đã bổ sung"},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.paused_at is None
    paper = dossier.papers.get(name="Giấy xác nhận cư trú")
    assert (paper.file.name or "").endswith(".pdf")
    assert paper.required_paper == world.papers[3]
    event = dossier.events.get(action="receive_supplement")
    assert event.actor == world.staff.citizen
    assert event.note == "Đã bổ sung"
    # The owner can download what they sent.
    assert owner.get(url("paper", dossier, paper_id=paper.pk)).status_code == 200


def test_supplement_from_an_incomplete_desk_dossier_receives_it(
    world: World, clock: FrozenClock
) -> None:
    dossier = incomplete_at_desk(world)
    assert dossier.received_at is None
    owner = client_for(world.staff.citizen)
    response = owner.post(
        url("supplement", dossier), {"version": dossier.version, "p1": png_upload("chung-sinh.png")}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert dossier.received_at is not None and dossier.due_at is not None


def test_fake_pdf_is_refused_next_to_its_field_and_the_note_is_kept(
    world: World, clock: FrozenClock
) -> None:
    dossier = supplement_requested(world)
    owner = client_for(world.staff.citizen)
    response = owner.post(
        url("supplement", dossier),
        {"version": dossier.version, "p1": fake_pdf("xac-nhan.pdf"), "note": "Ghi chú của tôi"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "p1" in form.errors
    assert re.search("Windows", str(form.errors["p1"]))
    assert "Ghi chú của tôi" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert not dossier.papers.filter(name="Giấy xác nhận cư trú").exists()


def test_supplement_without_any_file_is_refused(world: World, clock: FrozenClock) -> None:
    dossier = supplement_requested(world)
    response = client_for(world.staff.citizen).post(
        url("supplement", dossier), {"version": dossier.version, "note": "quên"}
    )
    assert response.status_code == 400
    assert "p1" in response.context["form"].errors


def test_stale_supplement_says_the_dossier_changed_and_keeps_the_note(
    world: World, clock: FrozenClock
) -> None:
    dossier = supplement_requested(world)
    old_version = dossier.version
    # The agency acts meanwhile: an apology cannot happen in 5, so the desk records a
    # paper brought in person, and asks again.
    services.receive_supplement(world.staff.clerk, dossier, expected_version=old_version, papers=[])
    services.request_supplement(
        world.staff.specialist, dossier, expected_version=old_version + 1, missing_papers=["Ảnh"]
    )
    response = client_for(world.staff.citizen).post(
        url("supplement", dossier),
        {"version": old_version, "p1": pdf_upload(), "note": "Giữ nguyên ghi chú"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert re.search("Hồ sơ vừa thay đổi|The dossier has just changed", html)
    assert "Giữ nguyên ghi chú" in html
    assert response.context["form"]["version"].value() == str(dossier.version)


def test_stale_supplement_after_the_dossier_moved_on_goes_back_to_the_page(
    world: World, clock: FrozenClock
) -> None:
    dossier = supplement_requested(world)
    old_version = dossier.version
    services.receive_supplement(world.staff.clerk, dossier, expected_version=old_version, papers=[])
    response = client_for(world.staff.citizen).post(
        url("supplement", dossier), {"version": old_version, "p1": pdf_upload()}
    )
    # No longer in status 5: the supplement page is not offered any more.
    assert response.status_code == 302
    assert response["Location"] == url("dossier", dossier)


# --- withdrawal ------------------------------------------------------------------------------


def test_withdrawal_needs_a_reason_and_a_confirmation(world: World, clock: FrozenClock) -> None:
    dossier = own_dossier(world)
    owner = client_for(world.staff.citizen)
    empty = owner.post(url("withdraw", dossier), {"version": dossier.version, "reason": ""})
    assert empty.status_code == 400
    assert "reason" in empty.context["form"].errors
    first = owner.post(url("withdraw", dossier), {"version": dossier.version, "reason": "Đổi ý"})
    assert first.status_code == 200
    assert first.context["confirm"] is True
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED  # nothing done yet
    done = owner.post(
        url("withdraw", dossier),
        {"version": dossier.version, "reason": "Đổi ý", "step": "confirm"},
    )
    assert done.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN
    assert dossier.events.get(action="withdraw").note == "Đổi ý"


def test_withdraw_not_offered_when_the_workflow_does_not_allow_it(world: World) -> None:
    dossier = dossier_in_status(world, Status.RESULT_READY)
    owner = client_for(world.staff.citizen)
    html = owner.get(url("dossier", dossier)).content.decode()
    assert url("withdraw", dossier) not in html
    response = owner.post(
        url("withdraw", dossier), {"version": dossier.version, "reason": "x", "step": "confirm"}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY


# --- links to other apps ------------------------------------------------------------------------


def test_pay_and_rate_links(world: World) -> None:
    owner = client_for(world.staff.citizen)
    to_pay = dossier_in_status(world, Status.AWAITING_PAYMENT)
    assert f"/thanh-toan/ho-so/{to_pay.code}/" in owner.get(url("dossier", to_pay)).content.decode()
    done = dossier_in_status(world, Status.RETURNED)
    html = owner.get(url("dossier", done)).content.decode()
    assert f"/danh-gia/ho-so/{done.code}/" in html
    assert "/thanh-toan/" not in html


# --- delivery choice ----------------------------------------------------------------------------


def test_delivery_choice_prefilled_saved_and_audited(world: World, clock: FrozenClock) -> None:
    dossier = own_dossier(world)
    owner = client_for(world.staff.citizen)
    page = owner.get(url("delivery", dossier))
    assert page.status_code == 200
    assert page.context["form"].initial["address"] == dossier.applicant_address
    assert "25.000" in page.content.decode() or "25,000" in page.content.decode()
    bad = owner.post(url("delivery", dossier), {"method": "post", "address": "ngắn", "phone": "1"})
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert "address" in errors and "phone" in errors
    assert bad.context["form"]["address"].value() == "ngắn"
    good = owner.post(
        url("delivery", dossier),
        {
            "method": "post",
            "recipient_name": "Nguyễn Văn An",
            "address": "12 Trần Phú, Phường Vĩnh Thanh Vân, Rạch Giá, Kiên Giang",
            "phone": "0912 345 678",
        },
    )
    assert good.status_code == 302
    choice = DeliveryChoice.objects.get(dossier=dossier)
    assert choice.method == DeliveryMethod.POST
    assert choice.fee == 25000
    assert choice.phone == "0912345678"
    assert AuditEntry.objects.filter(action="applicants.delivery_chosen").count() == 1
    # Changed back to the desk.
    owner.post(url("delivery", dossier), {"method": "desk"})
    choice.refresh_from_db()
    assert choice.method == DeliveryMethod.DESK and choice.fee == 0
    assert AuditEntry.objects.filter(action="applicants.delivery_chosen").count() == 2


def test_delivery_choice_not_offered_before_receipt_or_after_the_end(world: World) -> None:
    owner = client_for(world.staff.citizen)
    for status in (Status.SUBMITTED, Status.RETURNED, Status.WITHDRAWN):
        dossier = dossier_in_status(world, status)
        response = owner.post(url("delivery", dossier), {"method": "desk"})
        assert response.status_code == 302
        assert not DeliveryChoice.objects.filter(dossier=dossier).exists()


def test_pages_in_english(world: World, clock: FrozenClock) -> None:
    dossier = supplement_requested(world)
    owner = client_for(world.staff.citizen)
    owner.cookies["django_language"] = "en"
    with translation.override("en"):
        html = owner.get(url("dossier", dossier)).content.decode()
    assert "Needs your action" in html or "Cần" in html


def test_apology_and_stop_reasons_reach_the_owner_with_their_forms(
    world: World, clock: FrozenClock
) -> None:
    from egov.dossiers.tests.factories import at

    dossier = own_dossier(world)
    services.issue_apology(
        world.staff.clerk,
        dossier,
        expected_version=1,
        reason="Cần xác minh thêm tại địa phương.",
        new_due_at=at("2026-03-16", "08:00"),
    )
    services.stop_processing(
        world.staff.clerk, dossier, expected_version=2, reason="Người đăng ký không đủ điều kiện."
    )
    owner = client_for(world.staff.citizen)
    html = owner.get(url("dossier", dossier)).content.decode()
    assert "Cần xác minh thêm tại địa phương." in html
    assert "16/03/2026" in html
    assert "Người đăng ký không đủ điều kiện." in html
    for code in ("01", "04", "05"):
        response = owner.get(url("form", dossier, form_code=code))
        assert response.status_code == 200, code
        assert response.content.startswith(b"%PDF")
    assert owner.get(url("form", dossier, form_code="02")).status_code == 404
