"""Public lookup in a real browser: typing a code, with and without JavaScript,
accessibility, a 360 px phone, no personal data on the page, and the guessing
limits as a person behind a shared address meets them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from egov.accounts.default_roles import ensure_default_roles
from egov.dossiers.tests.test_forms_pdf import World
from egov.dossiers.tests.test_lookup import PRIVATE_CODE, build_lookup_world, forbidden
from tests.browser.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE_LABEL = re.compile("Mã hồ sơ|Dossier code")
LOOKUP_BUTTON = re.compile("^(Tra cứu|Look up)$")


@pytest.fixture
def world() -> Iterator[World]:
    # Live-server tests run on a flushed database: seed roles again.
    ensure_default_roles()
    cache.clear()
    yield build_lookup_world()
    cache.clear()


def look_up(page: Any, code: str) -> None:
    field = page.get_by_label(CODE_LABEL)
    field.fill("")
    field.type(code)
    field.press("Enter")
    page.wait_for_load_state()


def test_lookup_by_typing_a_code_shows_status_and_steps(page: Any, world: World) -> None:
    page.goto(page.base_url + "/tra-cuu/")
    assert page.locator("html").get_attribute("lang") == "vi"
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    look_up(page, PRIVATE_CODE)
    assert f"ma={PRIVATE_CODE}" in page.url  # a plain GET form: the address can be shared
    result = page.locator("section", has=page.get_by_role("heading", level=2))
    assert PRIVATE_CODE in result.inner_text()
    assert "Đăng ký khai sinh" in result.inner_text()
    rows = page.locator("tbody tr")
    assert rows.count() == 3
    assert world.office.name in rows.nth(1).inner_text()
    content = page.content()
    for secret in forbidden(world):
        assert secret not in content
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def test_unknown_code_message_is_next_to_the_field(page: Any, world: World) -> None:
    page.goto(page.base_url + "/tra-cuu/")
    look_up(page, "000.00.31.H33-260301-9999")
    field = page.get_by_label(CODE_LABEL)
    assert field.get_attribute("aria-invalid") == "true"
    error = page.locator(".errorlist")
    assert "000.00.31.H33-260301-9999" in error.inner_text()
    assert field.input_value() == "000.00.31.H33-260301-9999"
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def test_lookup_page_fits_a_360px_phone(page: Any, world: World) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(page.base_url + f"/tra-cuu/?ma={PRIVATE_CODE}")
    assert page.get_by_role("heading", level=2).is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px screen"


def test_lookup_works_without_javascript(browser: Any, live_server: Any, world: World) -> None:
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        ),
    )
    try:
        tab = context.new_page()
        tab.goto(live_server.url + "/tra-cuu/")
        tab.get_by_label(CODE_LABEL).fill(PRIVATE_CODE)
        tab.get_by_role("button", name=LOOKUP_BUTTON).click()
        tab.wait_for_load_state()
        assert PRIVATE_CODE in tab.get_by_role("heading", level=2).inner_text()
    finally:
        context.close()


def unknown(number: int) -> str:
    return f"000.00.31.H33-260301-{9000 + number:04d}"


@pytest.mark.parametrize("width", [360, 1280])
def test_a_valid_code_after_50_unknown_codes_from_the_same_address(
    page: Any, world: World, width: int, tmp_path: Path
) -> None:
    # Ten other people behind the same address (every request reaches the live
    # server from 127.0.0.1), five mistyped codes each: fifty unknown codes.
    for person in range(10):
        other = Client(REMOTE_ADDR="127.0.0.1")
        for attempt in range(5):
            assert other.get("/tra-cuu/", {"ma": unknown(person * 5 + attempt)}).status_code == 404
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(page.base_url + "/tra-cuu/")
    look_up(page, PRIVATE_CODE)
    assert PRIVATE_CODE in page.get_by_role("heading", level=2).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    page.screenshot(path=str(tmp_path / f"lookup-after-50-{width}.png"), full_page=True)


def test_a_run_of_unknown_codes_makes_this_browser_wait(
    page: Any, world: World, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(page.base_url + "/tra-cuu/")
    for number in range(5):
        look_up(page, unknown(number))
        assert "Không tìm thấy" in page.locator(".errorlist").inner_text()
    look_up(page, PRIVATE_CODE)
    error = page.locator(".errorlist").inner_text()
    # 30 seconds from the sixth miss; a slow machine may show a second less.
    assert "Bạn đã tra cứu liên tiếp" in error and re.search(r"\b(29|30) giây", error)
    # Nothing of the dossier: the only heading is the error summary's.
    assert page.locator("main h2:not(#error-summary-title)").count() == 0
    assert page.title().startswith("Lỗi: ")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    page.screenshot(path=str(tmp_path / "lookup-wait-360.png"), full_page=True)
    # The cookie that names this browser cannot be read by the page's scripts.
    assert "egov_lookup" not in page.evaluate("document.cookie")
    cookie = next(c for c in page.context.cookies() if c["name"] == "egov_lookup")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
