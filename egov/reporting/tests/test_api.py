"""The JSON API: open a report, bad figures answer 422 with every message, a
second report for the period 409, submit late without a reason 422, completeness."""

from __future__ import annotations

from typing import Any

import pytest

from egov.reporting.tests.test_pages import client_for

pytestmark = pytest.mark.django_db
BASE = "/api/v1/reporting"


def test_a_report_through_the_api(org: Any, people: Any, quarterly: Any) -> None:
    api = client_for(people.commune_clerk)
    body = {"regime": "tthc-quy", "unit_code": org.commune.code, "period": "2020-Q1"}
    created = api.post(f"{BASE}/reports", body, content_type="application/json")
    assert created.status_code == 201, created.content
    report = created.json()
    assert report["period_start"] == "2019-12-15" and report["status"] == "draft"
    automatic = {f["code"] for f in report["figures"] if f["automatic"]}
    assert {"hs_moi", "ty_le_truc_tuyen"} <= automatic

    again = api.post(f"{BASE}/reports", body, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_filed"

    bad = api.post(
        f"{BASE}/reports/{report['id']}/figures",
        {"values": {"pakn_tiep_nhan": "-1", "pakn_da_xu_ly": "x"}},
        content_type="application/json",
    )
    assert bad.status_code == 422
    answer = bad.json()
    assert answer["code"] == "invalid_figures" and answer["field"] == "pakn_tiep_nhan"
    assert set(answer["errors"]) == {"pakn_tiep_nhan", "pakn_da_xu_ly"}

    saved = api.post(
        f"{BASE}/reports/{report['id']}/figures",
        {
            "values": {"pakn_tiep_nhan": "3", "pakn_da_xu_ly": "3"},
            "texts": {"danh_gia": "Đạt."},
            "expected_version": report["lock_version"],
        },
        content_type="application/json",
    )
    assert saved.status_code == 200
    stale = api.post(
        f"{BASE}/reports/{report['id']}/figures",
        {"values": {"pakn_tiep_nhan": "4"}, "expected_version": report["lock_version"]},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    late = api.post(f"{BASE}/reports/{report['id']}/submit", {}, content_type="application/json")
    assert late.status_code == 422 and late.json()["field"] == "late_reason"
    done = api.post(
        f"{BASE}/reports/{report['id']}/submit",
        {"late_reason": "Chậm."},
        content_type="application/json",
    )
    assert done.json()["status"] == "submitted" and done.json()["is_late"]

    seen = client_for(people.district_leader).get(
        f"{BASE}/completeness",
        {"regime": "tthc-quy", "unit_code": org.district.code, "period": "2020-Q1"},
    )
    assert seen.status_code == 200
    states = {row["unit_code"]: row["state"] for row in seen.json()["rows"]}
    assert states == {org.district.code: "missing", org.commune.code: "waiting"}
    due = client_for(people.commune_leader).get(f"{BASE}/due").json()
    assert any(item["action"] == "approve" for item in due)
