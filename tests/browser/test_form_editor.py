"""An operator edits a one-stop form template in a real browser: a broken template
is refused with the error next to the field, a correct one is saved."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import include, path

from egov import urls as project_urls
from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.tests.helpers import sign_in_verified
from egov.dossiers.models import FormTemplate
from egov.dossiers.tests.test_forms_pdf import World, build_world
from tests.browser.conftest import axe_violations, format_violations

# Until the project mounts the forms pages, mount them here at their agreed place.
_MOUNTED = any(
    getattr(pattern, "namespace", None) == "dossiers_forms" for pattern in project_urls.urlpatterns
)
urlpatterns = list(project_urls.urlpatterns)
if not _MOUNTED:
    urlpatterns.insert(0, path("can-bo/mau-phieu/", include("egov.dossiers.urls_forms")))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls(__name__),
]

TITLE_LABEL = re.compile("^(Tiêu đề|Title)")
BODY_LABEL = re.compile("^(Nội dung|Text of the form)")
SAVE = re.compile("^(Kiểm tra và lưu|Check and save)$")


@pytest.fixture
def world() -> World:
    ensure_default_roles()  # live-server tests run on a flushed database
    return build_world()


def sign_in(page: Any, user: Any) -> None:
    """Reuse a verified session made by Django's test client (the password + code
    steps have their own browser tests)."""
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


def test_operator_edits_a_form_template(page: Any, world: World) -> None:
    sign_in(page, world.operator)
    page.goto(page.base_url + "/can-bo/mau-phieu/")
    assert page.get_by_role("heading", level=1).count() == 1
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    page.locator("a[href$='/can-bo/mau-phieu/01/sua/']").click()
    page.wait_for_load_state()
    body = page.get_by_label(BODY_LABEL)
    assert "received_papers" in body.input_value()
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    # A syntax error: refused, the message next to the field, the text kept.
    body.fill("<p>Hồ sơ {{ dossier.code }} {% if %}</p>")
    page.get_by_role("button", name=SAVE).click()
    page.wait_for_load_state()
    body = page.get_by_label(BODY_LABEL)
    assert body.get_attribute("aria-invalid") == "true"
    assert "{% if %}" in body.input_value()
    described_by = body.get_attribute("aria-describedby") or ""
    assert page.locator(".errorlist").first.is_visible()
    assert described_by  # help text (and error) announced with the field
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    assert FormTemplate.objects.get(code="01").body != "<p>Hồ sơ {{ dossier.code }} {% if %}</p>"

    # Corrected: saved, back on the list with a confirmation.
    page.get_by_label(TITLE_LABEL).fill("Giấy tiếp nhận hồ sơ (mẫu của tỉnh)")
    body.fill("<p>Hồ sơ {{ dossier.code }} của {{ applicant.name }}</p>")
    page.get_by_role("button", name=SAVE).click()
    page.wait_for_load_state()
    assert page.url.endswith("/can-bo/mau-phieu/")
    assert page.locator(".message--success").is_visible()
    assert "Giấy tiếp nhận hồ sơ (mẫu của tỉnh)" in page.locator("table").inner_text()
    assert FormTemplate.objects.get(code="01").updated_by == world.operator


def test_form_pages_fit_a_360px_phone(page: Any, world: World) -> None:
    sign_in(page, world.operator)
    page.set_viewport_size({"width": 360, "height": 740})
    for address in (
        "/can-bo/mau-phieu/",
        "/can-bo/mau-phieu/01/sua/",
        "/can-bo/mau-phieu/so-theo-doi/",
    ):
        page.goto(page.base_url + address)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{address} is {width}px wide on a 360px screen"


def test_register_page_has_no_serious_accessibility_violations(page: Any, world: World) -> None:
    sign_in(page, world.clerk)
    page.goto(page.base_url + "/can-bo/mau-phieu/so-theo-doi/")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
