"""The applicant's own space in a real browser: a citizen whose dossier waits for
papers (status 5) sees it marked in their list, opens it, uploads the paper asked
for and sees the status change; both pages pass axe and fit a 360 px phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from egov.accounts.default_roles import ensure_default_roles
from egov.applicants.tests.helpers import pdf_bytes, supplement_requested
from egov.dossiers.models import Dossier, Status
from egov.dossiers.tests.factories import World, build_world
from tests.browser.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(tmp_path: Any) -> Iterator[World]:
    ensure_default_roles()
    yield build_world()


def sign_in(page: Any, world: World) -> None:
    """Reuse a session made on the server side (the sign-in pages have their own tests)."""
    client = Client()
    client.force_login(world.staff.citizen)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": page.base_url}]
    )


def fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px screen"


def test_citizen_answers_a_supplement_request_by_upload(
    page: Any, world: World, settings: Any, tmp_path: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    dossier = supplement_requested(world)
    sign_in(page, world)
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(page.base_url + "/ca-nhan/ho-so/")
    assert page.locator("html").get_attribute("lang") == "vi"
    item = page.locator(".my-list > li", has_text=dossier.code)
    assert re.search("Cần bạn|Needs your action", item.inner_text())
    fits(page)
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    # Issue 15, item 7: the count of dossiers waiting for the citizen is a link to them,
    # on a phone and on a desktop.
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 740})
        waiting = page.get_by_role("link", name="Số hồ sơ cần bạn thực hiện: 1.")
        assert waiting.is_visible()
        waiting.click()
        page.wait_for_load_state()
        assert "status=action" in page.url
        assert page.locator(".my-list > li").count() == 1
        violations = axe_violations(page)
        assert not violations, format_violations(violations)
        page.goto(page.base_url + "/ca-nhan/ho-so/")
    item = page.locator(".my-list > li", has_text=dossier.code)

    item.get_by_role("link", name=dossier.code).click()
    page.wait_for_load_state()
    assert "Thiếu giấy xác nhận cư trú của người mẹ." in page.content()
    fits(page)
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    page.get_by_role(
        "link", name=re.compile("Gửi giấy tờ trực tuyến|Send the papers online")
    ).click()
    page.wait_for_load_state()
    fits(page)
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    page.get_by_label("Giấy xác nhận cư trú").set_input_files(
        {"name": "xac-nhan-cu-tru.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_role("button", name=re.compile("^(Gửi giấy tờ|Send the papers)$")).click()
    page.wait_for_load_state()

    assert f"/ca-nhan/ho-so/{dossier.code}/" in page.url
    assert re.search("Đang xử lý|Being processed", page.locator("#h-facts + dl").inner_text())
    assert page.locator(".message--success").count() == 1
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.status == Status.PROCESSING
    assert dossier.papers.filter(name="Giấy xác nhận cư trú").exclude(file="").exists()
