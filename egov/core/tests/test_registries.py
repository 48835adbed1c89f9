"""The registries through which apps fill the foundation's pages and commands
(staff menu, home page, demo loading) without ``core`` importing them."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import resolve
from django.utils import translation

from egov.accounts.models import User
from egov.core import demo_loaders, home_panels, staff_menu
from egov.core.formatting import format_amount, format_date, format_number, local
from egov.core.periods import calendar_half, cutoff_quarter, parse_period, period_choices
from egov.core.services.units import create_unit


def _request(path: str, user: Any) -> Any:
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    return request


def _labels(request: Any) -> list[str]:
    with translation.override("en"):
        return [str(link.label) for link in staff_menu.links_for(request)]


@pytest.mark.django_db
def test_staff_menu_shows_each_app_entry_only_to_whom_its_predicate_allows() -> None:
    plain = User.objects.create_user(username="plain", password="x-Long-Pass-9", is_staff=False)
    everything = User.objects.create_superuser(username="root", password="x-Long-Pass-9")
    # Questions are offered to whoever answers for at least one agency.
    create_unit(None, None, code="000.00.00.H33", name="UBND tỉnh Kiên Giang", level="province")
    assert _labels(_request("/can-bo/", plain)) == ["My workspace", "Dossiers", "Procedures"]
    assert _labels(_request("/can-bo/", everything)) == [
        "My workspace",
        "Dossiers",
        "Incoming documents",
        "Incoming register",
        "Procedures",
        "Outgoing documents",
        "Outgoing register",
        "Work files",
        "Tasks",
        "Statistics",
        "Form templates",
        "Service-quality index (766)",
        "Reports",
        "Sync to the national portal",
        "Declaration forms",
        "Notification templates",
        "Questions",
        "Feedback (PAKN)",
        "Payment reconciliation",
        "Document exchange",
        "Notifications",
        "IT plan",
        "Signature and seal images",
        "Integration platform (LGSP)",
        "Audit log",
        "Administration",
    ]
    # Entries with a predicate are never offered to an anonymous visitor.
    assert _labels(_request("/can-bo/", AnonymousUser())) == [
        "My workspace",
        "Dossiers",
        "Procedures",
    ]


@pytest.mark.django_db
def test_staff_menu_marks_the_entry_of_the_current_page() -> None:
    root = User.objects.create_superuser(username="root", password="x-Long-Pass-9")
    links = staff_menu.links_for(_request("/can-bo/thong-ke/", root))
    with translation.override("en"):
        assert [str(link.label) for link in links if link.current] == ["Statistics"]
        assert next(link.url for link in links if str(link.label) == "Statistics") == (
            "/can-bo/thong-ke/"
        )


@pytest.fixture
def scratch_registrations() -> Iterator[None]:
    yield
    staff_menu.unregister("test.extra")
    home_panels.unregister("test.extra")
    for name in ("test.a", "test.b", "test.c"):
        demo_loaders.unregister(name)


@pytest.mark.django_db
def test_an_app_adds_a_menu_entry_without_core_knowing_it(scratch_registrations: None) -> None:
    staff_menu.register(
        "test.extra",
        label="Extra",
        url_name="core:staff-home",
        order=5,
        visible=lambda user: user.username == "root",
    )
    root = User.objects.create_superuser(username="root", password="x-Long-Pass-9")
    plain = User.objects.create_user(username="plain", password="x-Long-Pass-9")
    assert _labels(_request("/can-bo/", root))[:2] == ["My workspace", "Extra"]
    assert "Extra" not in _labels(_request("/can-bo/", plain))


@pytest.mark.django_db
def test_home_page_draws_the_panels_and_links_the_apps_registered(
    client: Client, scratch_registrations: None
) -> None:
    page = client.get("/").content.decode()
    # Panels of the portal (find a service) and of dossiers (look up), links of four apps.
    assert 'id="h-find"' in page and 'id="h-lookup"' in page
    assert 'href="/static/portal/portal.css"' in page or "portal/portal.css" in page
    assert page.index('id="h-find"') < page.index('id="h-lookup"')
    for url in ("/dich-vu-cong/", "/tra-cuu/", "/tai-khoan/", "/can-bo/"):
        assert f'href="{url}' in page
    # No published procedure yet: the popular fields panel hides itself.
    assert 'id="h-fields"' not in page

    home_panels.register_panel(
        "test.extra", template="core/tests_panel.html", order=1, data=lambda request: None
    )
    assert client.get("/").status_code == 200  # a panel with nothing to show is skipped


def test_home_page_refuses_an_unknown_area() -> None:
    with pytest.raises(ValueError):
        home_panels.register_panel("test.extra", template="x.html", order=1, area="side")


def test_demo_loaders_run_after_the_ones_they_name(scratch_registrations: None) -> None:
    names = [loader.name for loader in demo_loaders.ordered()]
    assert names == [
        "core.units",
        "accounts",
        "procedures",
        "dossiers",
        "identity",
        "submissions",
        "notifications",
        "feedback",
        "documents",
        "quality",
        "signatures",
        "outgoing",
        "workfiles",
        "lgsp",
        "tasks",
        "dashboards",
        "reporting",
        "exchange",
    ]
    ran: list[str] = []
    demo_loaders.register("test.c", lambda out: ran.append("c"), after=("test.b",))
    demo_loaders.register("test.a", lambda out: ran.append("a"), after=("test.c",))
    demo_loaders.register("test.b", lambda out: ran.append("b"))
    subset = [x for x in demo_loaders.ordered() if x.name.startswith("test.")]
    for loader in subset:
        loader.load(StringIO())
    assert ran == ["b", "c", "a"]


def test_demo_loaders_refuse_unknown_needs_and_cycles(scratch_registrations: None) -> None:
    demo_loaders.register("test.a", lambda out: None, after=("test.nobody",))
    with pytest.raises(demo_loaders.DemoOrderError, match="unknown"):
        demo_loaders.ordered()
    demo_loaders.register("test.a", lambda out: None, after=("test.b",))
    demo_loaders.register("test.b", lambda out: None, after=("test.a",))
    with pytest.raises(demo_loaders.DemoOrderError, match="wait for each other"):
        demo_loaders.ordered()


def test_shared_formatting_and_periods() -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    assert format_amount(1_500_000) == "1.500.000 đ"
    assert format_amount(None) == "0 đ"
    assert format_number(0.5) == "0,5"
    late_utc = dt.datetime(2026, 3, 31, 20, 30, tzinfo=dt.UTC)
    assert format_date(late_utc) == "01/04/2026"  # already the next day in Việt Nam
    assert local(None) is None
    assert local(late_utc).tzinfo == ZoneInfo("Asia/Ho_Chi_Minh")
    assert parse_period("2026-q2") == parse_period("2026-Q2")
    march = parse_period("2026-03")
    assert march is not None and march.key == "2026-03" and march.end == dt.date(2026, 3, 31)
    assert calendar_half(2026, 2).key == "2026-H2"
    assert cutoff_quarter(2026, 1).key == "R2026-Q1"
    assert cutoff_quarter(2026, 1).start == dt.date(2025, 12, 15)
    choices = period_choices(dt.date(2026, 2, 10), years=1)
    assert [key for key, _label in choices] == ["2026", "2026-Q1", "2026-02", "2026-01"]
