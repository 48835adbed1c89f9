"""Staff pages: the catalogue list (search, filters, constant queries), a procedure's
page, and the process editor of an agency administrator."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from egov.accounts.models import User
from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import english_client, sign_in_verified
from egov.procedures import services
from egov.procedures.models import ProcedureField, ProcedureVersion, ProcessTemplate
from egov.procedures.selectors import active_process
from egov.procedures.tests.factories import MakeUser, Org, birth_content, publish

pytestmark = pytest.mark.django_db

LIST = "/can-bo/thu-tuc/"


def client_for(user: User) -> Client:
    client = english_client()
    sign_in_verified(client, user)
    return client


@pytest.fixture
def staff(org: Org, make_staff: MakeUser) -> User:
    return make_staff("motcua", RoleCode.ONE_STOP_CLERK, org.vinh_thanh)


def main_text(response: Any) -> str:
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def test_pages_need_a_signed_in_staff_member(birth: ProcedureVersion) -> None:
    for url in (LIST, f"{LIST}1.001193/", f"{LIST}1.001193/quy-trinh/?co-quan=1"):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/tai-khoan/dang-nhap/" in response["Location"]


def test_list_shows_current_versions(
    org: Org, staff: User, birth: ProcedureVersion, criminal_record: ProcedureVersion
) -> None:
    services.new_version_from(None, birth)  # a draft of a published procedure is not listed
    services.create_draft(None, "1.000894", **birth_content(org, name="Kết hôn"))
    response = client_for(staff).get(LIST)
    assert response.status_code == 200
    text = main_text(response)
    assert text.count("<h1>") == 1
    assert "Đăng ký khai sinh" in text
    assert "Cấp Phiếu lý lịch tư pháp" in text
    assert "Level 4 (toàn trình)" in text
    assert "10 working days (75 working hours)" in text
    assert "1 working day (7.5 working hours)" in text
    assert "200,000 đ" in text
    assert "Kết hôn</a> <strong>(draft, not yet in force)</strong>" in text
    assert "Procedures 1–3 of 3" in text


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("dang ky khai sinh", True),
        ("ĐĂNG KÝ KHAI SINH", True),
        ("Đăng ký khai sinh", True),
        ("khai sinh", True),
        ("1.001193", True),
        ("ly lich", False),
        ("khai tu", False),
    ],
)
def test_search_ignores_diacritics_and_case(
    staff: User, birth: ProcedureVersion, criminal_record: ProcedureVersion, query: str, found: bool
) -> None:
    text = main_text(client_for(staff).get(LIST, {"q": query}))
    assert ("Đăng ký khai sinh" in text) is found


def test_search_in_decomposed_unicode(staff: User, birth: ProcedureVersion) -> None:
    import unicodedata

    query = unicodedata.normalize("NFD", "đăng ký khai sinh")
    assert "Đăng ký khai sinh" in main_text(client_for(staff).get(LIST, {"q": query}))


def test_filters(staff: User, birth: ProcedureVersion, criminal_record: ProcedureVersion) -> None:
    client = client_for(staff)

    def names(**params: Any) -> set[str]:
        text = main_text(client.get(LIST, params))
        return {
            name
            for name in ("Đăng ký khai sinh", "Cấp Phiếu lý lịch tư pháp")
            if f">{name}" in text
        }

    assert names(level="commune") == {"Đăng ký khai sinh"}
    assert names(level="provincial_agency") == {"Cấp Phiếu lý lịch tư pháp"}
    assert names(level="district") == set()
    assert names(field="ly-lich-tu-phap") == {"Cấp Phiếu lý lịch tư pháp"}
    assert names(online_level="4") == {"Đăng ký khai sinh", "Cấp Phiếu lý lịch tư pháp"}
    assert names(online_level="3") == set()
    assert names(online_level="9") == {"Đăng ký khai sinh", "Cấp Phiếu lý lịch tư pháp"}


def make_many(org: Org, count: int) -> None:
    for index in range(count):
        publish(f"9.{index:06d}", birth_content(org, name=f"Thủ tục mẫu số {index}"))


def test_list_queries_do_not_grow_with_the_catalogue(
    org: Org,
    fields: dict[str, ProcedureField],
    staff: User,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(staff)
    make_many(org, 3)
    client.get(LIST)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST, {"level": "commune", "q": "thu tuc"}).status_code == 200
    make_many_more = 30
    for index in range(3, make_many_more):
        publish(f"9.{index:06d}", birth_content(org, name=f"Thủ tục mẫu số {index}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST, {"level": "commune", "q": "thu tuc"})
    assert "Procedures 1–25 of 30" in main_text(response)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST, {"page": "2"}).status_code == 200


def test_detail_shows_everything(staff: User, criminal_record: ProcedureVersion, org: Org) -> None:
    draft = services.new_version_from(None, criminal_record)
    services.update_draft(None, draft, time_limit="7")
    newer = services.publish_version(None, draft)
    client = client_for(staff)
    text = main_text(client.get(f"{LIST}2.000488/"))
    assert "<h1>Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam</h1>" in text
    assert "7 working days (52.5 working hours)" in text
    assert "Tờ khai yêu cầu cấp Phiếu LLTP" in text
    assert "thong_thuong: 200,000 đ; sinh_vien: 100,000 đ" not in text  # labels shown instead
    assert "Thông thường: 200,000 đ; Sinh viên: 100,000 đ" in text
    assert "5,000 đ/phiếu" in text
    assert "Sở Tư pháp" in text
    assert "Luật Lý lịch tư pháp 2009" in text
    assert 'aria-current="page">2<' in text  # versions table
    old = main_text(client.get(f"{LIST}2.000488/", {"phien-ban": "1"}))
    assert "no longer in force" in old
    assert "10 working days" in old
    assert newer.number == 2
    assert client.get(f"{LIST}9.999999/").status_code == 404


def test_detail_offers_the_editor_to_agency_administrators(
    criminal_record: ProcedureVersion, justice_admin: User, staff: User, org: Org
) -> None:
    text = main_text(client_for(justice_admin).get(f"{LIST}2.000488/"))
    assert "Define the process of an agency" in text
    assert f'<option value="{org.justice.pk}">Sở Tư pháp</option>' in text
    assert "Define the process of an agency" not in main_text(
        client_for(staff).get(f"{LIST}2.000488/")
    )


def editor_url(agency_id: int, code: str = "2.000488") -> str:
    return f"{LIST}{code}/quy-trinh/?co-quan={agency_id}"


def formset_data(rows: list[dict[str, Any]], initial: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "steps-TOTAL_FORMS": str(len(rows)),
        "steps-INITIAL_FORMS": str(initial),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"steps-{index}-{key}"] = value
    return data


def record_rows(org: Org, specialist_hours: str = "52.5") -> list[dict[str, Any]]:
    return [
        {"name": "Tiếp nhận", "unit": org.justice_desk.pk, "role_code": "one_stop_clerk",
         "hours": "3.75", "actions": ["forward", "request_supplement"], "ORDER": "1"},
        {"name": "Thẩm định", "unit": org.justice.pk, "role_code": "specialist",
         "hours": specialist_hours, "actions": ["forward", "send_back"], "ORDER": "2"},
        {"name": "Lãnh đạo Sở ký", "unit": org.justice.pk, "role_code": "agency_leader",
         "hours": "15", "actions": ["approve"], "ORDER": "3"},
        {"name": "Trả kết quả", "unit": org.justice_desk.pk, "role_code": "one_stop_clerk",
         "hours": "3.75", "actions": ["forward"], "ORDER": "4"},
    ]  # fmt: skip


def test_editor_starts_from_the_default_process(
    criminal_record: ProcedureVersion, justice_admin: User, org: Org
) -> None:
    response = client_for(justice_admin).get(editor_url(org.justice.pk))
    assert response.status_code == 200
    text = main_text(response)
    assert "the default process is shown" in text
    assert 'value="Tiếp nhận hồ sơ"' in text
    assert 'value="60.00"' in text or 'value="60"' in text
    assert "In the agency" in text
    # the unit select is limited to the agency's subtree and the liên thông candidates
    assert "Bộ phận Một cửa Sở Tư pháp" in text
    assert "Ủy ban nhân dân phường Vĩnh Thanh" not in text


def test_editor_keeps_what_was_typed_and_shows_the_error(
    criminal_record: ProcedureVersion, justice_admin: User, org: Org
) -> None:
    client = client_for(justice_admin)
    rows = record_rows(org, specialist_hours="50")
    response = client.post(editor_url(org.justice.pk), formset_data(rows, 0))
    assert response.status_code == 400
    text = main_text(response)
    assert "The steps add up to 72.5 working hours but the legal time limit is 75" in text
    assert "Hours entered: 72.5 of 75." in text
    assert 'value="50"' in text  # what was typed is kept
    assert not ProcessTemplate.objects.exists()

    rows = record_rows(org)
    response = client.post(editor_url(org.justice.pk), formset_data(rows, 0))
    assert response.status_code == 302
    template = active_process(criminal_record.procedure, org.justice)
    assert template is not None
    assert [s.hours for s in template.steps.all()] == [
        Decimal("3.75"),
        Decimal("52.5"),
        Decimal("15"),
        Decimal("3.75"),
    ]
    page = main_text(client.get(response["Location"]))
    assert "was saved" in page or "was saved" in client.get(response["Location"]).content.decode()


def test_editor_reorders_and_deletes_and_puts_errors_next_to_fields(
    criminal_record: ProcedureVersion, justice_admin: User, org: Org
) -> None:
    client = client_for(justice_admin)
    rows = record_rows(org)
    # an outside unit without consult: error on that step's unit field
    rows[1]["unit"] = org.planning.pk
    rows[1]["ORDER"] = "2"
    response = client.post(editor_url(org.justice.pk), formset_data(rows, 0))
    # Sở KH&ĐT is offered (a liên thông candidate) but only a consult step may use it
    assert response.status_code == 400
    text = main_text(response)
    assert "is outside Sở Tư pháp" in text
    assert 'id="id_steps-1-unit_error"' in text
    # now reorder (step 4 first, invalid) and delete one step
    rows = record_rows(org)
    rows[3]["ORDER"] = "0"
    rows.append({"name": "", "unit": "", "role_code": "", "hours": "", "ORDER": ""})
    response = client.post(editor_url(org.justice.pk), formset_data(rows, 4))
    assert response.status_code == 302
    template = active_process(criminal_record.procedure, org.justice)
    assert template is not None
    assert template.steps.all()[0].name == "Trả kết quả"
    rows = record_rows(org)
    rows[2]["DELETE"] = "on"
    rows[1]["hours"] = "67.5"
    response = client.post(editor_url(org.justice.pk), formset_data(rows, 4))
    assert response.status_code == 302
    template = active_process(criminal_record.procedure, org.justice)
    assert template is not None
    assert [s.name for s in template.steps.all()] == ["Tiếp nhận", "Thẩm định", "Trả kết quả"]


def test_editor_is_for_the_agency_administrators_only(
    criminal_record: ProcedureVersion,
    justice_admin: User,
    rach_gia_admin: User,
    staff: User,
    org: Org,
) -> None:
    assert client_for(rach_gia_admin).get(editor_url(org.justice.pk)).status_code == 403
    assert client_for(staff).get(editor_url(org.justice.pk)).status_code == 403
    response = client_for(staff).post(editor_url(org.justice.pk), formset_data(record_rows(org), 0))
    assert response.status_code == 403
    assert not ProcessTemplate.objects.exists()
    # an agency that does not carry the procedure out, no agency, unknown procedure
    assert client_for(justice_admin).get(editor_url(org.planning.pk)).status_code == 404
    assert client_for(justice_admin).get(f"{LIST}2.000488/quy-trinh/").status_code == 404
    assert client_for(justice_admin).get(editor_url(org.justice.pk, "9.9")).status_code == 404


def test_detail_links_the_public_page_the_content_was_checked_against(
    staff: User, criminal_record: ProcedureVersion, org: Org
) -> None:
    draft = services.new_version_from(None, criminal_record)
    url = "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd-3fe0-70ac-b9d6-5e9e20d6eef7"
    services.update_draft(
        None,
        draft,
        source={"url": url, "decision": "163/QĐ-BTP", "checked_on": "2026-12-07"},
    )
    services.publish_version(None, draft)
    client = Client()  # Vietnamese, the default language
    sign_in_verified(client, staff)
    text = main_text(client.get(f"{LIST}2.000488/"))
    assert "Nguồn:" in text
    assert f'<a href="{url}" rel="noopener noreferrer">{url}</a>' in text
    assert "công bố tại 163/QĐ-BTP" in text
    assert "đối chiếu ngày 2026-12-07" in text


def test_detail_shows_how_the_version_was_made_public(
    staff: User, criminal_record: ProcedureVersion, org: Org
) -> None:
    draft = services.new_version_from(None, criminal_record)
    services.update_draft(
        None,
        draft,
        publication={
            "decision": "163/QĐ-BTP",
            "decided_on": "2026-01-20",
            "effective_on": "2026-02-01",
            "posted_on": "2026-01-23",
            "demo": True,
        },
    )
    services.publish_version(None, draft)
    client = Client()  # Vietnamese, the default language
    sign_in_verified(client, staff)
    text = main_text(client.get(f"{LIST}2.000488/"))
    assert (
        "Công bố: 163/QĐ-BTP, ban hành ngày 20/01/2026; căn cứ pháp lý có hiệu lực từ ngày "
        "01/02/2026; đăng tải lên Cơ sở dữ liệu quốc gia ngày 23/01/2026 (ngày minh hoạ, "
        "cần thay bằng ngày thực tế của tỉnh)."
    ) in text


def test_detail_without_publication_data_says_nothing_of_it(
    staff: User, criminal_record: ProcedureVersion
) -> None:
    client = Client()
    sign_in_verified(client, staff)
    assert 'id="publication"' not in client.get(f"{LIST}2.000488/").content.decode()
