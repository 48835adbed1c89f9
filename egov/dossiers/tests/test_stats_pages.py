"""The statistics page, its Excel download and the JSON API: who sees which unit,
form errors, the figures shown, the chart and the workbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from egov.accounts.models import AccountKind, Role, RoleAssignment, User
from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import english_client, sign_in_verified
from egov.core.models import Unit, UnitLevel
from egov.core.services.units import create_unit
from egov.dossiers.models import Channel, Dossier, Status
from egov.dossiers.services.rollups import refresh_rollups
from egov.dossiers.stats.figures import statistics_units
from egov.dossiers.stats.views import BAR_AREA
from egov.procedures.models import Procedure, ProcedureField, ProcedureVersion

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PAGE = "/can-bo/thong-ke/"
API = "/api/v1/statistics/dossiers"
MARCH = {"start": "2020-03-01", "end": "2020-03-31"}


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ)


@dataclass
class Tree:
    province: Unit
    justice: Unit
    justice_desk: Unit
    district: Unit
    commune: Unit
    commune_desk: Unit
    division: Unit


@pytest.fixture
def tree() -> Tree:
    province = create_unit(
        None, None, code="000.00.00.H33", name="UBND tỉnh Kiên Giang", level=UnitLevel.PROVINCE
    )
    justice = create_unit(
        None, province, code="000.00.03.H33", name="Sở Tư pháp", level=UnitLevel.PROVINCIAL_AGENCY
    )
    justice_desk = create_unit(
        None,
        justice,
        code="000.01.03.H33",
        name="Bộ phận Một cửa Sở Tư pháp",
        level=UnitLevel.INTERNAL,
        is_one_stop=True,
    )
    division = create_unit(
        None,
        justice,
        code="000.02.03.H33",
        name="Phòng Hành chính tư pháp",
        level=UnitLevel.INTERNAL,
    )
    district = create_unit(
        None,
        province,
        code="000.00.31.H33",
        name="UBND thành phố Rạch Giá",
        level=UnitLevel.DISTRICT,
    )
    commune = create_unit(
        None, district, code="001.00.31.H33", name="UBND phường Vĩnh Thanh", level=UnitLevel.COMMUNE
    )
    commune_desk = create_unit(
        None,
        commune,
        code="001.99.31.H33",
        name="Bộ phận TN&TKQ phường Vĩnh Thanh",
        level=UnitLevel.INTERNAL,
        is_one_stop=True,
    )
    return Tree(province, justice, justice_desk, district, commune, commune_desk, division)


@dataclass
class Catalogue:
    civil: ProcedureField
    land: ProcedureField
    birth: ProcedureVersion
    land_use: ProcedureVersion


@pytest.fixture
def catalogue() -> Catalogue:
    civil = ProcedureField.objects.create(code="ho-tich", name="Hộ tịch")
    land = ProcedureField.objects.create(code="dat-dai", name="Đất đai")

    def version(code: str, name: str, field: ProcedureField) -> ProcedureVersion:
        procedure = Procedure.objects.create(national_code=code)
        return ProcedureVersion.objects.create(
            procedure=procedure,
            number=1,
            status="published",
            name=name,
            field=field,
            time_limit=Decimal(5),
        )

    return Catalogue(
        civil,
        land,
        version("1.001193", "Đăng ký khai sinh", civil),
        version("1.004227", "Đăng ký đất đai lần đầu", land),
    )


_serial = count(1)


def dossier(
    agency: Unit,
    desk: Unit,
    version: ProcedureVersion,
    *,
    status: int,
    channel: int = Channel.DESK,
    received: str,
    due: str,
    resolved: str | None = None,
) -> Dossier:
    received_at = at(received)
    return Dossier.objects.create(
        code=f"{agency.code}-{received_at:%y%m%d}-{next(_serial):04d}",
        procedure_version=version,
        receiving_agency=agency,
        receiving_unit=desk,
        channel=channel,
        status=status,
        applicant_name="Trần Thị Mai",
        submitted_at=received_at,
        received_at=received_at,
        due_at=at(due),
        resolved_at=at(resolved) if resolved else None,
    )


@pytest.fixture
def dossiers(tree: Tree, catalogue: Catalogue) -> list[Dossier]:
    """March 2020: the department 2 (one late), the commune 3 (one online, one open)."""
    return [
        dossier(
            tree.justice,
            tree.justice_desk,
            catalogue.birth,
            status=Status.RESULT_READY,
            received="2020-03-02",
            due="2020-03-09",
            resolved="2020-03-05",
        ),
        dossier(
            tree.justice,
            tree.justice_desk,
            catalogue.birth,
            status=Status.RESULT_READY,
            received="2020-03-02",
            due="2020-03-09",
            resolved="2020-03-12",
        ),
        dossier(
            tree.commune,
            tree.commune_desk,
            catalogue.land_use,
            status=Status.RESULT_READY,
            channel=Channel.ONLINE,
            received="2020-03-03",
            due="2020-03-10",
            resolved="2020-03-10",
        ),
        dossier(
            tree.commune,
            tree.commune_desk,
            catalogue.land_use,
            status=Status.RESULT_READY,
            received="2020-03-04",
            due="2020-03-11",
            resolved="2020-03-06",
        ),
        dossier(
            tree.commune,
            tree.commune_desk,
            catalogue.birth,
            status=Status.PROCESSING,
            received="2020-03-20",
            due="2020-03-27",
        ),
    ]


def staff(username: str, unit: Unit | None = None, role: str | None = None) -> User:
    user = User.objects.create_user(
        username, "KienGiang2020", full_name="Nguyễn Thị Lan", kind=AccountKind.STAFF
    )
    if unit is not None and role is not None:
        RoleAssignment.objects.create(user=user, role=Role.objects.get(code=role), unit=unit)
    return user


def signed_in(user: User, client: Client | None = None) -> Client:
    client = client or Client()
    sign_in_verified(client, user)
    return client


# --- who sees what ------------------------------------------------------------------------


def test_page_and_api_need_a_verified_staff_session(tree: Tree, client: Client) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302 and "/tai-khoan/" in response["Location"]
    response = client.get(API, {"unit": tree.province.code, **MARCH})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    # Signed in but without the second factor: still refused.
    user = staff("chuaxacthuc", tree.province, RoleCode.PLATFORM_OPERATOR)
    client.force_login(user)
    assert client.get(API, {"unit": tree.province.code, **MARCH}).status_code == 401
    citizen = User.objects.create_user("091090001234", "KienGiang2020", kind=AccountKind.CITIZEN)
    other = Client()
    other.force_login(citizen)
    assert other.get(PAGE).status_code == 403


def test_staff_without_a_role_for_statistics_is_told_so(tree: Tree) -> None:
    client = signed_in(staff("vanthu", tree.justice, RoleCode.RECORDS_CLERK))
    response = client.get(PAGE)
    assert response.status_code == 403
    assert 'role="alert"' in response.content.decode()
    response = client.get(API, {"unit": tree.justice.code, **MARCH})
    assert response.status_code == 403
    assert response.json() == {
        "code": "forbidden",
        "message": response.json()["message"],
        "field": "unit",
    }


def test_units_offered_follow_the_roles(tree: Tree) -> None:
    clerk = staff("motcua.xa", tree.commune_desk, RoleCode.ONE_STOP_CLERK)
    assert [u.code for u in statistics_units(clerk)] == ["001.99.31.H33"]
    leader = staff("lanhdao.rachgia", tree.district, RoleCode.AGENCY_LEADER)
    assert [u.code for u in statistics_units(leader)] == [
        "000.00.31.H33",
        "001.00.31.H33",
        "001.99.31.H33",
    ]
    operator = staff("vanhanh", tree.province, RoleCode.PLATFORM_OPERATOR)
    codes = [u.code for u in statistics_units(operator)]
    assert codes[0] == "000.00.00.H33"
    assert "000.02.03.H33" not in codes  # an internal division has no figures of its own
    assert "000.01.03.H33" in codes  # a one-stop desk has


def test_a_district_leader_sees_the_district_not_the_province(
    tree: Tree, dossiers: list[Dossier]
) -> None:
    client = signed_in(staff("lanhdao.rachgia", tree.district, RoleCode.AGENCY_LEADER))
    assert client.get(API, {"unit": tree.commune.code, **MARCH}).status_code == 200
    assert client.get(API, {"unit": tree.province.code, **MARCH}).status_code == 403
    response = client.get(PAGE, {"unit": tree.province.code, **MARCH})
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]  # not among the choices
    assert response.context["result"] is None


# --- the page -------------------------------------------------------------------------------


def test_the_page_shows_the_figures_by_agency(tree: Tree, dossiers: list[Dossier]) -> None:
    client = signed_in(staff("vanhanh", tree.province, RoleCode.PLATFORM_OPERATOR))
    response = client.get(PAGE, {"unit": tree.province.code, **MARCH, "group_by": "agency"})
    assert response.status_code == 200
    result = response.context["result"]
    assert result.totals.new == 5 and result.totals.resolved_late == 1
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Sở Tư pháp" in html and "UBND thành phố Rạch Giá" in html
    # The chart: an accessible SVG image with its own title and description.
    assert 'role="img"' in html and 'aria-labelledby="chart-title chart-desc"' in html
    assert '<title id="chart-title">' in html and '<desc id="chart-desc">' in html
    chart = response.context["chart"]
    assert [(bar.in_time, bar.late) for bar in chart.bars] == [(1, 1), (2, 0)]
    assert chart.bars[1].in_time_width == BAR_AREA  # the largest bar fills the bar area
    # Table rows: department then district, then the totals.
    rows = response.context["rows"]
    assert [line["row"].key for line in rows] == ["000.00.03.H33", "000.00.31.H33"]
    assert "excel/?" in response.context["excel_url"]


def test_with_fresh_rollups_the_page_and_the_api_read_them_and_say_so(
    tree: Tree, dossiers: list[Dossier]
) -> None:
    client = signed_in(staff("vanhanh", tree.province, RoleCode.PLATFORM_OPERATOR))
    before = client.get(PAGE, {"unit": tree.province.code, **MARCH, "group_by": "agency"})
    assert before.context["result"].rolled_up_at is None
    assert "bảng tổng hợp" not in before.content.decode()
    refresh_rollups()
    response = client.get(PAGE, {"unit": tree.province.code, **MARCH, "group_by": "agency"})
    result = response.context["result"]
    assert result.rolled_up_at is not None
    assert result.totals == before.context["result"].totals
    assert "Các số liệu khác lấy từ bảng tổng hợp theo ngày, cập nhật đến" in (
        response.content.decode()
    )
    body = client.get(API, {"unit": tree.province.code, **MARCH}).json()
    assert body["rolled_up_at"] is not None and body["rolled_up_at"].endswith("+07:00")
    assert body["totals"]["new"] == 5


def test_the_page_defaults_to_this_month_for_the_first_unit(tree: Tree) -> None:
    client = signed_in(staff("motcua.xa", tree.commune_desk, RoleCode.ONE_STOP_CLERK))
    response = client.get(PAGE)
    assert response.status_code == 200
    result = response.context["result"]
    assert result.unit == tree.commune_desk and result.by_desk
    assert result.start.day == 1 and result.start.month == result.end.month
    # Quick periods: calendar ones and the Decree 09/2019 ones (15th to 14th).
    quick = response.context["quick"]
    assert len(quick["calendar"]) == 6 and len(quick["cutoff"]) == 6
    assert all("15/" in link["dates"].split("–")[0] for link in quick["cutoff"])
    assert quick["calendar"][0]["current"] is True
    assert "unit=001.99.31.H33" in quick["cutoff"][0]["url"]


def test_english_page(tree: Tree, dossiers: list[Dossier]) -> None:
    client = signed_in(
        staff("vanhanh", tree.province, RoleCode.PLATFORM_OPERATOR), english_client()
    )
    response = client.get(PAGE, {"unit": tree.province.code, **MARCH, "group_by": "field"})
    html = response.content.decode()
    assert "Dossier statistics" in html
    assert "Figures by procedure field" in html
    assert [line["row"].name for line in response.context["rows"]] == ["Đất đai", "Hộ tịch"]


def test_errors_show_next_to_the_fields(tree: Tree) -> None:
    client = signed_in(
        staff("vanhanh", tree.province, RoleCode.PLATFORM_OPERATOR), english_client()
    )
    response = client.get(
        PAGE, {"unit": tree.province.code, "start": "2020-03-31", "end": "2020-03-01"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["end"] == ["The end date must be on or after the start date."]
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert response.context["result"] is None
    response = client.get(PAGE, {"unit": tree.province.code, "start": "31-03", "end": ""})
    assert set(response.context["form"].errors) == {"start", "end"}
    excel = client.get(
        reverse("dossiers_stats:excel"), {"unit": tree.province.code, "start": "x", "end": "y"}
    )
    assert excel.status_code == 400


def test_the_excel_file_has_vietnamese_headings_numbers_and_totals(
    tree: Tree, dossiers: list[Dossier]
) -> None:
    # The person reads English; the file is a report and stays Vietnamese.
    client = signed_in(
        staff("vanhanh", tree.province, RoleCode.PLATFORM_OPERATOR), english_client()
    )
    response = client.get(
        reverse("dossiers_stats:excel"), {"unit": tree.province.code, **MARCH, "group_by": "agency"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        'filename="thong-ke-ho-so_000.00.00.H33_20200301_20200331.xlsx"'
        in response["Content-Disposition"]
    )
    book = load_workbook(BytesIO(response.content))
    sheet = book.worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    with translation.override("vi"):
        total_label = gettext("All together")
        received = gettext("Dossiers received")
        agency = gettext("Agency or unit")
    header = next(i for i, row in enumerate(values) if row[0] == agency)
    assert values[header][1] == received
    data = values[header + 2 : header + 4]
    assert [row[0] for row in data] == [
        "Sở Tư pháp (000.00.03.H33)",
        "UBND thành phố Rạch Giá (000.00.31.H33)",
    ]
    totals = values[header + 4]
    assert totals[0] == total_label
    # Columns: received, carried over, new, online, desk, post, resolved, early, on time, late
    assert totals[1:11] == [5, 0, 5, 1, 4, 0, 4, 2, 1, 1]
    assert all(isinstance(value, int) for value in totals[1:18])
    assert totals[18] == pytest.approx(0.2)  # received online
    assert sheet.cell(row=header + 5, column=19).number_format == "0.0%"
    assert len(book.worksheets) == 2  # the definitions


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def operator_client(tree: Tree) -> Client:
    return signed_in(staff("vanhanh", tree.province, RoleCode.PLATFORM_OPERATOR), english_client())


def test_api_gives_totals_and_rows(
    tree: Tree, dossiers: list[Dossier], operator_client: Client
) -> None:
    response = operator_client.get(API, {"unit": tree.province.code, **MARCH})
    assert response.status_code == 200
    body = response.json()
    assert body["unit"] == {"code": "000.00.00.H33", "name": "UBND tỉnh Kiên Giang"}
    assert body["scope"] == "agency" and body["group_by"] == "agency"
    assert body["starts_at"] == "2020-03-01T00:00:00+07:00"
    assert body["ends_at"] == "2020-04-01T00:00:00+07:00"
    totals = body["totals"]
    assert totals["new"] == 5 and totals["new_online"] == 1 and totals["new_desk"] == 4
    assert totals["resolved_early"] == 2 and totals["resolved_on_time"] == 1
    assert totals["resolved_late"] == 1 and totals["in_progress_overdue"] == 1
    assert totals["online_share"] == 0.2 and totals["on_time_share"] == 0.75
    assert body["satisfaction"]["count"] == 0
    assert [row["key"] for row in body["rows"]] == ["000.00.03.H33", "000.00.31.H33"]
    assert sum(row["counts"]["received"] for row in body["rows"]) == totals["received"]


def test_api_filters_and_groupings(
    tree: Tree, dossiers: list[Dossier], operator_client: Client
) -> None:
    body = operator_client.get(
        API, {"unit": tree.province.code, **MARCH, "field": "dat-dai", "group_by": "procedure"}
    ).json()
    assert body["field"] == "dat-dai"
    assert [(row["kind"], row["key"]) for row in body["rows"]] == [("procedure", "1.004227")]
    assert body["totals"]["new"] == 2
    body = operator_client.get(
        API, {"unit": tree.commune_desk.code, **MARCH, "procedure": "1.001193", "group_by": "none"}
    ).json()
    assert body["scope"] == "desk" and body["rows"] == []
    assert body["totals"]["new"] == 1 and body["totals"]["in_progress"] == 1


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"unit": "000.00.00.H33", "end": "2020-03-31"}, "missing_date", "start"),
        (
            {"unit": "000.00.00.H33", "start": "2020-3-1", "end": "2020-03-31"},
            "invalid_date",
            "start",
        ),
        (
            {"unit": "000.00.00.H33", "start": "2020-03-01", "end": "31/03/2020"},
            "invalid_date",
            "end",
        ),
        (
            {"unit": "000.00.00.H33", "start": "2020-03-02", "end": "2020-03-01"},
            "end_before_start",
            "end",
        ),
        (
            {"unit": "000.00.00.H33", "start": "1900-01-01", "end": "2020-03-01"},
            "out_of_range",
            "start",
        ),
        ({"start": "2020-03-01", "end": "2020-03-31"}, "missing_unit", "unit"),
        (
            {"unit": "999.99.99.H99", "start": "2020-03-01", "end": "2020-03-31"},
            "unknown_unit",
            "unit",
        ),
        ({"unit": "000.00.00.H33", **MARCH, "field": "thue"}, "unknown_field", "field"),
        (
            {"unit": "000.00.00.H33", **MARCH, "procedure": "9.999"},
            "unknown_procedure",
            "procedure",
        ),
        ({"unit": "000.00.00.H33", **MARCH, "group_by": "channel"}, "invalid_group_by", "group_by"),
    ],
)
def test_api_bad_parameters_get_a_structured_400(
    tree: Tree, operator_client: Client, params: dict[str, str], code: str, field: str
) -> None:
    response = operator_client.get(API, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code and body["field"] == field
    assert body["message"]


def test_api_is_documented_in_openapi() -> None:
    from egov.api import api

    schema = api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/statistics/dossiers"]["get"]
    assert {str(code) for code in operation["responses"]} == {"200", "400", "401", "403"}
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert names == {"unit", "start", "end", "field", "procedure", "group_by"}
    counts = schema["components"]["schemas"]["StatsCountsOut"]["properties"]
    assert "in_progress_overdue" in counts
    out = schema["components"]["schemas"]["StatsOut"]["properties"]
    assert out["satisfaction"]["description"]


def test_the_ended_without_result_card_names_its_figures(
    tree: Tree, catalogue: Catalogue, dossiers: list[Dossier]
) -> None:
    """No bare "0 · 0 · 0": nothing ended without a result says so in words, and
    figures say which is which (issue 15, item 11)."""
    client = signed_in(staff("vanhanh", tree.province, RoleCode.PLATFORM_OPERATOR))
    query = {"unit": tree.province.code, **MARCH}
    html = client.get(PAGE, query).content.decode()
    assert "0 · 0 · 0" not in html
    assert "Không có trong kỳ này." in html

    withdrawn = dossier(
        tree.commune,
        tree.commune_desk,
        catalogue.birth,
        status=Status.WITHDRAWN,
        received="2020-03-05",
        due="2020-03-12",
    )
    Dossier.objects.filter(pk=withdrawn.pk).update(closed_at=at("2020-03-06"))
    html = client.get(PAGE, query).content.decode()
    assert "1 rút hồ sơ theo yêu cầu, 0 không tiếp nhận, 0 dừng xử lý" in html
