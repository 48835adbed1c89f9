"""Issue 15, items 6 and 8, in a real browser at 360 px and 1280 px.

Error summaries: a form sent with mistakes answers with "Lỗi: " at the start of the
title and a box first in the main content, focused, listing each mistake as a link
that puts the cursor in the field (the declaration's "Nhập họ, chữ đệm, tên của
trẻ" among them). Phones: the signed-in header is under 120 px with its menu
folded behind a button that opens it; links and buttons are 44 px tall; public and
staff pages never scroll sideways; tables of papers and lists are stacked cards.
Every page passes axe-core. Screenshots go to ``EGOV_SCREENSHOTS`` when set.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.models import AccountKind, User
from egov.accounts.permissions import RoleCode
from egov.dossiers.tests.factories import World, build_world
from egov.submissions import services
from egov.submissions.demo import birth_registration
from egov.submissions.tests.conftest import APPLICANT
from tests.browser import test_dossier_walk as walk
from tests.browser.conftest import axe_violations, format_violations

open_as = walk.open_as  # a signed-in staff tab per person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
SIZES = (("360", PHONE), ("1280", DESKTOP))


def shoot(tab: Any, name: str) -> None:
    folder = os.environ.get("EGOV_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(Path(folder) / f"{name}.png"))


def assert_accessible(tab: Any) -> None:
    violations = axe_violations(tab)
    assert not violations, format_violations(violations)


def sideways_overflow(tab: Any) -> list[str]:
    """What sticks out of a 360 px page or scrolls sideways inside it (the
    visually hidden header row of a stacked table is clipped, not shown)."""
    return list(
        tab.evaluate(
            """() => {
              const width = document.documentElement.clientWidth, found = [];
              if (document.documentElement.scrollWidth > width) found.push('page');
              for (const el of document.querySelectorAll('main *')) {
                const head = el.closest('thead');
                if (head && getComputedStyle(head).position === 'absolute') continue;
                if (el.closest('.visually-hidden')) continue;
                const style = getComputedStyle(el);
                const scrolls = ['auto', 'scroll'].includes(style.overflowX);
                if (scrolls && el.scrollWidth > el.clientWidth + 1)
                  found.push('scroller ' + el.tagName + '.' + el.className);
                else if (el.getBoundingClientRect().right > width + 1
                         && style.position !== 'absolute')
                  found.push(el.tagName + '.' + el.className);
              }
              return found.slice(0, 5);
            }"""
        )
    )


def small_targets(tab: Any) -> list[str]:
    """Links, buttons and choices in the page's forms and menus under 44 px tall."""
    return list(
        tab.evaluate(
            """() => [...document.querySelectorAll(
                  'main form a, main form button, main nav a, .site-nav a, '
                  + 'main form label:has(> input[type=radio])')]
                .filter(el => el.offsetParent && !el.closest('.visually-hidden'))
                .filter(el => el.getBoundingClientRect().height < 44)
                .map(el => el.tagName + ' ' + el.innerText.trim())"""
        )
    )


def assert_summary_links_focus_their_fields(tab: Any, expected_first: str) -> None:
    assert tab.title().startswith("Lỗi: "), tab.title()
    summary = tab.locator("#error-summary")
    assert summary.is_visible()
    assert "Có lỗi cần sửa" in summary.inner_text()
    # First in the main content, and where the keyboard and screen reader start.
    assert tab.evaluate("document.querySelector('main').firstElementChild.id") == "error-summary"
    assert tab.evaluate("document.activeElement.id") == "error-summary"
    links = summary.locator("a")
    assert links.count() >= 1
    assert links.first.inner_text().strip() == expected_first
    for index in range(links.count()):
        link = links.nth(index)
        target = (link.get_attribute("href") or "")[1:]
        link.click()
        assert tab.evaluate("document.activeElement.id") == target, link.inner_text()
        assert tab.locator(f"#{target}").is_visible()
        # Each field shows its own message too, the same words as the summary.
        assert link.inner_text().strip() in tab.locator("main form").inner_text()


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> World:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    ensure_default_roles()  # live-server tests run on a flushed database
    built = build_world()
    built.version.agencies.set([built.org.district])
    schema, layout = birth_registration()
    services.save_form_schema(None, built.version.procedure, schema=schema, layout=layout)
    return built


def sign_in(tab: Any, user: User) -> None:
    client = Client()
    client.force_login(user)
    tab.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": tab.base_url,
            }
        ]
    )


def citizen_with_draft(world: World) -> tuple[User, int]:
    citizen = User.objects.create_user(
        "079095001122", None, full_name="Lâm Thị Cúc", kind=AccountKind.CITIZEN
    )
    draft = services.start_draft(citizen, world.version, agency=world.org.district)
    services.save_draft(citizen, draft, expected_version=draft.version, applicant=APPLICANT)
    return citizen, draft.pk


@pytest.mark.parametrize(("label", "size"), SIZES)
def test_the_sign_in_errors_are_summarised_and_link_to_their_fields(
    page: Any, label: str, size: dict[str, int]
) -> None:
    page.set_viewport_size(size)
    page.goto(page.base_url + "/tai-khoan/dang-ky/")
    assert not page.title().startswith("Lỗi")
    assert page.locator("#error-summary").count() == 0
    page.locator("main form button.primary").click()
    page.wait_for_load_state()
    assert_summary_links_focus_their_fields(
        page, "Hãy nhập số căn cước công dân (CCCD) hoặc mã số thuế."
    )
    assert_accessible(page)
    shoot(page, f"errors-register-{label}")

    page.goto(page.base_url + "/tai-khoan/dang-nhap/")
    page.locator("main form button.primary").click()
    page.wait_for_load_state()
    assert_summary_links_focus_their_fields(
        page, "Nhập tên đăng nhập, số căn cước công dân (CCCD) hoặc mã số thuế."
    )
    assert_accessible(page)


