"""The statistics page in a real browser: figures for this month, another period
picked from the quick choices and by dates, the Excel download, an axe-core scan,
and a 360 px phone."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.models import AccountKind, Role, RoleAssignment, User
from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import sign_in_verified
from egov.core.models import Unit, UnitLevel
from egov.core.periods import calendar_month
from egov.core.services.units import create_unit
from egov.dossiers.models import Channel, Dossier, Status
from egov.procedures.models import Procedure, ProcedureField, ProcedureVersion
from tests.browser.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_serial = count(1)


def _dossier(
    agency: Unit, version: ProcedureVersion, received: datetime, *, late: bool = False
) -> None:
    due = received + timedelta(days=5)
    resolved = due + timedelta(hours=2) if late else received + timedelta(hours=3)
    Dossier.objects.create(
        code=f"{agency.code}-{timezone.localtime(received):%y%m%d}-{next(_serial):04d}",
        procedure_version=version,
        receiving_agency=agency,
        receiving_unit=agency,
        channel=Channel.DESK,
        status=Status.RESULT_READY,
        applicant_name="Lê Thị Hồng",
        submitted_at=received,
        received_at=received,
        due_at=due,
        resolved_at=resolved,
    )


@pytest.fixture
def operator_session(live_server: Any) -> dict[str, Any]:
    """A platform operator's verified session, and dossiers: 3 this month (all in
    time), 5 the month before (one late)."""
    ensure_default_roles()
    province = create_unit(
        None, None, code="000.00.00.H33", name="Ủy ban nhân dân tỉnh Kiên Giang", level="province"
    )
    justice = create_unit(
        None,
        province,
        code="000.00.03.H33",
        name="Sở Tư pháp",
        level=UnitLevel.PROVINCIAL_AGENCY,
    )
    district = create_unit(
        None,
        province,
        code="000.00.31.H33",
        name="Ủy ban nhân dân thành phố Rạch Giá",
        level=UnitLevel.DISTRICT,
    )
    field = ProcedureField.objects.create(code="ho-tich", name="Hộ tịch")
    version = ProcedureVersion.objects.create(
        procedure=Procedure.objects.create(national_code="1.001193"),
        number=1,
        status="published",
        name="Đăng ký khai sinh",
        field=field,
        time_limit=Decimal(5),
    )
    now = timezone.now()
    today = timezone.localdate()
    this_month = calendar_month(today.year, today.month)
    month_start = timezone.make_aware(datetime.combine(this_month.start, time(0, 1)))
    recent = max(month_start, now - timedelta(hours=1))
    for agency in (justice, district, district):
        _dossier(agency, version, recent)
    previous_start = timezone.make_aware(
        datetime.combine(this_month.start - timedelta(days=20), time(9, 0))
    )
    for index, agency in enumerate((justice, justice, district, district, district)):
        _dossier(agency, version, previous_start + timedelta(hours=index), late=index == 0)
    user = User.objects.create_user(
        "vanhanh.stttt", "KienGiang2020", full_name="Bùi Thanh Hải", kind=AccountKind.STAFF
    )
    RoleAssignment.objects.create(
        user=user, role=Role.objects.get(code=RoleCode.PLATFORM_OPERATOR), unit=province
    )
    client = Client()
    sign_in_verified(client, user)
    return {
        "cookie": client.cookies["sessionid"].value,
        "previous": (this_month.start - timedelta(days=20)).replace(day=1),
        "this_month": this_month,
    }


def _sign_in(page: Any, session: dict[str, Any]) -> None:
    page.context.add_cookies(
        [{"name": "sessionid", "value": session["cookie"], "url": page.base_url}]
    )


def _received_total(page: Any) -> str:
    return page.locator(".stats-summary .big").first.inner_text().strip()


def test_operator_reads_the_figures_and_changes_the_period(
    page: Any, operator_session: dict[str, Any]
) -> None:
    _sign_in(page, operator_session)
    page.goto(page.base_url + "/can-bo/thong-ke/")
    assert page.locator("h1").count() == 1
    assert _received_total(page) == "3"
    table = page.locator(".stats-table")
    assert "Sở Tư pháp" in table.inner_text()
    assert page.locator('svg[role="img"] title').first.text_content()
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    # The quick choice "last month" (calendar): five dossiers, one of them late.
    previous = operator_session["previous"]
    page.locator(f'.stats-quick a[href*="start={previous.isoformat()}"]').first.click()
    page.wait_for_load_state()
    assert _received_total(page) == "5"
    footer = page.locator(".stats-table tfoot").inner_text()
    assert "5" in footer and "80" in footer  # 4 of 5 in time: 80,0 %
    # The same numbers as the chart's bars (in time / late).
    assert "1 / 1" in (page.locator('svg[role="img"]').text_content() or "")

    # A period typed by hand in the three boxes (ngày, tháng, năm): both months together.
    for name, day in (("start", previous), ("end", operator_session["this_month"].end)):
        for index, part in enumerate((f"{day.day:02d}", f"{day.month:02d}", str(day.year))):
            page.fill(f"input[name={name}_{index}]", part)
    page.locator("form.card button[type=submit]").click()
    page.wait_for_load_state()
    assert _received_total(page) == "8"

    with page.expect_download() as download_info:
        page.locator("a[download]").click()
    download = download_info.value
    assert download.suggested_filename.startswith("thong-ke-ho-so_000.00.00.H33_")
    assert download.suggested_filename.endswith(".xlsx")


def test_the_page_fits_a_360px_phone(page: Any, operator_session: dict[str, Any]) -> None:
    _sign_in(page, operator_session)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(page.base_url + "/can-bo/thong-ke/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px screen"
    chart = page.locator('svg[role="img"]').bounding_box()
    assert chart is not None and chart["width"] <= 360
    # The wide table scrolls inside its own region, reachable by keyboard.
    region = page.locator(".table-wrap[role=region]")
    assert region.get_attribute("tabindex") == "0"
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


@pytest.mark.parametrize("width", [360, 1280])
def test_the_cards_say_what_their_figures_are(
    page: Any, operator_session: dict[str, Any], width: int
) -> None:
    """Issue 15, item 11, at 360 and 1280 px: no bare "0 · 0 · 0" card, the
    satisfaction card says it rests on no rating rather than showing a percentage,
    and no two quick periods share one link text: this month as a calendar month and
    as a reporting period (15th to 14th) differ by their dates, inside the link."""
    _sign_in(page, operator_session)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(page.base_url + "/can-bo/thong-ke/")
    summary = page.locator(".stats-summary").inner_text()
    assert "0 · 0 · 0" not in summary
    assert "Không có trong kỳ này." in summary  # nothing withdrawn, refused or stopped
    assert "Chưa có đánh giá nào trong kỳ này." in summary
    ratings = page.locator(".stats-summary dd", has_text="Chưa có đánh giá nào")
    assert "%" not in ratings.inner_text()  # no percentage resting on nothing
    labels = [
        text.strip() for text in page.locator(".stats-quick a").all_inner_texts() if text.strip()
    ]
    assert labels and len(labels) == len(set(labels)), labels
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
