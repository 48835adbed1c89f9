"""The public-service portal in a real browser: finding a service from the home
page, accessibility of its pages, a 360 px phone, and the home page's weight."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from egov.accounts.default_roles import ensure_default_roles
from egov.dossiers.tests.test_lookup import PRIVATE_CODE, build_lookup_world
from egov.procedures.models import ProcedureField, ProcedureVersion
from egov.procedures.tests.factories import birth_content, publish, record_content
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.test_forms_and_phones import sideways_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEARCH_LABEL = re.compile("Bạn cần làm gì|What do you need to do")
HOME_WEIGHT_LIMIT = 150 * 1024


class _Anywhere:
    """Stands for the procedure tests' Org: every unit it names is overridden."""

    def __getattr__(self, name: str) -> None:
        return None


@pytest.fixture
def catalogue() -> Iterator[dict[str, ProcedureVersion]]:
    """The lookup world (Rạch Giá, a dossier) plus procedures published on it."""
    ensure_default_roles()
    cache.clear()
    world = build_lookup_world()
    ProcedureField.objects.get_or_create(
        code="ly-lich-tu-phap", defaults={"name": "Lý lịch tư pháp"}
    )
    # The world's "Đăng ký khai sinh" is published already; two more at its district.
    here = {"levels": ["district"], "agencies": [world.district]}
    versions = {
        "marriage": publish(
            "1.000894", birth_content(_Anywhere(), name="Đăng ký kết hôn", online_level=3, **here)
        ),
        "record": publish("2.000488", record_content(_Anywhere(), **here)),
    }
    yield versions
    cache.clear()


def test_search_from_home_reaches_the_procedure(page: Any, catalogue: Any) -> None:
    page.goto(page.base_url + "/")
    field = page.get_by_label(SEARCH_LABEL)
    field.fill("dang ky khai sinh")
    field.press("Enter")
    page.wait_for_load_state()
    assert "/dich-vu-cong/thu-tuc/" in page.url
    first = page.locator("ol.results li h3 a").first
    assert first.inner_text() == "Đăng ký khai sinh"
    first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Đăng ký khai sinh"
    assert re.search(r"/dich-vu-cong/thu-tuc/[\d.]+/$", page.url)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/dich-vu-cong/thu-tuc/?q=dang+ky",
        "/dich-vu-cong/thu-tuc/1.000894/",
        "/dich-vu-cong/kiosk/",
        f"/dich-vu-cong/kiosk/?ma={PRIVATE_CODE}",
    ],
)
def test_portal_pages_are_accessible_and_fit_360px(page: Any, catalogue: Any, path: str) -> None:
    page.goto(page.base_url + path)
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(page.base_url + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{path} is {width}px wide on a 360px screen"


def test_home_page_weighs_less_than_150_kb(browser: Any, live_server: Any, catalogue: Any) -> None:
    context = browser.new_context(locale="vi-VN")
    sizes: dict[str, int] = {}

    def measure(response: Any) -> None:
        if not response.url.startswith(live_server.url):
            return
        headers = response.headers
        body = len(response.body()) if response.status < 300 else 0
        # Transferred size: the body as sent (compressed when the server compresses)
        # plus the headers.
        sent = int(headers.get("content-length", body))
        sizes[response.url] = sent + sum(len(k) + len(v) + 4 for k, v in headers.items())

    try:
        tab = context.new_page()
        tab.on("response", measure)
        tab.goto(live_server.url + "/", wait_until="networkidle")
        tab.evaluate("document.fonts.ready")
        tab.wait_for_load_state("networkidle")
    finally:
        context.close()
    total = sum(sizes.values())
    assert any(url.endswith(".css") for url in sizes)
    assert total < HOME_WEIGHT_LIMIT, f"home page weighs {total} bytes: {sizes}"


def test_kiosk_keys_type_the_code(page: Any, catalogue: Any) -> None:
    page.goto(page.base_url + "/dich-vu-cong/kiosk/")
    keypad = page.locator("#keypad")
    assert keypad.is_visible()
    for key in "000.00.31.H33-260301-0042":
        page.locator(f'#keypad button[data-key="{key}"]').click()
    page.get_by_role("button", name=re.compile("^(Tra cứu|Look up)$")).click()
    page.wait_for_load_state()
    assert PRIVATE_CODE in page.get_by_role("heading", level=2).inner_text()
    assert page.locator("#kiosk-more").is_visible()  # JavaScript counts down, with more time


@pytest.mark.parametrize("width", [360, 1280])
def test_the_procedure_page_in_english_shows_english_names(
    page: Any, catalogue: Any, width: int
) -> None:
    """Issue 15, item 10, at 360 and 1280 px: after the language switch the
    procedure, its field and a paper read in English; a paper without an English
    name keeps its Vietnamese one; the page fits the phone and passes axe."""
    marriage = catalogue["marriage"]
    ProcedureVersion.objects.filter(pk=marriage.pk).update(name_en="Marriage registration")
    ProcedureField.objects.filter(pk=marriage.field_id).update(name_en="Civil status")
    first, *others = list(marriage.papers.order_by("position"))
    type(first).objects.filter(pk=first.pk).update(name_en="Marriage registration declaration")
    cache.clear()
    page.goto(page.base_url + "/")
    page.get_by_role("button", name="English").click()  # in the menu, folded on a phone
    page.wait_for_load_state()
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(page.base_url + "/dich-vu-cong/thu-tuc/1.000894/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().strip() == "Marriage registration"
    main = page.locator("main").inner_text()
    assert "Civil status" in main and "Marriage registration declaration" in main
    assert "Đăng ký kết hôn" not in main
    assert others and all(paper.name in main for paper in others)  # the fallback
    assert sideways_overflow(page) == []
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
