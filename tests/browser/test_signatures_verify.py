"""The public verification page in a real browser: a PDF signed by the platform is
reported valid, with signer, organisation, chain and timestamp, at 360 and 1280 px,
with no serious accessibility problem."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from egov.accounts.default_roles import ensure_default_roles
from egov.signatures import services
from egov.signatures.tests.conftest import USER_PIN, one_page_pdf
from egov.signatures.tests.conftest import pki_settings as pki_settings  # a fixture
from egov.signatures.tests.conftest import world as signatures_world
from tests.browser.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

world = signatures_world


@pytest.fixture(autouse=True)
def _roles() -> None:
    # Live-server tests run on a flushed database: seed roles again (before `world`).
    ensure_default_roles()


@pytest.mark.parametrize("width", [360, 1280])
def test_verification_page_reports_a_signed_pdf_valid(
    page: Any, world: Any, tmp_path: Path, width: int
) -> None:
    holder = services.holder_for_person(world.leader, pin=USER_PIN)
    signed = services.sign_pdf(one_page_pdf(), holder=holder, actor=world.leader)
    path = tmp_path / "quyet-dinh-da-ky.pdf"
    path.write_bytes(signed)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page.base_url + "/chu-ky-so/kiem-tra/")
    assert page.get_by_role("heading", level=1).inner_text() == "Kiểm tra văn bản có chữ ký số"
    page.get_by_label("Tệp PDF đã ký số").set_input_files(str(path))
    page.get_by_role("button", name="Kiểm tra").click()
    page.wait_for_load_state()
    status = page.get_by_role("status").first.inner_text()
    assert status == "Văn bản có 1 chữ ký hợp lệ."
    report = page.locator("article").inner_text()
    for expected in ("Nguyễn Văn Bình", "Sở Thông tin và Truyền thông", "Demo Root CA", "+07:00"):
        assert expected in report
    assert "Chưa bị thu hồi" in report
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page scrolls sideways at {width} px"
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    folder = os.environ.get("EGOV_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"verify-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [360, 1280])
def test_signer_uploads_a_signature_image(
    page: Any, world: Any, tmp_path: Path, width: int
) -> None:
    from django.conf import settings
    from django.test import Client

    from egov.accounts.tests.helpers import sign_in_verified
    from egov.signatures.testpki import demo_signature_png

    client = Client()
    sign_in_verified(client, world.leader)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": page.base_url}]
    )
    image = tmp_path / "chu-ky.png"
    image.write_bytes(demo_signature_png("B"))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page.base_url + "/chu-ky-so/anh-chu-ky/")
    page.get_by_label("Ảnh PNG có nền trong suốt").set_input_files(str(image))
    page.get_by_role("button", name="Tải lên").click()
    page.wait_for_load_state()
    assert page.get_by_role("img", name="Ảnh chữ ký hiện tại của bạn").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    folder = os.environ.get("EGOV_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"images-{width}.png"), full_page=True)
