"""The statistics read from the daily roll-ups give exactly the figures of the
direct query on the dossier table: on generated data (several agencies, desks,
fields, procedures, channels; early, on time, late, apologised, paused, overdue,
withdrawn, refused, stopped; timestamps near local midnight), for periods that
cut months and periods that cover them, ended or running, every grouping and
filter. Then the background job's watermark: only changed dossiers' months are
rebuilt, a second run changes nothing, a locked watermark makes a run skip.

Runs on SQLite and, with ``DATABASE_URL`` set, on PostgreSQL.
"""

from __future__ import annotations

import random
import threading
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from egov.accounts.models import User
from egov.core.models import Unit
from egov.dossiers.models import (
    ApologyLetter,
    Channel,
    Dossier,
    DossierRollupDay,
    DossierRollupMonth,
    RollupWatermark,
    Status,
    Timeliness,
)
from egov.dossiers.services.rollups import (
    WATERMARK,
    contributions,
    rebuild_rollups,
    refresh_rollups,
    rolled_up_at,
)
from egov.dossiers.stats.figures import StatsResult, dossier_statistics
from egov.dossiers.tests.test_statistics import (
    TZ,
    Catalogue,
    Org,
    at,
    make_catalogue,
    make_dossier,
    make_org,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2020, 4, 10, 9, 0, tzinfo=TZ)
LATER = datetime(2020, 9, 1, 10, 0, tzinfo=TZ)


@pytest.fixture
def org() -> Org:
    return make_org()


@pytest.fixture
def cat() -> Catalogue:
    return make_catalogue()


def _moment(rng: random.Random, first: date, days: int) -> datetime:
    """A local moment within ``days`` of ``first``, often right at a day's edges."""
    day = first + timedelta(days=rng.randrange(days))
    clock = rng.choice(["00:00", "00:01", "06:30", "09:00", "15:45", "23:59", "23:59:59"])
    return datetime.fromisoformat(f"{day.isoformat()}T{clock}").replace(tzinfo=TZ)


