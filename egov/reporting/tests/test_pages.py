"""The staff pages walked with the test client: a commune and a district file their
quarterly report (partly automatic), a bad figure is refused in Vietnamese with the
typed value kept, the province sees completeness, files its own report (prefilled
from the district's), approves and sends it to the simulator."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from egov.accounts.models import User
from egov.accounts.tests.helpers import sign_in_verified
from egov.reporting import services
from egov.reporting.models import GovernmentReceipt, Report, Status
from egov.reporting.tests.conftest import person

pytestmark = pytest.mark.django_db
Q1 = "2020-Q1"


def client_for(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def _file(client: Client, regime, unit, figures: dict[str, str]) -> Report:
    page = client.get(reverse("reporting:unit", args=[unit.pk]))
    assert page.status_code == 200
    answer = client.post(
        reverse("reporting:create"), {"regime": regime.pk, "unit": unit.pk, "period": Q1}
    )
    report = Report.objects.get(regime=regime, unit=unit, period_key=Q1, is_current=True)
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "reporting:report", args=[report.pk]
    )
    data = {"action": "save", "text_danh_gia": "Hoàn thành kế hoạch.", **figures}
    assert client.post(reverse("reporting:act", args=[report.pk]), data).status_code == 302
    submitted = client.post(
        reverse("reporting:act", args=[report.pk]),
        {"action": "submit", "late_reason": "Số liệu về chậm."},
        follow=True,
    )
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED, (
        {k: v for k, v in report.values.items() if "pakn" in k},
        submitted.text[submitted.text.find("message--error") :][:300].replace("\n", " "),
    )
    assert report.status == Status.SUBMITTED and report.is_late
    return report


def test_commune_and_district_file_province_checks_approves_and_sends(
    org,
    people,
    quarterly,
    settings,
):
    settings.EGOV_SIMULATORS = True
    settings.EGOV_GOVREPORT_TRANSPORT = "inprocess"
    settings.EGOV_GOVREPORT_SECRET = "test-secret"
    settings.EGOV_GOVREPORT_URL = "http://testserver/bao-cao/mo-phong/chinh-phu"
    commune_clerk = client_for(people.commune_clerk)
    assert "Báo cáo phải thực hiện" in commune_clerk.get(reverse("reporting:home")).text

    # A figure out of range: refused in Vietnamese, what was typed is kept.
    commune_clerk.post(
        reverse("reporting:create"), {"regime": quarterly.pk, "unit": org.commune.pk, "period": Q1}
    )
    report = Report.objects.get(unit=org.commune, period_key=Q1)
    bad = commune_clerk.post(
        reverse("reporting:act", args=[report.pk]),
        {"action": "save", "pakn_tiep_nhan": "-3", "pakn_da_xu_ly": "2"},
    )
    assert bad.status_code == 422
    assert "phải lớn hơn hoặc bằng 0" in bad.text and 'value="-3"' in bad.text
    report.delete()  # start again through the whole walk

    commune = _file(
        commune_clerk, quarterly, org.commune, {"pakn_tiep_nhan": "4", "pakn_da_xu_ly": "3"}
    )
    leader = client_for(people.commune_leader)
    leader.post(reverse("reporting:act", args=[commune.pk]), {"action": "approve"})
    commune.refresh_from_db()
    assert commune.status == Status.APPROVED and not commune.is_signed

    district_clerk = client_for(people.district_clerk)
    district = _file(
        district_clerk, quarterly, org.district, {"pakn_tiep_nhan": "10", "pakn_da_xu_ly": "9"}
    )
    client_for(people.district_leader).post(
        reverse("reporting:act", args=[district.pk]), {"action": "approve"}
    )

    # The province sees who reported (late) and who has not.
    province_leader = client_for(people.province_leader)
    page = province_leader.get(
        reverse("reporting:completeness"),
        {"regime": quarterly.pk, "unit": org.province.pk, "period": Q1},
    )
    assert page.status_code == 200
    assert '<strong id="expected">4</strong>' in page.text
    assert '<strong id="reported">2</strong>' in page.text
    assert '<strong id="late">2</strong>' in page.text
    assert page.text.count('data-state="missing"') == 2  # the province itself, Sở Tư pháp

    # The province's own report starts from the district's figures; approved and sent.
    province_clerk = client_for(person("tinh.cv", "specialist", org.province, "Đỗ Thị Giang"))
    own = _file(province_clerk, quarterly, org.province, {"pakn_da_xu_ly": "9"})
    assert own.values["pakn_tiep_nhan"]["value"] == "10"
    province_leader.post(reverse("reporting:act", args=[own.pk]), {"action": "approve"})
    answer = province_leader.post(reverse("reporting:act", args=[own.pk]), {"action": "send"})
    assert answer.status_code == 302
    own.refresh_from_db()
    assert own.status == Status.APPROVED and own.next_send_at is not None
    queued = province_leader.get(reverse("reporting:report", args=[own.pk])).text
    assert 'data-sending="queued"' in queued and "Đang chờ gửi" in queued
    assert 'value="send"' not in queued  # no second send while it waits
    services.send_queued()  # the background job
    own.refresh_from_db()
    assert own.status == Status.ACKNOWLEDGED
    assert GovernmentReceipt.objects.get().payload["unit_code"] == org.province.code
    detail = province_leader.get(reverse("reporting:report", args=[own.pk])).text
    assert "Đã được tiếp nhận" in detail and own.remote_id in detail

    pdf = province_leader.get(reverse("reporting:pdf", args=[own.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = province_leader.get(reverse("reporting:xlsx", args=[own.pk]))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_people_of_other_units_do_not_see_a_report(org, people, quarterly):
    clerk = client_for(people.district_clerk)
    clerk.post(
        reverse("reporting:create"), {"regime": quarterly.pk, "unit": org.district.pk, "period": Q1}
    )
    report = Report.objects.get(unit=org.district)
    outsider = client_for(person("so.cv", "specialist", org.justice, "Hà Văn Khánh"))
    assert outsider.get(reverse("reporting:report", args=[report.pk])).status_code == 404
    # The commune's clerk cannot file for the district either.
    commune = client_for(people.commune_clerk)
    commune.post(
        reverse("reporting:act", args=[report.pk]), {"action": "save", "pakn_tiep_nhan": "1"}
    )
    report.refresh_from_db()
    assert "pakn_tiep_nhan" not in report.values or report.values["pakn_tiep_nhan"]["value"] == ""
