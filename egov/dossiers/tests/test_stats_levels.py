"""One-stop figures by level (province, district, commune) and field: the levels add
up to the scope's totals, the fields over the levels are the breakdown by field, and
each level's counts match a plain SQL count over the same dossiers."""

from __future__ import annotations

import pytest
from django.db import connection

from egov.core.periods import period_bounds
from egov.dossiers.models import Dossier
from egov.dossiers.stats.figures import dossier_statistics, sum_counts
from egov.dossiers.stats.levels import statistics_by_level_and_field
from egov.dossiers.tests.test_statistics import (
    MARCH,
    NOW,
    Catalogue,
    Org,
    cat,  # noqa: F401  (fixtures)
    march,  # noqa: F401
    org,  # noqa: F401
)

pytestmark = pytest.mark.django_db


def _sql_counts(unit_ids: list[int]) -> tuple[int, int, int]:
    """(new, new online, resolved) in March, received by ``unit_ids``: plain SQL."""
    lo, hi = period_bounds(*MARCH)
    marks = ",".join(["%s"] * len(unit_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FILTER (WHERE received_at >= %s AND received_at < %s), "
            "COUNT(*) FILTER (WHERE received_at >= %s AND received_at < %s AND channel = 2), "
            "COUNT(*) FILTER (WHERE resolved_at >= %s AND resolved_at < %s "
            "AND status IN (9, 10)) "
            f"FROM dossiers_dossier WHERE receiving_agency_id IN ({marks})",
            [lo, hi, lo, hi, lo, hi, *unit_ids],
        )
        return cursor.fetchone()


def test_levels_and_fields_of_the_province(
    org: Org,  # noqa: F811
    cat: Catalogue,  # noqa: F811
    march: dict[str, Dossier],  # noqa: F811
) -> None:
    result = statistics_by_level_and_field(org.province, *MARCH, now=NOW)
    plain = dossier_statistics(org.province, *MARCH, group_by=None, now=NOW)
    by_field = dossier_statistics(org.province, *MARCH, group_by="field", now=NOW)
    levels = {row.level: row for row in result.levels}
    assert set(levels) <= {"province", "district", "commune"}
    assert [row.level for row in result.levels] == [
        code for code in ("province", "district", "commune") if code in levels
    ]
    # Nothing lost, nothing counted twice.
    assert result.totals == plain.totals
    assert sum_counts(row.counts for row in result.levels) == plain.totals
    assert [(r.key, r.name, r.counts) for r in result.fields] == [
        (r.key, r.name, r.counts) for r in by_field.rows
    ]
    for row in result.levels:
        assert sum_counts(f.counts for f in row.fields) == row.counts
    # Each level against an independent count.
    members = {
        "province": [org.province.pk, org.justice.pk],
        "district": [org.district.pk],
        "commune": [org.commune.pk],
    }
    for code, ids in members.items():
        counts = levels[code].counts if code in levels else None
        new, online, resolved = _sql_counts(ids)
        got = (counts.new, counts.new_online, counts.resolved) if counts else (0, 0, 0)
        assert got == (new, online, resolved), code
    assert len(levels) >= 2  # the fixture has dossiers at several levels
    assert levels["province"].name == "Cấp tỉnh"


def test_a_district_sees_its_own_level_and_its_communes(
    org: Org,  # noqa: F811
    cat: Catalogue,  # noqa: F811
    march: dict[str, Dossier],  # noqa: F811
) -> None:
    result = statistics_by_level_and_field(org.district, *MARCH, now=NOW)
    assert {row.level for row in result.levels} <= {"district", "commune"}
    plain = dossier_statistics(org.district, *MARCH, group_by=None, now=NOW)
    assert result.totals == plain.totals


def test_one_query_for_the_dossiers(
    org: Org,  # noqa: F811
    cat: Catalogue,  # noqa: F811
    march: dict[str, Dossier],  # noqa: F811
    django_assert_max_num_queries: object,
) -> None:
    # On PostgreSQL the aggregate runs with JIT off: savepoint, SET LOCAL, release.
    extra = 3 if connection.vendor == "postgresql" else 0
    with django_assert_max_num_queries(4 + extra):  # type: ignore[operator]
        statistics_by_level_and_field(org.province, *MARCH, now=NOW)


def test_an_empty_scope_and_bad_dates(org: Org) -> None:  # noqa: F811
    result = statistics_by_level_and_field(org.commune, *MARCH, now=NOW)
    assert result.levels == [] and result.fields == [] and result.totals.received == 0
    with pytest.raises(ValueError):
        statistics_by_level_and_field(org.commune, MARCH[1], MARCH[0])
