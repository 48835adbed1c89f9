"""Automatic figures of the other apps (questions answered, documents issued and
received) against an independent SQL count, and the periods of every frequency."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection

from egov.core.periods import period_bounds
from egov.dossiers.tests.test_statistics import at
from egov.feedback.models import Question, QuestionStatus
from egov.reporting import sources
from egov.reporting.models import Frequency, Regime
from egov.reporting.periods import deadline_of, period_of

pytestmark = pytest.mark.django_db


def _question(agency: Any, asked: str, answered: str | None, due: str) -> Question:
    return Question.objects.create(
        agency=agency,
        asker_name="Nguyễn Văn An",
        title="Hỏi về hộ tịch",
        body="Thủ tục đăng ký khai sinh cần giấy tờ gì?",
        asked_at=at(asked),
        due_at=at(due),
        status=QuestionStatus.ANSWERED if answered else QuestionStatus.OPEN,
        answer="Cần tờ khai và giấy chứng sinh." if answered else "",
        answered_at=at(answered) if answered else None,
    )


def test_questions_and_documents_match_sql(org: Any) -> None:
    _question(org.commune, "2020-01-06", "2020-01-08", "2020-01-10")
    _question(org.commune, "2020-02-03", "2020-02-20", "2020-02-10")  # answered late
    _question(org.district, "2020-03-02", None, "2020-03-09")  # not answered
    _question(org.district, "2020-03-20", "2020-03-21", "2020-03-25")  # after the cut-off
    keys = [
        "feedback.questions_asked",
        "feedback.questions_answered",
        "outgoing.issued",
        "outgoing.signed",
        "documents.received",
        "documents.received_electronic",
        "documents.electronic_share",
    ]
    start, end = date(2019, 12, 15), date(2020, 3, 14)
    computed = sources.compute(keys, org.district, start, end, tables=False)
    ids = [org.district.pk, org.district_desk.pk, org.commune.pk, org.commune_desk.pk]
    lo, hi = period_bounds(start, end)
    marks = ",".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM feedback_question WHERE agency_id IN ({marks}) "
            "AND answered_at >= %s AND answered_at < %s AND status = 'answered'",
            [*ids, lo, hi],
        )
        (answered,) = cursor.fetchone()
        cursor.execute(
            f"SELECT COUNT(*) FROM feedback_question WHERE agency_id IN ({marks}) "
            "AND asked_at >= %s AND asked_at < %s",
            [*ids, lo, hi],
        )
        (asked,) = cursor.fetchone()
        cursor.execute(
            f"SELECT COUNT(*) FROM outgoing_outgoingdocument WHERE agency_id IN ({marks}) "
            "AND issued_at >= %s AND issued_at < %s",
            [*ids, lo, hi],
        )
        (issued,) = cursor.fetchone()
    assert (computed.values["feedback.questions_answered"], answered) == (2, 2)
    assert (computed.values["feedback.questions_asked"], asked) == (3, 3)
    assert computed.values["outgoing.issued"] == issued == 0
    assert computed.values["documents.electronic_share"] is None  # nothing received: no share
    assert computed.tables == {}


@pytest.mark.parametrize(
    ("frequency", "key", "start", "end"),
    [
        (Frequency.MONTHLY, "2026-03", date(2026, 2, 15), date(2026, 3, 14)),
        (Frequency.QUARTERLY, "2026-Q1", date(2025, 12, 15), date(2026, 3, 14)),
        (Frequency.SIX_MONTHS, "2026-H2", date(2026, 6, 15), date(2026, 12, 14)),
        (Frequency.NINE_MONTHS, "2026-9M", date(2025, 12, 15), date(2026, 9, 14)),
        (Frequency.YEARLY, "2026", date(2025, 12, 15), date(2026, 12, 14)),
    ],
)
def test_cut_off_periods_of_every_frequency(
    org: Any, frequency: str, key: str, start: date, end: date
) -> None:
    regime = Regime(code="x", title="x", frequency=frequency, deadline_working_days=2)
    found = period_of(regime, key)
    assert found is not None and (found.start, found.end) == (start, end)
    deadline = deadline_of(regime, found)
    assert deadline > end and (deadline - end).days <= 6  # two working days, weekends aside
    assert period_of(regime, "2026-13") is None and period_of(regime, "nonsense") is None


def test_ad_hoc_regime_covers_its_own_dates(org: Any) -> None:
    regime = Regime(
        code="y",
        title="y",
        frequency=Frequency.AD_HOC,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 4, 30),
    )
    found = period_of(regime, "once")
    assert found is not None and (found.start, found.end) == (date(2026, 4, 1), date(2026, 4, 30))
    assert period_of(regime, "2026-Q1") is None
