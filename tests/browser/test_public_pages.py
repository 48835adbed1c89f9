from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_is_vietnamese_by_default_and_switches_to_english(page: Any) -> None:
    page.goto(page.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("link", name="Đăng nhập").first.is_visible()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Sign in").first.is_visible()
    page.get_by_role("button", name="Tiếng Việt").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "vi"


@pytest.mark.parametrize("path", ["/", "/tai-khoan/dang-nhap/"])
def test_public_pages_have_no_serious_accessibility_violations(page: Any, path: str) -> None:
    page.goto(page.base_url + path)
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


@pytest.mark.parametrize("path", ["/", "/tai-khoan/dang-nhap/"])
def test_public_pages_fit_a_360px_phone(page: Any, path: str) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(page.base_url + path)
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 360, f"page is {overflow}px wide on a 360px screen"


def test_vendored_font_covers_vietnamese(page: Any) -> None:
    page.goto(page.base_url + "/")
    loaded = page.evaluate(
        """async () => { await document.fonts.ready;
           return document.fonts.check('16px "Be Vietnam Pro"', 'Ủy ban nhân dân tỉnh'); }"""
    )
    assert loaded
