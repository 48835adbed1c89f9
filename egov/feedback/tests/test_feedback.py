"""Ratings, published figures, questions and the FAQ."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from egov.accounts.models import AccountKind, User
from egov.accounts.tests.helpers import sign_in_verified
from egov.core.models import AuditEntry, CalendarOverride
from egov.core.periods import parse_period
from egov.core.workcalendar import invalidate_calendar
from egov.dossiers.models import DossierEvent, Status
from egov.dossiers.tests.factories import World, at, build_world, dossier_in_status, make_version
from egov.feedback import selectors, services
from egov.feedback.errors import ChangeWindowClosed, InvalidFeedback, NotReturned
from egov.feedback.indicators import asked_indicators
from egov.feedback.models import Level, Question, QuestionStatus, Rating, RatingSource
from egov.feedback.signals import question_answered

pytestmark = pytest.mark.django_db

GOOD = {item.code: item.answers[0].value for item in asked_indicators()}


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
    monkeypatch.setattr(services, "_now", frozen)
    return frozen


def rate(actor: Any, dossier: Any, level: int = Level.VERY_SATISFIED, **kw: Any) -> Rating:
    source = kw.pop("source", RatingSource.ONLINE)
    data = services.RatingIn(level=level, answers=kw.pop("answers", GOOD), **kw)
    return services.rate_dossier(actor, dossier, data, source=source)


# --- rating -------------------------------------------------------------------------------


def test_only_the_applicant_rates_online(world: World, clock: Clock) -> None:
    dossier = dossier_in_status(world, Status.RETURNED)
    other = User.objects.create_user("091090009999", None, kind=AccountKind.CITIZEN)
    with pytest.raises(PermissionDenied):
        rate(other, dossier)
    with pytest.raises(PermissionDenied):
        rate(world.staff.clerk, dossier)  # a clerk is not the applicant
    rating = rate(world.staff.citizen, dossier)
    assert rating.source == RatingSource.ONLINE
    assert rating.recorded_by == world.staff.citizen


def test_desk_clerk_records_for_a_desk_applicant(world: World, clock: Clock) -> None:
    dossier = dossier_in_status(world, Status.RETURNED, applicant=None)
    with pytest.raises(PermissionDenied):
        rate(world.staff.outsider, dossier, source=RatingSource.DESK)
    with pytest.raises(PermissionDenied):
        rate(world.staff.specialist, dossier, source=RatingSource.DESK)
    rating = rate(world.staff.clerk, dossier, Level.SATISFIED, source=RatingSource.DESK)
    assert rating.source == RatingSource.DESK
    assert rating.agency == world.org.district


@pytest.mark.parametrize(
    "status", [s for s in Status if s != Status.RETURNED], ids=lambda s: s.name
)
def test_only_returned_dossiers_are_rated(world: World, clock: Clock, status: Status) -> None:
    dossier = dossier_in_status(world, status)
    with pytest.raises(NotReturned):
        rate(world.staff.citizen, dossier)
    assert not Rating.objects.exists()


def test_every_question_must_be_answered(world: World, clock: Clock) -> None:
    dossier = dossier_in_status(world, Status.RETURNED)
    partial = dict(GOOD)
    partial.pop("attitude")
    with pytest.raises(InvalidFeedback) as caught:
        rate(world.staff.citizen, dossier, answers=partial)
    assert caught.value.field == "attitude"
    with pytest.raises(InvalidFeedback):
        rate(world.staff.citizen, dossier, level=7)


def test_one_rating_per_dossier_changed_within_the_window_and_audited(
    world: World, clock: Clock, settings: Any
) -> None:
    settings.EGOV_FEEDBACK_CHANGE_DAYS = 7
    dossier = dossier_in_status(world, Status.RETURNED)
    first = rate(world.staff.citizen, dossier, Level.UNSATISFIED, comment="Chờ lâu")
    clock.now += timedelta(days=3)
    second = rate(world.staff.citizen, dossier, Level.SATISFIED)
    assert second.pk == first.pk
    assert Rating.objects.count() == 1
    second.refresh_from_db()
    assert second.level == Level.SATISFIED and second.changes == 1
    assert second.rated_at == at("2026-03-09", "09:00")
    actions = list(
        AuditEntry.objects.filter(action__startswith="feedback.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["feedback.rate", "feedback.change_rating"]
    change = AuditEntry.objects.get(action="feedback.change_rating")
    assert change.changes["level"] == [Level.UNSATISFIED, Level.SATISFIED]
    clock.now += timedelta(days=5)
    with pytest.raises(ChangeWindowClosed):
        rate(world.staff.citizen, dossier, Level.VERY_SATISFIED)
    # The database refuses a second row whatever the code does.
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(
            dossier=dossier,
            agency=dossier.receiving_agency,
            receiving_unit=dossier.receiving_unit,
            procedure_id=dossier.procedure_version.procedure_id,
            level=1,
            source=RatingSource.ONLINE,
            recorded_by=world.staff.citizen,
            rated_at=clock.now,
            updated_at=clock.now,
        )


def test_clerk_cannot_change_an_applicants_online_rating(world: World, clock: Clock) -> None:
    dossier = dossier_in_status(world, Status.RETURNED)
    rate(world.staff.citizen, dossier)
    with pytest.raises(PermissionDenied):
        rate(world.staff.clerk, dossier, Level.UNSATISFIED, source=RatingSource.DESK)


def test_measured_indicators_come_from_the_dossier(world: World, clock: Clock) -> None:
    org = world.org
    dossier = dossier_in_status(
        world,
        Status.RETURNED,
        resolved_at=at("2026-03-04", "10:00"),
        due_at=at("2026-03-09", "08:00"),
        returned_at=at("2026-03-05", "09:00"),
        timeliness="early",
    )

    def event(day: str, clock_time: str, frm: Any, to: Any, step_due: Any = None) -> None:
        DossierEvent.objects.create(
            dossier=dossier,
            at=at(day, clock_time),
            action="forward",
            from_status=Status.PROCESSING,
            to_status=Status.PROCESSING,
            from_unit=frm,
            to_unit=to,
            step_due_at=step_due,
        )

    # desk (internal unit: counts as the district) → justice → commune (liên thông) → back
    event("2026-03-02", "08:00", None, org.desk, at("2026-03-02", "12:00"))
    event("2026-03-02", "11:00", org.desk, org.justice, at("2026-03-03", "09:00"))
    event("2026-03-03", "15:00", org.justice, org.commune, at("2026-03-04", "09:00"))  # late
    event("2026-03-04", "08:00", org.commune, org.desk)
    rating = rate(world.staff.citizen, dossier)
    facts = rating.facts
    assert facts["agencies"] == 3  # Rạch Giá (desk folded in), Phòng Tư pháp, the ward
    assert facts["steps"] == 3 and facts["late_steps"] == 1
    assert facts["timeliness"] == "early"
    assert rating.on_time is True
    assert rating.score_total_time == 2
    assert rating.score_time_per_agency == 1
    assert rating.score_agencies == 0
    assert rating.score_attitude == 2
    assert "agencies" not in rating.answers and "total_time" not in rating.answers


def test_late_dossier_is_not_on_time(world: World, clock: Clock) -> None:
    dossier = dossier_in_status(
        world,
        Status.RETURNED,
        resolved_at=at("2026-03-10", "10:00"),
        returned_at=at("2026-03-11", "10:00"),
        timeliness="late",
    )
    rating = rate(world.staff.citizen, dossier, answers={**GOOD, "feedback": "none"})
    assert rating.on_time is False
    assert rating.score_total_time == 0
    assert rating.score_feedback is None  # "I made none" is not scored


# --- published figures -------------------------------------------------------------------------


def _rated(world: World, clock: Clock, agency: Any, level: int, when: str, **kw: Any) -> Rating:
    clock.now = at(when, "09:00")
    dossier = dossier_in_status(world, Status.RETURNED, receiving_agency=agency, **kw)
    return rate(world.staff.citizen, dossier, level)


def test_published_figures_per_subtree_and_period(world: World, clock: Clock) -> None:
    org = world.org
    _rated(world, clock, org.district, Level.VERY_SATISFIED, "2026-03-10")
    _rated(world, clock, org.commune, Level.UNSATISFIED, "2026-03-11", timeliness="late")
    _rated(
        world,
        clock,
        org.other_district,
        Level.SATISFIED,
        "2026-03-12",
        receiving_unit=org.other_district,
    )
    _rated(world, clock, org.district, Level.SATISFIED, "2026-04-02")  # next month

    march = parse_period("2026-03")
    assert march is not None and march.start == date(2026, 3, 1) and march.end == date(2026, 3, 31)
    table = selectors.ratings_table(org.province, march, sort="name", descending=False)
    assert table.totals.count == 3
    by_code = {row.unit.code: row.figures for row in table.rows}
    district = by_code[org.district.code]
    assert district.count == 2  # the district itself and the ward below it
    assert district.levels == {1: 1, 2: 0, 3: 1}
    assert district.on_time_share == 0.5
    assert by_code[org.other_district.code].count == 1

    inside = selectors.ratings_table(org.district, march)
    assert [r.unit.code for r in inside.rows if r.is_self] == [org.district.code]
    ward = next(r for r in inside.rows if r.unit == org.commune)
    assert ward.figures.count == 1 and ward.figures.unsatisfied_share == 1.0

    quarter = parse_period("2026-Q2")
    assert quarter is not None
    assert selectors.ratings_table(org.province, quarter).totals.count == 1

    summary = selectors.satisfaction_summary(
        [u.pk for u in (org.district, org.desk, org.commune, org.justice)],
        date(2026, 3, 1),
        date(2026, 3, 31),
    )
    assert summary["count"] == 2
    assert summary["very_satisfied"] == 1 and summary["unsatisfied"] == 1
    assert summary["satisfied_or_better_share"] == 0.5
    assert summary["indicators"]["attitude"] == 1.0
    assert (
        selectors.satisfaction_summary([org.desk.pk], date(2026, 3, 1), date(2026, 12, 31))["count"]
        == 3
    )  # every rating of dossiers that desk received (not the other district)


def test_parse_period_refuses_nonsense() -> None:
    assert parse_period("2026-13") is None
    assert parse_period("abc") is None
    year = parse_period("", today=date(2026, 5, 1))
    assert year is not None and year.key == "2026"


def test_ratings_page_and_api_show_no_personal_data(world: World, clock: Clock) -> None:
    rating = _rated(world, clock, world.org.district, Level.VERY_SATISFIED, "2026-03-10")
    rating.comment = "Cán bộ Nguyễn Thị Hoa rất nhiệt tình"
    rating.save()
    client = Client()
    page = client.get(reverse("feedback:ratings"), {"period": "2026-03", "sort": "name"})
    assert page.status_code == 200
    text = page.content.decode()
    assert world.org.district.name in text
    assert "Nguyễn Văn An" not in text and "Nguyễn Thị Hoa" not in text
    assert len(page.content) < 150_000
    services.moderate_comment(world.staff.clerk, rating, publish=True)
    assert (
        "rất nhiệt tình"
        in client.get(reverse("feedback:ratings"), {"period": "2026-03"}).content.decode()
    )

    api = client.get("/api/v1/feedback/ratings", {"period": "2026-03"})
    assert api.status_code == 200
    body = api.json()
    assert body["totals"]["count"] == 1 and body["totals"]["very_satisfied_share"] == 1.0
    assert len(body["indicators"]) == 9
    assert "Nguyễn" not in api.content.decode()
    bad = client.get("/api/v1/feedback/ratings", {"period": "2026-99"})
    assert bad.status_code == 422 and bad.json()["field"] == "period"
    missing = client.get("/api/v1/feedback/ratings", {"agency": "999.99.99.H99"})
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


# --- rating pages ------------------------------------------------------------------------------


def test_rating_page_for_the_owner_only(world: World) -> None:
    dossier = dossier_in_status(world, Status.RETURNED)
    url = reverse("feedback:rate", args=[dossier.code])
    client = Client()
    assert client.get(url).status_code == 302  # sign in first
    other = User.objects.create_user("091090009999", None, kind=AccountKind.CITIZEN)
    client.force_login(other)
    # "Not yours" and "no such dossier" answer alike: codes are not confirmed to strangers.
    assert client.get(url).status_code == 404
    assert client.post(url, {"level": "3", **GOOD}).status_code == 404
    missing = reverse("feedback:rate", args=["000.00.31.H33-260115-9999"])
    assert client.get(missing).status_code == 404
    assert not Rating.objects.filter(dossier=dossier).exists()
    client.force_login(world.staff.citizen)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"level": "3", "comment": "Tốt"})
    assert bad.status_code == 200
    assert b'aria-invalid="true"' in bad.content
    assert "Tốt" in bad.content.decode()  # nothing typed is lost
    good = client.post(url, {"level": "3", **GOOD})
    assert good.status_code == 302
    assert Rating.objects.get(dossier=dossier).level == 3
    again = client.get(url)
    assert re.search("Rating recorded|Đánh giá đã ghi nhận", again.content.decode())


def test_desk_rating_page(world: World) -> None:
    dossier = dossier_in_status(world, Status.RETURNED, applicant=None)
    client = Client()
    sign_in_verified(client, world.staff.clerk)
    url = reverse("feedback:desk_rate", args=[dossier.code])
    response = client.post(url, {"level": "2", **GOOD})
    assert response.status_code == 302
    assert Rating.objects.get(dossier=dossier).source == RatingSource.DESK
    outsider = Client()
    sign_in_verified(outsider, world.staff.outsider)
    assert outsider.get(url).status_code == 404


# --- questions -----------------------------------------------------------------------------------


def ask(world: World, **kw: Any) -> Question:
    values: dict[str, Any] = {
        "title": "Hồ sơ đăng ký khai sinh cần những gì?",
        "body": "Tôi muốn đăng ký khai sinh cho con, cần mang giấy tờ gì?",
        "name": "Trần Văn Bảy",
        "email": "bay@example.vn",
        "agency": world.org.district,
    }
    values.update(kw)
    return services.ask_question(None, services.QuestionIn(**values))


def test_question_routed_to_the_agency_of_the_procedure(world: World, clock: Clock) -> None:
    only = make_version(national_code="2.000488", name="Cấp Phiếu lý lịch tư pháp")
    only.agencies.set([world.org.justice])
    question = ask(world, procedure=only.procedure, agency=None)
    assert question.agency == world.org.justice
    assert question.field == only.field
    several = make_version(national_code="1.000894", name="Đăng ký kết hôn")
    several.agencies.set([world.org.district, world.org.commune])
    with pytest.raises(InvalidFeedback) as caught:
        ask(world, procedure=several.procedure, agency=None)
    assert caught.value.field == "agency"
    with pytest.raises(InvalidFeedback):
        ask(world, procedure=several.procedure, agency=world.org.other_district)
    assert ask(world, procedure=several.procedure, agency=world.org.commune).agency == (
        world.org.commune
    )
    with pytest.raises(InvalidFeedback):
        ask(world, agency=world.org.desk)  # an internal unit is not an agency
    with pytest.raises(InvalidFeedback) as caught:
        ask(world, email="", phone="")
    assert caught.value.field == "email"


def test_deadline_in_working_days_skips_weekends_and_days_off(
    world: World, clock: Clock, settings: Any
) -> None:
    settings.EGOV_FEEDBACK_ANSWER_DAYS = 5
    CalendarOverride.objects.create(date=date(2026, 6, 8), is_working_day=False, reason="Nghỉ bù")
    invalidate_calendar()
    try:
        clock.now = at("2026-06-04", "10:00")  # Thursday
        question = ask(world)
        # Fri 5, (Sat, Sun, Mon 8 off), Tue 9, Wed 10, Thu 11, Fri 12
        assert question.due_at == at("2026-06-12", "10:00")
        clock.now = at("2026-04-24", "10:00")  # Friday before 30/4 and 1/5
        due = ask(world).due_at
        assert due.date() > date(2026, 5, 1)
        assert due.weekday() < 5
    finally:
        invalidate_calendar()


def test_worklist_shows_questions_of_ones_agencies(world: World, clock: Clock) -> None:
    to_district = ask(world)
    to_justice = ask(world, agency=world.org.justice, title="Lý lịch tư pháp")
    clock.now = at("2026-03-20", "09:00")  # the first two are overdue now
    # The desk answers for its own agency; Phòng Tư pháp is an agency of its own.
    assert list(selectors.question_worklist(world.staff.clerk, now=clock.now)) == [to_district]
    assert set(selectors.question_worklist(world.staff.leader, now=clock.now)) == {
        to_district,
        to_justice,
    }
    assert list(selectors.question_worklist(world.staff.specialist, now=clock.now)) == [to_justice]
    assert not selectors.question_worklist(world.staff.outsider, now=clock.now).exists()
    row = selectors.question_worklist(world.staff.clerk, now=clock.now).first()
    assert row is not None and row.is_overdue  # type: ignore[attr-defined]
    with pytest.raises(PermissionDenied):
        services.answer_question(world.staff.outsider, to_district, answer="x", publish=True)

    client = Client()
    sign_in_verified(client, world.staff.clerk)
    page = client.get(reverse("feedback:questions"))
    assert page.status_code == 200
    assert "flag--overdue" in page.content.decode()
    outsider = Client()
    sign_in_verified(outsider, world.staff.outsider)
    assert outsider.get(reverse("feedback:answer", args=[to_district.pk])).status_code == 404
    citizen = Client()
    citizen.force_login(world.staff.citizen)
    assert citizen.get(reverse("feedback:questions")).status_code == 403


def test_answering_publishes_and_signals_once(world: World, clock: Clock) -> None:
    question = ask(world)
    received: list[Question] = []

    def listener(sender: Any, question: Question, actor: Any, **kw: Any) -> None:
        received.append(question)

    question_answered.connect(listener)
    try:
        client = Client()
        sign_in_verified(client, world.staff.clerk)
        url = reverse("feedback:answer", args=[question.pk])
        empty = client.post(url, {"answer": "", "publish": "on"})
        assert b'aria-invalid="true"' in empty.content
        response = client.post(url, {"answer": "Mang theo Giấy chứng sinh.", "publish": "on"})
        assert response.status_code == 302
        services.answer_question(
            world.staff.clerk,
            question,
            answer="Mang theo Giấy chứng sinh bản chính.",
            publish=False,
        )
    finally:
        question_answered.disconnect(listener)
    assert len(received) == 1
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED and not question.is_published
    assert AuditEntry.objects.filter(action="feedback.answer").count() == 1
    assert AuditEntry.objects.filter(action="feedback.change_answer").count() == 1


def test_faq_search_without_diacritics(world: World, clock: Clock) -> None:
    version = world.version  # 1.001193, field "ho-tich"
    q1 = ask(world, procedure=version.procedure, agency=world.org.district)
    q2 = ask(world, title="Lệ phí chứng thực", body="Chứng thực bản sao mất bao nhiêu tiền?")
    hidden = ask(world, title="Hồ sơ của tôi", body="Hồ sơ riêng của tôi")
    for q, publish in ((q1, True), (q2, True), (hidden, False)):
        services.answer_question(world.staff.clerk, q, answer="Đã trả lời đầy đủ.", publish=publish)
    assert list(selectors.faq(query="ho so")) == [q1]
    assert list(selectors.faq(query="HỒ SƠ khai sinh")) == [q1]
    assert list(selectors.faq(query="le phi chung thuc")) == [q2]
    assert list(selectors.faq(procedure="1.001193")) == [q1]
    assert list(selectors.faq(field_code="ho-tich")) == [q1]
    assert set(selectors.faq(agency=world.org.province.code)) == {q1, q2}
    assert not selectors.faq(agency=world.org.other_district.code).exists()
    page = Client().get(reverse("feedback:faq"), {"q": "ho so"})
    assert "Hồ sơ đăng ký khai sinh" in page.content.decode()
    assert "Hồ sơ riêng" not in page.content.decode()


# --- the ask page: honeypot and rate limit ---------------------------------------------------


def _form(world: World, **kw: Any) -> dict[str, str]:
    data = {
        "agency": world.org.district.code,
        "title": "Hỏi về thủ tục",
        "body": "Xin hỏi thời gian giải quyết là bao lâu?",
        "name": "Lê Thị Tám",
        "email": "tam@example.vn",
        "phone": "",
        "publish_ok": "on",
        "website": "",
    }
    data.update(kw)
    return data


def test_ask_page_requires_contact_without_sign_in(world: World) -> None:
    client = Client()
    url = reverse("feedback:ask")
    assert client.get(url).status_code == 200
    response = client.post(url, _form(world, name="", email=""))
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count('aria-invalid="true"') >= 2
    assert "Xin hỏi thời gian" in text
    assert client.post(url, _form(world)).status_code == 302
    question = Question.objects.get()
    assert question.agency == world.org.district and question.asker is None


def test_ask_page_signed_in_uses_the_account(world: World) -> None:
    client = Client()
    client.force_login(world.staff.citizen)
    response = client.post(reverse("feedback:ask"), _form(world, name="", email=""))
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.asker == world.staff.citizen
    assert question.asker_email == world.staff.citizen.email


def test_honeypot_drops_the_question_quietly(world: World) -> None:
    response = Client().post(reverse("feedback:ask"), _form(world, website="http://spam"))
    assert response.status_code == 302
    assert not Question.objects.exists()


def test_rate_limit_per_ip(world: World, settings: Any) -> None:
    settings.EGOV_FEEDBACK_QUESTION_LIMIT = 2
    cache.clear()
    client = Client(REMOTE_ADDR="203.0.113.7")
    url = reverse("feedback:ask")
    assert client.post(url, _form(world)).status_code == 302
    assert client.post(url, _form(world)).status_code == 302
    refused = client.post(url, _form(world))
    assert refused.status_code == 429
    assert refused.has_header("Retry-After")
    assert Question.objects.count() == 2
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert other.post(url, _form(world)).status_code == 302
    cache.clear()


def test_ask_about_a_procedure_offers_its_agencies(world: World) -> None:
    version = make_version(national_code="1.000894", name="Đăng ký kết hôn")
    version.agencies.set([world.org.commune])
    client = Client()
    page = client.get(reverse("feedback:ask"), {"thu-tuc": "1.000894"})
    text = page.content.decode()
    assert world.org.commune.name in text and world.org.other_district.name not in text
    response = client.post(reverse("feedback:ask") + "?thu-tuc=1.000894", _form(world, agency=""))
    assert response.status_code == 302
    assert Question.objects.get().agency == world.org.commune


def test_one_stop_statistics_carry_the_ratings_of_the_subtree(world: World, clock: Clock) -> None:
    from egov.dossiers.stats.figures import dossier_statistics

    org = world.org
    _rated(world, clock, org.district, Level.VERY_SATISFIED, "2026-03-10")
    _rated(world, clock, org.commune, Level.UNSATISFIED, "2026-03-11")
    _rated(
        world,
        clock,
        org.other_district,
        Level.SATISFIED,
        "2026-03-12",
        receiving_unit=org.other_district,
    )
    clock.now = at("2026-04-01", "09:00")
    result = dossier_statistics(org.district, date(2026, 3, 1), date(2026, 3, 31))
    assert result.satisfaction is not None
    assert result.satisfaction["count"] == 2  # the district and the ward, not the other one
    assert result.satisfaction["very_satisfied"] == 1 and result.satisfaction["unsatisfied"] == 1
    whole = dossier_statistics(org.province, date(2026, 3, 1), date(2026, 3, 31))
    assert whole.satisfaction is not None and whole.satisfaction["count"] == 3