def generate(org: Org, cat: Catalogue, count: int = 260, seed: int = 16) -> list[Dossier]:
    """Dossiers spread over February–June 2020 in every state the report knows."""
    rng = random.Random(seed)
    places = [
        (org.justice, org.justice_desk),
        (org.justice, org.justice),
        (org.district, org.district_desk),
        (org.commune, org.commune_desk),
        (org.province, org.centre),
        (org.other_province, org.other_province),
    ]
    versions = [cat.birth, cat.birth_v2, cat.marriage, cat.land_use]
    made: list[Dossier] = []
    for _ in range(count):
        agency, desk = rng.choice(places)
        version = rng.choice(versions)
        channel = rng.choice([Channel.DESK, Channel.DESK, Channel.ONLINE, Channel.POST])
        received = _moment(rng, date(2020, 2, 1), 140)
        due = received + timedelta(days=rng.randrange(1, 15), hours=rng.randrange(0, 9))
        fate = rng.choice(
            [
                *("early", "on_time", "late", "open", "open", "paused", "withdrawn"),
                *("stopped", "refused", "returned", "apology", "apology_open", "no_due"),
                "submitted",
            ]
        )
        fields: dict[str, Any] = {"received_at": received, "due_at": due}
        status = Status.PROCESSING
        if fate in ("early", "returned"):
            fields["resolved_at"] = due - timedelta(days=rng.randrange(1, 4))
            status = Status.RESULT_READY
        elif fate == "on_time":
            fields["resolved_at"] = due - timedelta(minutes=rng.choice([0, 30, 60]))
            status = Status.RESULT_READY
        elif fate == "late":
            fields["resolved_at"] = due + timedelta(hours=rng.randrange(1, 200))
            status = Status.RESULT_READY
        elif fate == "paused":
            fields["paused_at"] = received + timedelta(days=rng.randrange(0, 20))
            status = Status.SUPPLEMENT_REQUESTED
        elif fate in ("withdrawn", "stopped"):
            fields["closed_at"] = received + timedelta(days=rng.randrange(0, 10), hours=3)
            status = Status.WITHDRAWN if fate == "withdrawn" else Status.STOPPED
        elif fate == "refused":
            fields = {"received_at": None, "closed_at": received}
            status = Status.REFUSED
        elif fate == "submitted":
            fields = {"received_at": None}
            status = Status.SUBMITTED
        elif fate == "no_due":
            fields["due_at"] = None
            if rng.random() < 0.5:
                fields["resolved_at"] = received + timedelta(days=3)
                status = Status.RESULT_READY
        if fate == "returned" or (fate in ("early", "on_time", "late") and rng.random() < 0.6):
            returned = fields["resolved_at"] + timedelta(days=rng.randrange(0, 4), hours=2)
            fields.update(returned_at=returned, closed_at=returned)
            status = Status.RETURNED
        dossier = make_dossier(agency, desk, version, status=status, channel=channel, **fields)
        if fate in ("apology", "apology_open"):
            new_due = due + timedelta(days=5)
            ApologyLetter.objects.create(
                dossier=dossier,
                reason="Chờ xác minh",
                previous_due_at=due,
                new_due_at=new_due,
                issued_by=_user(),
                issuing_unit=desk,
                issued_at=due - timedelta(hours=2),
            )
            dossier.due_at = new_due
            if fate == "apology":
                dossier.resolved_at = new_due - timedelta(days=1)
                dossier.status = Status.RESULT_READY
            dossier.save()
        if dossier.resolved_at is not None and rng.random() < 0.5:
            # The services record the timeliness when the result is ready; rows
            # written by other means leave it empty (both are counted).
            early = (
                dossier.due_at is not None
                and dossier.resolved_at.astimezone(TZ).date() < dossier.due_at.astimezone(TZ).date()
            )
            dossier.timeliness = Timeliness.EARLY if early else Timeliness.ON_TIME
            dossier.save()
        made.append(dossier)
    return made


def _user() -> User:
    user = User.objects.filter(username="motcua.rollups").first()
    return user or User.objects.create_user(
        "motcua.rollups", "KienGiang2020", full_name="Lê Văn Hùng"
    )


def _table(result: StatsResult) -> tuple[Any, ...]:
    return (
        result.totals,
        [(row.kind, row.key, row.is_self, row.counts) for row in result.rows],
    )


PERIODS = [
    (date(2020, 3, 1), date(2020, 3, 31)),  # a calendar month
    (date(2020, 2, 15), date(2020, 3, 14)),  # a reporting month (Decree 09/2019)
    (date(2020, 1, 1), date(2020, 3, 31)),  # a quarter, before the first dossier
    (date(2020, 3, 10), date(2020, 5, 20)),  # cuts two months, covers one
    (date(2020, 4, 10), date(2020, 4, 10)),  # one day, running at NOW
    (date(2020, 1, 1), date(2020, 12, 31)),  # a year, running
    (date(2020, 6, 1), date(2020, 6, 30)),
]


def _assert_same(org: Org, cat: Catalogue, now: datetime) -> int:
    compared = 0
    cases: list[tuple[Unit, dict[str, Any]]] = [
        (org.province, {"group_by": "agency"}),
        (org.province, {"group_by": None}),
        (org.province, {"group_by": "field"}),
        (org.province, {"group_by": "procedure"}),
        (org.province, {"group_by": "agency", "field": cat.civil}),
        (org.province, {"group_by": "field", "procedure": cat.birth.procedure}),
        (org.district, {"group_by": "agency"}),
        (org.commune, {"group_by": None}),
        (org.justice, {"group_by": "agency"}),
        (org.justice_desk, {"group_by": "procedure"}),
        (org.centre, {"group_by": None}),
    ]
    for start, end in PERIODS:
        for unit, options in cases:
            direct = dossier_statistics(unit, start, end, now=now, source="direct", **options)
            rolled = dossier_statistics(unit, start, end, now=now, source="rollups", **options)
            assert _table(rolled) == _table(direct), (unit.code, start, end, options)
            assert rolled.rolled_up_at is not None and direct.rolled_up_at is None
            compared += 1
    return compared


