"""Each indicator of groups 1–4 on a small hand-built set of dossiers whose expected
values are worked out by hand below, and the same figures from plain SQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from egov.dossiers.models import (
    ApologyLetter,
    Channel,
    Dossier,
    DossierPaper,
    PaperOrigin,
    Status,
)
from egov.dossiers.tests.factories import World, at, build_world, dossier_in_status, make_version
from egov.payments.models import Payment, PaymentStatus
from egov.procedures.models import OnlineLevel, VersionStatus
from egov.procedures.terms import due_from
from egov.quality import groups, index
from egov.quality.models import DossierSync

pytestmark = pytest.mark.django_db

START, END = date(2026, 2, 1), date(2026, 3, 31)
PERIOD_END = at("2026-04-01", "00:00")


def paper(d: Dossier, origin: str = "", file: str = "", is_result: bool = False) -> None:
    DossierPaper.objects.create(
        dossier=d, name="Giấy tờ", origin=origin, file=file, is_result=is_result
    )


class Data:
    """The hand-built set; the letters name the dossiers in the expectations."""

    def __init__(self, world: World) -> None:
        self.world = world
        org = world.org
        version = world.version
        version.result_type = "Giấy khai sinh"
        # Decided Monday 09/02/2026; the 5th working day after it is Monday 23/02 (Tết
        # 14–22/02 is not counted: 10, 11, 12, 13, 23). In effect Friday 20/02 — 11
        # calendar days but 4 working days later → not on time (1.1); posted 23/02,
        # the 5th working day → on time (1.2).
        version.publication = {
            "decision": "12/QĐ-UBND",
            "decided_on": "2026-02-09",
            "effective_on": "2026-02-20",
            "posted_on": "2026-02-23",
        }
        version.save()
        version.agencies.set([org.district])
        # A second procedure, complete in the catalogue, offered on paper only, no fee.
        other = make_version(
            national_code="2.000001",
            online_level=OnlineLevel.FORMS,
            fees=[],
            agencies=[org.district],
        )
        other.result_type = "Bản sao"
        other.legal_basis = "Nghị định 23/2015/NĐ-CP"
        # Decided Monday 02/03; 5th working day after: Monday 09/03. In effect 09/03 →
        # on time (1.1); posted Tuesday 10/03 → late (1.2).
        other.publication = {
            "decision": "30/QĐ-UBND",
            "decided_on": "2026-03-02",
            "effective_on": "2026-03-09",
            "posted_on": "2026-03-10",
        }
        other.save()
        # A replaced version decided before the period: in neither 1.1 nor 1.2.
        earlier = make_version(
            national_code="2.000001", agencies=[org.district], status=VersionStatus.REPLACED
        )
        earlier.publication = {"decided_on": "2025-12-01", "effective_on": "2025-12-02"}
        earlier.save()

        def make(status: Status, **fields: Any) -> Dossier:
            return dossier_in_status(world, status, **fields)

        # A — received on Thursday 12/02/2026 before Tết (holidays 14–22/02), 5 working
        # days: the appointment falls after Tết; ready 25/02 → on time (13 calendar days).
        received = at("2026-02-12", "08:00")
        self.tet_due = due_from(version, received)
        self.a = make(
            Status.RETURNED,
            received_at=received,
            submitted_at=received,
            due_at=self.tet_due,
            original_due_at=self.tet_due,
            resolved_at=at("2026-02-25", "10:00"),
            returned_at=at("2026-02-26", "09:00"),
            closed_at=at("2026-02-26", "09:00"),
            channel=Channel.ONLINE,
            applicant_vneid=True,
            fee_amount=50000,
        )
        paper(self.a, PaperOrigin.WALLET, "dossiers/a.pdf")
        paper(self.a, "", "dossiers/a-kq.pdf", is_result=True)
        # B — ready early (05/03, due 09/03) but a supplement was asked twice → late.
        self.b = make(
            Status.RESULT_READY, supplement_requests=2, channel=Channel.ONLINE, fee_amount=50000
        )
        paper(self.b, PaperOrigin.LOOKUP)
        # C — withdrawn 04/03 before its appointment → on time (withdrawal is an end).
        self.c = make(Status.WITHDRAWN, closed_at=at("2026-03-04", "10:00"), channel=Channel.POST)
        paper(self.c, PaperOrigin.DESK_SCAN, "dossiers/c.pdf")
        paper(self.c, "", "dossiers/c-kq.pdf", is_result=True)
        # D — withdrawn 10/03, after its appointment 09/03 → late.
        self.d = make(Status.WITHDRAWN, closed_at=at("2026-03-10", "10:00"))
        paper(self.d, PaperOrigin.NATIONAL_STORE)
        # E — no end yet, due 09/03: ends at the end of the period (01/04 00:00) → late.
        self.e = make(Status.PROCESSING)
        # F — no end yet, received 25/03, due 03/04 (after the period) → on time.
        self.f = make(
            Status.PROCESSING,
            received_at=at("2026-03-25", "08:00"),
            due_at=at("2026-04-03", "08:00"),
        )
        # G — waiting on its first supplement request since 03/03, due 09/03: ends at the
        # request → on time.
        self.g = make(Status.SUPPLEMENT_REQUESTED, supplement_requests=1)
        # H — an apology letter moved the appointment to 13/03; ready 12/03 → late.
        self.h = make(
            Status.RETURNED,
            resolved_at=at("2026-03-12", "10:00"),
            returned_at=at("2026-03-12", "15:00"),
            closed_at=at("2026-03-12", "15:00"),
            due_at=at("2026-03-13", "08:00"),
        )
        ApologyLetter.objects.create(
            dossier=self.h,
            reason="Cần xác minh thêm",
            previous_due_at=at("2026-03-09", "08:00"),
            new_due_at=at("2026-03-13", "08:00"),
            issued_by=world.staff.leader,
            issuing_unit=org.district,
            issued_at=at("2026-03-06", "08:00"),
        )
        # L — ready 10/03, due 09/03 → late.
        self.late = make(Status.RESULT_READY, resolved_at=at("2026-03-10", "10:00"))
        # Not counted: received before the period; refused (never received); another
        # district (outside the district's subtree, late).
        make(
            Status.PROCESSING,
            received_at=at("2026-01-10", "08:00"),
            due_at=at("2026-01-15", "08:00"),
        )
        make(Status.REFUSED)
        self.outside = make(
            Status.RESULT_READY,
            receiving_agency=org.other_district,
            resolved_at=at("2026-03-20", "10:00"),
        )
        # A's online payment; A and C acknowledged by the national portal.
        Payment.objects.create(
            dossier=self.a,
            amount=50000,
            purpose="Lệ phí",
            reference="KG-TEST-1",
            status=PaymentStatus.SUCCEEDED,
            expires_at=at("2026-02-12", "09:00"),
            paid_at=at("2026-02-12", "08:30"),
        )
        for d in (self.a, self.c):
            DossierSync.objects.create(dossier=d, ever_acknowledged=True, state="acknowledged")


@pytest.fixture
def data() -> Data:
    return Data(build_world())


def by_code(result: index.IndexResult) -> dict[str, groups.IndicatorResult]:
    return {row.code: row for group in result.groups for row in group.indicators}


def test_tet_moves_the_appointment_past_the_holidays(data: Data) -> None:
    assert data.tet_due > at("2026-02-23", "00:00")
    assert data.a.resolved_at is not None and data.a.resolved_at <= data.tet_due


def test_every_indicator_of_the_district_worked_out_by_hand(data: Data) -> None:
    rows = by_code(index.compute(data.world.org.district, START, END))
    counted = 9  # A B C D E F G H L

    def check(code: str, numerator: int, denominator: int, value: str | None) -> None:
        row = rows[code]
        assert (row.numerator, row.denominator) == (numerator, denominator), code
        assert row.value == (None if value is None else Decimal(value)), code

    # 2.1: on time A C F G; late B (2 requests) D (withdrawn late) E (no end) H (apology) L.
    check("2.1", 4, counted, "44.44")
    assert rows["2.1"].points == Decimal("8.89")  # 20 × 44.44 %
    late_codes = {label.split(" – ")[0] for label, _url in rows["2.1"].lowering}
    assert late_codes == {d.code for d in (data.b, data.d, data.e, data.h, data.late)}
    assert "766" in rows["2.1"].rule
    # Group 1: 1.1 — the second procedure on time, the world's not (4 working days
    # over Tết); 1.2 — the world's posted on its 5th working day, the second a day late.
    check("1.1", 1, 2, "50.00")
    check("1.2", 1, 2, "50.00")
    assert [label.split(" – ")[0] for label, _url in rows["1.1"].lowering] == ["1.001193"]
    assert "20/02/2026" in rows["1.1"].lowering[0][0]
    assert [label.split(" – ")[0] for label, _url in rows["1.2"].lowering] == ["2.000001"]
    assert "10/03/2026" in rows["1.2"].lowering[0][0]
    # The world's procedure lacks its legal basis, the second one is complete.
    check("1.3", 1, 2, "50.00")
    check("1.4", 2, counted, "22.22")  # A and C acknowledged
    # Group 3: one of two procedures online; it received online dossiers (A, B).
    check("3.1", 1, 2, "50.00")
    check("3.2", 1, 1, "100.00")
    check("3.3", 2, counted, "22.22")
    check("3.5", 1, 1, "100.00")  # the procedure with fees is online
    check("3.6", 1, 2, "50.00")  # A paid online of A, B with fees
    # Group 4 (every dossier's procedure issues a paper result).
    check("4.1", 2, counted, "22.22")  # result files: A, C
    check("4.2", 2, counted, "22.22")  # digitised papers and result: A, C
    check("4.3", 3, counted, "33.33")  # wallet A, lookup B, national store D
    check("4.4", 1, counted, "11.11")  # national store D
    check("4.5", 2, counted, "22.22")  # VNeID A, lookup B
    # Groups 1, 3 and 4: no published split of the points over the indicators.
    for code in ("1.1", "1.2", "1.3", "1.4", "3.1", "3.3", "4.1", "4.3", "4.5"):
        assert rows[code].points is None and rows[code].max_points is None, code
    # 2.2 — completed in the period: A, B, H, L, working time from receipt (7.5 h days,
    # 07:30–11:30 and 13:30–17:00; received 08:00: 7 h left that day):
    # A 12/02 08:00 → 25/02 10:00: 7 + 7.5 (13/02) + 15 (23, 24/02; Tết skipped) + 2.5 = 32 h
    # B 02/03 08:00 → 05/03 10:00: 7 + 7.5 × 2 + 2.5 = 24.5 h
    # H 02/03 08:00 → 12/03 10:00: 7 + 7.5 × 7 + 2.5 = 62 h
    # L 02/03 08:00 → 10/03 10:00: 7 + 7.5 × 5 + 2.5 = 47 h
    # mean 165.5 / 4 = 41.375 h = 5.5167 working days → 5.52 (calendar days: 8.58).
    check("2.2", 4, 1, "5.52")
    assert rows["2.2"].points is None
    assert len(rows["2.2"].lowering) == 1  # over its 5-day limit
    assert "5.52" in rows["2.2"].lowering[0][0]


def test_the_province_counts_the_other_district_too(data: Data) -> None:
    rows = by_code(index.compute(data.world.org.province, START, END))
    assert (rows["2.1"].numerator, rows["2.1"].denominator) == (4, 10)


def _sql_counts(unit_ids: list[int]) -> tuple[int, ...]:
    """The same figures from a plain SQL count, independent of the ORM code."""
    start, end = index.bounds(START, END)
    marks = ", ".join(["%s"] * len(unit_ids))
    end_expr = "COALESCE(d.resolved_at, d.returned_at, d.closed_at, d.paused_at)"
    reused = "p.origin IN ('wallet', 'national_store', 'lookup', 'prefilled')"
    paper = "EXISTS (SELECT 1 FROM dossiers_dossierpaper p WHERE p.dossier_id = d.id AND {})"
    sql = f"""
        SELECT
          COUNT(*),
          SUM(CASE WHEN (d.due_at IS NOT NULL AND
                         (CASE WHEN {end_expr} IS NULL OR {end_expr} > %s THEN %s
                               ELSE {end_expr} END) > d.due_at)
                     OR d.supplement_requests > 1
                     OR EXISTS (SELECT 1 FROM dossiers_apologyletter a WHERE a.dossier_id = d.id)
                   THEN 1 ELSE 0 END),
          SUM(CASE WHEN d.channel = 2 THEN 1 ELSE 0 END),
          SUM(CASE WHEN {paper.format("p.is_result AND p.file <> ''")} THEN 1 ELSE 0 END),
          SUM(CASE WHEN {paper.format(reused)}
                   THEN 1 ELSE 0 END),
          SUM(CASE WHEN d.applicant_vneid OR {paper.format("p.origin = 'lookup'")}
                   THEN 1 ELSE 0 END)
        FROM dossiers_dossier d
        WHERE d.received_at >= %s AND d.received_at < %s AND d.receiving_agency_id IN ({marks})
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [PERIOD_END, PERIOD_END, start, end, *unit_ids])
        return tuple(int(value or 0) for value in cursor.fetchone())


