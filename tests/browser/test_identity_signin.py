"""Sign in through the national identity provider (the local simulator) in a real
browser: the VNeID button, the simulator's page, back signed in on the profile.
The back-channel calls (discovery, token, JWKS, userinfo) go over real HTTP to the
live server."""

from __future__ import annotations

from typing import Any

import pytest

from egov.accounts import services as account_services
from egov.accounts.default_roles import ensure_default_roles
from egov.identity.demo import load_demo_identity
from egov.identity.models import ExternalIdentity
from tests.browser.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings: Any, live_server: Any) -> Any:
    ensure_default_roles()
    settings.EGOV_SIMULATORS = True
    settings.EGOV_IDENTITY_ENABLED = True
    settings.EGOV_IDENTITY_ISSUER = ""
    settings.EGOV_IDENTITY_HTTP_TRANSPORT = "http"
    settings.EGOV_PUBLIC_BASE_URL = live_server.url
    citizen = account_services.register_citizen(
        national_id="091090001234",
        full_name="Nguyễn Văn An",
        password="KienGiang2020",
        email="nguyenvanan@example.com",
        phone="0912345678",
    )
    load_demo_identity()
    return citizen


def test_sign_in_with_vneid_lands_on_profile(page: Any, demo: Any) -> None:
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{page.base_url}/tai-khoan/dang-nhap/")
    page.click("#vneid-signin")

    page.wait_for_url("**/mo-phong/uy-quyen/**")
    assert page.locator("button[name=deny]").is_visible()
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    page.get_by_role("button", name="Nguyễn Văn An").click()
    page.wait_for_url("**/tai-khoan/dinh-danh/ho-so-ca-nhan/")
    assert page.locator("h1").inner_text().strip() in ("Thông tin cá nhân", "Personal profile")
    assert page.locator("#fact-national_id dd").inner_text().strip() == "091090001234"
    assert page.locator("#fact-date_of_birth dd").inner_text().strip() == "09/10/1990"
    assert page.locator("#fact-national_id .verified-badge").is_visible()
    assert page.locator(".whoami").inner_text().strip() == "Nguyễn Văn An"
    # Nothing is wider than a phone screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    assert ExternalIdentity.objects.filter(user=demo).count() == 1
