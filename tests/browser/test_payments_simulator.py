"""Paying a dossier's fees through the payment platform simulator in a real
browser: the simulator calls our callback over real HTTP (the live server), the
applicant comes back to a "paid" page with the receipt link, the dossier leaves
status 6. The pay page and the simulator's page pass an axe-core scan."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from egov.accounts.default_roles import ensure_default_roles
from egov.core.workcalendar import invalidate_calendar
from egov.dossiers.models import Dossier, Status
from egov.dossiers.tests.factories import World, build_world, dossier_in_status
from egov.payments.models import Payment, PaymentStatus
from tests.browser.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "KienGiang2020"


@pytest.fixture
def world(settings: Any) -> Iterator[World]:
    ensure_default_roles()
    invalidate_calendar()
    settings.EGOV_PAYMENTS_TRANSPORT = "http"
    settings.EGOV_SIMULATORS = True
    settings.EGOV_PAYGOV_PAY_URL = ""
    settings.EGOV_PAYGOV_CALLBACK_URL = ""
    built = build_world()
    built.staff.citizen.set_password(PASSWORD)
    built.staff.citizen.save()
    yield built
    invalidate_calendar()


def test_citizen_pays_through_the_simulator(page: Any, world: World) -> None:
    dossier: Dossier = dossier_in_status(world, Status.AWAITING_PAYMENT, payment_requested=150000)
    pay_path = f"/thanh-toan/ho-so/{dossier.code}/"
    page.goto(f"{page.base_url}/tai-khoan/dang-nhap/?next={pay_path}")
    page.fill("input[name=username]", world.staff.citizen.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("^(Đăng nhập|Sign in)$")).click()
    page.wait_for_load_state()
    assert page.url.endswith(pay_path), page.url

    assert "150.000 đ" in page.locator("main").inner_text()
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    page.get_by_role("button", name=re.compile("^(Thanh toán|Pay)$")).click()
    page.wait_for_load_state()
    assert "/thanh-toan/mo-phong/" in page.url
    main = page.locator("main").inner_text()
    assert "150.000 đ" in main and Payment.objects.get().reference in main
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    page.get_by_label("BIDV").check()
    page.get_by_role("button", name="Thanh toán thành công").click()
    page.wait_for_load_state()
    assert "/thanh-toan/ket-qua/" in page.url
    assert re.search("Thanh toán thành công|Payment successful", page.locator("main").inner_text())
    receipt = page.get_by_role("link", name=re.compile("biên lai|receipt", re.IGNORECASE))
    assert receipt.count() >= 1
    payment = Payment.objects.get()
    assert receipt.first.get_attribute("href") == f"/thanh-toan/bien-lai/{payment.reference}/"
    assert payment.status == PaymentStatus.SUCCEEDED
    dossier.refresh_from_db()
    assert dossier.status != Status.AWAITING_PAYMENT
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def test_pay_page_fits_a_360px_phone(page: Any, world: World) -> None:
    dossier = dossier_in_status(world, Status.AWAITING_PAYMENT, payment_requested=150000)
    page.set_viewport_size({"width": 360, "height": 740})
    pay_path = f"/thanh-toan/ho-so/{dossier.code}/"
    page.goto(f"{page.base_url}/tai-khoan/dang-nhap/?next={pay_path}")
    page.fill("input[name=username]", world.staff.citizen.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("^(Đăng nhập|Sign in)$")).click()
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px screen"
    page.get_by_role("button", name=re.compile("^(Thanh toán|Pay)$")).click()
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"simulator page is {width}px wide on a 360px screen"
