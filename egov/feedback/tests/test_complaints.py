"""The complaint channel (phản ánh, kiến nghị): sending, routing, ownership of a
dossier, the steps and their deadlines (with a holiday), double submits, notices,
votes, pages and the API."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from egov.accounts.tests.helpers import sign_in_verified
from egov.core.models import AuditEntry, CalendarOverride
from egov.core.workcalendar import invalidate_calendar
from egov.dossiers.models import Status
from egov.dossiers.tests.factories import World, at, build_world, dossier_in_status
from egov.feedback import complaint_notices, complaint_selectors, complaints
from egov.feedback.complaint_models import (
    Complaint,
    ComplaintAbout,
    ComplaintCategory,
    ComplaintNotice,
    ComplaintStatus,
    ComplaintVote,
)
from egov.feedback.errors import InvalidFeedback, NotVerified, WrongState

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, moment: Any) -> None:
        self.now = moment

    def __call__(self) -> Any:
        return self.now


@pytest.fixture
def world() -> World:
    cache.clear()
    return build_world()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock(at("2026-03-09", "09:00"))
    monkeypatch.setattr(complaints, "_now", frozen)
    return frozen


@pytest.fixture
def holiday() -> Any:
    """Wednesday 11/03/2026 declared a day off."""
    CalendarOverride.objects.create(date=date(2026, 3, 11), is_working_day=False, reason="Nghỉ")
    invalidate_calendar()
    yield
    invalidate_calendar()


def about_agency(world: World, **kw: Any) -> complaints.ComplaintIn:
    values: dict[str, Any] = {
        "about": ComplaintAbout.OFFICIAL,
        "title": "Cán bộ hẹn nhiều lần",
        "body": "Tôi đến ba lần vẫn chưa nhận được kết quả.",
        "name": "Lê Văn Tư",
        "email": "tu@example.vn",
        "phone": "0912 345 678",
        "agency": world.org.district,
    }
    values.update(kw)
    return complaints.ComplaintIn(**values)


def send(world: World, **kw: Any) -> Complaint:
    return complaints.send_complaint(kw.pop("actor", None), about_agency(world, **kw)).complaint


# --- sending and routing --------------------------------------------------------------------


def test_sending_routes_sets_deadlines_with_the_holiday_audits_and_notifies(
    world: World, clock: Clock, holiday: Any
) -> None:
    sent = complaints.send_complaint(None, about_agency(world))
    c = sent.complaint
    assert sent.created and len(sent.token) > 20
    assert complaints.token_matches(c, sent.token) and not complaints.token_matches(c, "x")
    assert c.code.startswith("PAKN-260309-")
    assert c.agency == world.org.district and c.status == ComplaintStatus.RECEIVED
    # Mon 9/3 09:00; Wed 11/3 is off.
    assert c.refuse_due_at == at("2026-03-12", "09:00")  # Tue 10, Thu 12
    assert c.more_info_due_at == at("2026-03-17", "09:00")  # 10, 12, 13, 16, 17
    assert c.answer_due_at == at("2026-03-31", "09:00")  # 15 working days
    assert c.current_due_at == c.answer_due_at
    assert AuditEntry.objects.filter(action="feedback.complaint_send").count() == 1
    notices = {n.channel: n for n in ComplaintNotice.objects.filter(complaint=c)}
    assert set(notices) == {"email", "sms"}
    assert notices["sms"].recipient == "84912345678"
    assert c.code in notices["email"].body
    assert sent.token not in notices["email"].body  # the key is never sent in clear


def test_procedure_is_routed_to_the_agency_that_carries_it_out(world: World, clock: Clock) -> None:
    world.version.agencies.set([world.org.commune])
    c = send(world, about=ComplaintAbout.PROCEDURE, procedure=world.version.procedure, agency=None)
    assert c.agency == world.org.commune and c.procedure == world.version.procedure
    with pytest.raises(InvalidFeedback) as caught:
        send(
            world,
            about=ComplaintAbout.PROCEDURE,
            procedure=world.version.procedure,
            agency=world.org.other_district,
        )
    assert caught.value.field == "agency"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "  "}, "title"),
        ({"body": ""}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"name": ""}, "name"),
        ({"email": "", "phone": ""}, "email"),
        ({"phone": "12"}, "phone"),
        ({"about": "weather"}, "about"),
        ({"agency": None}, "agency"),
        ({"about": ComplaintAbout.PROCEDURE}, "procedure"),
        ({"about": ComplaintAbout.DOSSIER}, "dossier_code"),
    ],
)
def test_bad_input_is_refused_and_nothing_recorded(
    world: World, clock: Clock, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidFeedback) as caught:
        send(world, **change)
    assert caught.value.field == field
    assert not Complaint.objects.exists() and not ComplaintNotice.objects.exists()


def test_a_dossier_needs_proof_of_ownership(world: World, clock: Clock) -> None:
    dossier = dossier_in_status(world, Status.RETURNED)
    base = {"about": ComplaintAbout.DOSSIER, "agency": None, "dossier_code": dossier.code}
    # A self-declared code proves nothing, and unknown codes answer the same way.
    for extra in (
        {},
        {"dossier_id_number": "091090009999"},
        {"dossier_code": "H33-000000-0000", "dossier_id_number": "091090001234"},
    ):
        with pytest.raises(NotVerified):
            send(world, **{**base, **extra})
    with pytest.raises(NotVerified):  # another citizen's account is no proof either
        send(world, actor=world.staff.clerk, **base)
    by_number = send(world, dossier_id_number="0910 9000 1234", **base)
    assert by_number.dossier == dossier and by_number.agency == dossier.receiving_agency
    assert by_number.procedure == world.version.procedure
    by_account = send(world, actor=world.staff.citizen, **base)
    assert by_account.sender == world.staff.citizen


def test_double_submit_records_one_complaint(world: World, clock: Clock) -> None:
    first = complaints.send_complaint(None, about_agency(world, idempotency_key="form-1"))
    again = complaints.send_complaint(None, about_agency(world, idempotency_key="form-1"))
    assert first.created and not again.created and again.token == ""
    assert again.complaint.pk == first.complaint.pk
    other_sender = complaints.send_complaint(
        None, about_agency(world, idempotency_key="form-1", email="khac@example.vn", phone="")
    )
    assert other_sender.created
    assert Complaint.objects.count() == 2


def test_a_second_complaint_on_the_same_matter_is_a_repeat(world: World, clock: Clock) -> None:
    first = send(world)
    second = send(world, title="Lại hẹn nữa")
    other = send(world, email="khac@example.vn", phone="")
    assert second.repeat_of == first and other.repeat_of is None and first.repeat_of is None


# --- the agency's steps ---------------------------------------------------------------------


def test_full_walk_with_more_information_and_deadlines(
    world: World, clock: Clock, holiday: Any
) -> None:
    sent = complaints.send_complaint(None, about_agency(world))
    c = sent.complaint
    clerk = world.staff.clerk
    c = complaints.classify(clerk, c, ComplaintCategory.BEHAVIOUR)
    clock.now = at("2026-03-10", "09:00")
    c = complaints.ask_more(clerk, c, "Cho biết ngày hẹn ghi trên phiếu.")
    assert c.status == ComplaintStatus.MORE_INFO and c.current_due_at is None
    with pytest.raises(PermissionDenied):
        complaints.reply_more(None, c, "Ngày 5/3", token="wrong")
    clock.now = at("2026-03-12", "09:00")  # one working day later (11/3 off)
    c = complaints.reply_more(None, c, "Ngày 5/3", token=sent.token)
    assert c.status == ComplaintStatus.RECEIVED
    assert c.answer_due_at == at("2026-04-01", "09:00")  # one working day added
    clock.now = at("2026-03-20", "10:00")
    c = complaints.answer(clerk, c, "Đã nhắc nhở cán bộ và trả kết quả.")
    assert c.status == ComplaintStatus.ANSWERED
    assert c.publish_due_at == at("2026-03-24", "10:00")  # Mon 23, Tue 24
    clock.now = at("2026-03-23", "08:00")
    c = complaints.publish(clerk, c)
    assert c.status == ComplaintStatus.PUBLISHED and c.current_due_at is None
    actions = list(
        AuditEntry.objects.filter(action__startswith="feedback.complaint_")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "feedback.complaint_send",
        "feedback.complaint_classify",
        "feedback.complaint_ask_more",
        "feedback.complaint_reply",
        "feedback.complaint_answer",
        "feedback.complaint_publish",
    ]
    events = sorted(set(ComplaintNotice.objects.values_list("event", flat=True)))
    assert events == ["more_info", "published", "received"]
    assert list(complaint_selectors.published(query="nhac nho can bo")) == [c]


def test_refusal_needs_a_reason_and_ends_it(world: World, clock: Clock) -> None:
    c = send(world)
    with pytest.raises(InvalidFeedback):
        complaints.refuse(world.staff.clerk, c, " ")
    c = complaints.refuse(world.staff.clerk, c, "Không thuộc thẩm quyền.")
    assert c.status == ComplaintStatus.REFUSED and c.current_due_at is None
    with pytest.raises(WrongState):
        complaints.answer(world.staff.clerk, c, "Trả lời")


def test_two_clerks_the_second_is_refused(world: World, clock: Clock) -> None:
    c = send(world)
    version = c.version
    complaints.refuse(world.staff.clerk, c, "Trùng lặp", version=version)
    with pytest.raises(WrongState):
        complaints.ask_more(world.staff.leader, c, "Thêm", version=version)
    c.refresh_from_db()
    assert c.status == ComplaintStatus.REFUSED and c.more_info_count == 0


def test_only_staff_of_the_agency_act(world: World, clock: Clock) -> None:
    c = send(world)
    for outsider in (world.staff.outsider, world.staff.citizen):
        with pytest.raises(PermissionDenied):
            complaints.classify(outsider, c, ComplaintCategory.RULES)
    assert not complaint_selectors.worklist(world.staff.outsider).exists()
    assert list(complaint_selectors.worklist(world.staff.clerk)) == [c]


def test_worklist_flags_overdue_and_due_soon(world: World, clock: Clock) -> None:
    old = send(world)
    clock.now = at("2026-03-30", "09:00")
    fresh = send(world, email="moi@example.vn", phone="")
    rows: dict[int, Any] = {
        c.pk: c for c in complaint_selectors.worklist(world.staff.clerk, now=clock.now)
    }
    assert rows[old.pk].is_due_soon and not rows[old.pk].is_overdue  # due 30/3 09:00 + 1 day
    rows = {
        c.pk: c
        for c in complaint_selectors.worklist(world.staff.clerk, now=at("2026-04-01", "09:00"))
    }
    assert rows[old.pk].is_overdue and not rows[fresh.pk].is_overdue
    assert next(iter(rows)) == old.pk  # earliest deadline first


# --- votes and notices ----------------------------------------------------------------------


def published_one(world: World) -> Complaint:
    c = send(world)
    c = complaints.answer(world.staff.clerk, c, "Trả lời công khai.")
    return complaints.publish(world.staff.clerk, c)


def test_votes_one_per_voter_idempotent_and_changeable(world: World, clock: Clock) -> None:
    with pytest.raises(WrongState):
        complaints.vote(send(world, email="a@example.vn"), "b:1", 1)
    c = published_one(world)
    complaints.vote(c, "b:1", 1)
    complaints.vote(c, "b:1", 1)  # again: nothing changes
    complaints.vote(c, "u:7", -1)
    c = complaints.vote(c, "b:1", -1)  # changed its mind
    assert (c.likes, c.dislikes) == (0, 2)
    assert ComplaintVote.objects.filter(complaint=c).count() == 2
    with pytest.raises(InvalidFeedback):
        complaints.vote(c, "b:1", 5)


def test_notices_are_sent_by_the_job(world: World, clock: Clock, settings: Any) -> None:
    settings.EGOV_NOTIFY_CHANNELS = ["email"]
    send(world)
    assert complaint_notices.send_due() == 1
    assert len(mail.outbox) == 1 and "PAKN-" in mail.outbox[0].subject
    assert complaint_notices.send_due() == 0


# --- pages and API --------------------------------------------------------------------------


def test_pages_send_track_reply_and_vote(world: World) -> None:
    client = Client()
    page = client.get(reverse("pakn:send"))
    assert page.status_code == 200
    form = {
        "about": "official",
        "agency": world.org.district.code,
        "title": "Phản ánh <script>x</script>",
        "body": "Nội dung",
        "sender_kind": "citizen",
        "name": "Lê Văn Tư",
        "email": "tu@example.vn",
        "publish_ok": "on",
        "nonce": "abc123",
    }
    sent = client.post(reverse("pakn:send"), form)
    assert sent.status_code == 200
    token = sent.context["token"]
    complaint = Complaint.objects.get()
    assert client.post(reverse("pakn:send"), form).context["created"] is False
    assert Complaint.objects.count() == 1
    bad = client.post(reverse("pakn:send"), {**form, "nonce": "n2", "email": ""})
    assert "Hãy nhập địa chỉ thư điện tử hoặc số điện thoại." in bad.content.decode()
    assert Complaint.objects.count() == 1
    staff = Client()
    sign_in_verified(staff, world.staff.clerk)
    detail = reverse("pakn:staff_detail", args=[complaint.pk])
    body = staff.get(detail).content.decode()
    assert "&lt;script&gt;" in body and "<script>x" not in body
    staff.post(
        detail,
        {"action": "ask_more", "version": 0, "ask_more-request": "Ngày hẹn?"},
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.MORE_INFO
    track = reverse("pakn:track", args=[complaint.code])
    assert client.post(track, {"key": "sai"}).context["complaint"] is None
    client.post(track, {"key": token, "reply": "Ngày 5/3"})
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED
    staff.post(detail, {"action": "answer", "version": 2, "answer-answer": "Đã xử lý."})
    staff.post(detail, {"action": "publish", "version": 3})
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.PUBLISHED
    listing = client.get(reverse("pakn:published"), {"q": "da xu ly"})
    assert complaint.code in listing.content.decode()
    vote_url = reverse("pakn:vote", args=[complaint.code])
    client.post(vote_url, {"value": "like"})
    client.post(vote_url, {"value": "like"})
    complaint.refresh_from_db()
    assert complaint.likes == 1
    Client().post(vote_url, {"value": "dislike"})  # another browser
    complaint.refresh_from_db()
    assert (complaint.likes, complaint.dislikes) == (1, 1)
    assert Client().get(reverse("pakn:worklist")).status_code == 302  # staff only


def test_api_send_idempotent_errors_and_public_list(world: World) -> None:
    client = Client()
    url = "/api/v1/feedback/complaints"
    payload = {
        "about": "official",
        "agency_code": world.org.district.code,
        "title": "Chờ lâu",
        "body": "Chờ hai giờ.",
        "name": "Lê Văn Tư",
        "phone": "0912345678",
    }
    first = client.post(
        url, json.dumps(payload), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert first.status_code == 201, first.content
    again = client.post(
        url, json.dumps(payload), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert again.status_code == 200 and again.json()["code"] == first.json()["code"]
    assert again.json()["token"] == ""
    bad = client.post(url, json.dumps({**payload, "phone": ""}), content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "email"
    dossier = dossier_in_status(world, Status.RETURNED)
    not_owner = client.post(
        url,
        json.dumps({**payload, "about": "dossier", "dossier_code": dossier.code}),
        content_type="application/json",
    )
    assert not_owner.status_code == 422 and not_owner.json()["code"] == "not_verified"
    c = Complaint.objects.get()
    complaints.answer(world.staff.clerk, c, "Đã bố trí thêm quầy.")
    complaints.publish(world.staff.clerk, c)
    listed = client.get(url + "/published", {"q": "bo tri"}).json()
    assert listed["count"] == 1 and listed["items"][0]["answer"] == "Đã bố trí thêm quầy."
    assert "Lê Văn Tư" not in json.dumps(listed)


def test_sending_and_voting_are_rate_limited(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from egov.feedback import complaint_rules

    monkeypatch.setattr(complaint_rules, "SEND_LIMIT", 2)
    monkeypatch.setattr(complaint_rules, "VOTE_LIMIT", 1)
    client = Client()
    form = {
        "about": "official",
        "agency": world.org.district.code,
        "title": "Chờ lâu",
        "body": "Nội dung",
        "sender_kind": "citizen",
        "name": "Lê Văn Tư",
        "phone": "0912345678",
    }
    codes = [
        client.post(reverse("pakn:send"), {**form, "nonce": f"n{i}"}).status_code for i in range(3)
    ]
    assert codes == [200, 200, 429]
    assert Complaint.objects.count() == 2
    sms = ComplaintNotice.objects.filter(channel="sms").first()
    assert sms is not None and "Chờ" not in sms.body and "PAKN-" in sms.body  # no diacritics
    c = Complaint.objects.first()
    assert c is not None
    complaints.answer(world.staff.clerk, c, "Đã xử lý.")
    complaints.publish(world.staff.clerk, c)
    url = reverse("pakn:vote", args=[c.code])
    client.post(url, {"value": "like"})
    Client().post(url, {"value": "dislike"})  # same address, another browser: refused
    c.refresh_from_db()
    assert (c.likes, c.dislikes) == (1, 0)


def test_api_uses_the_session_only_with_the_csrf_token(world: World) -> None:
    dossier = dossier_in_status(world, Status.RETURNED)
    payload = {
        "about": "dossier",
        "dossier_code": dossier.code,
        "title": "Chậm trả kết quả",
        "body": "Quá hẹn hai ngày.",
    }
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(world.staff.citizen)
    answer = forged.post(
        "/api/v1/feedback/complaints", json.dumps(payload), content_type="application/json"
    )
    assert answer.status_code == 422  # treated as nobody: no name, no proof
    assert not Complaint.objects.exists()
    own = Client()
    own.force_login(world.staff.citizen)
    answer = own.post(
        "/api/v1/feedback/complaints", json.dumps(payload), content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    assert Complaint.objects.get().sender == world.staff.citizen


def test_staff_page_refuses_a_stale_or_garbled_form(world: World) -> None:
    c = send(world, actor=None)
    staff = Client()
    sign_in_verified(staff, world.staff.clerk)
    detail = reverse("pakn:staff_detail", args=[c.pk])
    for version in ("abc", "7", ""):
        page = staff.post(detail, {"action": "refuse", "version": version, "refuse-reason": "X"})
        assert page.status_code == 200
        assert "đã thay đổi từ khi anh/chị mở" in page.content.decode()
    c.refresh_from_db()
    assert c.status == ComplaintStatus.RECEIVED
    outsider = Client()
    sign_in_verified(outsider, world.staff.outsider)
    assert outsider.get(detail).status_code == 404
