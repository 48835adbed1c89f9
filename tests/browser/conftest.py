"""Real-browser tests: Playwright for Python driving Debian's Chromium.

Browsers cannot be downloaded on agency networks or here, so Playwright is pointed
at the system's Chromium (``EGOV_CHROMIUM`` or /usr/bin/chromium). Without one,
these tests are skipped, unless ``EGOV_REQUIRE_BROWSER=1`` (set by CI) makes
that a failure.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"


def _chromium_path() -> str | None:
    configured = os.environ.get("EGOV_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _chromium_path()
    if executable is None:
        if os.environ.get("EGOV_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium not found but EGOV_REQUIRE_BROWSER=1")
        pytest.skip("Chromium not installed (run `make system-deps`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    # The platform must work on closed networks: fail on any request leaving the server.
    outside: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    tab.base_url = live_server.url  # type: ignore[attr-defined]
    # Every page runs under the platform's Content-Security-Policy: anything it
    # blocks (an inline script or style, an outside source) fails the test.
    blocked: list[str] = []
    tab.csp_violations = blocked  # type: ignore[attr-defined]
    tab.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield tab
    context.close()
    assert not outside, f"page requested outside hosts: {outside}"
    assert not blocked, f"Content-Security-Policy violations: {blocked}"


@pytest.fixture
def staff_tabs(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """Opens a tab signed in as a staff member (``tests.browser.staff.make_staff``)
    in a browser context of their own, through the sign-in pages: password, then
    the TOTP code. ``landing`` is the page asked for first, where sign-in returns.
    Every tab fails the test on a Content-Security-Policy violation."""
    from tests.browser.staff import DESKTOP, PASSWORD, totp_code

    contexts: list[Any] = []
    blocked: list[str] = []

    def open_as(username: str, viewport: dict[str, int] = DESKTOP, *, landing: str) -> Any:
        context = browser.new_context(
            locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport=viewport
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        tab = context.new_page()
        tab.base_url = live_server.url
        tab.on(
            "console",
            lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
        )
        tab.goto(f"{live_server.url}/tai-khoan/dang-nhap/?next={landing}")
        tab.fill("input[name=username]", username)
        tab.fill("input[name=password]", PASSWORD)
        tab.get_by_role("button", name="Đăng nhập").click()
        tab.wait_for_load_state()
        tab.fill("input[name=token]", totp_code())
        tab.get_by_role("button", name="Xác nhận").click()
        tab.wait_for_load_state()
        assert tab.url.endswith(landing), tab.url
        return tab

    yield open_as
    for context in contexts:
        context.close()
    assert not blocked, f"Content-Security-Policy violations: {blocked}"


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[Any]:
    """Run axe-core (vendored) against the current page; return serious/critical hits."""
    # Loaded from the page's own origin (answered here, never by the platform): the
    # Content-Security-Policy refuses inline scripts, and tests run under it.
    url = f"{page.base_url}/__tests__/axe.min.js"
    page.route(
        url,
        lambda route: route.fulfill(
            body=AXE_JS.read_text(encoding="utf-8"), content_type="application/javascript"
        ),
    )
    # A click that navigates may still be loading the next page: axe must run on it,
    # not on a document being replaced (whose head is gone).
    page.wait_for_load_state()
    page.add_script_tag(url=url)
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    return [v for v in result["violations"] if v["impact"] in impacts]


def format_violations(violations: list[Any]) -> str:
    return json.dumps(
        [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in violations
        ],
        indent=1,
    )