def test_the_same_figures_come_out_of_plain_sql(data: Data) -> None:
    district = data.world.org.district
    ids = index.unit_ids(district)
    assert ids is not None
    total, late, online, e_result, reused, population = _sql_counts(ids)
    rows = by_code(index.compute(district, START, END))
    assert rows["2.1"].denominator == total == 9
    assert rows["2.1"].numerator == total - late == 4
    assert rows["3.3"].numerator == online
    assert rows["4.1"].numerator == e_result
    assert rows["4.3"].numerator == reused
    assert rows["4.5"].numerator == population


def test_a_second_supplement_request_is_late_only_here(data: Data) -> None:
    """The one-stop statistics keep their own rule: B was resolved early there."""
    from egov.dossiers.stats.figures import dossier_statistics

    stats = dossier_statistics(data.world.org.district, START, END)
    assert data.b.timeliness == "early"
    # Resolved in the period: A and B in time there, H (apology) and L late; the
    # statistics do not look at how many supplements were asked.
    assert stats.totals.resolved_late == 2
    assert stats.totals.resolved_early + stats.totals.resolved_on_time == 2


def test_group_5_comes_from_the_feedback_app_and_is_scored(data: Data) -> None:
    from egov.feedback.models import Level, Rating, RatingSource

    def five() -> dict[str, groups.IndicatorResult]:
        result = index.compute(data.world.org.district, START, END)
        group = next(g for g in result.groups if g.number == 5)
        # Points only where the indicator's rule is published: 2.1 (20), 5.2–5.4 (6 each).
        assert result.max_points == Decimal(20) + Decimal(18)
        return {i.code: i for i in group.indicators}

    # No complaint yet: 5.1–5.3 have nothing to count; 5.4 = 100 % − late share.
    # Received in the period: A B C D E F G H L (9); late by the index's rule: B D E H L.
    before = five()
    assert list(before) == ["5.1", "5.2", "5.3", "5.4"]
    assert before["5.2"].value is None and before["5.2"].points == Decimal("0.00")
    assert (before["5.4"].numerator, before["5.4"].denominator) == (4, 9)
    assert before["5.4"].value == Decimal("44.44")  # 100 − 55.56
    assert before["5.4"].points == Decimal("2.96")  # 6 × 44.44 / 90

    # A "not satisfied" rating of A (on time) in the period: one dossier more lowers it.
    a = data.a
    Rating.objects.create(
        dossier=a,
        agency=a.receiving_agency,
        receiving_unit=a.receiving_unit,
        procedure_id=a.procedure_version.procedure_id,
        level=Level.UNSATISFIED,
        source=RatingSource.ONLINE,
        recorded_by=data.world.staff.citizen,
        rated_at=at("2026-03-02", "09:00"),
        updated_at=at("2026-03-02", "09:00"),
    )
    after = five()["5.4"]
    assert (after.numerator, after.denominator) == (3, 9)
    assert after.value == Decimal("33.33")  # 100 − 55.56 − 11.11
    assert after.points == Decimal("2.22")


def test_share_and_points_rules() -> None:
    assert groups.share(1, 3) == Decimal("33.33")
    assert groups.share(0, 0) is None
    assert groups.proportional(Decimal("85.00"), Decimal(5), Decimal(80)) == Decimal("5.00")
    assert groups.proportional(Decimal("40.00"), Decimal(5), Decimal(80)) == Decimal("2.50")
    assert groups.proportional(None, Decimal(5)) == Decimal("0.00")
