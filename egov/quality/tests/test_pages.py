"""The leader's page, its Excel file and the JSON API: access and content."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from egov.accounts.tests.helpers import sign_in_verified
from egov.dossiers.models import Status
from egov.dossiers.tests.factories import World, build_world, dossier_in_status

pytestmark = pytest.mark.django_db
PAGE = "/can-bo/chi-so-766/"
API = "/api/v1/quality/index"
PERIOD = {"start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture
def world() -> World:
    world = build_world()
    dossier_in_status(world, Status.RESULT_READY)  # ready 05/03, due 09/03: on time
    dossier_in_status(world, Status.PROCESSING, supplement_requests=2)  # late
    return world


def client_for(user: Any) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def test_the_leader_sees_the_score_and_what_lowered_it(world: World) -> None:
    page = client_for(world.staff.leader).get(PAGE, {"unit": world.org.district.code, **PERIOD})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Chỉ số chất lượng phục vụ (766)" in text
    assert "<svg" in text  # the trend
    late = world.org.district.code + "-260302-"
    assert late in text  # a link to the late dossier
    assert "nhiều hơn một lần" in text  # which rule the page uses
    # Groups 1 and 4: a published total, no published split → labelled, no number.
    assert "Tối đa 18 điểm cho cả nhóm; chưa có quy tắc điểm cho từng chỉ số." in text
    assert "Tối đa 22 điểm cho cả nhóm" in text
    assert text.count('class="no-points-rule">chưa có quy tắc điểm<') >= 12
    assert "4.40" not in text and "4.50" not in text  # the old even split is gone


def test_a_clerk_and_another_district_are_refused(world: World) -> None:
    clerk = client_for(world.staff.clerk).get(PAGE)
    assert clerk.status_code == 403
    outsider = client_for(world.staff.leader).get(PAGE, {"unit": world.org.other_district.code})
    assert outsider.status_code == 403


def test_bad_dates_are_explained(world: World) -> None:
    page = client_for(world.staff.leader).get(PAGE, {"start": "2026-13-01"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Kiểm tra lại ngày của kỳ báo cáo." in text
    assert "01/13/2026" in text  # the wrong date named as people write it
    # The three boxes (ngày, tháng, năm) as the form posts them; no native date input.
    boxes = {"start_0": "01", "start_1": "03", "start_2": "2026", "end_0": "31", "end_1": "3"}
    typed = client_for(world.staff.leader).get(PAGE, {**boxes, "end_2": "2026"}).content.decode()
    assert 'type="date"' not in typed
    assert "Từ ngày" in typed and "Đến ngày" in typed  # not "Từ đơn vị" (another page's words)
    assert 'name="start_0"' in typed and 'value="31"' in typed
    assert "start=2026-03-01&amp;end=2026-03-31&amp;format=xlsx" in typed
    reversed_period = client_for(world.staff.leader).get(PAGE, {**boxes, "end_2": "2025"})
    assert "Ngày bắt đầu kỳ sau ngày kết thúc." in reversed_period.content.decode()


def test_excel_and_json_give_the_same_figures(world: World) -> None:
    client = client_for(world.staff.leader)
    params = {"unit": world.org.district.code, **PERIOD}
    body = client.get(API, params).json()
    rows = {row["code"]: row for g in body["groups"] for row in g["indicators"]}
    assert (rows["2.1"]["numerator"], rows["2.1"]["denominator"]) == (1, 2)
    assert rows["2.1"]["value"] == "50.00"
    workbook = client.get(PAGE, {**params, "format": "xlsx"})
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(workbook.content)).active
    found = {row[0]: row for row in sheet.iter_rows(values_only=True) if row[0]}
    assert found["2.1"][2:5] == (1, 2, 50.0)


def test_the_api_answers_errors_as_json(world: World) -> None:
    client = client_for(world.staff.leader)
    bad = client.get(API, {"start": "2026-03-31", "end": "2026-03-01"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_period"
    other = client.get(API, {"unit": world.org.other_district.code})
    assert other.status_code == 403 and other.json()["code"] == "forbidden"
