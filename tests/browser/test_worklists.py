"""Staff worklists in a real browser, on a 360 px phone and a 1280 px desktop: no
sideways scrolling (rows are stacked on phones), most urgent first, an accepted
dossier leaves "Chờ tiếp nhận", the unit column only when the rows sit in several
units, and axe-core clean. Screenshots go to the test's temporary directory
(``--basetemp`` keeps them for looking at)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import sign_in_verified
from egov.dossiers import services
from egov.dossiers.models import Dossier, Status
from egov.dossiers.tests.factories import (
    World,
    build_world,
    complete_papers,
    dossier_in_status,
    staff_member,
)
from tests.browser.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORKLIST = "/can-bo/ho-so/"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
LONG_NAME = "Nguyễn Thị Phương Thảo Ngọc Bích Hạnh"


@pytest.fixture
def world() -> World:
    ensure_default_roles()  # live-server tests run on a flushed database
    world = build_world()
    now = timezone.now()
    citizen = world.staff.citizen
    for _ in range(2):
        services.submit_online(
            citizen, version=world.version, agency=world.org.district, papers=complete_papers(world)
        )
    # At the desk's step: one long overdue, one due in a week.
    dossier_in_status(
        world, Status.RECEIVED, due_at=now + timedelta(days=7), applicant_name=LONG_NAME
    )
    dossier_in_status(world, Status.RECEIVED, due_at=now - timedelta(days=3))
    dossier_in_status(world, Status.RESULT_READY)
    return world


def sign_in(page: Any, user: Any) -> None:
    """A verified session made by Django's test client (the password and code steps
    have their own browser tests)."""
    client = Client()
    sign_in_verified(client, user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": page.base_url,
            }
        ]
    )


def open_tab(page: Any, tab: str) -> None:
    page.goto(f"{page.base_url}{WORKLIST}?tab={tab}")
    page.wait_for_load_state()


def assert_fits(page: Any) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url} is {width}px wide in a {inner}px window"


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def shoot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def row_codes(page: Any) -> list[str]:
    return [text.strip() for text in page.locator("table.worklist tbody tr code").all_inner_texts()]


def test_worklists_on_a_360px_phone(page: Any, world: World, tmp_path: Path) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, world.staff.clerk)
    for tab in ("receive", "process", "return"):
        open_tab(page, tab)
        assert page.locator("table.worklist tbody tr").count() > 0, tab
        assert_fits(page)
        assert_accessible(page)
        shoot(page, tmp_path, f"worklist-{tab}-360")
    # Stacked: the header row is out of sight, each value carries its label.
    open_tab(page, "process")
    assert not page.locator("table.worklist thead").is_visible() or (
        page.locator("table.worklist thead").bounding_box()["height"] <= 1
    )
    first = page.locator("table.worklist tbody tr").first
    label = first.locator("td[data-label]").first.evaluate(
        "el => getComputedStyle(el, '::before').content"
    )
    assert "Mã hồ sơ" in label
    box = first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # Most urgent first: the overdue dossier heads the list, marked in words.
    assert "Quá hạn" in first.inner_text()


def test_accepting_on_a_phone_moves_the_dossier_out_of_to_receive(
    page: Any, world: World, tmp_path: Path
) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, world.staff.clerk)
    open_tab(page, "receive")
    codes = row_codes(page)
    assert len(codes) == 2
    first = page.locator("table.worklist tbody tr").first
    # A 44 px target around the check box, named for screen readers.
    target = first.locator(".worklist__pick")
    box = target.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    tick = page.get_by_role("checkbox", name=f"Chọn hồ sơ {codes[0]}")
    target.click(position={"x": box["width"] - 4, "y": box["height"] - 4})  # off the box itself
    assert tick.is_checked()
    page.locator("#bulk-form button[name=action][value=accept]").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").is_visible()
    assert_fits(page)
    shoot(page, tmp_path, "worklist-accepted-360")
    assert Dossier.objects.get(code=codes[0]).status == Status.RECEIVED
    open_tab(page, "receive")
    assert row_codes(page) == [codes[1]]
    tabs = page.get_by_role("navigation", name="Danh sách hồ sơ", exact=True).inner_text()
    assert "Chờ tiếp nhận (1)" in tabs
    open_tab(page, "process")
    assert codes[0] in row_codes(page)


def test_worklists_on_a_1280px_desktop(page: Any, world: World, tmp_path: Path) -> None:
    page.set_viewport_size(DESKTOP)
    sign_in(page, world.staff.clerk)
    open_tab(page, "process")
    assert page.locator("table.worklist thead").is_visible()
    headers = page.locator("table.worklist thead th").all_inner_texts()
    # Every row is at the desk: said once above the table, not in a column.
    assert "Đơn vị đang xử lý" not in headers
    assert world.org.desk.name in page.locator("#worklist-unit").inner_text()
    codes = row_codes(page)
    overdue = page.locator("table.worklist tbody tr.is-overdue code").all_inner_texts()
    assert codes[0] == overdue[0].strip()
    assert_fits(page)
    assert_accessible(page)
    shoot(page, tmp_path, "worklist-process-1280")


def test_the_unit_column_when_rows_sit_in_several_units(
    page: Any, world: World, tmp_path: Path
) -> None:
    org = world.org
    district_wide = staff_member("cv.quan", RoleCode.SPECIALIST, org.district)
    dossier_in_status(world, Status.PROCESSING)
    dossier_in_status(
        world, Status.PROCESSING, current_unit=org.district, current_role=RoleCode.SPECIALIST
    )
    sign_in(page, district_wide)
    for size, name in ((DESKTOP, "1280"), (PHONE, "360")):
        page.set_viewport_size(size)
        open_tab(page, "process")
        assert page.locator("#worklist-unit").count() == 0
        cells = page.locator("table.worklist td[data-label='Đơn vị đang xử lý']")
        assert sorted(cells.all_inner_texts()) == sorted([org.justice.name, org.district.name])
        assert_fits(page)
        assert_accessible(page)
        shoot(page, tmp_path, f"worklist-units-{name}")