def test_rollups_give_the_figures_of_the_direct_query(org: Org, cat: Catalogue) -> None:
    generate(org, cat)
    refresh_rollups()
    assert DossierRollupDay.objects.exists() and DossierRollupMonth.objects.exists()
    for now in (NOW, LATER):
        assert _assert_same(org, cat, now) == len(PERIODS) * 11
    # The data is not trivial: every bucket has something somewhere.
    year = dossier_statistics(org.province, date(2020, 2, 1), date(2020, 5, 31), now=LATER)
    assert year.rolled_up_at is not None  # "auto" reads the fresh roll-ups
    totals = year.totals.as_dict()
    for name in (
        "new_desk",
        "new_online",
        "new_post",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
        "in_progress_not_due",
        "in_progress_overdue",
        "returned",
        "withdrawn",
        "refused",
        "stopped",
    ):
        assert totals[name] > 0, name
    march = dossier_statistics(org.province, date(2020, 3, 1), date(2020, 3, 31), now=LATER)
    assert march.totals.carried_over > 0


def test_changed_dossiers_are_rolled_up_by_the_next_run(org: Org, cat: Catalogue) -> None:
    dossiers = generate(org, cat, count=120, seed=3)
    assert refresh_rollups()
    first = rolled_up_at()
    assert first is not None
    # A second run finds nothing changed since (apart from the overlap) and changes
    # nothing.
    before = sorted(DossierRollupDay.objects.values_list("part", "day", "resolved", "open_delta"))
    refresh_rollups()
    after = sorted(DossierRollupDay.objects.values_list("part", "day", "resolved", "open_delta"))
    assert before == after
    # The workflow moves dossiers: results ready, an appointment moved by an apology
    # letter, a supplement request, a withdrawal.
    open_ones = [d for d in dossiers if d.status == Status.PROCESSING and d.due_at]
    assert len(open_ones) >= 4
    ready, apologised, paused, withdrawn = open_ones[:4]
    ready_due, apology_due, paused_received = (
        ready.due_at,
        apologised.due_at,
        paused.received_at,
    )
    assert ready_due and apology_due and paused_received
    ready.resolved_at, ready.status = ready_due + timedelta(days=2), Status.RESULT_READY
    ready.save()
    ApologyLetter.objects.create(
        dossier=apologised,
        reason="Chờ ý kiến",
        previous_due_at=apology_due,
        new_due_at=apology_due + timedelta(days=9),
        issued_by=_user(),
        issuing_unit=apologised.receiving_unit,
        issued_at=apology_due - timedelta(hours=1),
    )
    apologised.due_at = apology_due + timedelta(days=9)
    apologised.save()
    paused.paused_at = paused_received + timedelta(days=1)
    paused.status = Status.SUPPLEMENT_REQUESTED
    paused.save()
    withdrawn.closed_at, withdrawn.status = at("2020-03-20"), Status.WITHDRAWN
    withdrawn.save()
    assert "rebuilt" in refresh_rollups()
    assert rolled_up_at() > first  # type: ignore[operator]
    _assert_same(org, cat, LATER)


