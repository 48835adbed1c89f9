"""The procedure catalogue in a real browser: search the list, open a procedure, and
an agency administrator edits its process — a wrong total is refused next to what
was typed, the fix is saved. Every page passes an axe-core scan and fits 360 px."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from egov.accounts.models import User
from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import sign_in_verified
from egov.procedures.models import Procedure
from egov.procedures.selectors import active_process, get_procedure
from egov.procedures.tests.factories import (
    Org,
    build_org,
    ensure_fields,
    make_user,
    publish,
    record_content,
)
from tests.browser.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue() -> Org:
    # Live-server tests run on a flushed database: build_org seeds the roles again.
    org = build_org()
    ensure_fields()
    publish("2.000488", record_content(org))
    return org


def signed_in(page: Any, user: User) -> None:
    """Carry a verified Django session into the browser (sign-in has its own tests)."""
    client = Client()
    sign_in_verified(client, user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.base_url}]
    )


def record_procedure() -> Procedure:
    procedure = get_procedure("2.000488")
    assert procedure is not None
    return procedure


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    assert page.locator("h1").count() == 1


def assert_fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide at a 360px viewport"


def test_admin_searches_and_edits_a_process(page: Any, catalogue: Org) -> None:
    org = catalogue
    admin = make_user("quantri.stp", RoleCode.AGENCY_ADMIN, org.justice)
    signed_in(page, admin)

    page.goto(page.base_url + "/can-bo/thu-tuc/")
    assert_accessible(page)
    page.fill("input[name=q]", "ly lich tu phap")  # no diacritics
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    link = page.get_by_role("link", name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam")
    assert link.count() == 1
    assert_accessible(page)

    link.click()
    page.wait_for_load_state()
    assert "/can-bo/thu-tuc/2.000488/" in page.url
    body = page.locator("main").inner_text()
    assert "Tờ khai yêu cầu cấp Phiếu LLTP" in body
    assert "200.000 đ" in body
    assert_accessible(page)

    page.select_option("select[name=co-quan]", str(org.justice.pk))
    page.locator("form[aria-labelledby=h-edit-process] button[type=submit]").click()
    page.wait_for_load_state()
    assert "/quy-trinh/" in page.url
    assert_accessible(page)
    # the default process: receipt, specialist (60 h), leader, return = 75 h
    assert page.input_value("input[name='steps-1-hours']") in ("60.00", "60")

    page.fill("input[name='steps-1-name']", "Chuyên viên tra cứu, xác minh")
    page.fill("input[name='steps-1-hours']", "50")
    page.locator("form[aria-labelledby=h-steps] button.primary").click()
    page.wait_for_load_state()
    alert = page.locator("#form-errors")
    assert alert.count() == 1
    assert "65" in alert.inner_text() and "75" in alert.inner_text()
    # what was typed is kept
    assert page.input_value("input[name='steps-1-hours']") == "50"
    assert page.input_value("input[name='steps-1-name']") == "Chuyên viên tra cứu, xác minh"
    assert active_process(record_procedure(), org.justice) is None  # nothing saved
    assert_accessible(page)

    page.fill("input[name='steps-1-hours']", "60")
    page.locator("form[aria-labelledby=h-steps] button.primary").click()
    page.wait_for_load_state()
    assert page.locator("#form-errors").count() == 0
    assert page.locator(".message--success").count() == 1
    template = active_process(record_procedure(), org.justice)
    assert template is not None
    steps = list(template.steps.all())
    assert steps[1].name == "Chuyên viên tra cứu, xác minh"
    assert sum((step.hours for step in steps), Decimal(0)) == Decimal(75)
    assert template.updated_by == admin


def test_pages_fit_a_phone(page: Any, catalogue: Org) -> None:
    admin = make_user("quantri.stp", RoleCode.AGENCY_ADMIN, catalogue.justice)
    signed_in(page, admin)
    page.set_viewport_size({"width": 360, "height": 740})
    for path in (
        "/can-bo/thu-tuc/",
        "/can-bo/thu-tuc/2.000488/",
        f"/can-bo/thu-tuc/2.000488/quy-trinh/?co-quan={catalogue.justice.pk}",
    ):
        page.goto(page.base_url + path)
        assert_fits(page)
        assert_accessible(page)
