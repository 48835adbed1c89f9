"""Public pages of the portal: catalogue (search, filters, pagination), a
procedure, lists by field and agency, the home page, the kiosk."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import translation

from egov.dossiers.tests.test_lookup import PRIVATE_CODE, build_lookup_world, forbidden
from egov.portal.tests.conftest import many, text
from egov.procedures.models import ProcedureVersion, RequiredPaper
from egov.procedures.tests.factories import Org

pytestmark = pytest.mark.django_db

CATALOGUE = "/dich-vu-cong/thu-tuc/"


def titles(response: Any) -> list[str]:
    return re.findall(
        r'<h3><a href="/dich-vu-cong/thu-tuc/[^"]+/">([^<]+)</a></h3>', text(response)
    )


def test_catalogue_lists_procedures_in_force_without_sign_in(
    client: Client, catalogue: dict[str, ProcedureVersion]
) -> None:
    response = client.get(CATALOGUE)
    assert response.status_code == 200
    assert re.search("Tìm dịch vụ công|Find a public service", text(response))
    assert len(titles(response)) == 4
    assert client.get("/dich-vu-cong/").status_code == 302


def test_search_without_diacritics_and_with_typos(
    client: Client, catalogue: dict[str, ProcedureVersion]
) -> None:
    assert titles(client.get(CATALOGUE, {"q": "dang ky ket hon"}))[0] == "Đăng ký kết hôn"
    assert titles(client.get(CATALOGUE, {"q": "dang ki khai sinh"}))[0] == "Đăng ký khai sinh"
    assert titles(client.get(CATALOGUE, {"q": "khai sihn"}))[0] == "Đăng ký khai sinh"
    assert titles(client.get(CATALOGUE, {"q": "2.000488"})) == [
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
    ]
    response = client.get(CATALOGUE, {"q": "xyzzy"})
    assert response.status_code == 200
    assert titles(response) == []


def test_very_long_query_is_cut_with_a_notice(
    client: Client, catalogue: dict[str, ProcedureVersion]
) -> None:
    response = client.get(CATALOGUE, {"q": "khai sinh " * 1000})
    assert response.status_code == 200
    assert titles(response)[0] == "Đăng ký khai sinh"
    assert re.search("quá dài|too long", text(response))


def test_filters_by_field_agency_and_level(
    client: Client, catalogue: dict[str, ProcedureVersion], org: Org
) -> None:
    assert titles(client.get(CATALOGUE, {"linh_vuc": "ly-lich-tu-phap"})) == [
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
    ]
    assert set(titles(client.get(CATALOGUE, {"co_quan": org.rach_gia.code}))) == {
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản"
    }
    assert titles(client.get(CATALOGUE, {"cap": "province"})) == [
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
    ]
    assert len(titles(client.get(CATALOGUE, {"cap": "commune"}))) == 3
    both = client.get(CATALOGUE, {"q": "dang ky", "cap": "commune", "linh_vuc": "ho-tich"})
    assert set(titles(both)) == {"Đăng ký kết hôn", "Đăng ký khai sinh"}


def test_a_wrong_filter_is_reported_next_to_it_and_the_search_kept(
    client: Client, catalogue: dict[str, ProcedureVersion]
) -> None:
    response = client.get(CATALOGUE, {"q": "khai sinh", "linh_vuc": "khong-co"})
    assert response.status_code == 200
    body = text(response)
    assert 'class="errorlist' in body
    assert 'value="khai sinh"' in body  # what was typed is kept
    assert titles(response)[0] == "Đăng ký khai sinh"


def test_pagination(
    client: Client, catalogue: dict[str, ProcedureVersion], org: Org, settings: Any
) -> None:
    settings.EGOV_PORTAL_PAGE_SIZE = 5
    many(org, 8)  # 12 procedures in all
    first = client.get(CATALOGUE, {"q": "thu tuc thu nghiem"})
    assert len(titles(first)) == 5
    assert 'rel="next"' in text(first)
    second = client.get(CATALOGUE, {"q": "thu tuc thu nghiem", "page": "2"})
    assert len(titles(second)) == 3
    assert "q=thu+tuc+thu+nghiem" in text(second)  # pages keep the search
    assert len(titles(client.get(CATALOGUE, {"page": "3"}))) == 2
    assert client.get(CATALOGUE, {"page": "abc"}).status_code == 200


def only_shared_scripts(body: str) -> bool:
    """No script of the page's own: only the platform's menu and error-summary
    enhancements, which every page loads and none needs."""
    scripts = re.findall(r"<script\b[^>]*>", body)
    return all(re.search(r'src="/static/js/egov(-head)?\.js"', tag) for tag in scripts)


def test_catalogue_forms_work_without_javascript(
    client: Client, catalogue: dict[str, ProcedureVersion]
) -> None:
    body = text(client.get(CATALOGUE))
    assert '<form method="get" action="/dich-vu-cong/thu-tuc/"' in body
    assert only_shared_scripts(body)


def test_procedure_page(
    client: Client, catalogue: dict[str, ProcedureVersion], settings: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    marriage = catalogue["marriage"]
    paper = marriage.papers.first()
    assert paper is not None
    paper.template_name = "Mẫu tờ khai đăng ký kết hôn"
    paper.template_file.save("to-khai-ket-hon.docx", ContentFile(b"PK\x03\x04"), save=True)
    response = client.get("/dich-vu-cong/thu-tuc/1.000894/")
    assert response.status_code == 200
    body = text(response)
    assert "<h1>Đăng ký kết hôn</h1>" in body
    assert "Hộ tịch" in body
    assert re.search("Dịch vụ công trực tuyến một phần|Online public service \\(một phần\\)", body)
    assert "1.000.000 đ" in body
    assert re.search("5 ngày làm việc|5 working days", body)
    assert "Giấy chứng sinh" in body
    assert "to-khai-ket-hon" in body and "download" in body
    assert "Ủy ban nhân dân phường Vĩnh Thanh" in body
    assert "Bộ phận Tiếp nhận và Trả kết quả phường Vĩnh Thanh" in body
    assert 'href="/nop-ho-so/1.000894/"' in body
    assert "Luật Hộ tịch 2014" in body


def test_procedure_page_levels_hours_and_no_submit_button_below_level_3(
    client: Client, catalogue: dict[str, ProcedureVersion]
) -> None:
    body = text(client.get("/dich-vu-cong/thu-tuc/2.000815/"))
    assert "/nop-ho-so/" not in body
    assert re.search("4 giờ làm việc|4 working hours", body)
    assert "2.000 đ" in body
    fully = text(client.get("/dich-vu-cong/thu-tuc/1.001193/"))
    assert re.search(
        "Dịch vụ công trực tuyến toàn trình|Online public service \\(toàn trình\\)", fully
    )
    assert re.search("Miễn phí|Free of charge", fully)


def test_unknown_procedure_is_a_vietnamese_404(
    client: Client, catalogue: dict[str, ProcedureVersion]
) -> None:
    response = client.get("/dich-vu-cong/thu-tuc/9.999999/")
    assert response.status_code == 404
    assert re.search("Không tìm thấy thủ tục|Procedure not found", text(response))
    assert "9.999999" in text(response)


def test_draft_is_not_public(client: Client, org: Org) -> None:
    from egov.procedures import services
    from egov.procedures.tests.factories import birth_content, ensure_fields

    ensure_fields()
    services.create_draft(None, "1.001193", **birth_content(org))
    assert client.get("/dich-vu-cong/thu-tuc/1.001193/").status_code == 404
    assert titles(client.get(CATALOGUE)) == []


def test_fields_and_agencies_pages(
    client: Client, catalogue: dict[str, ProcedureVersion], org: Org
) -> None:
    fields = client.get("/dich-vu-cong/linh-vuc/")
    assert fields.status_code == 200
    assert "?linh_vuc=ho-tich" in text(fields)
    agencies = client.get("/dich-vu-cong/co-quan/")
    assert agencies.status_code == 200
    assert org.justice.name in text(agencies)
    assert org.vinh_thanh.name in text(agencies)


def test_home_page_has_search_fields_and_lookup(
    client: Client, catalogue: dict[str, ProcedureVersion]
) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = text(response)
    assert '<form method="get" action="/dich-vu-cong/thu-tuc/"' in body
    assert 'name="q"' in body
    assert '<form method="get" action="/tra-cuu/"' in body
    assert 'name="ma"' in body
    assert "?linh_vuc=ho-tich" in body
    assert only_shared_scripts(body)


def test_home_page_follows_the_search(
    client: Client, catalogue: dict[str, ProcedureVersion]
) -> None:
    response = client.get(CATALOGUE, {"q": "dang ky khai sinh"})
    assert titles(response)[0] == "Đăng ký khai sinh"


# --- kiosk -------------------------------------------------------------------------------


def test_kiosk_blank_form_has_no_navigation_and_no_refresh(client: Client, db: None) -> None:
    response = client.get("/dich-vu-cong/kiosk/")
    assert response.status_code == 200
    body = text(response)
    assert 'http-equiv="refresh"' not in body
    assert re.search(r'<nav class="site-nav"[^>]*>\s*<ul>\s*</ul>', body)
    assert 'name="ma"' in body
    assert 'id="keypad" hidden' in body  # keys appear only with JavaScript
    assert response["Cache-Control"] == "no-store"


def test_kiosk_shows_status_and_appointment_then_resets(
    client: Client, db: None, settings: Any
) -> None:
    world = build_lookup_world()
    settings.EGOV_PORTAL_KIOSK_RESET_SECONDS = 45
    response = client.get("/dich-vu-cong/kiosk/", {"ma": PRIVATE_CODE.lower()})
    assert response.status_code == 200
    body = text(response)
    assert PRIVATE_CODE in body
    assert "Đăng ký khai sinh" in body
    assert "16:30 06/03/2026" in body
    assert (
        '<noscript><meta http-equiv="refresh" content="45;url=/dich-vu-cong/kiosk/"></noscript>'
        in body
    )
    for secret in forbidden(world):
        assert secret not in body


def test_kiosk_unknown_code_and_rate_limit(client: Client, db: None, settings: Any) -> None:
    build_lookup_world()
    settings.EGOV_LOOKUP_UNKNOWN_LIMIT = 2
    unknown = "000.00.31.H33-260301-9999"
    first = client.get("/dich-vu-cong/kiosk/", {"ma": unknown})
    assert first.status_code == 404
    assert unknown in text(first) and "errorlist" in text(first)
    assert 'http-equiv="refresh"' in text(first)
    client.get("/dich-vu-cong/kiosk/", {"ma": unknown})
    refused = client.get("/dich-vu-cong/kiosk/", {"ma": PRIVATE_CODE})
    assert refused.status_code == 429
    assert "Retry-After" in refused


def test_pages_in_english(client: Client, catalogue: dict[str, ProcedureVersion]) -> None:
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        body = text(client.get("/dich-vu-cong/thu-tuc/1.000894/"))
    assert "Submit online" in body or "Nộp hồ sơ trực tuyến" in body


def test_paper_without_template_shows_its_name(
    client: Client, catalogue: dict[str, ProcedureVersion]
) -> None:
    RequiredPaper.objects.filter(version=catalogue["birth"]).update(template_name="Mẫu TK1-TS")
    assert "Mẫu TK1-TS" in text(client.get("/dich-vu-cong/thu-tuc/1.001193/"))
