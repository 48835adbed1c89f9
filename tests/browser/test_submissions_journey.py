"""A citizen submits a birth registration online in a real browser, at 360 px:
the form generated from the schema, two real PDFs and a fake one (refused next to
its field, the rest kept), the check-your-answers page, the dossier code. Every
step is scanned with axe (no serious or critical violation)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from egov.accounts.default_roles import ensure_default_roles
from egov.dossiers.models import Channel, Dossier, Status
from egov.dossiers.tests.factories import World, build_world
from egov.submissions.demo import birth_registration
from egov.submissions.services import save_form_schema
from tests.browser.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTINUE = re.compile("^(Lưu và tiếp tục|Save and continue)$")
SUBMIT = re.compile("^(Nộp hồ sơ|Submit the dossier)$")


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
    save_form_schema(None, built.version.procedure, schema=schema, layout=layout)
    return built


def _pdf(path: Path, text: str) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=text)
    pdf.output(str(path))
    return path


def _sign_in(page: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": page.base_url,
            }
        ]
    )


def _axe(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width} px wide"


def test_citizen_submits_online(page: Any, world: World, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 360, "height": 800})
    _sign_in(page, world.staff.citizen)
    page.goto(page.base_url + "/nop-ho-so/1.001193/")
    _axe(page)
    _fits(page)
    # The only agency, preselected.
    assert page.locator("#id_agency").input_value() == str(world.org.district.pk)
    page.locator("form button.primary").click()
    page.wait_for_load_state()

    # Applicant: pre-filled from the account.
    assert page.get_by_label(re.compile("^(Họ và tên|Full name)")).input_value() == "Nguyễn Văn An"
    _axe(page)
    _fits(page)
    page.get_by_label(re.compile("^(Nơi cư trú|Place of residence)")).fill(
        "12 Trần Phú, Phường Vĩnh Thanh Vân, Rạch Giá"
    )
    page.get_by_role("button", name=CONTINUE).click()
    page.wait_for_load_state()

    # Declaration generated from the schema.
    assert "/to-khai/" in page.url
    _axe(page)
    _fits(page)
    page.get_by_label(re.compile("^(Họ, chữ đệm, tên của trẻ|Child's full name)")).fill(
        "Nguyễn Thị Mai"
    )
    for index, part in enumerate(("20", "02", "2026")):  # ngày, tháng, năm
        page.locator(f"#id_ngay_sinh_tre_{index}").fill(part)
    page.locator("#id_gioi_tinh_tre").select_option("nu")
    page.locator("#id_noi_sinh").fill("Bệnh viện Đa khoa tỉnh Kiên Giang")
    # Dân tộc and Quốc tịch start as "Kinh" and "Việt Nam" (the schema's defaults).
    assert page.locator("#id_dan_toc_tre").input_value() == "Kinh"
    assert page.locator("#id_quoc_tich_tre").input_value() == "Việt Nam"
    page.locator("#id_ho_ten_me").fill("Trần Thị Lan")
    page.locator("#id_noi_cu_tru_me").fill("12 Trần Phú, Rạch Giá")
    page.locator("#id_quan_he").fill("mẹ")
    # Forgot the solemn declaration: refused next to the box, entries kept.
    page.get_by_role("button", name=CONTINUE).click()
    page.wait_for_load_state()
    assert page.locator("#id_cam_doan_error").count() == 1
    assert page.locator("#id_ho_ten_me").input_value() == "Trần Thị Lan"
    _axe(page)
    page.locator("#id_cam_doan").check()
    page.get_by_role("button", name=CONTINUE).click()
    page.wait_for_load_state()

    # Papers: two real PDFs and an .exe renamed .pdf.
    assert "/giay-to/" in page.url
    _axe(page)
    _fits(page)
    inputs = page.locator("input[type=file]")
    fake = tmp_path / "ban-sao-cccd.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 500)
    inputs.nth(0).set_input_files(str(_pdf(tmp_path / "to-khai.pdf", "To khai")))
    inputs.nth(1).set_input_files(str(_pdf(tmp_path / "giay-chung-sinh.pdf", "Giay chung sinh")))
    inputs.nth(2).set_input_files(str(fake))
    page.get_by_role("button", name=CONTINUE).click()
    page.wait_for_load_state()
    assert "/giay-to/" in page.url
    error = page.locator(".errorlist").filter(has_text=re.compile("Windows"))
    assert error.count() == 1
    assert page.get_by_text("to-khai.pdf").count() >= 1  # the good files were kept
    _axe(page)
    _fits(page)
    page.locator("input[type=file]").nth(2).set_input_files(
        str(_pdf(tmp_path / "cccd.pdf", "CCCD"))
    )
    page.get_by_role("button", name=CONTINUE).click()
    page.wait_for_load_state()

    # Check your answers, then submit.
    assert "/kiem-tra/" in page.url
    assert page.get_by_text("Nguyễn Thị Mai").count() == 1
    assert page.get_by_text("giay-chung-sinh.pdf").count() == 1
    _axe(page)
    _fits(page)
    page.get_by_role("button", name=SUBMIT).click()
    page.wait_for_load_state()

    dossier = Dossier.objects.get()
    assert dossier.status == Status.SUBMITTED and dossier.channel == Channel.ONLINE
    assert page.locator("#dossier-code").inner_text() == dossier.code
    _axe(page)
    _fits(page)
    # The confirmation says what happens next, links the dossier and the receipt.
    assert page.get_by_role("heading", name="Các bước tiếp theo").count() == 1
    assert page.get_by_role("link", name="Theo dõi hồ sơ này").count() == 1
    receipt = page.get_by_role("link", name="Tải phiếu xác nhận nộp hồ sơ (PDF)")
    with page.expect_download() as download:
        receipt.click()
    assert download.value.suggested_filename == f"xac-nhan-nop-{dossier.code}.pdf"
    # The same confirmation on a desktop: the code large, axe-core clean.
    page.set_viewport_size({"width": 1280, "height": 900})
    code_size = page.locator("#dossier-code").evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)"
    )
    body_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert code_size >= 1.4 * body_size, (code_size, body_size)
    _axe(page)
    page.set_viewport_size({"width": 360, "height": 740})
    if os.environ.get("EGOV_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['EGOV_SCREENSHOTS']}/submitted.png", full_page=True)