@pytest.mark.parametrize(("label", "size"), SIZES)
def test_the_declaration_says_what_to_enter_field_by_field(
    page: Any, world: World, label: str, size: dict[str, int]
) -> None:
    citizen, draft = citizen_with_draft(world)
    sign_in(page, citizen)
    page.set_viewport_size(size)
    page.goto(page.base_url + f"/nop-ho-so/nhap/{draft}/to-khai/")
    # The secondary button has the base style of a button: a 44 px target, a border.
    later = page.locator("button.button--secondary", has_text="Lưu và hoàn thành sau")
    box = later.bounding_box()
    assert box is not None and box["height"] >= 44
    assert later.evaluate("el => getComputedStyle(el).borderTopWidth") == "2px"
    assert small_targets(page) == []
    page.fill("#id_cccd_me", "12345")
    page.locator("button.primary[name=next]").click()
    page.wait_for_load_state()
    assert "/to-khai/" in page.url  # not saved past the step
    summary_text = page.locator("#error-summary").inner_text()
    assert "Số định danh cá nhân người mẹ gồm 12 chữ số" in summary_text
    assert "Chọn giới tính" in summary_text
    assert_summary_links_focus_their_fields(page, "Nhập họ, chữ đệm, tên của trẻ")
    assert page.input_value("#id_cccd_me") == "12345"  # what was typed is kept
    assert_accessible(page)
    page.locator("#error-summary a").first.click()
    shoot(page, f"errors-declaration-{label}")


def test_the_phone_header_folds_its_menu_and_opens_it(page: Any, world: World) -> None:
    citizen, _draft = citizen_with_draft(world)
    sign_in(page, citizen)
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/ca-nhan/")
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 120, header
    toggle = page.get_by_role("button", name="Danh mục")
    assert toggle.get_attribute("aria-expanded") == "false"
    my_dossiers = page.locator(".site-nav").get_by_role("link", name="Hồ sơ của tôi")
    assert not my_dossiers.is_visible()
    assert_accessible(page)
    shoot(page, "menu-folded-360")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert my_dossiers.is_visible()
    for link in page.locator(".site-nav a").all():
        box = link.bounding_box()
        assert box is not None and box["height"] >= 44, link.inner_text()
    sign_out = page.get_by_role("button", name="Đăng xuất")
    assert sign_out.is_visible() and (sign_out.bounding_box() or {"height": 0})["height"] >= 44
    assert_accessible(page)
    shoot(page, "menu-open-360")
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not my_dossiers.is_visible()
    my_dossiers_url = page.base_url + "/ca-nhan/"

    # On a desktop the menu is simply there, and the button is not.
    page.set_viewport_size(DESKTOP)
    assert not toggle.is_visible()
    assert my_dossiers.is_visible()
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 200, header
    shoot(page, "menu-1280")

    # Without script the menu stays open: nothing is ever out of reach.
    context = page.context.browser.new_context(java_script_enabled=False, viewport=PHONE)
    context.add_cookies(page.context.cookies())
    bare = context.new_page()
    bare.goto(my_dossiers_url)
    assert bare.locator(".site-nav").get_by_role("link", name="Hồ sơ của tôi").is_visible()
    assert not bare.get_by_role("button", name="Danh mục").is_visible()
    context.close()


def test_public_pages_do_not_scroll_sideways_on_a_phone(page: Any, world: World) -> None:
    citizen, draft = citizen_with_draft(world)
    sign_in(page, citizen)
    page.set_viewport_size(PHONE)
    code = world.version.procedure.national_code
    for path in (
        "/",
        "/dich-vu-cong/",
        f"/dich-vu-cong/thu-tuc/{code}/",
        "/tra-cuu/",
        "/danh-gia/hoi-dap/",
        "/ca-nhan/",
        "/nop-ho-so/nhap/",
        "/nop-ho-so/kho-giay-to/",
        f"/nop-ho-so/nhap/{draft}/nguoi-nop/",
        f"/nop-ho-so/nhap/{draft}/to-khai/",
    ):
        page.goto(page.base_url + path)
        assert page.title() and "Lỗi" not in page.title(), path
        assert sideways_overflow(page) == [], path
        assert_accessible(page)
    # The papers to prepare are stacked cards on a phone, each value labelled.
    page.goto(page.base_url + f"/dich-vu-cong/thu-tuc/{code}/")
    papers = page.locator("table.stack").first
    assert papers.evaluate("el => getComputedStyle(el).display") == "block"
    assert papers.get_attribute("role") == "table"  # roles kept for screen readers
    cell = papers.locator("td[data-label]").nth(1)
    assert cell.evaluate("el => getComputedStyle(el, '::before').content") != "none"
    shoot(page, "procedure-papers-360")


def test_staff_pages_do_not_scroll_sideways_on_a_phone(world: World, open_as: Any) -> None:
    walk.make_staff("motcua.phone", "Trần Thị Bình", world.org.desk, RoleCode.ONE_STOP_CLERK)
    clerk = open_as("motcua.phone")
    clerk.set_viewport_size(PHONE)
    for path in ("/can-bo/", "/can-bo/ho-so/", "/can-bo/ho-so/tiep-nhan/", "/can-bo/thu-tuc/"):
        clerk.goto(clerk.base_url + path)
        assert sideways_overflow(clerk) == [], path
        header = clerk.locator(".site-header").bounding_box()
        assert header is not None and header["height"] < 120, (path, header)
        assert_accessible(clerk)
        shoot(clerk, "staff" + path.replace("/", "-") + "360")
