"""Indicators 5.1–5.3 of the 766 index on a hand-built set of complaints: the
expected values are worked out here by hand, and the same figures come out of a
plain SQL count over the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection

from egov.core.models import CalendarOverride
from egov.core.periods import period_bounds
from egov.core.workcalendar import invalidate_calendar
from egov.dossiers.tests.factories import World, at, build_world
from egov.feedback import complaints, selectors
from egov.feedback.complaint_models import Complaint, ComplaintAbout, ComplaintCategory

pytestmark = pytest.mark.django_db

START, END = date(2026, 3, 1), date(2026, 3, 31)
NOW = at("2026-04-20", "09:00")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world() -> World:
    cache.clear()
    return build_world()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    frozen = Clock()
    monkeypatch.setattr(complaints, "_now", frozen)
    CalendarOverride.objects.create(date=date(2026, 3, 11), is_working_day=False, reason="Nghỉ")
    invalidate_calendar()
    yield frozen
    invalidate_calendar()


def sent(world: World, clock: Clock, when: datetime, *, agency: Any = None, **kw: Any) -> Complaint:
    clock.now = when
    data = complaints.ComplaintIn(
        about=ComplaintAbout.PROCEDURE if "procedure" in kw else ComplaintAbout.OFFICIAL,
        title=kw.pop("title", "Phản ánh"),
        body="Nội dung",
        name="Người gửi",
        email=kw.pop("email", f"{when:%m%d%H}@example.vn"),
        agency=agency or world.org.district,
        **kw,
    )
    return complaints.send_complaint(None, data).complaint


def step(clock: Clock, when: datetime, action: Any, *args: Any) -> Complaint:
    clock.now = when
    result: Complaint = action(*args)
    return result


@pytest.fixture
def built(world: World, clock: Clock) -> dict[str, Complaint]:
    """Seven complaints of the district received in March 2026 (11/03 a day off), one
    before the period and one of another district (neither counted)."""
    clerk = world.staff.clerk
    procedure = world.version.procedure
    world.version.agencies.set([world.org.district])
    cat = ComplaintCategory
    # A: classified, answered 5/3, published 6/3 (on time), liked.
    a = sent(world, clock, at("2026-03-02", "09:00"), procedure=procedure, email="an@example.vn")
    step(clock, at("2026-03-02", "10:00"), complaints.classify, clerk, a, cat.PROCEDURE)
    step(clock, at("2026-03-05", "09:00"), complaints.answer, clerk, a, "Trả lời A")
    a = step(clock, at("2026-03-06", "09:00"), complaints.publish, clerk, a)
    complaints.vote(a, "b:1", 1)
    complaints.vote(a, "b:2", 1)
    # B: never classified, refused 9/3: late (due Thu 5/3 09:00).
    b = sent(world, clock, at("2026-03-03", "09:00"))
    step(clock, at("2026-03-09", "09:00"), complaints.refuse, clerk, b, "Ngoài phạm vi")
    # C: classified, asked for more on time, no reply: waiting, not late.
    c = sent(world, clock, at("2026-03-09", "09:00"))
    step(clock, at("2026-03-09", "10:00"), complaints.classify, clerk, c, cat.RULES)
    step(clock, at("2026-03-10", "09:00"), complaints.ask_more, clerk, c, "Thêm thông tin")
    # D: answered 12/3, published 20/3: late (due 2 working days after 12/3: Mon 16/3).
    d = sent(world, clock, at("2026-03-10", "09:00"))
    step(clock, at("2026-03-10", "10:00"), complaints.classify, clerk, d, cat.BEHAVIOUR)
    step(clock, at("2026-03-12", "09:00"), complaints.answer, clerk, d, "Trả lời D")
    step(clock, at("2026-03-20", "09:00"), complaints.publish, clerk, d)
    # E: unclassified, not answered; due 15 working days after 12/3 = 2/4: not late at
    # the end of March.
    e = sent(world, clock, at("2026-03-12", "09:00"))
    # F: repeats A (same sender, same procedure), answered and published on time,
    # disliked.
    f = sent(world, clock, at("2026-03-16", "09:00"), procedure=procedure, email="an@example.vn")
    step(clock, at("2026-03-16", "10:00"), complaints.classify, clerk, f, cat.PROCEDURE)
    step(clock, at("2026-03-17", "09:00"), complaints.answer, clerk, f, "Trả lời F")
    f = step(clock, at("2026-03-18", "09:00"), complaints.publish, clerk, f)
    complaints.vote(f, "b:1", -1)
    complaints.vote(f, "b:3", -1)
    # I: classified, never answered: due 15 working days after 2/3 (without 11/3) =
    # Tue 24/3 09:00, past at the end of March: late.
    i = sent(world, clock, at("2026-03-02", "11:00"))
    step(clock, at("2026-03-02", "12:00"), complaints.classify, clerk, i, cat.OTHER)
    # Not counted: before the period, and another district.
    sent(world, clock, at("2026-02-27", "09:00"))
    sent(world, clock, at("2026-03-05", "09:00"), agency=world.org.other_district)
    clock.now = NOW
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "i": i}


def codes(lowering: list[tuple[str, str]]) -> set[str]:
    return {label.split(" — ")[0] for label, _url in lowering}


def test_indicators_by_hand(world: World, built: dict[str, Complaint]) -> None:
    assert built["i"].answer_due_at == at("2026-03-24", "11:00")
    assert built["e"].answer_due_at == at("2026-04-02", "09:00")
    assert built["f"].repeat_of == built["a"]
    district = [world.org.district.pk]
    found = {row["code"]: row for row in selectors.pakn_indicators(district, START, END, now=NOW)}
    assert set(found) == {"5.1", "5.2", "5.3"}
    assert set(found["5.1"]) == {"code", "title", "numerator", "denominator", "rule", "lowering"}
    # 5.1: seven complaints, B and E unclassified.
    assert (found["5.1"]["numerator"], found["5.1"]["denominator"]) == (5, 7)
    assert codes(found["5.1"]["lowering"]) == {built["b"].code, built["e"].code}
    # 5.2: B refused late, D published late, I not answered by its deadline.
    assert (found["5.2"]["numerator"], found["5.2"]["denominator"]) == (4, 7)
    assert codes(found["5.2"]["lowering"]) == {built[k].code for k in "bdi"}
    # 5.3: the late three and F (disliked and a repeat), each once.
    assert (found["5.3"]["numerator"], found["5.3"]["denominator"]) == (3, 7)
    assert codes(found["5.3"]["lowering"]) == {built[k].code for k in "bdfi"}
    url = found["5.2"]["lowering"][0][1]
    assert url.startswith("/phan-anh/can-bo/")
    # Another district: one complaint of 5/3, unclassified and unanswered past its
    # deadline (Fri 27/3): it lowers all three.
    other = selectors.pakn_indicators([world.org.other_district.pk], START, END, now=NOW)
    assert [(r["numerator"], r["denominator"]) for r in other] == [(0, 1), (0, 1), (0, 1)]
    # Judged on 20/3 instead (before its deadline), it is not late yet.
    early = selectors.pakn_indicators(
        [world.org.other_district.pk], START, END, now=at("2026-03-20", "09:00")
    )
    assert [(r["numerator"], r["denominator"]) for r in early] == [(0, 1), (1, 1), (1, 1)]
    # No complaint at all: zero over zero.
    empty = selectors.pakn_indicators([world.org.commune.pk], START, END, now=NOW)
    assert [(r["numerator"], r["denominator"], r["lowering"]) for r in empty] == [(0, 0, [])] * 3


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def test_the_same_figures_from_plain_sql(world: World, built: dict[str, Complaint]) -> None:
    starts_at, ends_at = period_bounds(START, END)
    cutoff = min(ends_at, NOW)
    late = (
        "((refused_at IS NOT NULL AND refused_at > refuse_due_at)"
        " OR (first_more_info_at IS NOT NULL AND first_more_info_at > more_info_due_at)"
        " OR (answered_at IS NOT NULL AND answered_at > answer_due_at)"
        " OR (published_at IS NOT NULL AND published_at > publish_due_at)"
        " OR (status = 'received' AND answer_due_at < %s)"
        " OR (status = 'answered' AND publish_due_at < %s))"
    )
    sql = (
        "SELECT COUNT(*),"
        " SUM(CASE WHEN category <> '' THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {late} THEN 0 ELSE 1 END),"
        f" SUM(CASE WHEN {late} OR (status = 'published' AND dislikes > likes)"
        " OR repeat_of_id IS NOT NULL THEN 0 ELSE 1 END)"
        " FROM feedback_complaint"
        " WHERE agency_id = %s AND received_at >= %s AND received_at < %s"
    )
    if connection.vendor == "postgresql":
        params: list[Any] = [cutoff] * 4 + [world.org.district.pk, starts_at, ends_at]
    else:
        params = [_utc(cutoff)] * 4 + [world.org.district.pk, _utc(starts_at), _utc(ends_at)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        total, classified, on_time, satisfied = cursor.fetchone()
    found = selectors.pakn_indicators([world.org.district.pk], START, END, now=NOW)
    assert [(r["numerator"], r["denominator"]) for r in found] == [
        (classified, total),
        (on_time, total),
        (satisfied, total),
    ]
    assert (total, classified, on_time, satisfied) == (7, 5, 4, 3)
