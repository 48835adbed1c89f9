"""Issue 15, items 5 and 9 in a real Chromium at 360 and 1280 px: the citizen picks
the district, then the commune (the list refilled by the page's script, or by the
"Chọn" button without JavaScript), types a date in the three boxes (ngày, tháng,
năm; 31/02 refused with the date named), and fills the mother's section from the
applicant's details. Every page scanned with axe, none wider than the screen."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from egov.accounts.default_roles import ensure_default_roles
from egov.core.models import Unit, UnitLevel
from egov.core.services.units import create_unit
from egov.dossiers.tests.factories import World, build_world
from egov.submissions.demo import birth_registration
from egov.submissions.models import Draft
from egov.submissions.services import save_form_schema
from tests.browser.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTINUE = re.compile("^(Lưu và tiếp tục|Save and continue)$")


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
    agencies: list[Unit] = [built.org.commune]
    for district, number in ((built.org.district, 33), (built.org.other_district, 40)):
        for index in range(2, 12):
            name = "UBND Xã Bình An" if index == 2 else f"UBND Xã Số {index} mã {number}"
            agencies.append(
                create_unit(
                    None,
                    district,
                    code=f"{index:03d}.00.{number}.H33",
                    name=name,
                    level=UnitLevel.COMMUNE,
                )
            )
    built.version.agencies.set(agencies)
    schema, layout = birth_registration()
    save_form_schema(None, built.version.procedure, schema=schema, layout=layout)
    return built


def _sign_in(context: Any, base_url: str, user: Any) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


def _check(page: Any, width: int, name: str, folder: Path) -> None:
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{name}: page is {scroll} px wide at {width} px"
    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)


def _folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("EGOV_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("width", [360, 1280])
def test_district_then_commune_then_a_date_in_three_boxes(
    page: Any, world: World, tmp_path: Path, width: int
) -> None:
    folder = _folder(tmp_path)
    page.set_viewport_size({"width": width, "height": 800})
    _sign_in(page.context, page.base_url, world.staff.citizen)
    page.goto(page.base_url + "/nop-ho-so/1.001193/")
    area = page.get_by_label(re.compile("^(Huyện, thị xã, thành phố|District, town or city)"))
    agency = page.get_by_label(re.compile("^(Cơ quan tiếp nhận|Receiving agency)"))
    # The script hides the "Chọn" button; the agency list waits for the district.
    assert not page.locator("[data-agency-choose]").is_visible()
    assert agency.locator("option").count() == 1
    _check(page, width, "agency-district", folder)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 1600, f"the agency step is {height} px tall"

    area.select_option(label="Huyện Châu Thành")
    labels = agency.locator("option").all_inner_texts()
    assert len(labels) == 11  # the placeholder and the district's ten communes
    assert "UBND Xã Bình An (Huyện Châu Thành)" in labels
    assert not any("mã 33" in label for label in labels)
    agency.select_option(label="UBND Xã Bình An (Huyện Châu Thành)")
    _check(page, width, "agency-commune", folder)
    page.locator("main form button.primary").click()
    page.wait_for_load_state()
    assert "/nguoi-nop/" in page.url
    draft = Draft.objects.get()
    assert draft.agency.name == "UBND Xã Bình An"
    assert draft.agency.path.startswith(world.org.other_district.path)

    # The applicant's date of birth: three numeric boxes; 31/02 does not exist.
    boxes = [page.locator(f"#id_date_of_birth_{index}") for index in range(3)]
    for box in boxes:
        assert box.get_attribute("inputmode") == "numeric"
    page.get_by_label(re.compile("^(Ngày|Day)$")).fill("31")
    page.get_by_label(re.compile("^(Tháng|Month)$")).fill("02")
    page.get_by_label(re.compile("^(Năm|Year)$")).fill("1990")
    page.locator("#id_address").fill("12 Trần Phú, xã Bình An, huyện Châu Thành")
    page.get_by_role("button", name=CONTINUE).click()
    page.wait_for_load_state()
    assert "/nguoi-nop/" in page.url
    assert page.get_by_text(re.compile("31/02/1990")).count() >= 1
    assert boxes[0].input_value() == "31"  # what was typed is kept
    _check(page, width, "date-invalid", folder)
    boxes[0].fill("28")
    page.get_by_role("button", name=CONTINUE).click()
    page.wait_for_load_state()
    assert "/to-khai/" in page.url
    assert Draft.objects.get().applicant["date_of_birth"] == "1990-02-28"

    # The mother's section from the applicant's details (server-side button).
    page.locator("#id_ho_ten_tre").fill("Nguyễn Thị Mai")
    page.get_by_role("button", name=re.compile("(Người mẹ|The mother)")).click()
    page.wait_for_load_state()
    assert page.locator("#id_ho_ten_me").input_value() == "Nguyễn Văn An"
    assert [page.locator(f"#id_ngay_sinh_me_{i}").input_value() for i in range(3)] == [
        "28",
        "02",
        "1990",
    ]
    assert page.locator("#id_ho_ten_tre").input_value() == "Nguyễn Thị Mai"
    assert page.locator("#id_dan_toc_tre").input_value() == "Kinh"
    assert page.locator("#id_quoc_tich_tre").input_value() == "Việt Nam"
    _check(page, width, "declaration", folder)


def test_without_javascript_the_choose_button(
    browser: Any, live_server: Any, world: World, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    try:
        _sign_in(context, live_server.url, world.staff.citizen)
        page = context.new_page()
        page.goto(live_server.url + "/nop-ho-so/1.001193/")
        choose = page.get_by_role("button", name=re.compile("^(Chọn|Choose)$"))
        assert choose.is_visible()
        page.get_by_label(
            re.compile("^(Huyện, thị xã, thành phố|District, town or city)")
        ).select_option(label="Thành phố Rạch Giá")
        choose.click()
        page.wait_for_load_state()
        agency = page.get_by_label(re.compile("^(Cơ quan tiếp nhận|Receiving agency)"))
        labels = agency.locator("option").all_inner_texts()
        assert "UBND Phường Vĩnh Thanh Vân" in labels and len(labels) == 12
        page.screenshot(path=str(folder / "agency-nojs-360.png"), full_page=True)
        agency.select_option(label="UBND Phường Vĩnh Thanh Vân")
        page.locator("main form button.primary").click()
        page.wait_for_load_state()
        assert "/nguoi-nop/" in page.url
        assert Draft.objects.get().agency == world.org.commune
    finally:
        context.close()
