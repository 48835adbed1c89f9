"""The warm-up job: the leaders' cached key figures are computed before a page needs
them, for the whole province and each leader's subtree, the running periods on every
run and the past ones once they grow old."""

from __future__ import annotations

import time
from datetime import date
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client

from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import sign_in_verified
from egov.core import background, staff_dashboard
from egov.core.models import Unit
from egov.core.periods import Period
from egov.documents.doctypes import ensure_document_types
from egov.documents.tests.factories import Org, Staff, build_org, build_staff, person

pytestmark = pytest.mark.django_db

TODAY = date(2020, 12, 20)


@pytest.fixture
def world(db: None) -> tuple[Org, Staff]:
    ensure_document_types()
    org = build_org()
    return org, build_staff(org)


@pytest.fixture
def counted() -> Any:
    """A cached figure that counts its computations per (unit, period)."""
    calls: dict[tuple[int, str], int] = {}

    def value(unit: Unit, period: Period) -> int:
        key = (unit.pk, period.key)
        calls[key] = calls.get(key, 0) + 1
        return 1000 + calls[key]

    staff_dashboard.register_figure(
        "test.counted", label="Đếm", order=99, value=value, cache=True, chart=True
    )
    cache.clear()
    yield calls
    staff_dashboard.unregister("test.counted")
    cache.clear()


def test_the_scopes_are_the_province_and_each_leaders_agency(world: tuple[Org, Staff]) -> None:
    org, _staff = world
    root = Unit.objects.get(depth=1)
    scopes = staff_dashboard.warm_scopes()
    assert scopes[0] == root
    # The department's leader (and its division head) see the department; the finance
    # department has only a clerk and a specialist: no dashboard figures there.
    assert {unit.pk for unit in scopes} == {root.pk, org.dept.pk}
    person("gd.stc", RoleCode.AGENCY_LEADER, org.other, "Trịnh Văn Khoa")
    person("ct.ubnd.warm", RoleCode.AGENCY_LEADER, org.province, "Lâm Minh Thành")
    scopes = staff_dashboard.warm_scopes()
    assert {unit.pk for unit in scopes} == {root.pk, org.dept.pk, org.other.pk}
    assert len(scopes) == 3


def test_warming_fills_every_period_then_renews_only_the_running_ones(
    world: tuple[Org, Staff], counted: dict[tuple[int, str], int]
) -> None:
    org, _staff = world
    periods = staff_dashboard.warm_periods(TODAY)
    running = [p for p in periods if p.end >= TODAY]
    assert {p.key for p in running} == {"2020-12", "2020-Q4", "2020"}
    assert len(periods) == 6 + 4 + 3  # months, quarters and years: distinct keys
    summary = staff_dashboard.warm_figures(TODAY, every_seconds=300, scopes=[org.dept])
    cached = [item for item in staff_dashboard.figures() if item.cache]
    assert "test.counted" in {item.name for item in cached}
    assert f"{len(periods) * len(cached)} computed, 0 still fresh, 0 failed" in summary
    assert all(counted[(org.dept.pk, p.key)] == 1 for p in periods)
    staff_dashboard.warm_figures(TODAY, every_seconds=300, scopes=[org.dept])
    assert all(counted[(org.dept.pk, p.key)] == 2 for p in running)
    assert all(counted[(org.dept.pk, p.key)] == 1 for p in periods if p not in running)
    # An hour later the past periods are renewed too (before their four hours run out).
    later = time.time() + 3601
    with mock.patch("time.time", return_value=later):
        staff_dashboard.warm_figures(TODAY, every_seconds=300, scopes=[org.dept])
    assert all(counted[(org.dept.pk, p.key)] >= 2 for p in periods)


def test_a_warmed_page_computes_nothing(
    world: tuple[Org, Staff], counted: dict[tuple[int, str], int]
) -> None:
    _org, staff = world
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        staff_dashboard.warm_figures(TODAY, scopes=staff_dashboard.warm_scopes())
        before = dict(counted)
        client = Client()
        sign_in_verified(client, staff.leader)
        for kind in ("month", "quarter", "year"):
            page = client.get(f"/can-bo/?ky={kind}").content.decode()
            assert 'data-name="test.counted"' in page
        assert counted == before  # every value came from the cache
        shown = page.split('data-name="test.counted"')[1].split("</dd>")[0]
        assert "1001" in shown or "1002" in shown


def test_the_job_is_registered_and_survives_a_failing_figure(
    world: tuple[Org, Staff], counted: dict[tuple[int, str], int]
) -> None:
    org, _staff = world
    assert "dashboards.warm_figures" in {job.name for job in background.jobs()}

    def broken(unit: Unit, period: Period) -> int:
        raise RuntimeError("boom")

    staff_dashboard.register_figure("test.broken", label="Hỏng", order=98, value=broken, cache=True)
    try:
        summary = staff_dashboard.warm_figures(TODAY, scopes=[org.dept])
    finally:
        staff_dashboard.unregister("test.broken")
    assert "failed" in summary and not summary.endswith(" 0 failed")
    assert counted[(org.dept.pk, "2020-12")] == 1


def test_the_job_warms_nothing_with_a_cache_per_process(
    world: tuple[Org, Staff], counted: dict[tuple[int, str], int], settings: Any
) -> None:
    org, _staff = world
    # A memory cache of its own, whatever the run uses (CI's PostgreSQL pass: Redis).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert not staff_dashboard.cache_is_shared()
    assert staff_dashboard.warm_figures(TODAY, scopes=[org.dept], shared_only=True) == ""
    assert counted == {}
    job = next(job for job in background.jobs() if job.name == "dashboards.warm_figures")
    job.run()
    assert counted == {}
