"""The public catalogue API: search, filters, pagination, one procedure, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from egov.core.models import Unit
from egov.procedures import services
from egov.procedures.models import ProcedureField, ProcedureVersion
from egov.procedures.tests.factories import Org, birth_content, publish

pytestmark = pytest.mark.django_db

URL = "/api/v1/procedures"


def get(client: Client, url: str, **params: Any) -> tuple[int, Any]:
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")
    return response.status_code, response.json()


def test_list_is_public_and_shows_versions_in_force(
    client: Client, org: Org, birth: ProcedureVersion, criminal_record: ProcedureVersion
) -> None:
    services.create_draft(None, "1.000894", **birth_content(org, name="Đăng ký kết hôn"))
    status, body = get(client, URL)
    assert status == 200
    assert body["count"] == 2  # the draft is not public
    assert [item["national_code"] for item in body["items"]] == ["1.001193", "2.000488"]
    record = body["items"][1]
    assert record["online_level"] == 4
    assert record["online_service"] == "toàn trình"
    assert record["time_limit"] == 10
    assert record["time_limit_unit"] == "working_days"
    assert record["time_limit_hours"] == 75
    assert record["fee_total"] == 200000
    assert record["field"] == {"code": "ly-lich-tu-phap", "name": "Lý lịch tư pháp", "name_en": ""}
    assert record["name_en"] == ""  # none given: a client shows the Vietnamese name
    assert record["levels"] == ["provincial_agency"]
    assert record["version"] == 1


def test_search_and_filters(
    client: Client, org: Org, birth: ProcedureVersion, criminal_record: ProcedureVersion
) -> None:
    def codes(**params: Any) -> list[str]:
        status, body = get(client, URL, **params)
        assert status == 200, body
        return [item["national_code"] for item in body["items"]]

    assert codes(q="dang ky khai sinh") == ["1.001193"]
    assert codes(q="LÝ LỊCH") == ["2.000488"]
    assert codes(level="commune") == ["1.001193"]
    assert codes(field="ly-lich-tu-phap") == ["2.000488"]
    assert codes(online_level="4") == ["1.001193", "2.000488"]
    assert codes(online_level="3") == []


def test_pagination(
    client: Client, org: Org, fields: dict[str, ProcedureField], django_assert_max_num_queries: Any
) -> None:
    for index in range(5):
        publish(f"9.00000{index}", birth_content(org, name=f"Thủ tục {index}"))
    with django_assert_max_num_queries(3):
        status, body = get(client, URL, page="2", page_size="2")
    assert status == 200
    assert (body["count"], body["page"], body["page_size"], body["pages"]) == (5, 2, 2, 3)
    assert [item["national_code"] for item in body["items"]] == ["9.000002", "9.000003"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"page_size": "101"}, "page_size"),
        ({"online_level": "5"}, "online_level"),
        ({"level": "village"}, "level"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter(
    client: Client, params: dict[str, str], field: str
) -> None:
    status, body = get(client, URL, **params)
    assert status == 400
    assert body["code"] == "invalid"
    assert body["field"] == field
    assert body["message"]


def test_one_procedure_with_papers_fees_and_agencies(
    client: Client, org: Org, criminal_record: ProcedureVersion, birth: ProcedureVersion
) -> None:
    status, body = get(client, f"{URL}/2.000488")
    assert status == 200
    assert body["name"] == "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
    (paper,) = body["papers"]
    assert paper.pop("form_label")  # in the page language
    assert paper == {
        "position": 1,
        "name": "Tờ khai yêu cầu cấp Phiếu LLTP",
        "name_en": "",
        "copies": 1,
        "form": "original",
        "template_name": "",
        "is_optional": False,
        "is_declaration": False,
    }
    assert body["fees"][0]["amount"] is None
    assert body["fees"][0]["rule"]["table"]["sinh_vien"] == 100000
    assert body["fee_inputs"][0] == {
        "name": "applicant",
        "unit": "",
        "default": "thong_thuong",
        "choices": {"thong_thuong": "Thông thường", "sinh_vien": "Sinh viên"},
    }
    assert body["fee_inputs"][1]["name"] == "extra_copies"
    assert body["fee_inputs"][1]["default"] == 0
    assert body["agencies"] == [
        {
            "code": org.justice.code,
            "name": "Sở Tư pháp",
            "name_en": "",
            "level": "provincial_agency",
        }
    ]
    assert body["legal_basis"] == "Luật Lý lịch tư pháp 2009"
    status, body = get(client, f"{URL}/1.001193")
    assert body["online_service"] == "toàn trình"
    assert body["time_limit_hours"] == 7.5
    assert len(body["agencies"]) == 3


def test_english_names_as_the_staff_pages_set_them(
    client: Client, org: Org, criminal_record: ProcedureVersion
) -> None:
    """Issue 15, item 10: an API client (a phone app in English) reads the English
    names of the procedure, its field, papers and agencies that the pages show."""
    ProcedureVersion.objects.filter(pk=criminal_record.pk).update(
        name_en="Issuing a judicial record certificate to Vietnamese citizens"
    )
    ProcedureField.objects.filter(pk=criminal_record.field_id).update(name_en="Judicial records")
    criminal_record.papers.update(name_en="Application for a judicial record certificate")
    Unit.objects.filter(pk=org.justice.pk).update(name_en="Department of Justice")

    status, body = get(client, URL, q="ly lich")
    assert status == 200, body
    (item,) = body["items"]
    assert item["name_en"] == "Issuing a judicial record certificate to Vietnamese citizens"
    assert item["field"]["name_en"] == "Judicial records"
    status, body = get(client, f"{URL}/2.000488")
    assert status == 200, body
    assert body["name"] == "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"  # both given
    assert body["name_en"] == "Issuing a judicial record certificate to Vietnamese citizens"
    assert body["papers"][0]["name_en"] == "Application for a judicial record certificate"
    assert body["agencies"][0]["name_en"] == "Department of Justice"
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    answer = document["paths"]["/api/v1/procedures/{national_code}"]["get"]["responses"]["200"]
    detail = schemas[answer["content"]["application/json"]["schema"]["$ref"].split("/")[-1]]
    assert "name_en" in detail["properties"]
    for part in ("field", "papers", "agencies"):
        ref = json.dumps(detail["properties"][part]).split('"#/components/schemas/')[1]
        assert "name_en" in schemas[ref.split('"')[0]]["properties"], part


def test_unknown_or_unpublished_procedure_is_404(client: Client, org: Org, fields: Any) -> None:
    services.create_draft(None, "1.000894", **birth_content(org, name="Đăng ký kết hôn"))
    for code in ("1.000894", "9.999999"):
        status, body = get(client, f"{URL}/{code}")
        assert status == 404
        assert body["code"] == "not_found"
        assert body["field"] == "national_code"


def test_openapi_documents_the_routes(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/procedures" in schema["paths"]
    detail = schema["paths"]["/api/v1/procedures/{national_code}"]["get"]
    assert set(detail["responses"]) == {"200", "404"}
    assert "ProcedureOut" in schema["components"]["schemas"]