def test_a_run_rebuilds_only_the_months_of_the_changed_dossiers(org: Org, cat: Catalogue) -> None:
    february = make_dossier(
        org.commune,
        org.commune_desk,
        cat.marriage,
        status=Status.PROCESSING,
        received_at=at("2020-02-10"),
        due_at=at("2020-02-20"),
    )
    make_dossier(
        org.commune,
        org.commune_desk,
        cat.marriage,
        status=Status.PROCESSING,
        received_at=at("2020-05-10"),
        due_at=at("2020-05-20"),
    )
    refresh_rollups()
    # Move the watermark past the overlap: only what changes from now on counts.
    RollupWatermark.objects.filter(name=WATERMARK).update(
        value=datetime.now(TZ) + timedelta(hours=1)
    )
    Dossier.objects.filter(pk=february.pk).update(
        updated_at=datetime.now(TZ) + timedelta(hours=2), resolved_at=at("2020-02-19")
    )
    # May's rows are left alone: a marker put there survives the run.
    DossierRollupDay.objects.filter(part=date(2020, 5, 1)).update(stopped=99)
    assert refresh_rollups() == "1 submission month(s), 1 calendar month(s) rebuilt"
    assert DossierRollupDay.objects.filter(part=date(2020, 5, 1), stopped=99).exists()
    february_rows = DossierRollupDay.objects.filter(part=date(2020, 2, 1))
    assert february_rows.filter(day=date(2020, 2, 19), resolved=1).exists()
    # The rebuild command puts May right.
    call_command("rebuild_stats_rollups", "--from", "2020-05", "--to", "2020-05")
    assert not DossierRollupDay.objects.filter(stopped=99).exists()


def test_the_stats_fall_back_to_the_table_when_the_rollups_are_stale(
    org: Org, cat: Catalogue
) -> None:
    generate(org, cat, count=20)
    period = (date(2020, 3, 1), date(2020, 3, 31))
    assert dossier_statistics(org.province, *period, now=LATER).rolled_up_at is None  # never built
    with pytest.raises(ValueError):
        dossier_statistics(org.province, *period, now=LATER, source="rollups")
    rebuild_rollups()
    fresh = dossier_statistics(org.province, *period, now=LATER)
    assert fresh.rolled_up_at is not None
    RollupWatermark.objects.filter(name=WATERMARK).update(
        value=datetime.now(TZ) - timedelta(hours=2)
    )
    stale = dossier_statistics(org.province, *period, now=LATER)
    assert stale.rolled_up_at is None
    assert stale.totals == fresh.totals


def test_one_dossier_counts_in_each_bucket_on_its_local_days() -> None:
    row = {
        "channel": Channel.ONLINE,
        "status": Status.RETURNED,
        "received_at": at("2020-03-02", "23:59"),
        "due_at": at("2020-03-09", "10:00"),
        "paused_at": None,
        "resolved_at": at("2020-03-09", "09:00"),
        "returned_at": at("2020-03-10", "00:00"),
        "closed_at": at("2020-03-10", "00:00"),
        "timeliness": "",
    }
    assert sorted(contributions(row, None, TZ)) == [
        (date(2020, 3, 2), "new_online", 1),
        (date(2020, 3, 3), "open_delta", 1),  # in progress from the midnight after
        (date(2020, 3, 9), "resolved", 1),
        (date(2020, 3, 9), "resolved_in_time", 1),
        (date(2020, 3, 10), "open_delta", -1),  # not at the midnight after the result
        (date(2020, 3, 10), "returned", 1),
    ]
    late = dict(row, resolved_at=at("2020-03-12"), status=Status.RESULT_READY, closed_at=None)
    late["returned_at"] = None
    assert sorted(contributions(late, None, TZ)) == [
        (date(2020, 3, 2), "new_online", 1),
        (date(2020, 3, 3), "open_delta", 1),
        (date(2020, 3, 10), "overdue_delta", 1),  # overdue at the midnight after the due day
        (date(2020, 3, 12), "resolved", 1),
        (date(2020, 3, 13), "open_delta", -1),
        (date(2020, 3, 13), "overdue_delta", -1),
    ]


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_a_run_skips_while_another_holds_the_watermark() -> None:
    RollupWatermark.objects.create(name=WATERMARK)
    locked = threading.Event()
    release = threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                RollupWatermark.objects.select_for_update().get(name=WATERMARK)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        assert refresh_rollups() == "another run holds the roll-ups' lock"
        assert rolled_up_at() is None
    finally:
        release.set()
        holder.join()
    assert refresh_rollups() == ""
    assert rolled_up_at() is not None
