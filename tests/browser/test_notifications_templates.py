"""An operator edits an SMS notification template in a real browser: the preview
shows the message on the sample dossier with its SMS parts, a mistake is shown
next to the field, and the page has no serious accessibility violations."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.models import User
from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import sign_in_verified
from egov.dossiers.tests.factories import build_org, staff_member
from egov.notifications.defaults import ensure_default_templates
from egov.notifications.models import NotificationTemplate
from tests.browser.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY_LABEL = re.compile("^(Nội dung tin|Text of the message)")
PREVIEW = re.compile("^(Xem trước|Show the preview)$")
SAVE = re.compile("^(Kiểm tra và lưu|Check and save)$")
EDIT = "/thong-bao/quan-tri/mau/result_ready/sms/vi/"


@pytest.fixture
def operator() -> User:
    ensure_default_roles()  # live-server tests run on a flushed database
    ensure_default_templates()
    org = build_org()
    return staff_member("vanhanh", RoleCode.PLATFORM_OPERATOR, org.province, "Nguyễn Văn Vận")


def sign_in(page: Any, user: User) -> None:
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


def test_operator_edits_a_template_and_sees_the_preview(page: Any, operator: User) -> None:
    sign_in(page, operator)
    page.goto(page.base_url + "/thong-bao/quan-tri/mau/")
    assert page.get_by_role("heading", level=1).count() == 1
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    page.locator(f"a[href$='{EDIT}']").click()
    page.wait_for_load_state()
    body = page.get_by_label(BODY_LABEL)
    assert "{{ code }}" in body.input_value()

    body.fill("Hồ sơ {{ code }} đã có kết quả, mời ông/bà đến {{ desk }} nhận.")
    page.get_by_role("button", name=PREVIEW).click()
    page.wait_for_load_state()
    preview = page.locator("#preview")
    assert preview.is_visible()
    text = preview.inner_text()
    assert "Ho so 000.00.33.H33-260302-0001 da co ket qua" in text  # sent unaccented
    assert "GSM-7" in text
    assert "Hồ sơ 000.00.33.H33-260302-0001 đã có kết quả" in text  # as written
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    # An unknown variable: refused next to the field, the text kept.
    page.get_by_label(BODY_LABEL).fill("Hồ sơ {{ so_ho_so }} đã có kết quả.")
    page.get_by_role("button", name=SAVE).click()
    page.wait_for_load_state()
    body = page.get_by_label(BODY_LABEL)
    assert body.get_attribute("aria-invalid") == "true"
    assert "so_ho_so" in page.locator(".errorlist").first.inner_text()
    assert body.input_value() == "Hồ sơ {{ so_ho_so }} đã có kết quả."
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    body.fill("Hồ sơ {{ code }} đã có kết quả. Tra cứu: {{ lookup_url }}")
    page.get_by_role("button", name=SAVE).click()
    page.wait_for_load_state()
    assert page.url.endswith("/thong-bao/quan-tri/mau/")
    assert page.locator(".message--success").is_visible()
    stored = NotificationTemplate.objects.get(event="result_ready", channel="sms", language="vi")
    assert stored.body == "Hồ sơ {{ code }} đã có kết quả. Tra cứu: {{ lookup_url }}"
    assert stored.updated_by == operator


def test_template_editor_fits_a_360px_phone(page: Any, operator: User) -> None:
    sign_in(page, operator)
    page.set_viewport_size({"width": 360, "height": 740})
    for address in ("/thong-bao/quan-tri/mau/", EDIT, "/thong-bao/nhat-ky/"):
        page.goto(page.base_url + address)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{address} is {width}px wide on a 360px screen"
