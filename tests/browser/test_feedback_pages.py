"""Ratings and questions in a real browser: a citizen rates a returned dossier, the
public figures show it, a question is asked with JavaScript off; axe scans of the
rating, ratings, FAQ and ask pages; a 360 px phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from egov.accounts.default_roles import ensure_default_roles
from egov.dossiers.models import Dossier, Status
from egov.dossiers.tests.factories import World, build_world, dossier_in_status
from egov.feedback import services
from egov.feedback.indicators import asked_indicators
from egov.feedback.models import Question, Rating
from tests.browser.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass
class Scene:
    world: World
    dossier: Dossier


@pytest.fixture
def scene() -> Iterator[Scene]:
    ensure_default_roles()  # live-server tests run on a flushed database
    cache.clear()
    world = build_world()
    dossier = dossier_in_status(world, Status.RETURNED)
    question = services.ask_question(
        None,
        services.QuestionIn(
            title="Hồ sơ đăng ký khai sinh cần giấy tờ gì?",
            body="Xin hỏi cần mang theo những giấy tờ gì?",
            name="Trần Văn Bảy",
            email="bay@example.vn",
            agency=world.org.district,
        ),
    )
    services.answer_question(
        world.staff.clerk, question, answer="Tờ khai và Giấy chứng sinh.", publish=True
    )
    yield Scene(world, dossier)
    cache.clear()


def sign_in(page: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": page.base_url}]
    )


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def assert_fits_360(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px screen"


def test_citizen_rates_and_the_public_page_shows_it(page: Any, scene: Scene) -> None:
    sign_in(page, scene.world.staff.citizen)
    page.goto(page.base_url + f"/danh-gia/ho-so/{scene.dossier.code}/")
    assert scene.dossier.code in page.content()
    assert_accessible(page)
    page.check('input[name="level"][value="3"]')
    for item in asked_indicators():
        page.check(f'input[name="{item.code}"][value="{item.answers[0].value}"]')
    page.fill('textarea[name="comment"]', "Cán bộ hướng dẫn tận tình.")
    page.get_by_role("button", name=re.compile("Gửi đánh giá|Send the rating")).click()
    page.wait_for_load_state()
    assert page.get_by_role(
        "heading", name=re.compile("Đánh giá đã ghi nhận|Rating recorded")
    ).is_visible()
    assert Rating.objects.get(dossier=scene.dossier).level == 3
    assert_accessible(page)

    page.set_viewport_size({"width": 360, "height": 740})
    assert_fits_360(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page.base_url + "/danh-gia/")
    district = page.locator("tbody tr", has_text=scene.world.org.province.name)
    assert district.count() == 1
    assert re.search(r"\b1\b", district.inner_text())
    assert "Cán bộ hướng dẫn tận tình" not in page.content()  # not moderated yet
    assert_accessible(page)
    page.set_viewport_size({"width": 360, "height": 740})
    assert_fits_360(page)


def test_faq_search_and_accessibility(page: Any, scene: Scene) -> None:
    page.goto(page.base_url + "/danh-gia/hoi-dap/")
    assert_accessible(page)
    page.get_by_role("searchbox").fill("ho so khai sinh")
    page.get_by_role("button", name=re.compile("^(Tìm kiếm|Search)$")).click()
    page.wait_for_load_state()
    assert "Tờ khai và Giấy chứng sinh." in page.content()
    page.set_viewport_size({"width": 360, "height": 740})
    assert_fits_360(page)


def test_ask_a_question_without_javascript(browser: Any, live_server: Any, scene: Scene) -> None:
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        ),
    )
    try:
        tab = context.new_page()
        tab.goto(live_server.url + "/danh-gia/hoi-dap/hoi/")
        tab.select_option('select[name="agency"]', scene.world.org.district.code)
        tab.fill('input[name="title"]', "Thời gian cấp giấy phép xây dựng")
        tab.fill('textarea[name="body"]', "Bao lâu thì có giấy phép xây dựng nhà ở?")
        tab.fill('input[name="name"]', "Lê Thị Tám")
        tab.fill('input[name="email"]', "tam@example.vn")
        assert not tab.locator('input[name="website"]').is_visible()  # the honeypot
        tab.get_by_role("button", name=re.compile("Gửi câu hỏi|Send the question")).click()
        tab.wait_for_load_state()
        assert "/danh-gia/hoi-dap/" in tab.url
        assert scene.world.org.district.name in tab.content()  # "sent to …, due by …"
    finally:
        context.close()
    question = Question.objects.get(title="Thời gian cấp giấy phép xây dựng")
    assert question.agency == scene.world.org.district


def test_ask_page_accessible_and_fits_a_phone(page: Any, scene: Scene) -> None:
    page.goto(page.base_url + "/danh-gia/hoi-dap/hoi/")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Gửi câu hỏi|Send the question")).click()
    page.wait_for_load_state()
    assert page.locator('[aria-invalid="true"]').count() >= 3  # errors next to fields
    assert_accessible(page)
    page.set_viewport_size({"width": 360, "height": 740})
    assert_fits_360(page)
